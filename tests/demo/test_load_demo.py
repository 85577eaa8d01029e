"""load_demo: a deterministic, consistent demo district with working demo logins."""

import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from accounts.models import User
from areas.models import Area, AreaLevel
from audit.models import ChangeLog
from demo.data import DEMO_PASSWORD, REFERENCE_DATE
from registry.identity import parse_id_number
from registry.models import Disability, Household, HouseholdMember, Income, Person

PERSONS = 600


def load(**options) -> str:
    out = StringIO()
    # The assistance demo (tests/demo/test_demo_assistance.py) is left out here: these tests check the population.
    options.setdefault("cases", 0)
    call_command("load_demo", persons=options.pop("persons", PERSONS), allow_non_debug=True, stdout=out, **options)
    return out.getvalue()


def digest() -> str:
    """Everything that identifies the generated people and households, independent of primary keys."""
    rows = HouseholdMember.objects.order_by("person_id").values_list(
        "person__id_number", "person__name", "person__sex", "person__birth_date", "person__area_id",
        "person__status", "person__death_date", "relation", "household__hukou_type", "household__address")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


class _Rollback(Exception):
    pass


def digest_of_fresh_load(seed: int) -> str:
    """Load into the empty test database, take the digest, and roll the whole load back."""
    try:
        with transaction.atomic():
            load(seed=seed)
            result = digest()
            raise _Rollback
    except _Rollback:
        pass
    assert not Person.objects.exists()
    return result


@pytest.fixture
def demo(db):
    load(seed=11)


def ages() -> dict[int, int]:
    return {p.pk: _age(p.birth_date) for p in Person.objects.only("birth_date")}


def _age(birth) -> int:
    return REFERENCE_DATE.year - birth.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth.month, birth.day))


# --- given the same seed, when loaded twice into an empty database, then the same people come out ---------------

@pytest.mark.django_db
def test_same_seed_gives_the_same_district_and_another_seed_does_not():
    first, second, other = digest_of_fresh_load(5), digest_of_fresh_load(5), digest_of_fresh_load(6)
    assert first == second
    assert first != other


def test_the_requested_number_of_people_is_made(demo):
    assert Person.objects.count() == PERSONS
    assert HouseholdMember.objects.count() == PERSONS


def test_every_id_number_is_valid_unique_and_matches_sex_and_birth_date(demo):
    people = list(Person.objects.exclude(id_number=None))
    assert len(people) >= PERSONS * 0.98
    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        facts = parse_id_number(person.id_number)
        assert person.id_number.startswith("500106")
        assert (facts.sex, facts.birth_date) == (person.sex, person.birth_date)
    # The only people without a number are babies not yet registered, and they say so.
    for person in Person.objects.filter(id_number=None):
        assert person.no_id_reason == "newborn" and (REFERENCE_DATE - person.birth_date).days < 60


def test_everyone_lives_in_a_community_of_the_district(demo):
    community_codes = set(Area.objects.filter(level=AreaLevel.COMMUNITY, code__startswith="500106")
                          .values_list("code", flat=True))
    assert set(Person.objects.values_list("area_id", flat=True)) <= community_codes
    assert set(Household.objects.values_list("area_id", flat=True)) <= community_codes
    assert not HouseholdMember.objects.exclude(area_id=F("household__area_id")).exists()


def test_households_have_one_to_six_members_and_exactly_one_active_head(demo):
    sizes = Household.objects.annotate(
        active=Count("members", filter=Q(members__is_active=True)),
        heads=Count("members", filter=Q(members__is_active=True, members__relation="head")))
    assert sizes.exists()
    for household in sizes:
        assert 1 <= household.active <= 6
        assert household.heads == 1
    assert not (HouseholdMember.objects.filter(is_active=True).values("person_id")
                .annotate(n=Count("id")).filter(n__gt=1).exists())


def test_relations_agree_with_ages(demo):
    age = ages()
    members = HouseholdMember.objects.values_list("household_id", "person_id", "relation")
    head_of = {h: p for h, p, r in members if r == "head"}
    checked = Counter()
    for household_id, person_id, relation in members:
        head_age, own_age = age[head_of[household_id]], age[person_id]
        if relation == "spouse":
            assert abs(head_age - own_age) <= 20 and own_age >= 20
        elif relation == "child":
            assert own_age <= head_age - 14
        elif relation == "parent":
            assert own_age >= head_age + 18
        elif relation == "grandchild":
            assert own_age <= head_age - 30
        checked[relation] += 1
    assert {"head", "spouse", "child", "parent"} <= set(checked)


