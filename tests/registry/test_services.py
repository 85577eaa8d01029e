"""Registry actions: validation, scoping, one active household per person, death as a status, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import ChangeLog, DomainEvent
from audit.services import history_of
from registry.models import Household, HouseholdMember, Person
from registry.services import (
    disability_record,
    household_create,
    household_member_add,
    household_member_remove,
    income_add,
    person_create,
    person_record_death,
    person_update,
)
from tests.conftest import make_id

pytestmark = pytest.mark.django_db


def test_person_create_derives_sex_birth_and_name_keys(personas, areas):
    person = person_create(acting_user=personas["community_worker"], name="陈小红", area_code=areas["community_a"],
                           id_number=make_id("500106", "19900615", 7, sex_odd=False))
    assert (person.sex, person.birth_date) == ("F", date(1990, 6, 15))
    assert (person.name_pinyin, person.name_initials) == ("chenxiaohong", "cxh")
    log = ChangeLog.objects.get(model="registry.person", object_id=str(person.pk))
    assert log.action == "create" and log.user == personas["community_worker"]


def test_bad_id_number_names_the_field_and_saves_nothing(personas, areas):
    with pytest.raises(ValidationError) as exc:
        person_create(acting_user=personas["district_officer"], name="某人", area_code=areas["community_a"],
                      id_number="500106198001010010")
    assert "校验码" in exc.value.message_dict["id_number"][0]
    assert not Person.objects.exists()


def test_duplicate_id_number_is_refused(registry_data, personas, areas):
    with pytest.raises(ValidationError, match="已登记"):
        person_create(acting_user=personas["district_officer"], name="张三", area_code=areas["community_a"],
                      id_number=registry_data["a1"].id_number)


def test_person_without_id_needs_a_reason(personas, areas):
    with pytest.raises(ValidationError):
        person_create(acting_user=personas["district_officer"], name="无名氏", area_code=areas["community_a"])
    person = person_create(acting_user=personas["district_officer"], name="无名氏", area_code=areas["community_a"],
                           no_id_reason="unidentified")
    assert person.id_number is None and person.no_id_reason == "unidentified"


def test_community_worker_cannot_register_outside_their_community(personas, areas):
    with pytest.raises(PermissionDenied):
        person_create(acting_user=personas["community_worker"], name="某人", area_code=areas["community_a2"],
                      id_number=make_id("500106", "19900101", 9))


def test_town_level_area_is_refused_for_a_record(personas, areas):
    with pytest.raises(ValidationError, match="村（社区）"):
        person_create(acting_user=personas["district_officer"], name="某人", area_code=areas["town_a"],
                      id_number=make_id("500106", "19900101", 9))


def test_leader_cannot_write(personas, areas):
    with pytest.raises(PermissionDenied):
        person_create(acting_user=personas["leader"], name="某人", area_code=areas["community_a"],
                      id_number=make_id("500106", "19900101", 9))


def test_person_cannot_be_active_in_two_households(registry_data, personas, areas):
    with pytest.raises(ValidationError, match="另一家庭"):
        household_create(acting_user=personas["district_officer"], area_code=areas["community_a"],
                         hukou_type="urban", members=[{"person": registry_data["a1"], "relation": "head"}])
    assert Household.objects.count() == 2  # nothing half-saved


def test_household_needs_exactly_one_head(registry_data, personas, areas):
    with pytest.raises(ValidationError, match="户主"):
        household_create(acting_user=personas["district_officer"], area_code=areas["community_b"],
                         hukou_type="rural", members=[{"person": registry_data["b1"], "relation": "spouse"}])


def test_member_leaves_then_joins_another_household(registry_data, personas, areas):
    officer = personas["district_officer"]
    member = HouseholdMember.objects.get(person=registry_data["a2"], is_active=True)
    household_member_remove(acting_user=officer, member=member, reason="迁出")
    household_member_add(acting_user=officer, household=registry_data["household_b"], person=registry_data["a2"],
                         relation="other")
    assert HouseholdMember.objects.filter(person=registry_data["a2"]).count() == 2
    assert HouseholdMember.objects.get(person=registry_data["a2"], is_active=True).household == registry_data[
        "household_b"]


def test_death_is_a_status_with_a_date_and_ends_membership(registry_data, personas):
    person = person_record_death(acting_user=personas["town_officer"], person=registry_data["a2"],
                                 death_date=date(2026, 3, 1))
    assert Person.objects.filter(pk=person.pk, status="deceased", death_date=date(2026, 3, 1)).exists()
    assert not HouseholdMember.objects.filter(person=person, is_active=True).exists()
    assert DomainEvent.objects.filter(person=person, type="person_died").exists()


def test_town_officer_of_another_town_cannot_change(registry_data, personas):
    with pytest.raises(PermissionDenied):
        person_update(acting_user=personas["outsider"], person=registry_data["a1"], phone="13800000000")


def test_update_keeps_before_and_after(registry_data, personas):
    person_update(acting_user=personas["town_officer"], person=registry_data["a1"], phone="13800000000")
    entry = history_of(registry_data["a1"]).first()
    assert entry.action == "update"
    assert ("phone", "", "13800000000") in entry.changed_fields


def test_income_is_stored_as_decimal_from_month_start(registry_data, personas):
    income = income_add(acting_user=personas["community_worker"], household=registry_data["household_a"],
                        person=registry_data["a1"], category="wage", monthly_amount=Decimal("1200.5"),
                        start_month=date(2026, 5, 17))
    income.refresh_from_db()
    assert income.monthly_amount == Decimal("1200.50") and income.start_month == date(2026, 5, 1)


def test_income_of_a_non_member_is_refused(registry_data, personas):
    with pytest.raises(ValidationError, match="在户成员"):
        income_add(acting_user=personas["district_officer"], household=registry_data["household_a"],
                   person=registry_data["b1"], category="wage", monthly_amount=Decimal("100"),
                   start_month=date(2026, 1, 1))


def test_new_disability_supersedes_the_old(registry_data, personas):
    officer = personas["town_officer"]
    disability_record(acting_user=officer, person=registry_data["a1"], category="physical", grade=3)
    current = disability_record(acting_user=officer, person=registry_data["a1"], category="physical", grade=2)
    assert list(registry_data["a1"].disabilities.filter(is_current=True)) == [current]
    assert current.is_severe
