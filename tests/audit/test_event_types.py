"""Typed domain events: one enum, one casing, each event linked to its subject; the data migration that renames
the old values and links the old rows."""

import importlib

import pytest
from django.apps import apps

from audit.models import DomainEvent, EventType
from audit.services import domain_event_write

pytestmark = pytest.mark.django_db
migration = importlib.import_module("audit.migrations.0003_event_types_and_subjects")


def test_every_type_is_lower_case_with_a_chinese_label():
    for value, label in EventType.choices:
        assert value == value.lower() and value.isascii()
        assert label and not label.isascii()


def test_an_unknown_type_is_refused(registry_data):
    with pytest.raises(ValueError):
        domain_event_write(type="PAYMENT_CYCLE_CLOSED", message="旧写法", person=registry_data["a1"])


def test_the_subject_defaults_to_the_household_then_the_person(registry_data):
    household, person = registry_data["household_a"], registry_data["a1"]
    both = domain_event_write(type=EventType.MEMBER_JOINED, message="加入", household=household, person=person)
    alone = domain_event_write(type=EventType.PERSON_DIED, message="死亡", person=person)
    assert (both.subject_type, both.subject_id) == ("registry.household", str(household.pk))
    assert (alone.subject_type, alone.subject_id) == ("registry.person", str(person.pk))
    assert both.get_type_display() == "加入家庭"


def test_the_migration_renames_old_values_and_links_old_rows(registry_data):
    household, person = registry_data["household_a"], registry_data["a1"]

    def old(type_, **kwargs):  # as written before the enum: no subject columns filled
        return DomainEvent.objects.create(type=type_, message="旧", **kwargs)

    cycle = old("PAYMENT_CYCLE_CLOSED", params={"cycle": 7})
    submitted = old("application_submit", household=household, params={"case": 3})
    accepted = old("application_accept", household=household, params={"case": 3, "action": "accept"})
    recheck = old("recheck_notice", household=household, params={"recheck": 5, "enrolment": 9})
    enrolment = old("enrolment_start", household=household, person=person, params={"enrolment": 9})
    joined = old("member_joined", household=household, person=person)
    died = old("person_died", person=person)

    migration.forwards(apps, None)

    def now(event):
        event.refresh_from_db()
        return event.type, event.subject_type, event.subject_id

    assert now(cycle) == ("payment_cycle_closed", "payments.paymentcycle", "7")
    assert now(submitted) == ("case_submitted", "casework.case", "3")
    assert now(accepted) == ("case_step", "casework.case", "3")
    assert now(recheck) == ("recheck_notice", "assistance.recheck", "5")
    assert now(enrolment) == ("enrolment_start", "programs.enrolment", "9")
    assert now(joined) == ("member_joined", "registry.household", str(household.pk))
    assert now(died) == ("person_died", "registry.person", str(person.pk))
    assert set(DomainEvent.objects.values_list("type", flat=True)) <= set(EventType.values)
