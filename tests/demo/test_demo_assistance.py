"""Social-assistance demo data (demo.assistance via load_demo): applications in every state driven through the
services, a roll with amounts from the quote, town scoping, and the same result for the same seed."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assistance.models import Recheck
from assistance.selectors import application_work_queue, applications_overdue
from audit.models import ChangeLog
from casework import clock
from casework.models import Case, CaseStep
from demo.assistance import CASE_MIX, case_plan, journey_dates, journey_steps
from programs.calculations import quote
from programs.models import Enrolment, EnrolmentChange
from registry.models import HouseholdMember
from workcalendar.services import is_working_day

pytestmark = pytest.mark.django_db
REAL_TODAY = clock.today  # the load moves casework's clock step by step and must put this one back

# 3,000 people with the default seed: the two persona towns have enough poor households for every state.
PERSONS, CASES, SEED = 3000, 30, 20261101
XLK, SPB = "500106001000", "500106002000"
EVERY_STATE = {state for state, _ in CASE_MIX}


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", persons=options.pop("persons", PERSONS), cases=options.pop("cases", CASES),
                 seed=options.pop("seed", SEED), allow_non_debug=True, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One load for the tests of a class, rolled back after them (each test runs in a savepoint inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


def head_number(case: Case) -> str:
    return case.household.members.get(relation="head", is_active=True).person.id_number


def signature() -> set[tuple[str, str, str]]:
    """(programme, ID number of the household head, state) of every application: independent of primary keys."""
    return {(c.program_id, head_number(c), c.state) for c in Case.objects.select_related("household")}


class _Rollback(Exception):
    pass


def signature_of_fresh_load(seed: int) -> set[tuple[str, str, str]]:
    try:
        with transaction.atomic():
            load(seed=seed)
            result = signature()
            raise _Rollback
    except _Rollback:
        pass
    assert not Case.objects.exists()
    return result


class TestLoadedDemo:
    """One demo district of 3,000 people with 30 applications."""

    def test_every_state_is_present_and_each_case_went_through_the_services(self, demo):
        states = set(Case.objects.values_list("state", flat=True))
        assert EVERY_STATE | {"approved_pending_completion"} <= states
        assert "社会救助演示数据：申请" in demo and "享受对象" in demo
        for case in Case.objects.all():
            actions = list(case.steps.order_by("at", "id").values_list("action", flat=True))
            assert actions[0] == "submit" and (len(actions) > 1 or case.state == "submitted")
            assert ChangeLog.objects.filter(model="casework.case", object_id=str(case.pk)).count() == len(actions)
        # Terminal states carry what the rules demand: reasons, a decision date, an enrolment.
        for case in Case.objects.filter(state="rejected"):
            assert "不予确认" in case.application.decision_reasons and case.decided_on is not None
            assert case.documents.filter(kind="rejection_notice").exists()
        assert not Case.objects.filter(state="withdrawn", closed_at__isnull=True).exists()
        # Two different investigators on every investigation (one of them from the district for a 近亲属备案 case).
        for case in Case.objects.filter(investigations__isnull=False).distinct():
            investigation = case.investigations.get()
            assert investigation.investigators.count() == 2
            assert investigation.district_investigation == case.close_relative_filed

    def test_confirmed_cases_have_enrolments_at_the_amount_of_their_quote(self, demo):
        confirmed = list(Case.objects.filter(state="confirmed").select_related("enrolment", "program"))
        assert len(confirmed) >= 2
        for case in confirmed:
            enrolment = case.enrolment
            assert enrolment.status == "active" and enrolment.monthly_amount > 0
            subject = {"person": case.person} if case.program_id == "tekun" else {"household": case.household}
            inputs = {k: case.inputs[k] for k in ("care_level", "no_supporter") if k in case.inputs}
            again = quote(program=case.program, month=enrolment.start_month, **subject, **inputs)
            amount = case.application.monthly_amount
            assert again.eligible and again.monthly_amount == enrolment.monthly_amount == amount
            assert case.decided_on <= clock.today() and enrolment.rechecks.filter(status="due").count() == 1
        tekun = Case.objects.get(program_id="tekun")
        assert tekun.state == "confirmed" and tekun.enrolment.care_level in ("self", "half", "full")
        urgent = Case.objects.get(program_id="linshi")
        assert urgent.state == "approved_pending_completion" and urgent.enrolment.monthly_amount > 0

    def test_publicised_cases_show_the_notice_running_or_over(self, demo):
        today = clock.today()
        for case in Case.objects.filter(state="publicised"):
            notice = case.notices.get(status="open")
            assert notice.days == 7 and notice.starts_on <= today
            assert case.application.confirmation_base_on == notice.ends_on
        assert Case.objects.filter(state="publicised", notices__ends_on__gte=today).exists()

    def test_the_roll_is_set_based_from_quotes_with_history_and_a_recheck_due(self, demo):
        roll = Enrolment.objects.filter(status="active").exclude(
            pk__in=Case.objects.filter(enrolment__isnull=False).values("enrolment_id")).filter(
            program__means_tested=True, program__workflow__startswith="assistance")  # the assistance roll only
        assert roll.filter(program_id="dibao").count() > 20 and roll.filter(program_id="tekun").exists()
        today = clock.today()
        for enrolment in roll.select_related("program", "household", "person"):
            assert date(2024, 1, 1) <= enrolment.start_month <= today and enrolment.monthly_amount > 0
            assert enrolment.calculation["monthly_amount"] == f"{enrolment.monthly_amount:.2f}"
            assert enrolment.calculation["eligible"] is True
            assert enrolment.changes.get().kind == EnrolmentChange.Kind.START
            assert enrolment.rechecks.filter(status=Recheck.Status.DUE).count() == 1
        # The recorded amount is what the quote gives for this month, on the registry as it stands.
        sample = roll.filter(program_id="dibao").select_related("household").order_by("pk")[:25]
        for enrolment in sample:
            month = date.fromisoformat(enrolment.calculation["month"] + "-01")
            assert quote(program="dibao", household=enrolment.household, month=month).monthly_amount == \
                enrolment.monthly_amount
        # No household is enrolled in both 低保 and 特困, and nobody holds two open cases.
        tekun_people = set(roll.filter(program_id="tekun").values_list("person_id", flat=True))
        dibao_people = set(HouseholdMember.objects.filter(
            household__enrolments__program_id="dibao", household__enrolments__status="active", is_active=True)
            .values_list("person_id", flat=True))
        assert not tekun_people & dibao_people
        # Older enrolments were re-checked before, so their next re-check does not fall due all at once.
        due = Recheck.objects.filter(status=Recheck.Status.DUE)
        assert due.filter(due_on__gte=today).count() > due.filter(due_on__lt=today).count()

    def test_the_town_officer_sees_own_towns_cases_only(self, demo):
        officer = User.objects.get(username="town_officer_xlk")
        queue = list(application_work_queue(officer))
        assert queue and all(c.area_id.startswith(XLK[:9]) for c in queue)
        assert Case.objects.filter(area__code__startswith=SPB[:9], closed_at__isnull=True).exists()
        assert not any(c.area_id.startswith(SPB[:9]) for c in queue)
        # Back-dated acceptances show as overdue (red) in the queue.
        district = User.objects.get(username="district_officer")
        assert applications_overdue(district).exists()
        # The second officers exist and are listed with the demo logins.
        assert User.objects.filter(username__in=["town_officer2_xlk", "town_officer2_spb"]).count() == 2
        assert "town_officer2_xlk" in demo

    def test_running_again_adds_nothing_and_the_clock_is_put_back(self, demo):
        assert clock.today is REAL_TODAY and clock.today() == timezone.localdate()
        counts = (Case.objects.count(), CaseStep.objects.count(), Enrolment.objects.count(), Recheck.objects.count())
        out = load()
        assert "演示数据已存在" in out and "社会救助演示数据" not in out
        assert (Case.objects.count(), CaseStep.objects.count(), Enrolment.objects.count(),
                Recheck.objects.count()) == counts


def test_same_seed_gives_the_same_households_in_the_same_states():
    first, second = signature_of_fresh_load(SEED), signature_of_fresh_load(SEED)
    assert first == second and len(first) >= CASES - 5
    assert {state for _, _, state in first} >= EVERY_STATE


def test_no_cases_option_leaves_assistance_out(db):
    load(persons=300, cases=0)
    assert not Case.objects.exists() and not Enrolment.objects.exists()


def test_plan_dates_follow_the_rules():
    """Each planned journey's dates are working days in order, a decision comes after the 公示 ends, and the
    last step is at most today."""
    rng, today = random.Random(3), date(2026, 11, 26)
    for slot in case_plan(72, [XLK, SPB], rng):
        path = journey_steps(slot, with_evaluation=True)
        days = journey_dates(slot, path, today, rng)
        assert days == sorted(days) and days[-1] <= today
        assert all(is_working_day(d) for d in days)
        if "publish" in path and "confirm" in path:  # the 7-day notice runs publish … publish + 6
            assert days[path.index("confirm")] > days[path.index("publish")] + timedelta(days=6)
        if slot.overdue and slot.state == "accepted":
            assert (today - days[-1]).days >= 8
