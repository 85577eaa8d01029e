"""Re-checks after enrolment: intervals from the policy parameters, each outcome (keep, change, 渐退, end) with its
notice and history, the 渐退 cap, the rights needed, and what a death does."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assistance.models import Recheck
from assistance.rechecks import recheck_complete, recheck_schedule, rechecks_schedule_missing
from audit.models import DomainEvent
from programs.models import Enrolment, EnrolmentChange
from programs.services import policy_parameter_set
from registry.services import income_add, person_record_death

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(cases):
    """A confirmed 2-person urban 低保 household: 540 元 from 2026-03, first re-check due 2026-09-01."""
    case = cases.make("confirmed")
    return case.enrolment


def _due(enrolment: Enrolment) -> Recheck:
    return enrolment.rechecks.get(status=Recheck.Status.DUE)


def _spouse(enrolment: Enrolment):
    return enrolment.household.members.get(relation="child").person


def _earn(staff, enrolment: Enrolment, amount: str, month: date = date(2026, 9, 1)) -> None:
    income_add(acting_user=staff["district_officer"], household=enrolment.household, person=_spouse(enrolment),
               category="wage", monthly_amount=Decimal(amount), start_month=month)


def test_intervals_come_from_the_parameters(enrolled, cases, staff):
    first = _due(enrolled)
    assert (first.kind, first.due_on, first.basis["key"], first.basis["months"]) == (
        "unstable", date(2026, 9, 1), "recheck_months_unstable", 6)
    first.delete()
    expected = {"stable": date(2027, 3, 1), "unemployed": date(2026, 4, 1)}  # urban unemployed: monthly
    for kind, due in expected.items():
        recheck = recheck_schedule(enrolment=enrolled, household_kind=kind)
        assert recheck.due_on == due, kind
        recheck.delete()
    rural, _ = cases.household(("农户",), wage="100.00", hukou="rural")
    rural_enrolment = Enrolment.objects.create(program=enrolled.program, household=rural, person=_spouse(enrolled),
                                               area=rural.area, monthly_amount=Decimal("530"),
                                               start_month=date(2026, 3, 1))
    assert recheck_schedule(enrolment=rural_enrolment, household_kind="unemployed").due_on == date(2026, 6, 1)
    # a district officer changes the yearly interval: the next schedule follows the parameter
    policy_parameter_set(acting_user=staff["district_officer"], program=None, key="recheck_months_stable",
                         area_code="500106000000", value=9, valid_from=date(2026, 1, 1), source="区民政局文件（测试）")
    assert recheck_schedule(enrolment=enrolled, household_kind="stable").due_on == date(2026, 12, 1)


def test_one_due_recheck_per_enrolment(enrolled):
    with pytest.raises(ValidationError) as refused:
        recheck_schedule(enrolment=enrolled, household_kind="stable")
    assert "已有待办的复核" in refused.value.messages[0]


def test_keep_records_the_notice_and_schedules_the_next(enrolled, staff, clock):
    clock.set(date(2026, 9, 1))
    done = recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="keep",
                            reason="家庭收入无变化", household_kind="stable")
    assert (done.status, done.outcome, done.done_by_id) == ("done", "keep", staff["district_approver"].pk)
    assert "540.00 元不变" in done.notice["text"] and done.notice["title"] == "复核结果通知"
    event = DomainEvent.objects.get(type="recheck_notice", household=enrolled.household)
    assert event.message.startswith("复核结果通知：") and event.params["recheck"] == done.pk
    following = _due(enrolled)
    assert (following.kind, following.due_on) == ("stable", date(2027, 9, 1))
    enrolled.refresh_from_db()
    assert enrolled.monthly_amount == 540


def test_change_sets_the_new_amount_from_next_month(enrolled, staff, clock):
    _earn(staff, enrolled, "200.00")
    clock.set(date(2026, 9, 1))
    done = recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="change",
                            reason="配偶就业，月收入200元")
    enrolled.refresh_from_db()
    assert enrolled.monthly_amount == Decimal("340.00")  # (770 − (1000 + 200) ÷ 2) × 2
    change = enrolled.changes.get(kind=EnrolmentChange.Kind.CHANGE)
    assert (change.from_amount, change.to_amount, change.effective_month) == (540, 340, date(2026, 10, 1))
    assert "由 540.00 元调整为 340.00 元" in done.notice["text"] and done.notice["title"] == "变更通知"
    assert _due(enrolled).due_on == date(2027, 3, 1)


def test_change_refused_when_no_longer_eligible(enrolled, staff, clock):
    _earn(staff, enrolled, "2000.00")
    clock.set(date(2026, 9, 1))
    with pytest.raises(ValidationError) as refused:
        recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="change",
                         reason="收入增加")
    assert "请选择渐退或终止" in refused.value.message_dict["outcome"][0]
    assert _due(enrolled).status == "due" and enrolled.changes.count() == 1


def test_phase_out_after_employment(enrolled, staff, clock):
    _earn(staff, enrolled, "2000.00")
    clock.set(date(2026, 9, 1))
    done = recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="phase_out",
                            phase_out_months=3, reason="配偶就业，家庭人均收入超过低保标准")
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.phase_out_until) == ("phasing_out", date(2026, 12, 1))
    assert "渐退期 3 个月" in done.notice["text"]
    end_check = _due(enrolled)
    assert (end_check.trigger, end_check.due_on) == ("phase_out_end", date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        recheck_complete(acting_user=staff["district_approver"], recheck=end_check, outcome="keep", reason="x")
    assert "渐退期满，应终止享受" in refused.value.message_dict["outcome"][0]
    clock.set(date(2026, 12, 20))
    recheck_complete(acting_user=staff["district_approver"], recheck=end_check, outcome="end", reason="渐退期满")
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.end_month) == ("ended", date(2026, 12, 1))
    assert not enrolled.rechecks.filter(status="due").exists()


def test_phase_out_longer_than_six_months_is_refused(enrolled, staff, clock):
    _earn(staff, enrolled, "2000.00")
    clock.set(date(2026, 9, 1))
    with pytest.raises(ValidationError) as refused:
        recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="phase_out",
                         phase_out_months=7, reason="就业")
    assert "最长不超过6个月" in refused.value.message_dict["phase_out_months"][0]
    enrolled.refresh_from_db()
    assert enrolled.status == "active" and _due(enrolled).status == "due"


def test_phase_out_refused_while_the_household_still_qualifies(enrolled, staff, clock):
    clock.set(date(2026, 9, 1))
    with pytest.raises(ValidationError) as refused:
        recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="phase_out",
                         phase_out_months=3, reason="就业")
    assert "不适用渐退" in refused.value.message_dict["outcome"][0]


def test_end_stops_payment_from_next_month(enrolled, staff, clock):
    clock.set(date(2026, 9, 1))
    done = recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="end",
                            reason="家庭拒不配合核查")
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.end_month) == ("ended", date(2026, 9, 1))
    assert "自 2026年10月起停发" in done.notice["text"]
    assert not enrolled.rechecks.filter(status="due").exists()


def test_recheck_needs_the_enrolment_change_grant_and_the_area(enrolled, staff):
    for who in ("town_reviewer", "outsider"):
        with pytest.raises(PermissionDenied):
            recheck_complete(acting_user=staff[who], recheck=_due(enrolled), outcome="keep", reason="无变化")
    assert _due(enrolled).status == "due"


def test_death_of_the_only_member_ends_the_enrolment(cases, staff):
    case = cases.make("confirmed", names=("独居老人",), wage="300.00")
    enrolment = case.enrolment
    person = enrolment.person
    # Recording the death is enough: the assistance app reacts to registry.signals.person_died.
    person_record_death(acting_user=staff["district_officer"], person=person, death_date=date(2026, 9, 10))
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month, enrolment.end_reason) == ("ended", date(2026, 9, 1),
                                                                             "家庭唯一成员死亡")
    assert enrolment.rechecks.get().status == "cancelled"


def test_death_in_a_larger_household_brings_the_recheck_forward(enrolled, staff):
    person_record_death(acting_user=staff["district_officer"], person=_spouse(enrolled), death_date=date(2026, 4, 10))
    enrolled.refresh_from_db()
    assert enrolled.status == "active"
    recheck = _due(enrolled)
    # within 3 months of the death (death_recheck_months), earlier than the six-monthly one (2026-09-01)
    assert (recheck.trigger, recheck.due_on) == ("member_death", date(2026, 7, 10))
    assert enrolled.rechecks.count() == 1


def test_schedule_missing_gives_every_active_enrolment_its_next_recheck(enrolled, cases, staff, clock):
    other = cases.make("confirmed", names=("新纳入",), wage="300.00").enrolment  # from 2026-03
    other.rechecks.all().delete()  # as if confirmed outside the pages: none scheduled
    clock.set(date(2026, 9, 1))
    recheck_complete(acting_user=staff["district_approver"], recheck=_due(enrolled), outcome="keep", reason="无变化",
                     household_kind="stable")
    # the next one withdrawn (say by an administrator): the household's latest kind, from the last re-check
    Recheck.objects.filter(enrolment=enrolled, status="due").update(status="cancelled")
    # 高龄津贴 rests on age alone (not means-tested): never given a means re-check
    gaoling = Enrolment.objects.create(program_id="gaoling", person=_spouse(enrolled), area_id=enrolled.area_id,
                                       monthly_amount="25.00", start_month=date(2026, 3, 1))
    assert rechecks_schedule_missing(default_kind="stable") == 2
    assert rechecks_schedule_missing() == 0
    assert not gaoling.rechecks.exists()
    again, fresh = _due(enrolled), _due(other)
    assert (again.kind, again.basis["months"], again.due_on) == ("stable", 12, date(2027, 9, 1))
    assert (fresh.kind, fresh.due_on) == ("stable", date(2027, 3, 1))  # a year from the start month


# ---- through the page ------------------------------------------------------------------------------------------

def test_recheck_page_completes_and_shows_errors_on_the_fields(login, enrolled, staff, clock):
    _earn(staff, enrolled, "2000.00")
    clock.set(date(2026, 9, 1))
    recheck = _due(enrolled)
    client = login(staff["district_approver"])
    page = client.get(reverse("assistance-recheck", args=[recheck.pk])).content.decode()
    assert "不符合条件" in page  # the quote for next month, as an officer would check it
    url = reverse("assistance-recheck", args=[recheck.pk])
    refused = client.post(url, {"outcome": "phase_out", "phase_out_months": "7", "reason": "就业",
                                "household_kind": "unstable"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "最长不超过6个月" in html and "invalid-feedback" in html
    recheck.refresh_from_db()
    assert recheck.status == "due"
    done = client.post(url, {"outcome": "phase_out", "phase_out_months": "6", "reason": "就业",
                             "household_kind": "unstable"})
    assert done.status_code == 302
    recheck.refresh_from_db()
    assert (recheck.status, recheck.outcome) == ("done", "phase_out")
    assert "渐退期 6 个月" in client.get(done["Location"]).content.decode()
