"""特困 after the town's work: the district's ≥30 % spot check (reproducible from its recorded seed), the
re-assessment within 10 working days of a reported change (across National Day 2025), and the 7-day notice before
a termination."""

import hashlib
import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import Recheck, SpotCheck, TerminationNotice
from assistance.tekun import (
    spot_check_draw,
    spot_check_result_record,
    spot_check_sample,
    tekun_reassessment_schedule,
    termination_after_notice,
    termination_notice_post,
)
from audit.models import DomainEvent
from casework.models import Case
from programs.models import Enrolment
from tests.assistance.conftest import working_days_after

pytestmark = pytest.mark.django_db


def _cases(staff, areas, count: int, state: str = "publicised", area: str | None = None) -> list[int]:
    return [Case.objects.create(workflow="tekun.chongqing", variant="chongqing", program_id="tekun",
                                area_id=area or areas["community_a"], state=state, accepted_on=date(2026, 1, 5),
                                submitted_by=staff["town_officer"]).pk for _ in range(count)]


def test_the_sample_follows_from_the_seed_alone():
    population = list(range(100, 117))  # 17 cases → ceil(0.30 × 17) = 6
    first = spot_check_sample("渝-2026-01", population, Decimal("0.30"))
    assert len(first) == math.ceil(17 * 0.30) == 6
    assert spot_check_sample("渝-2026-01", list(reversed(population)), Decimal("0.30")) == first  # order-free
    # worked by hand: rank each case by SHA-256 of "seed:id", keep the six lowest
    ranked = sorted(population, key=lambda pk: hashlib.sha256(f"渝-2026-01:{pk}".encode()).hexdigest())
    assert first == sorted(ranked[:6])
    assert spot_check_sample("another seed", population, Decimal("0.30")) != first


def test_the_district_draws_at_least_30_percent_of_the_towns_recognitions(staff, areas, clock):
    sent_up = _cases(staff, areas, 10)
    _cases(staff, areas, 3, state="accepted")  # 初审 not done: not in the population
    _cases(staff, areas, 2, area=areas["community_b"])  # another town
    check = spot_check_draw(acting_user=staff["district_officer"], town_code=areas["town_a"],
                            period_from=date(2026, 1, 1), period_to=date(2026, 1, 31), seed="seed-1")
    assert check.population == sorted(sent_up)
    assert len(check.sample) == 3 and set(check.sample) <= set(sent_up)
    assert (check.rate, check.drawn_by, check.basis["key"]) == (Decimal("0.3000"), staff["district_officer"],
                                                                 "tekun_spot_check_rate")
    # the same seed redraws the same sample; the recorded event names the seed
    again = spot_check_draw(acting_user=staff["district_approver"], town_code=areas["town_a"],
                            period_from=date(2026, 1, 1), period_to=date(2026, 1, 31), seed="seed-1")
    assert again.sample == check.sample
    event = DomainEvent.objects.filter(type="spot_check_drawn").first()
    assert event.params["seed"] == "seed-1"
    # with no seed given, a random one is made and recorded
    fresh = spot_check_draw(acting_user=staff["district_officer"], town_code=areas["town_a"],
                            period_from=date(2026, 1, 1), period_to=date(2026, 1, 31))
    assert fresh.seed and fresh.sample == spot_check_sample(fresh.seed, fresh.population, Decimal("0.30"))
    checked = spot_check_result_record(acting_user=staff["district_officer"], check=check, case_id=check.sample[0],
                                       result="disagree", note="收入核对不实")
    assert checked.results[str(check.sample[0])]["result"] == "disagree"
    with pytest.raises(ValidationError):
        spot_check_result_record(acting_user=staff["district_officer"], check=check,
                                 case_id=next(c for c in sent_up if c not in check.sample), result="agree")


def test_a_town_cannot_draw_its_own_spot_check(staff, areas, clock):
    _cases(staff, areas, 4)
    with pytest.raises(PermissionDenied):
        spot_check_draw(acting_user=staff["town_officer"], town_code=areas["town_a"], period_from=date(2026, 1, 1),
                        period_to=date(2026, 1, 31))
    assert not SpotCheck.objects.exists()


