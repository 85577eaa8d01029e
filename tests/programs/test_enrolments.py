"""Enrolment actions: start from a quote, one open enrolment, exclusions, 渐退 ≤ 6 months, end, death, scoping."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.services import user_create
from audit.models import ChangeLog, DomainEvent
from audit.services import history_of
from programs.calculations import quote
from programs.models import Enrolment, EnrolmentChange, Program
from programs.selectors import enrolments_visible, household_assistance_history
from programs.services import (
    enrolment_change_amount,
    enrolment_end,
    enrolment_end_on_death,
    enrolment_phase_out,
    enrolment_resume,
    enrolment_start,
    enrolment_suspend,
)
from registry.services import person_record_death
from tests.conftest import PASSWORD
from tests.programs.conftest import FEB_2026

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = date(2026, 3, 1)


@pytest.fixture
def dibao():
    return Program.objects.get(code="dibao")


@pytest.fixture
def tekun():
    return Program.objects.get(code="tekun")


def start_dibao(user, household, program):
    result = quote(program=program, household=household, month=FEB_2026)
    return enrolment_start(acting_user=user, program=program, household=household, start_month=MARCH, quote=result)


@pytest.fixture
def enrolled(make, grants, dibao):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000")
    return start_dibao(grants["district_approver"], household, dibao), household, people


def test_start_takes_the_quote_amount_and_keeps_the_computation(enrolled, grants):
    enrolment, household, people = enrolled
    assert (enrolment.status, enrolment.monthly_amount, enrolment.start_month) == ("active", D("540.00"), MARCH)
    assert enrolment.person == people[0]  # the 户主 is the applicant by default
    assert enrolment.area_id == household.area_id
    assert enrolment.calculation["monthly_amount"] == "540.00"
    assert {"label": "低保金 = 270.00 × 2", "value": "540.00"} in enrolment.calculation["lines"]
    assert enrolment.calculation["parameters"][0]["source"] == "渝民规〔2025〕6号"
    change = enrolment.changes.get()
    assert (change.kind, change.to_amount, change.effective_month, change.by) == (
        "start", D("540.00"), MARCH, grants["district_approver"])
    assert history_of(enrolment).get().action == ChangeLog.Action.CREATE
    event = DomainEvent.objects.get(type="enrolment_start")
    assert event.household == household and "540.00" in event.message


def test_one_open_enrolment_per_programme_and_household(enrolled, grants, dibao):
    _, household, _ = enrolled
    with pytest.raises(ValidationError, match="不能重复纳入"):
        start_dibao(grants["district_approver"], household, dibao)
    assert Enrolment.objects.count() == 1


def test_the_database_refuses_a_second_open_enrolment(enrolled):
    enrolment, household, _ = enrolled
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(program_id="dibao", household=household, area_id=household.area_id,
                                 monthly_amount=D("1"), start_month=MARCH, status="phasing_out")
    # an ended one does not hold the place
    Enrolment.objects.create(program_id="dibao", household=household, area_id=household.area_id,
                             monthly_amount=D("1"), start_month=date(2020, 1, 1), status="ended")


def test_after_ending_the_household_can_be_enrolled_again(enrolled, grants, dibao):
    enrolment, household, _ = enrolled
    enrolment_end(acting_user=grants["district_officer"], enrolment=enrolment, reason="收入超标",
                  effective_month=date(2026, 6, 1))
    again = start_dibao(grants["district_approver"], household, dibao)
    assert again.pk != enrolment.pk and again.status == "active"


def test_an_ineligible_or_foreign_quote_is_refused(make, grants, dibao):
    rich, people = make.household(1)
    make.income(rich, people[0], "wage", "5000")
    other, _ = make.household(1)
    officer = grants["district_approver"]
    with pytest.raises(ValidationError, match="不符合条件"):
        start_dibao(officer, rich, dibao)
    foreign = quote(program=dibao, household=other, month=FEB_2026)
    with pytest.raises(ValidationError, match="不一致"):
        enrolment_start(acting_user=officer, program=dibao, household=rich, start_month=MARCH, quote=foreign)
    assert not Enrolment.objects.exists()


def test_tekun_and_dibao_cannot_be_held_together(make, grants, dibao, tekun):
    household, people = make.household(2, births=["19500101", "19800101"])
    start_dibao(grants["district_approver"], household, dibao)
    result = quote(program=tekun, person=people[0], month=FEB_2026, care_level="full", no_supporter=True)
    assert not result.eligible and "已在享受最低生活保障（低保），与特困人员救助供养不能同时享受" in result.reasons
    forced = quote(program=tekun, person=make.person("独居老人", birth="19500101"), month=FEB_2026,
                   care_level="full", no_supporter=True)
    forced.person_id = people[0].pk  # a stale eligible quote must still be refused by the service
    with pytest.raises(ValidationError, match="不能同时享受"):
        enrolment_start(acting_user=grants["district_approver"], program=tekun, person=people[0],
                        start_month=MARCH, quote=forced, care_level="full", support_mode="dispersed")


def test_tekun_enrolment_keeps_care_level_and_support_mode(make, grants, tekun):
    elder = make.person("孤老", birth="19450101")
    result = quote(program=tekun, person=elder, month=FEB_2026, care_level="half", no_supporter=True)
    enrolment = enrolment_start(acting_user=grants["district_approver"], program=tekun, person=elder,
                                start_month=MARCH, quote=result, support_mode="centralized")
    assert (enrolment.household, enrolment.care_level, enrolment.support_mode) == (None, "half", "centralized")
    assert enrolment.monthly_amount == D("1301.00")
    with pytest.raises(ValidationError) as exc:
        enrolment_start(acting_user=grants["district_approver"], program=tekun, person=elder, start_month=MARCH,
                        quote=result, care_level="full")
    assert "care_level" in exc.value.message_dict


def test_users_without_the_grant_or_outside_the_area_cannot_enrol(make, grants, dibao, areas):
    household, _ = make.household(1)
    with pytest.raises(PermissionDenied):
        start_dibao(grants["town_reviewer"], household, dibao)
    district_b = user_create(username="approver_b", password=PASSWORD, roles=["district_approver"],
                             area_code=areas["town_b"], validate=False)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        start_dibao(district_b, household, dibao)
    assert not Enrolment.objects.exists()


def test_change_amount_after_a_recheck(enrolled, grants, make):
    enrolment, household, people = enrolled
    make.income(household, people[1], "wage", "200", start=MARCH)
    result = quote(program="dibao", household=household, month=MARCH)
    changed = enrolment_change_amount(acting_user=grants["district_officer"], enrolment=enrolment, quote=result,
                                      effective_month=date(2026, 4, 1), reason="定期核查：收入增加")
    # (1200 ÷ 2 = 600.00; 770 − 600 = 170.00; × 2)
    assert changed.monthly_amount == D("340.00")
    change = changed.changes.get(kind="change")
    assert (change.from_amount, change.to_amount, change.reason) == (D("540.00"), D("340.00"), "定期核查：收入增加")
    assert DomainEvent.objects.filter(type="enrolment_change", household=household).exists()


def test_phase_out_up_to_six_months(enrolled, grants):
    enrolment, _, _ = enrolled
    phased = enrolment_phase_out(acting_user=grants["district_officer"], enrolment=enrolment, months=6,
                                 reason="就业后收入超过标准", effective_month=date(2026, 5, 1))
    assert (phased.status, phased.phase_out_until) == ("phasing_out", date(2026, 11, 1))
    assert phased.monthly_amount == D("540.00")
    assert phased.changes.filter(kind="phase_out", effective_month=date(2026, 5, 1)).exists()


@pytest.mark.parametrize("months", [7, 0, 12])
def test_phase_out_beyond_the_cap_is_refused_citing_it(enrolled, grants, months):
    enrolment, _, _ = enrolled
    with pytest.raises(ValidationError) as exc:
        enrolment_phase_out(acting_user=grants["district_officer"], enrolment=enrolment, months=months,
                            reason="就业", effective_month=date(2026, 5, 1))
    message = exc.value.message_dict["months"][0]
    assert "不超过6个月" in message and "社会救助兜底" in message
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.phase_out_until is None


def test_phase_out_only_from_active(enrolled, grants):
    enrolment, _, _ = enrolled
    officer = grants["district_officer"]
    enrolment_phase_out(acting_user=officer, enrolment=enrolment, months=3, reason="就业")
    with pytest.raises(ValidationError, match="渐退期"):
        enrolment_phase_out(acting_user=officer, enrolment=enrolment, months=3, reason="就业")


def test_end_sets_the_last_month_paid(enrolled, grants):
    enrolment, _, _ = enrolled
    ended = enrolment_end(acting_user=grants["district_officer"], enrolment=enrolment, reason="自愿退出",
                          effective_month=date(2026, 7, 1))
    assert (ended.status, ended.end_month, ended.end_reason) == ("ended", date(2026, 6, 1), "自愿退出")
    assert history_of(ended).first().action == ChangeLog.Action.DEACTIVATE
    with pytest.raises(ValidationError):
        enrolment_end(acting_user=grants["district_officer"], enrolment=ended, reason="再次终止",
                      effective_month=date(2026, 8, 1))


def test_end_needs_a_reason_and_a_month_not_before_the_start(enrolled, grants):
    enrolment, _, _ = enrolled
    with pytest.raises(ValidationError) as exc:
        enrolment_end(acting_user=grants["district_officer"], enrolment=enrolment, reason=" ",
                      effective_month=date(2026, 7, 1))
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        enrolment_end(acting_user=grants["district_officer"], enrolment=enrolment, reason="错误",
                      effective_month=date(2026, 1, 1))
    assert "effective_month" in exc.value.message_dict


def test_suspend_and_resume_keep_the_place(enrolled, grants, dibao):
    enrolment, household, _ = enrolled
    officer = grants["district_officer"]
    enrolment_suspend(acting_user=officer, enrolment=enrolment, reason="不配合复核", effective_month=MARCH)
    with pytest.raises(ValidationError, match="暂停"):
        start_dibao(grants["district_approver"], household, dibao)
    resumed = enrolment_resume(acting_user=officer, enrolment=enrolment, reason="已配合", effective_month=MARCH)
    assert resumed.status == "active"
    assert list(resumed.changes.values_list("kind", flat=True)) == ["start", "suspend", "resume"]


def test_death_of_the_only_member_ends_the_household_enrolment(make, grants, dibao):
    household, (alone,) = make.household(1)
    enrolment = start_dibao(grants["district_approver"], household, dibao)
    person_record_death(acting_user=grants["community_worker"], person=alone, death_date=date(2026, 5, 20))
    outcome = enrolment_end_on_death(person=alone)
    assert outcome.ended == [enrolment] and outcome.recheck == []
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month, enrolment.end_reason) == ("ended", date(2026, 5, 1),
                                                                            "家庭唯一成员死亡")
    assert enrolment.changes.get(kind="end").effective_month == date(2026, 6, 1)


def test_death_of_one_of_several_members_asks_for_a_recheck(enrolled, grants):
    enrolment, household, people = enrolled
    person_record_death(acting_user=grants["community_worker"], person=people[1], death_date=date(2026, 5, 20))
    outcome = enrolment_end_on_death(person=people[1], acting_user=grants["community_worker"])
    assert outcome.ended == []
    [flag] = outcome.recheck
    assert (flag.enrolment, flag.household, flag.due_by) == (enrolment, household, date(2026, 8, 20))
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    event = DomainEvent.objects.get(type="enrolment_recheck_needed")
    assert event.household == household and event.params["due_by"] == "2026-08-20"


def test_death_of_the_payee_moves_the_payment_to_a_living_member_and_re_computes(make, grants, dibao):
    """Three members, no income: the head (the payee) dies on 20 May; from June the oldest living member is paid,
    at the amount of a two-person household — worked from the quote of the same household for June."""
    household, people = make.household(3, births=["19500101", "19900101", "19700101"])
    enrolment = start_dibao(grants["district_approver"], household, dibao)
    three = enrolment.monthly_amount
    person_record_death(acting_user=grants["community_worker"], person=people[0], death_date=date(2026, 5, 20))
    outcome = enrolment_end_on_death(person=people[0], acting_user=grants["community_worker"])
    assert outcome.ended == [] and [flag.enrolment for flag in outcome.recheck] == [enrolment]
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.person == people[2]  # born 1970: the oldest child
    two = quote(program=dibao, household=household, month=date(2026, 6, 1)).monthly_amount
    assert enrolment.monthly_amount == two and two < three
    changes = list(enrolment.changes.filter(kind="change").order_by("id"))
    assert [c.effective_month for c in changes] == [date(2026, 6, 1)] * 2
    assert "领取人变更为" in changes[0].reason and changes[1].from_amount == three


def test_death_ends_the_persons_own_enrolment(make, grants, tekun):
    elder = make.person("孤老", birth="19450101")
    result = quote(program=tekun, person=elder, month=FEB_2026, care_level="full", no_supporter=True)
    enrolment = enrolment_start(acting_user=grants["district_approver"], program=tekun, person=elder,
                                start_month=MARCH, quote=result, support_mode="dispersed")
    person_record_death(acting_user=grants["district_officer"], person=elder, death_date=date(2026, 9, 2))
    assert enrolment_end_on_death(person=elder).ended == [enrolment]
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month) == ("ended", date(2026, 9, 1))


def test_death_handling_needs_a_recorded_death(make):
    person = make.person("在世者")
    with pytest.raises(ValidationError, match="未登记死亡"):
        enrolment_end_on_death(person=person)


def test_enrolments_are_scoped_by_area(make, grants, dibao, areas):
    household_a, _ = make.household(1)
    household_b, _ = make.household(1, area=areas["community_b"])
    a = start_dibao(grants["district_approver"], household_a, dibao)
    b = start_dibao(grants["district_approver"], household_b, dibao)
    assert set(enrolments_visible(grants["district_officer"])) == {a, b}
    assert set(enrolments_visible(grants["town_officer"])) == {a}
    assert set(enrolments_visible(grants["community_worker"])) == {a}
    assert set(enrolments_visible(grants["outsider"])) == {b}
    assert not enrolments_visible(grants["town_reviewer"], "change").exists()  # a reviewer only reads


def test_scoping_without_the_grant_shows_nothing(enrolled, personas):
    # `personas` without the programme grants: nobody holds ("enrolment", "view") yet
    for user in personas.values():
        user.__dict__.pop("_minzheng_grants", None)
    from accounts.models import Grant

    Grant.objects.filter(resource="enrolment").delete()
    assert not enrolments_visible(personas["district_officer"]).exists()


def test_one_household_one_chain(enrolled, grants, make):
    enrolment, household, people = enrolled
    linshi = quote(program="linshi", household=household, month=FEB_2026, linshi_kind="jinan", amount="600")
    temporary = enrolment_start(acting_user=grants["district_approver"], program=Program.objects.get(code="linshi"),
                                household=household, start_month=FEB_2026, quote=linshi)
    enrolment_phase_out(acting_user=grants["district_officer"], enrolment=enrolment, months=2, reason="就业")
    chain = household_assistance_history(household)
    assert [e.pk for e in chain] == [temporary.pk, enrolment.pk]  # oldest start first
    assert [c.kind for c in chain[1].changes.all()] == ["start", "phase_out"]
    assert household_assistance_history(household, user=grants["outsider"]) == []
    assert EnrolmentChange.objects.filter(enrolment__household=household).count() == 3


def test_one_off_assistance_is_paid_once_and_can_be_given_again(make, grants):
    household, _ = make.household(2)
    linshi = Program.objects.get(code="linshi")
    given = []
    for amount in ("600", "900"):
        result = quote(program=linshi, household=household, month=FEB_2026, linshi_kind="jinan", amount=amount)
        given.append(enrolment_start(acting_user=grants["district_approver"], program=linshi, household=household,
                                     start_month=FEB_2026, quote=result))
    assert [(e.status, e.start_month, e.end_month, e.monthly_amount) for e in given] == [
        ("ended", FEB_2026, FEB_2026, D("600.00")), ("ended", FEB_2026, FEB_2026, D("900.00"))]
    assert "一次性" in DomainEvent.objects.filter(type="enrolment_start").first().message
