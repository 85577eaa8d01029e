"""The generator alone (no database): a district that looks like a real one."""

from collections import Counter

import pytest

from areas.services import read_area_file
from demo.data import REFERENCE_DATE
from demo.generator import Community, DistrictGenerator, id_number_build
from registry.identity import parse_id_number

PEOPLE = 20_000


@pytest.fixture(scope="module")
def district():
    rows = read_area_file("areas/data/areas-500106.csv")
    towns = {r.code: r.name for r in rows if r.level == "town"}
    communities = [Community(r.code, r.name, towns[r.parent_code]) for r in rows if r.level == "community"]
    generator = DistrictGenerator(seed=3, communities=communities, id_prefix="500106", district_name="沙坪坝区")
    households = list(generator.households(PEOPLE))
    return communities, households, [p for h in households for p in h.members]


def age(person) -> int:
    return (REFERENCE_DATE - person.birth_date).days // 365


def test_id_number_build_matches_gb11643():
    number = id_number_build("500106", REFERENCE_DATE.replace(year=1980), 123)
    facts = parse_id_number(number)
    assert facts.sex == "M" and facts.birth_date.year == 1980 and number[:6] == "500106"
    assert parse_id_number(id_number_build("110101", REFERENCE_DATE.replace(year=1990), 124)).sex == "F"


def test_exact_size_and_all_communities_used(district):
    communities, households, people = district
    assert len(people) == PEOPLE
    assert {h.area_code for h in households} == {c.code for c in communities}
    sizes = Counter(h.area_code for h in households).most_common()
    assert sizes[0][1] >= 3 * sizes[-1][1]  # some communities are much bigger than others


def test_household_sizes_look_like_the_census(district):
    _, households, people = district
    sizes = Counter(len(h.members) for h in households)
    assert set(sizes) <= set(range(1, 7))
    assert 2.3 <= len(people) / len(households) <= 2.9
    assert sizes[2] + sizes[3] >= 0.4 * len(households)
    alone_elderly = sum(1 for h in households if len(h.members) == 1 and age(h.members[0]) >= 60)
    assert 0.09 <= alone_elderly / len(households) <= 0.15


def test_age_pyramid_has_about_a_fifth_over_sixty(district):
    _, _, people = district
    ages = [age(p) for p in people]
    assert 0.17 <= sum(a >= 60 for a in ages) / len(ages) <= 0.24
    assert 0.015 <= sum(a >= 80 for a in ages) / len(ages) <= 0.05
    assert sum(a < 15 for a in ages) / len(ages) >= 0.1


def test_disability_deaths_incomes_and_hukou(district):
    _, households, people = district
    assert 0.045 <= sum(p.disability is not None for p in people) / len(people) <= 0.075
    assert 0 < sum(p.death_date is not None for p in people) / len(people) < 0.02
    amounts = [amount for p in people for _, amount, _ in p.incomes]
    assert all(0 <= a <= 8000 for a in amounts)
    assert 0.1 <= sum(600 <= a <= 1000 for a in amounts if a < 1600) / len(amounts)
    # 街道 社区 mostly 城镇户籍; villages (村) mostly 农村户籍.
    communities = {c.code: c for c in district[0]}
    street = [h for h in households if communities[h.area_code].name.endswith("居民委员会")
              and communities[h.area_code].town_name.endswith("街道")]
    assert sum(h.hukou_type == "urban" for h in street) / len(street) >= 0.85
    village = [h for h in households if communities[h.area_code].name.endswith("村民委员会")]
    assert sum(h.hukou_type == "rural" for h in village) / len(village) >= 0.85


def test_common_surnames_dominate(district):
    _, _, people = district
    top = Counter(p.name[0] for p in people).most_common(5)
    assert {s for s, _ in top} <= {"王", "李", "张", "刘", "陈", "杨"}
    assert all(2 <= len(p.name) <= 3 for p in people)
