"""Elderly people in community A (town A) and one in community B, with the households that decide their category."""

from datetime import date

import pytest

from minzheng.dates import years_before
from tests.conftest import make_id

TODAY = date(2026, 12, 7)


def born(age: int, today: date = TODAY) -> date:
    """A birth date making the person `age` today (a birthday a month ago)."""
    day = years_before(today, age)
    return day.replace(month=day.month - 1) if day.month > 1 else day.replace(year=day.year - 1, month=12)


@pytest.fixture
def elders(personas, areas):
    from registry.services import household_create, person_create

    officer = personas["district_officer"]
    seq = iter(range(100, 200))

    def person(name, age, area="community_a"):
        birth = born(age)
        return person_create(acting_user=officer, name=name, area_code=areas[area], birth_date=birth,
                             id_number=make_id("500106", f"{birth:%Y%m%d}", next(seq)))

    alone = person("独居甲", 72)
    husband, wife = person("空巢夫", 70), person("空巢妻", 66)
    with_son, son = person("同住母", 75), person("儿子", 45)
    young_alone = person("年轻独居", 55)
    old = person("高龄乙", 85)
    old_son = person("高龄乙子", 55)
    other = person("外镇独居", 68, "community_b")
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": alone, "relation": "head"}])
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": husband, "relation": "head"}, {"person": wife, "relation": "spouse"}])
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": son, "relation": "head"}, {"person": with_son, "relation": "parent"}])
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": young_alone, "relation": "head"}])
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": old_son, "relation": "head"}, {"person": old, "relation": "parent"}])
    household_create(acting_user=officer, area_code=areas["community_b"], hukou_type="rural",
                     members=[{"person": other, "relation": "head"}])
    return {"alone": alone, "husband": husband, "wife": wife, "with_son": with_son, "son": son,
            "young_alone": young_alone, "old": old, "other": other}
