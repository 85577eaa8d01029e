"""The bureau's periodic statistics: the monthly table by programme and town and the quarterly summary, against
sums worked by hand; the XLSX keeps the fixed layout and is logged as an export."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from audit.models import AccessLog
from indicators import statistics
from payments.models import PaymentCycle, PaymentLine
from programs.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def payroll(registry_data, personas, areas):
    ha, hb = registry_data["household_a"], registry_data["household_b"]
    dibao_a = Enrolment.objects.create(program_id="dibao", household=ha, area_id=areas["community_a"],
                                       monthly_amount=Decimal("500.00"), start_month=date(2025, 6, 1))
    dibao_b = Enrolment.objects.create(program_id="dibao", household=hb, area_id=areas["community_b"],
                                       monthly_amount=Decimal("300.00"), start_month=date(2025, 6, 1))
    tekun = Enrolment.objects.create(program_id="tekun", person=registry_data["a2"], area_id=areas["community_a"],
                                     monthly_amount=Decimal("1001.00"), start_month=date(2025, 6, 1))
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        cycle = PaymentCycle.objects.create(district_id=areas["district"], month=month,
                                            created_by=personas["district_officer"])
        for enrolment in (dibao_a, dibao_b, tekun):
            PaymentLine.objects.create(cycle=cycle, enrolment=enrolment, program_id=enrolment.program_id,
                                       household=enrolment.household, person=enrolment.person,
                                       area_id=enrolment.area_id, month=month, covered_month=month, kind="regular",
                                       amount=enrolment.monthly_amount)
    # January also: 补发 for dibao A (same recipient, more money) and a 扣回 (not a payment).
    cycle = PaymentCycle.objects.get(month=date(2026, 1, 1))
    PaymentLine.objects.create(cycle=cycle, enrolment=dibao_a, program_id="dibao", household=ha,
                               area_id=dibao_a.area_id, month=date(2026, 1, 1), covered_month=date(2025, 12, 1),
                               kind="arrears", amount=Decimal("200.00"))
    PaymentLine.objects.create(cycle=cycle, enrolment=dibao_b, program_id="dibao", household=hb,
                               area_id=dibao_b.area_id, month=date(2026, 1, 1), covered_month=date(2026, 1, 1),
                               kind="recovery", amount=Decimal("-50.00"))


def test_monthly_by_programme_and_town(payroll, personas, areas):
    report = statistics.monthly(personas["leader"], date(2026, 1, 1))
    rows = {row["label"]: row for row in report.rows}
    town_a, town_b = rows["小龙坎街道"], rows["沙坪坝街道"]
    assert town_a["cells"]["dibao"] == (1, Decimal("700.00"))  # 500 + 200 补发, one household
    assert town_a["cells"]["tekun"] == (1, Decimal("1001.00"))
    assert town_b["cells"]["dibao"] == (1, Decimal("300.00"))  # the recovery is not counted
    assert report.totals["total"] == (3, Decimal("2001.00"))
    assert len(report.rows) == 26  # every town of the district, also those with nothing paid


def test_quarterly_summary(payroll, personas):
    report = statistics.quarterly(personas["leader"], date(2026, 2, 1))
    assert report.period == "2026年第1季度"
    dibao = next(row for row in report.rows if row["label"].startswith("最低生活保障"))
    assert dibao["cells"]["2026-01"] == (2, Decimal("1000.00"))
    assert dibao["cells"]["2026-02"] == (2, Decimal("800.00"))
    assert dibao["total"] == (4, Decimal("1800.00"))
    assert report.totals["total"] == (6, Decimal("1800.00") + 2 * Decimal("1001.00"))


def test_town_officer_without_indicator_grant_is_refused_and_town_leader_sees_own_town(payroll, personas,
                                                                                       town_leader):
    c = Client()
    c.force_login(personas["town_officer"])
    assert c.get("/cockpit/statistics/").status_code == 403
    report = statistics.monthly(town_leader, date(2026, 1, 1))
    assert [row["label"] for row in report.rows] == ["小龙坎街道"]
    assert report.totals["total"] == (2, Decimal("1701.00"))


def test_xlsx_fixed_layout_and_logged(payroll, personas):
    c = Client()
    c.force_login(personas["leader"])
    page = c.get("/cockpit/statistics/", {"month": "2026-01"})
    assert page.status_code == 200 and "救助资金发放统计月报" in page.content.decode()
    response = c.get("/cockpit/statistics/monthly/xlsx/", {"month": "2026-01"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "救助资金发放统计月报（2026年01月）"
    assert sheet["A3"].value == "镇街" and sheet["B4"].value == "对象数" and sheet["C4"].value == "金额"
    last = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "合计"][0]
    assert last[-2:] == (3, 2001)
    logged = AccessLog.objects.filter(user=personas["leader"], kind="export", detail__what="救助资金发放统计月报")
    assert logged.exists()
    quarter = c.get("/cockpit/statistics/quarterly/xlsx/", {"month": "2026-01"})
    assert load_workbook(io.BytesIO(quarter.content)).active["A1"].value == "救助资金发放统计季报（2026年第1季度）"