def test_the_dead_have_a_death_date_and_have_left_their_household(demo):
    dead = Person.objects.filter(status="deceased")
    assert dead.exists()
    for person in dead:
        membership = person.memberships.get()
        assert person.death_date is not None and person.birth_date < person.death_date <= REFERENCE_DATE
        assert not membership.is_active and membership.left_on == person.death_date
        assert membership.relation != "head"
    assert not Person.objects.filter(status="active", memberships__is_active=False).exists()
    assert not Income.objects.filter(person__status="deceased").exists()


def test_incomes_are_decimal_monthly_amounts_within_range(demo):
    amounts = list(Income.objects.values_list("monthly_amount", flat=True))
    assert amounts and all(0 <= a <= 8000 for a in amounts)
    assert any(a < 1000 for a in amounts)  # people near the 低保 line are there to find
    assert Income.objects.filter(category_id="transfer", person__birth_date__lte="1966-11-01").exists()


def test_disabilities_have_a_category_grade_and_certificate_built_on_the_id_number(demo):
    records = list(Disability.objects.select_related("person"))
    assert records
    for record in records:
        assert 1 <= record.grade <= 4
        assert record.certificate_number.startswith(record.person.id_number)
        assert record.certificate_number.endswith(str(record.grade))


def test_every_person_and_household_has_its_create_entry_in_the_change_log(demo):
    logs = ChangeLog.objects.filter(action="create", source="command")
    person_ids = set(logs.filter(model="registry.person").values_list("object_id", flat=True))
    assert person_ids == {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    assert logs.filter(model="registry.household").count() == Household.objects.count()
    sample = logs.filter(model="registry.person").first()
    person = Person.objects.get(pk=sample.object_id)
    assert sample.after["id_number"] == person.id_number and sample.after["name"] == person.name


def test_name_search_keys_are_filled(demo):
    from registry.names import name_keys

    for person in Person.objects.all()[:100]:
        assert (person.name_pinyin, person.name_initials) == name_keys(person.name)


EXPECTED_PERSONAS = {
    "district_officer": ("district_officer", "500106000000"),
    "district_approver": ("district_approver", "500106000000"),
    "leader": ("leader", "500106000000"),
    "admin": ("admin", "500106000000"),
    "town_officer_xlk": ("town_officer", "500106001000"),
    "town_reviewer_xlk": ("town_reviewer", "500106001000"),
    "town_officer_spb": ("town_officer", "500106002000"),
    "town_reviewer_spb": ("town_reviewer", "500106002000"),
}


def test_personas_exist_with_their_roles_areas_and_the_demo_password(demo):
    for username, (role, area) in EXPECTED_PERSONAS.items():
        user = User.objects.get(username=username)
        assert list(user.roles.values_list("code", flat=True)) == [role]
        assert user.area_id == area
        assert user.check_password(DEMO_PASSWORD)
    worker = User.objects.get(username="community_worker")
    assert worker.area.level == AreaLevel.COMMUNITY and worker.area.parent_id == "500106001000"
    validate_password(DEMO_PASSWORD, worker)  # the demo password passes the real policy


def test_running_again_without_force_changes_nothing_and_with_force_adds_fresh_people(demo):
    users, people = User.objects.count(), Person.objects.count()
    out = load(seed=11)
    assert "演示数据已存在" in out
    assert (User.objects.count(), Person.objects.count()) == (users, people)
    load(seed=11, persons=200, force=True)  # the same seed again: numbers already taken are skipped
    assert Person.objects.count() == people + 200
    numbers = list(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_logins_table_is_printed_by_both_commands(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    for username in [*EXPECTED_PERSONAS, "community_worker"]:
        assert username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue() and "镇街审核人" in out.getvalue() and "小龙坎街道" in out.getvalue()


def test_demo_logins_without_demo_data_says_how_to_load_it(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "load_demo" in out.getvalue()


def test_refuses_to_run_with_debug_off_unless_allowed(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("load_demo", persons=10, stdout=StringIO())
    assert not User.objects.exists()


def test_another_district_file_uses_its_own_code_and_first_two_towns(db):
    load(persons=50, district_file="areas/data/areas-500102.csv")
    assert all(n.startswith("500102") for n in Person.objects.values_list("id_number", flat=True) if n)
    towns = list(Area.objects.filter(level=AreaLevel.TOWN, code__startswith="500102").order_by("code")[:2])
    officers = User.objects.filter(username__startswith="town_officer_").order_by("area_id")
    assert [u.area_id for u in officers] == [t.code for t in towns]
