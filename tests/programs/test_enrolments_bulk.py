"""批量纳入 (`enrolments_start_bulk`): the amounts of the registered functions, the refusals of `enrolment_start`,
history written in bulk, permission and area checks, and a query count that does not grow with the subjects."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import ChangeLog, DomainEvent
from programs.calculations import quote
from programs.models import Enrolment, EnrolmentChange, Program
from programs.services import enrolments_start_bulk
from registry.models import Person

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def dibao():
    return Program.objects.get(code="dibao")


@pytest.fixture
def gaoling():
    return Program.objects.get(code="gaoling")


def elders(make, count: int, birth: str = "19400101") -> list[Person]:
    people = [make.person(f"老人{i}", birth) for i in range(count)]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(birth_date=date(int(birth[:4]), 1, 1))
    return list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))


def test_households_get_the_quote_amount_or_the_reason_they_are_refused(make, dibao, grants, areas):
    eligible, people = make.household(2)
    make.income(eligible, people[0], "wage", "1000")
    holding, holders = make.household(1)
    Enrolment.objects.create(program=dibao, household=holding, person=holders[0], area_id=holding.area_id,
                             monthly_amount=Decimal("100.00"), start_month=date(2025, 1, 1))
    excluded, members = make.household(2)
    Enrolment.objects.create(program_id="tekun", person=members[1], area_id=excluded.area_id,
                             monthly_amount=Decimal("900.00"), start_month=date(2025, 1, 1))

    started = enrolments_start_bulk(acting_user=grants["district_approver"], program=dibao, start_month=MARCH,
                                    reason="批量纳入测试", subjects=[(eligible, people[0]), (holding, holders[0]),
                                                                (excluded, members[0])])

    [enrolment] = started.enrolled
    expected = quote(program=dibao, household=eligible, month=MARCH)
    assert enrolment.monthly_amount == expected.monthly_amount == Decimal("540.00")
    assert enrolment.calculation["lines"] == expected.as_json()["lines"]
    refused = {household.pk: reasons for household, _, reasons in started.refused}
    assert refused[holding.pk] == ["已在享受最低生活保障（低保），不能重复纳入"]
    assert refused[excluded.pk] == ["已在享受特困人员救助供养，与最低生活保障（低保）不能同时享受"]
    change = EnrolmentChange.objects.get(enrolment=enrolment)
    assert (change.kind, change.to_amount, change.reason) == ("start", Decimal("540.00"), "批量纳入测试")
    event = DomainEvent.objects.get(type="enrolment_start", household=eligible)
    assert event.params["change"] == change.pk and event.user == grants["district_approver"]
    assert "纳入最低生活保障（低保），月发放 540.00 元" in event.message
    assert ChangeLog.objects.filter(model="programs.enrolment", object_id=str(enrolment.pk),
                                    action="create").exists()


def test_the_dead_and_the_ineligible_are_refused(make, gaoling, grants):
    old, young = elders(make, 1)[0], elders(make, 1, "19900101")[0]
    dead = elders(make, 1)[0]
    Person.objects.filter(pk=dead.pk).update(status=Person.Status.DECEASED, death_date=date(2026, 1, 5))
    dead.refresh_from_db()
    started = enrolments_start_bulk(acting_user=None, program=gaoling, start_month=MARCH, reason="测试",
                                    subjects=[(None, old), (None, young), (None, dead)])
    assert [e.person_id for e in started.enrolled] == [old.pk]
    refused = {person.pk: reasons for _, person, reasons in started.refused}
    assert refused[young.pk][0].startswith("未满80周岁")
    assert f"{dead.name} 已登记死亡" in refused[dead.pk]


def test_queries_do_not_grow_with_the_subjects(make, gaoling):
    few, many = elders(make, 2), elders(make, 8)

    def run(people):
        with CaptureQueriesContext(connection) as captured:
            started = enrolments_start_bulk(acting_user=None, program=gaoling, start_month=MARCH, reason="测试",
                                            subjects=[(None, p) for p in people])
        assert len(started.enrolled) == len(people)
        return len(captured.captured_queries)

    assert run(many) == run(few)


def test_a_user_needs_the_grant_and_the_area(make, gaoling, grants, areas):
    person = elders(make, 1)[0]
    for who in ("community_worker", "outsider"):  # no enrolment grant; town B's officer, person in town A
        with pytest.raises(PermissionDenied):
            enrolments_start_bulk(acting_user=grants[who], program=gaoling, start_month=MARCH, reason="测试",
                                  subjects=[(None, person)])
    started = enrolments_start_bulk(acting_user=grants["town_officer"], program=gaoling, start_month=MARCH,
                                    reason="测试", subjects=[(None, person)])
    assert len(started.enrolled) == 1 and not Enrolment.objects.exclude(decided_by=grants["town_officer"]).exists()
