"""Breakdowns (分项) of the indicators on crafted data, each figure worked by hand here: payroll and on-time rate by
programme, open applications by stage and by age in working days, people under monitoring by category; the keys
add up to the figure, the drill-down of one key counts its numerator, a re-run writes nothing, a key that is gone
is removed; the page shows Chinese labels only, and the API answers `by=`."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assistance.models import Application
from casework.models import Case
from casework.workflows import workflow_get
from indicators import selectors
from indicators.models import Indicator, IndicatorBreakdown, IndicatorValue
from indicators.services import snapshots_refresh
from payments.models import PaymentCycle, PaymentLine
from programs.models import Program
from tests.indicators.conftest import MONTH
from tests.indicators.test_computed import aware, cases, enrolments, q, value, warnings  # noqa: F401
from workcalendar.services import earliest_within_working_days, working_days_between

pytestmark = pytest.mark.django_db


def parts(code, area, dimension, month=MONTH):
    rows = IndicatorBreakdown.objects.filter(indicator_id=code, area_code=area, dimension=dimension,
                                             period_start=month)
    return {row.key: row for row in rows}


@pytest.fixture
def payroll(enrolments, personas, areas):  # noqa: F811
    """January's cycle, approved on the 5th: 低保 500 + 120.50 (arrears) in community A, 刚性支出 80 in community B
    returned failed by the bank, and a 扣回 that is not a payment."""
    e1, e2 = enrolments
    cycle = PaymentCycle.objects.create(district_id=areas["district"], month=MONTH, status="approved",
                                        created_by=personas["district_officer"], approved_at=aware(2026, 1, 5))

    def line(enrolment, amount, kind="regular", status="pending"):
        return PaymentLine.objects.create(cycle=cycle, enrolment=enrolment, program_id=enrolment.program_id,
                                          household=enrolment.household, area_id=enrolment.area_id, month=MONTH,
                                          covered_month=MONTH, kind=kind, amount=Decimal(amount), status=status)

    return [line(e1, "500.00"), line(e1, "120.50", kind="arrears"), line(e1, "-50.00", kind="recovery"),
            line(e2, "80.00", status="failed")]


def test_payroll_and_on_time_rate_by_programme(payroll, personas, areas):
    dibao, gangxing = Program.objects.get(code="dibao"), Program.objects.get(code="gangxing_zhichu")
    total = value("payroll_amount", areas["district"])
    by_program = parts("payroll_amount", areas["district"], "program")
    assert by_program["dibao"].numerator == Decimal("500.00") + Decimal("120.50")
    assert by_program["gangxing_zhichu"].numerator == Decimal("80.00")
    assert sum(p.numerator for p in by_program.values()) == total.numerator
    assert (by_program["dibao"].label, by_program["gangxing_zhichu"].label) == (dibao.name, gangxing.name)
    # Town B has no 低保 line: no row for that key there.
    assert set(parts("payroll_amount", areas["town_b"], "program")) == {"gangxing_zhichu"}

    value("payments_on_time_rate", areas["district"])
    rate = parts("payments_on_time_rate", areas["district"], "program")
    # 低保: two lines, cycle approved on the 5th, before the 10th, not returned → 2 of 2; 刚性支出: failed → 0 of 1.
    assert (rate["dibao"].numerator, rate["dibao"].denominator, rate["dibao"].value) == (2, 2, q(100))
    assert (rate["gangxing_zhichu"].numerator, rate["gangxing_zhichu"].denominator) == (0, 1)
    assert rate["gangxing_zhichu"].value == q(0)
    indicator = Indicator.objects.get(code="payments_on_time_rate")
    drill = selectors.records(personas["leader"], indicator, MONTH, areas["district"], dimension="program",
                              key="dibao")
    assert drill.count() == rate["dibao"].numerator
    assert {line.program_id for line in drill} == {"dibao"}
    assert selectors.records(personas["leader"], indicator, MONTH).count() == value(
        "payments_on_time_rate", areas["district"]).numerator

    late = value("payments_late", areas["district"])
    assert late.numerator == 1
    assert parts("payments_late", areas["district"], "program")["gangxing_zhichu"].numerator == 1
    assert value("payroll_recipients", areas["district"]).numerator == 2
    assert parts("payroll_recipients", areas["district"], "program")["dibao"].numerator == 1


def test_a_key_gone_is_removed_and_a_rerun_writes_nothing(payroll, areas):
    snapshots_refresh(month=MONTH)
    again = snapshots_refresh(month=MONTH)
    assert again["written"] == 0
    before = list(IndicatorBreakdown.objects.order_by("pk").values())
    assert snapshots_refresh(month=MONTH)["written"] == 0
    assert list(IndicatorBreakdown.objects.order_by("pk").values()) == before
    PaymentLine.objects.filter(program_id="gangxing_zhichu").delete()
    snapshots_refresh(month=MONTH)
    assert set(parts("payroll_amount", areas["district"], "program")) == {"dibao"}
    assert snapshots_refresh(month=MONTH)["written"] == 0


def _band(days: int) -> str:
    """The age band by hand: the national limits 10 / 30 / 45 working days and 20 (delegated 确认)."""
    for bound in (10, 20, 30, 45):
        if days <= bound:
            return str(bound)
    return "over"


def test_open_applications_by_stage_and_age(cases, registry_data, personas, areas):  # noqa: F811
    # Open at the end of January: cases 3 and 5 (submitted 2025-12-01, 审核中) and a new one submitted on
    # 2026-01-26, 已提交.
    fresh = Case.objects.create(workflow="dibao.chongqing", program_id="dibao",
                                household=registry_data["household_b"], area_id=areas["community_b"],
                                submitted_by=personas["district_officer"], state="submitted")
    Case.objects.filter(pk=fresh.pk).update(submitted_at=aware(2026, 1, 26))
    Application.objects.create(case=fresh)
    total = value("applications_open", areas["district"])
    assert total.numerator == 3
    workflow = workflow_get("dibao.chongqing")
    stages = parts("applications_open", areas["district"], "stage")
    assert {k: (p.label, p.numerator) for k, p in stages.items()} == {
        "reviewed": (workflow.state_label("reviewed"), 2), "submitted": (workflow.state_label("submitted"), 1)}

    end = date(2026, 1, 31)
    expected: dict[str, int] = {}
    for submitted in (date(2025, 12, 1), date(2025, 12, 1), date(2026, 1, 26)):
        band = _band(working_days_between(submitted, end))
        expected[band] = expected.get(band, 0) + 1
    ages = parts("applications_open", areas["district"], "age")
    assert {k: int(p.numerator) for k, p in ages.items()} == expected
    assert sum(p.numerator for p in ages.values()) == total.numerator
    assert all("个工作日" in p.label for p in ages.values())

    indicator = Indicator.objects.get(code="applications_open")
    for key, part in stages.items():
        drill = selectors.records(personas["leader"], indicator, MONTH, areas["district"], dimension="stage", key=key)
        assert drill.count() == part.numerator
    for key, part in ages.items():
        drill = selectors.records(personas["leader"], indicator, MONTH, areas["district"], dimension="age", key=key)
        assert drill.count() == part.numerator
    with pytest.raises(PermissionDenied):
        selectors.records(personas["leader"], indicator, MONTH, dimension="program", key="dibao")


def test_monitored_persons_by_latest_category(warnings, areas, personas):  # noqa: F811
    # 王五 (b1) has two open warnings at the end of January; the later one (k4) is re-typed: he counts there only.
    latest = next(w for w in warnings if w.dedup_key == "k4")
    type(latest).objects.filter(pk=latest.pk).update(warning_type="no_longer_eligible")
    total = value("monitored_persons", areas["district"])
    by_category = parts("monitored_persons", areas["district"], "category")
    assert {k: p.numerator for k, p in by_category.items()} == {"no_longer_eligible": 1}
    assert by_category["no_longer_eligible"].label == "可能不再符合条件（复核）"
    assert sum(p.numerator for p in by_category.values()) == total.numerator == 1
    drill = selectors.records(personas["leader"], Indicator.objects.get(code="monitored_persons"), MONTH,
                              areas["district"], dimension="category", key="no_longer_eligible")
    assert [p.pk for p in drill] == [latest.person_id]


def test_earliest_within_working_days_agrees_with_counting():
    for end in (date(2025, 10, 8), date(2025, 10, 11), date(2025, 2, 3), date(2025, 6, 1)):
        bounds = earliest_within_working_days(end, [0, 1, 5, 10, 30])
        for n, bound in bounds.items():
            for back in range(0, 70):
                day = end - timedelta(days=back)
                assert (working_days_between(day, end) <= n) == (day >= bound), (end, n, day)


def test_page_and_api_show_the_breakdown_in_chinese(payroll, client, personas, areas):
    client.force_login(personas["leader"])
    page = client.get("/cockpit/indicators/payroll_amount/", {"month": "2026-01", "area": areas["district"]})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="breakdown-program"' in text
    dibao = Program.objects.get(code="dibao").name
    assert f"<td>{dibao}</td>" in text
    assert "<td>dibao</td>" not in text and "gangxing_zhichu</td>" not in text
    narrowed = client.get("/cockpit/indicators/payroll_amount/",
                          {"month": "2026-01", "area": areas["district"], "by": "program", "key": "dibao"})
    # 低保's two paid lines (the recovery is not counted).
    assert '<span data-testid="records-count">2</span>' in narrowed.content.decode()

    api = client.get("/api/indicators/payroll_amount/values/",
                     {"area": areas["district"], "period": "2026-01", "by": "program"})
    assert api.status_code == 200
    items = {item["key"]: item for item in api.json()["items"]}
    assert items["dibao"]["numerator"] == "620.5" and items["dibao"]["label"] == dibao
    assert api.json()["by_label"] == "按项目"
    wrong = client.get("/api/indicators/payroll_amount/values/",
                       {"area": areas["district"], "period": "2026-01", "by": "stage"})
    assert wrong.status_code == 400 and "by" in wrong.json()
    catalogue = {row["code"]: row for row in client.get("/api/indicators/").json()}
    assert {"by": "program", "label": "按项目"} in catalogue["payroll_amount"]["breakdowns"]


def test_a_past_month_of_a_current_list_indicator_says_so(client, personas, areas):
    client.force_login(personas["leader"])
    past = client.get("/cockpit/indicators/nursing_bed_share/", {"month": "2026-01", "area": areas["district"]})
    assert "按当前名单计算" in past.content.decode()
    as_of = client.get("/cockpit/indicators/payroll_amount/", {"month": "2026-01", "area": areas["district"]})
    assert "按当前名单计算" not in as_of.content.decode()
    assert IndicatorValue.objects.filter(indicator_id="nursing_bed_share").exists()