def _tekun_enrolment(families, areas, start=date(2025, 6, 1)) -> Enrolment:
    household, (elder,) = families.household(["钱五保"], births=["19450101"])
    return Enrolment.objects.create(program_id="tekun", person=elder, household=household,
                                    area_id=areas["community_a"], monthly_amount=Decimal("1501.00"), start_month=start,
                                    care_level="full")


def test_reassessment_within_10_working_days_across_national_day(staff, families, areas, clock):
    clock.set(date(2025, 9, 30))
    enrolment = _tekun_enrolment(families, areas)
    recheck = tekun_reassessment_schedule(acting_user=staff["town_officer"], enrolment=enrolment,
                                          reported_on=date(2025, 9, 30), note="卧床，需重新评估护理等级")
    # 10 working days after 30 September: 9, 10, 11 (make-up Saturday), 13–17, 20, 21 October
    assert recheck.due_on == working_days_after(date(2025, 9, 30), 10) == date(2025, 10, 21)
    assert (recheck.trigger, recheck.basis["working_days"]) == (Recheck.Trigger.CARE_CHANGE, 10)


def test_a_later_periodic_recheck_is_brought_forward(staff, families, areas, clock):
    clock.set(date(2026, 3, 2))
    enrolment = _tekun_enrolment(families, areas)
    periodic = Recheck.objects.create(enrolment=enrolment, area_id=enrolment.area_id, kind="stable",
                                      due_on=date(2026, 12, 1))
    recheck = tekun_reassessment_schedule(acting_user=staff["town_officer"], enrolment=enrolment,
                                          reported_on=date(2026, 3, 2))
    assert recheck.pk == periodic.pk and recheck.due_on == working_days_after(date(2026, 3, 2), 10)


def test_termination_only_after_the_7_day_notice(staff, families, areas, clock):
    clock.set(date(2026, 3, 2))
    enrolment = _tekun_enrolment(families, areas)
    officer = staff["town_officer"]
    notice = termination_notice_post(acting_user=officer, enrolment=enrolment, ground="supporter",
                                     reason="子女返乡，具备赡养能力")
    assert (notice.starts_on, notice.ends_on, notice.days) == (date(2026, 3, 2), date(2026, 3, 2) + timedelta(6), 7)
    with pytest.raises(ValidationError):  # one open notice at a time
        termination_notice_post(acting_user=officer, enrolment=enrolment, ground="other", reason="重复")
    clock.set(date(2026, 3, 8))  # the last day of the notice
    with pytest.raises(ValidationError, match="公示期未满"):
        termination_after_notice(acting_user=officer, notice=notice)
    clock.set(date(2026, 3, 9))
    ended = termination_after_notice(acting_user=officer, notice=notice)
    # support stops from the month after: March is the last month paid
    assert (ended.status, ended.end_month) == ("ended", date(2026, 3, 1))
    assert TerminationNotice.objects.get(pk=notice.pk).status == "ended"


def test_the_spot_check_page_draws_and_records(client, staff, areas, clock):
    _cases(staff, areas, 4)
    client.force_login(staff["district_officer"])
    response = client.post("/assistance/spot-checks/", {"town": areas["town_a"], "period_from": "2026-01-01",
                                                        "period_to": "2026-01-31", "seed": "页面种子"})
    assert response.status_code == 302
    check = SpotCheck.objects.get()
    assert check.seed == "页面种子" and check.sample == spot_check_sample("页面种子", check.population,
                                                                        Decimal("0.30"))
    client.post(f"/assistance/spot-checks/{check.pk}/cases/{check.sample[0]}/result/", {"result": "agree"})
    page = client.get("/assistance/spot-checks/").content.decode()
    assert "页面种子" in page and f"案件{check.sample[0]}" in page and "符合" in page
    client.force_login(staff["town_officer"])
    assert client.get("/assistance/spot-checks/").status_code == 403
