"""Each computed indicator on a small crafted dataset, against a figure worked by hand here; the drill-down count
equals the numerator; a re-run of the snapshots changes nothing; a town leader sees only their town."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from areas.models import Area, AreaLevel
from assistance.models import Application
from casework.models import Case, CaseDeadline
from indicators import selectors
from indicators.models import Indicator, IndicatorValue
from indicators.services import snapshots_refresh
from monitoring.models import Rule, Warning
from payments.models import PaymentCycle, PaymentException, PaymentLine
from programs.models import Enrolment, EnrolmentChange
from tasks.models import Task
from tests.indicators.conftest import MONTH

pytestmark = pytest.mark.django_db


def value(code, area, month=MONTH):
    snapshots_refresh(month=month, codes=[code])
    return IndicatorValue.objects.get(indicator_id=code, area_code=area, period_start=month)


def q(x):
    return Decimal(x).quantize(Decimal("0.0001"))


def aware(y, m, d, h=12):
    return timezone.make_aware(datetime(y, m, d, h))


def test_dibao_standards_from_policy_parameters(areas):
    # Seeded figures (programs 0002): urban 750 from 2024-09, 770 from 2026-01; rural 610 → 630.
    growth = value("dibao_standard_growth_urban", areas["district"])
    assert growth.numerator == 770 - 750 and growth.denominator == 750
    assert growth.value == q(Decimal(20) / 750 * 100)
    rural = value("dibao_standard_growth_rural", areas["district"])
    assert rural.value == q(Decimal(20) / 610 * 100)
    ratio = value("dibao_rural_urban_ratio", areas["district"])
    assert ratio.value == q(Decimal(630) / 770 * 100)  # 81.8182 %: below the 85 % target
    indicator = Indicator.objects.get(code="dibao_rural_urban_ratio")
    assert indicator.meets_target(ratio.value) is False


def test_communities_with_worker(personas, areas):
    # The persona `cw` is the one community worker, at community A.
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY, valid_to__isnull=True)
    in_town_a = communities.filter(parent_id=areas["town_a"]).count()
    district = value("communities_with_worker", areas["district"])
    assert district.numerator == 1 and district.denominator == communities.count()
    town = IndicatorValue.objects.get(indicator_id="communities_with_worker", area_code=areas["town_a"])
    assert town.numerator == 1 and town.denominator == in_town_a
    assert town.value == q(Decimal(100) / in_town_a)
    town_b = IndicatorValue.objects.get(indicator_id="communities_with_worker", area_code=areas["town_b"])
    assert town_b.numerator == 0
    drill = selectors.records(personas["leader"], Indicator.objects.get(code="communities_with_worker"), MONTH)
    assert drill.count() == district.numerator


@pytest.fixture
def cases(registry_data, personas, areas):
    """Four applications whose 办结期限 falls in January 2026 and one in February."""
    officer = personas["district_officer"]
    ha, hb = registry_data["household_a"], registry_data["household_b"]

    def case(household, area, due, closed=None, state="reviewed", decided=None):
        c = Case.objects.create(workflow="dibao.chongqing", program_id="dibao", household=household, area_id=area,
                                submitted_by=officer, state=state, closed_at=closed, decided_on=decided)
        Case.objects.filter(pk=c.pk).update(submitted_at=aware(2025, 12, 1))
        Application.objects.create(case=c)
        CaseDeadline.objects.create(case=c, kind="overall_due", label="办结期限", due=due)
        return c

    return [
        case(ha, areas["community_a"], date(2026, 1, 10), closed=aware(2026, 1, 9), state="confirmed"),  # in time
        case(ha, areas["community_a"], date(2026, 1, 15), closed=aware(2026, 1, 20), state="confirmed"),  # late
        case(hb, areas["community_b"], date(2026, 1, 20)),  # still open, past its deadline: late
        case(hb, areas["community_b"], date(2026, 1, 31), closed=aware(2026, 1, 31), state="rejected",
             decided=date(2026, 1, 31)),  # in time; refused
        case(ha, areas["community_a"], date(2026, 2, 10)),  # another month
    ]


def test_applications_over_deadline(cases, personas, areas, town_leader):
    district = value("applications_over_deadline", areas["district"])
    assert (district.numerator, district.denominator) == (2, 4)
    assert district.value == q(50)
    town_a = IndicatorValue.objects.get(indicator_id="applications_over_deadline", area_code=areas["town_a"],
                                        period_start=MONTH)
    assert (town_a.numerator, town_a.denominator) == (1, 2)
    indicator = Indicator.objects.get(code="applications_over_deadline")
    assert selectors.records(personas["leader"], indicator, MONTH).count() == district.numerator
    mine = selectors.records(town_leader, indicator, MONTH)
    assert mine.count() == town_a.numerator
    assert {c.area_id[:9] for c in mine} == {areas["town_a"][:9]}


def test_applications_open_and_reapplied(cases, registry_data, personas, areas):
    # Open at the end of January: case 3 and case 5 (closed ones closed within January).
    assert value("applications_open", areas["district"]).numerator == 2
    # Case 4 was refused in January; household B applies again in February.
    refused = value("applications_rejected_reapplied", areas["district"])
    assert (refused.numerator, refused.denominator) == (0, 1)
    again = Case.objects.create(workflow="dibao.chongqing", program_id="dibao",
                                household=registry_data["household_b"], area_id=areas["community_b"],
                                submitted_by=personas["district_officer"], state="submitted")
    Application.objects.create(case=again)
    refused = value("applications_rejected_reapplied", areas["district"])
    assert (refused.numerator, refused.denominator) == (1, 1) and refused.value == q(100)


@pytest.fixture
def enrolments(registry_data, areas):
    ha, hb = registry_data["household_a"], registry_data["household_b"]
    e1 = Enrolment.objects.create(program_id="dibao", household=ha, area_id=areas["community_a"],
                                  monthly_amount=Decimal("500.00"), start_month=date(2025, 6, 1))
    e2 = Enrolment.objects.create(program_id="gangxing_zhichu", household=hb, area_id=areas["community_b"],
                                  monthly_amount=Decimal("0"), start_month=date(2025, 12, 1))
    return e1, e2


def test_gangxing_and_changes(enrolments, areas):
    e1, e2 = enrolments
    assert value("gangxing_recognised", areas["district"]).numerator == 1
    assert value("gangxing_recognised", areas["town_a"]).numerator == 0
    EnrolmentChange.objects.create(enrolment=e1, kind="phase_out", to_status="phasing_out",
                                   effective_month=date(2026, 1, 1), area_id=e1.area_id)
    EnrolmentChange.objects.create(enrolment=e2, kind="end", to_status="ended", effective_month=date(2026, 1, 1),
                                   area_id=e2.area_id)
    EnrolmentChange.objects.create(enrolment=e2, kind="end", to_status="ended", effective_month=date(2026, 2, 1),
                                   area_id=e2.area_id)
    assert value("phase_outs_month", areas["town_a"]).numerator == 1
    assert value("stops_month", areas["district"]).numerator == 1
    assert value("stops_month", areas["town_a"]).numerator == 0


def test_payroll_and_payment_quality(enrolments, registry_data, personas, areas):
    e1, e2 = enrolments
    cycle = PaymentCycle.objects.create(district_id=areas["district"], month=MONTH, status="approved",
                                        created_by=personas["district_officer"], approved_at=aware(2026, 1, 5))

    def line(enrolment, amount, kind="regular", status="pending"):
        return PaymentLine.objects.create(cycle=cycle, enrolment=enrolment, program_id=enrolment.program_id,
                                          household=enrolment.household, area_id=enrolment.area_id, month=MONTH,
                                          covered_month=MONTH, kind=kind, amount=Decimal(amount), status=status)

    l1 = line(e1, "500.00")
    line(e1, "120.50", kind="arrears")
    line(e1, "-50.00", kind="recovery")
    l3 = line(e2, "0.00", status="failed")
    amount = value("payroll_amount", areas["district"])
    assert amount.numerator == Decimal("500.00") + Decimal("120.50")  # recoveries are not payments
    assert value("payroll_amount", areas["town_a"]).numerator == Decimal("620.50")
    assert value("payroll_recipients", areas["district"]).numerator == 2
    # Payment day: 10th unless a parameter says otherwise; approved on the 5th → lines on time unless failed.
    ontime = value("payments_on_time_rate", areas["district"])
    assert (ontime.numerator, ontime.denominator) == (2, 3)
    assert ontime.value == q(Decimal(2) / 3 * 100)
    assert value("payments_late", areas["district"]).numerator == 1
    now = aware(2026, 1, 5)
    PaymentException.objects.create(cycle=cycle, line=l1, area_id=l1.area_id, kind="amount_not_current_quote",
                                    detail="x", found_at=now)
    PaymentException.objects.create(cycle=cycle, line=l3, area_id=l3.area_id, kind="bank_account_missing",
                                    detail="x", status="accepted", resolution="  ", found_at=now)
    PaymentException.objects.create(cycle=cycle, line=l1, area_id=l1.area_id, kind="large_change", detail="x",
                                    status="accepted", resolution="家庭人口增加，核实无误", found_at=now)
    assert value("payments_amount_mismatch", areas["district"]).numerator == 1
    accepted = value("exceptions_accepted_without_reason", areas["district"])
    assert accepted.numerator == 1
    drill = selectors.records(personas["leader"], Indicator.objects.get(code="exceptions_accepted_without_reason"),
                              MONTH)
    assert drill.count() == accepted.numerator


@pytest.fixture
def warnings(registry_data, areas):
    a1, b1 = registry_data["a1"], registry_data["b1"]
    rule = Rule.objects.create(code="r1", name="规则", feed_type="death", warning_type="possibly_eligible",
                               handling_level="community", deadline_working_days=5)

    def warning(person, area, key, created, closed=None, deadline=None, escalated=0):
        w = Warning.objects.create(rule=rule, warning_type=rule.warning_type, severity=3, person=person, area_id=area,
                                   dedup_key=key, status="closed" if closed else "open", closed_at=closed)
        Warning.objects.filter(pk=w.pk).update(created_at=created)
        t = Task.objects.create(kind="warning", title="核查", person=person, area_id=area, handling_level="community",
                                assigned_area_id=area, deadline=deadline or created + timedelta(days=5),
                                status="closed" if closed else "open", closed_at=closed, escalation_level=escalated,
                                outcome="confirmed" if closed else "", outcome_note="已核实" if closed else "",
                                escalated_at=created + timedelta(days=6) if escalated else None,
                                source_type="monitoring.warning", source_id=w.pk)
        Task.objects.filter(pk=t.pk).update(created_at=created)
        return w

    return [
        warning(a1, areas["community_a"], "k1", aware(2026, 1, 2), closed=aware(2026, 1, 5)),  # in time
        warning(a1, areas["community_a"], "k2", aware(2026, 1, 2), closed=aware(2026, 1, 20)),  # late
        warning(b1, areas["community_b"], "k3", aware(2026, 1, 3)),  # open, past its deadline
        warning(b1, areas["community_b"], "k4", aware(2026, 1, 28), deadline=aware(2026, 2, 10)),  # open, in time
    ]


def test_warning_indicators(warnings, personas, areas, town_leader):
    assert value("warnings_open", areas["district"]).numerator == 2
    assert value("warnings_overdue", areas["district"]).numerator == 1
    late = value("warnings_handled_late", areas["district"])
    assert (late.numerator, late.denominator) == (1, 2) and late.value == q(50)
    monitored = value("monitored_persons", areas["district"])
    assert monitored.numerator == 1  # 王五, two open warnings, counted once
    assert value("monitored_possibly_eligible", areas["district"]).numerator == 1
    assert value("monitored_persons", areas["town_a"]).numerator == 0
    indicator = Indicator.objects.get(code="warnings_handled_late")
    assert selectors.records(personas["leader"], indicator, MONTH).count() == late.numerator
    assert selectors.records(town_leader, indicator, MONTH).count() == 1  # the late one is in town A


def test_snapshot_rerun_changes_nothing(cases, warnings, enrolments, areas):
    first = snapshots_refresh(month=MONTH)
    before = list(IndicatorValue.objects.order_by("pk").values())
    second = snapshots_refresh(month=MONTH)
    assert second["written"] == 0 and second["unchanged"] == first["written"] + first["unchanged"]
    assert list(IndicatorValue.objects.order_by("pk").values()) == before


def test_town_leader_cannot_read_another_town(cases, town_leader, areas):
    indicator = Indicator.objects.get(code="applications_over_deadline")
    assert selectors.reading(town_leader, indicator, areas["town_a"], MONTH).numerator == 1
    with pytest.raises(PermissionDenied):
        selectors.reading(town_leader, indicator, areas["town_b"], MONTH)
    with pytest.raises(PermissionDenied):
        selectors.reading(town_leader, indicator, areas["district"], MONTH)


def test_not_collected_has_no_value_and_says_what_feeds_it(personas, areas):
    indicator = Indicator.objects.get(code="care_home_quality_rate")
    assert indicator.status == "not_collected" and indicator.feed_text
    reading = selectors.reading(personas["leader"], indicator, areas["district"], MONTH)
    assert reading.status == "not_collected" and reading.value is None
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()
