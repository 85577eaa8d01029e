"""Supervision reports (资金监管报表) on crafted cycles and lines: amounts by programme × area × month, recipients
by category, on-time rate against the payment day, exception resolution; XLSX export, access log, scoping."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AccessLog
from payments.models import BankPayment, PaymentCycle, PaymentException, PaymentLine
from payments.reports import (
    amounts_report,
    exceptions_report,
    filter_parse,
    ontime_report,
    payment_days,
    recipients_report,
)
from programs.models import PolicyParameter
from registry.models import Disability
from tests.payments.conftest import FEB, JAN, MAR


def _at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


class Books:
    """Cycles and lines written directly, so each figure of a report is known in advance."""

    def __init__(self, areas, user):
        self.areas, self.user = areas, user

    def cycle(self, month: date, approved: datetime | None = None) -> PaymentCycle:
        status = PaymentCycle.Status.APPROVED if approved else PaymentCycle.Status.GENERATED
        return PaymentCycle.objects.create(district_id=self.areas["district"], month=month, status=status,
                                           created_by=self.user, approved_at=approved)

    def line(self, cycle, enrolment, amount: str, *, kind: str = "regular", status: str = "pending") -> PaymentLine:
        return PaymentLine.objects.create(
            cycle=cycle, enrolment=enrolment, program_id=enrolment.program_id, person_id=enrolment.person_id,
            household_id=enrolment.household_id, area_id=enrolment.area_id, month=cycle.month,
            covered_month=cycle.month, kind=kind, amount=Decimal(amount), status=status,
            account_number="6221000000001234")


@pytest.fixture
def books(roll, areas, officer):
    """Town A: 甲 (特困 1000, no household), 乙's household (低保 500, urban, 乙 一级残疾). Town B: 丙 (特困 900,
    rural household). January approved on the 5th (on time), February on the 20th (late, day 10); in February
    甲 has 100 recovered; 丙's January line came back failed from the bank."""
    b = Books(areas, officer)
    jia = roll.enrol("tekun", "1000.00", person=roll.person("甲"))
    household, (yi,) = roll.household(area=areas["community_a2"], hukou="urban", people=[
        roll.person("乙", area=areas["community_a2"])])
    Disability.objects.create(person=yi, category="physical", grade=1, area_id=yi.area_id)
    yi_e = roll.enrol("dibao", "500.00", household=household)
    bing = roll.person("丙", area=areas["community_b"])
    roll.household(area=areas["community_b"], hukou="rural", people=[bing])
    bing_e = roll.enrol("tekun", "900.00", person=bing)
    jan, feb = b.cycle(JAN, _at(2026, 1, 5, 10)), b.cycle(FEB, _at(2026, 2, 20, 10))
    for cycle in (jan, feb):
        b.line(cycle, jia, "1000.00")
        b.line(cycle, yi_e, "500.00")
    b.line(jan, bing_e, "900.00", status="failed")
    b.line(feb, bing_e, "900.00", status="paid")
    b.line(feb, jia, "-100.00", kind="recovery")
    return {"b": b, "jan": jan, "feb": feb, "jia": jia, "yi": yi_e, "bing": bing_e}


def _f(user, start="2026-01", end="2026-02", **kw):
    return filter_parse(user=user, start=start, end=end, **kw)


def _rows(table, *keys):
    return {(row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)): row for row in table.rows}


def test_amounts_by_programme_town_and_month(books, officer, areas):
    report = amounts_report(user=officer, f=_f(officer))
    rows = _rows(report.tables[0], "month", "program_code", "area_code")
    assert {k: r["amount"] for k, r in rows.items()} == {
        ("2026-01", "tekun", areas["town_a"]): Decimal("1000.00"),
        ("2026-01", "tekun", areas["town_b"]): Decimal("900.00"),
        ("2026-01", "dibao", areas["town_a"]): Decimal("500.00"),
        ("2026-02", "tekun", areas["town_a"]): Decimal("900.00"),  # 1000 less the 100 recovered
        ("2026-02", "tekun", areas["town_b"]): Decimal("900.00"),
        ("2026-02", "dibao", areas["town_a"]): Decimal("500.00"),
    }
    assert rows[("2026-02", "tekun", areas["town_a"])]["lines"] == 2
    assert rows[("2026-02", "tekun", areas["town_a"])]["area"] == "小龙坎街道"
    assert report.tables[0].totals["amount"] == Decimal("4700.00") and report.tables[0].totals["payees"] == 3
    by_program = _rows(report.tables[1], "program_code")
    assert by_program["tekun"]["amount"] == Decimal("3700.00") and by_program["dibao"]["payees"] == 1
    assert report.tables[0].totals["organisations"] == 0


def test_a_service_settlement_counts_in_the_amounts_and_its_payee_as_an_organisation(books, officer, areas):
    """服务结算: paid to a provider for an enrolment's vouchers — in the net amount, counted as 收款单位, never as a
    person or in the recipients and on-time figures (which are about the persons)."""
    from payments.payees import organisation_payee_register
    from tests.payments.test_organisation_payees import CODE_A, _area

    provider = organisation_payee_register(acting_user=officer, name="小龙坎居家养老服务中心", credit_code=CODE_A,
                                           area=_area(areas["community_a"]))
    e = books["yi"]
    PaymentLine.objects.create(cycle=books["feb"], enrolment=e, program_id=e.program_id, organisation=provider,
                               area_id=provider.area_id, month=FEB, covered_month=FEB, kind="settlement",
                               amount=Decimal("300.00"), account_number="6221000000009999")
    officer_f = _f(officer)
    amounts = amounts_report(user=officer, f=officer_f)
    assert amounts.tables[0].totals["amount"] == Decimal("4700.00") + Decimal("300.00")
    assert (amounts.tables[0].totals["payees"], amounts.tables[0].totals["organisations"]) == (3, 1)
    dibao = _rows(amounts.tables[1], "program_code")["dibao"]
    assert (dibao["payees"], dibao["organisations"], dibao["lines"]) == (1, 1, 3)
    recipients = recipients_report(user=officer, f=officer_f)
    assert _rows(recipients.tables[0], "program_code")["dibao"]["amount"] == Decimal("1000.00")
    ontime = ontime_report(user=officer, f=officer_f, today=date(2026, 3, 1))
    assert sum(r["lines"] for r in ontime.tables[0].rows if r["program_code"] == "dibao") == 2


def test_amounts_drill_to_communities_and_programme_filter(books, officer, areas):
    report = amounts_report(user=officer, f=_f(officer, area=areas["town_a"]))
    codes = {r["area_code"] for r in report.tables[0].rows}
    assert codes == {areas["community_a"], areas["community_a2"]}
    only = amounts_report(user=officer, f=_f(officer, start="2026-02", end="2026-02", program="dibao"))
    assert [r["amount"] for r in only.tables[0].rows] == [Decimal("500.00")]


def test_town_officer_sees_only_their_town(books, personas, areas):
    town = personas["town_officer"]
    report = amounts_report(user=town, f=_f(town))
    assert {r["area_code"] for r in report.tables[0].rows} == {areas["town_a"]}
    assert report.tables[0].totals["amount"] == Decimal("2900.00")
    with pytest.raises(ValidationError) as err:
        _f(town, area=areas["town_b"])
    assert "area" in err.value.message_dict
    ontime = ontime_report(user=town, f=_f(town), today=date(2026, 3, 31))
    assert sum(r["lines"] for r in ontime.tables[0].rows) == 4


def test_filter_errors_name_the_field(officer, areas):
    with pytest.raises(ValidationError) as err:
        _f(officer, start="2026-13")
    assert "from" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _f(officer, start="2026-03", end="2026-01")
    assert "截止月份" in err.value.message_dict["to"][0]
    with pytest.raises(ValidationError):
        _f(officer, program="nope")


def test_recipients_by_hukou_disability_and_age(books, officer):
    books["jia"].person.__class__.objects.filter(pk=books["jia"].person_id).update(birth_date=date(1966, 2, 1))
    books["bing"].person.__class__.objects.filter(pk=books["bing"].person_id).update(birth_date=date(2008, 2, 2))
    report = recipients_report(user=officer, f=_f(officer))  # ages on 2026-02-01: 60 and 17
    rows = _rows(report.tables[0], "program_code")
    assert (rows["tekun"]["payees"], rows["tekun"]["rural"], rows["tekun"]["hukou_unknown"]) == (2, 1, 1)
    assert (rows["dibao"]["payees"], rows["dibao"]["urban"], rows["dibao"]["disabled"], rows["dibao"]["severe"]) == (
        1, 1, 1, 1)
    assert (rows["tekun"]["elderly"], rows["tekun"]["minor"], rows["dibao"]["elderly"]) == (1, 1, 0)
    assert rows["tekun"]["amount"] == Decimal("3800.00")  # payments only: the recovery is not a payment
    assert report.tables[0].totals["payees"] == 3


def test_on_time_rate_counts_a_late_cycle_and_a_failed_line_as_late(books, officer):
    report = ontime_report(user=officer, f=_f(officer), today=date(2026, 3, 31))
    rows = _rows(report.tables[0], "month", "program_code")
    assert rows[("2026-01", "tekun")]["result"] == "部分逾期"
    assert (rows[("2026-01", "tekun")]["lines"], rows[("2026-01", "tekun")]["on_time"]) == (2, 1)  # 丙 failed
    # Approved on the 5th, no bank return yet: counted as released on approval, the line shown as awaiting it.
    assert rows[("2026-01", "dibao")]["result"] == "按时" and rows[("2026-01", "dibao")]["awaiting"] == 1
    assert rows[("2026-01", "tekun")]["deadline"] == "2026-01-10"
    assert rows[("2026-02", "dibao")]["result"] == "逾期" and rows[("2026-02", "dibao")]["on_time"] == 0
    assert "未核实" in rows[("2026-02", "dibao")]["payment_day"]
    # 6 payment lines due (the recovery is not counted), 2 paid on time.
    assert report.tables[0].totals["lines"] == 6 and report.tables[0].totals["on_time"] == 2
    assert report.tables[0].totals["rate"] == Decimal("0.3333")


def test_the_banks_transaction_date_decides_once_the_return_is_in(books, officer):
    """January was approved on the 5th; the bank then paid 甲 on the 9th (in time) and 乙 on the 12th (late)."""
    jan = books["jan"]
    for seq, (enrolment, day) in enumerate(((books["jia"], 9), (books["yi"], 12)), start=1):
        BankPayment.objects.create(
            cycle=jan, round=1, bank_name="重庆农村商业银行", seq=seq, enrolment=enrolment,
            program_id=enrolment.program_id, person_id=enrolment.person_id, area_id=enrolment.area_id,
            account_number="6221000000001234", amount=Decimal("1.00"), status=BankPayment.Status.PAID,
            paid_on=date(2026, 1, day), created_at=_at(2026, 1, 5, 11))
    rows = _rows(ontime_report(user=officer, f=_f(officer, end="2026-01"), today=date(2026, 3, 31)).tables[0],
                 "month", "program_code")
    assert rows[("2026-01", "tekun")]["on_time"] == 1 and rows[("2026-01", "tekun")]["result"] == "部分逾期"
    assert rows[("2026-01", "dibao")]["on_time"] == 0 and rows[("2026-01", "dibao")]["result"] == "逾期"


def test_cycle_not_approved_is_late_after_the_day_and_not_due_before(books, officer):
    b = books["b"]
    march = b.cycle(MAR)
    b.line(march, books["jia"], "1000.00")
    before = ontime_report(user=officer, f=_f(officer, start="2026-03", end="2026-03"), today=date(2026, 3, 9))
    assert before.tables[0].rows[0]["result"] == "未到发放日" and before.tables[0].totals["rate"] is None
    after = ontime_report(user=officer, f=_f(officer, start="2026-03", end="2026-03"), today=date(2026, 3, 11))
    assert after.tables[0].rows[0]["result"] == "逾期（未审批）" and after.tables[0].totals["rate"] == Decimal("0")


def test_an_approved_month_is_not_called_on_time_before_it_is_paid(books, officer):
    """March approved on the 2nd, payment day the 10th: on the 6th nothing has reached anyone yet."""
    b = books["b"]
    march = b.cycle(MAR, _at(2026, 3, 2, 10))
    b.line(march, books["jia"], "1000.00")
    early = ontime_report(user=officer, f=_f(officer, start="2026-03", end="2026-03"), today=date(2026, 3, 6))
    assert early.tables[0].rows[0]["result"] == "未到发放日" and early.tables[0].totals["rate"] is None
    BankPayment.objects.create(
        cycle=march, round=1, bank_name="重庆农村商业银行", seq=1, enrolment=books["jia"], program_id="tekun",
        person_id=books["jia"].person_id, area_id=books["jia"].area_id, account_number="6221000000001234",
        amount=Decimal("1000.00"), status=BankPayment.Status.PAID, paid_on=date(2026, 3, 5),
        created_at=_at(2026, 3, 2, 11))
    paid = ontime_report(user=officer, f=_f(officer, start="2026-03", end="2026-03"), today=date(2026, 3, 6))
    assert paid.tables[0].rows[0]["result"] == "按时" and paid.tables[0].totals["rate"] == Decimal("1")


def test_payment_day_is_policy_data_with_validity(books, officer, areas):
    PolicyParameter.objects.create(program_id="tekun", key="payment_day", area_code=areas["district"],
                                   value=Decimal("25"), valid_from=FEB, source="区民政局发放通知（测试）")
    days = payment_days({"tekun", "dibao"}, {JAN, FEB}, areas["district"])
    assert days[("tekun", JAN)] == (10, False) and days[("tekun", FEB)] == (25, True)
    assert days[("dibao", FEB)] == (10, False)
    report = ontime_report(user=officer, f=_f(officer), today=date(2026, 3, 31))
    rows = _rows(report.tables[0], "month", "program_code")
    assert rows[("2026-02", "tekun")]["result"] == "按时" and rows[("2026-02", "dibao")]["result"] == "逾期"


def _exception(cycle, line, kind, status, resolution=""):
    return PaymentException.objects.create(cycle=cycle, line=line, area_id=line.area_id, kind=kind, detail="测试",
                                           status=status, resolution=resolution, found_at=timezone.now())


def test_exceptions_found_and_how_they_were_resolved(books, officer, personas):
    jan, feb = books["jan"], books["feb"]
    jan_lines = {line.enrolment_id: line for line in jan.lines.all()}
    feb_lines = {line.enrolment_id: line for line in feb.lines.filter(kind="regular")}
    _exception(jan, jan_lines[books["jia"].pk], "bank_account_missing", "accepted", "现金发放")
    _exception(jan, jan_lines[books["bing"].pk], "bank_account_missing", "accepted", "现金发放")
    _exception(jan, jan_lines[books["yi"].pk], "paid_after_death", "resolved")
    _exception(feb, feb_lines[books["yi"].pk], "large_change", "open")
    _exception(feb, feb_lines[books["jia"].pk], "above_standard", "accepted", "护理等级提高，已核实")
    report = exceptions_report(user=officer, f=_f(officer))
    kinds = _rows(report.tables[0], "kind_code")
    assert (kinds["bank_account_missing"]["found"], kinds["bank_account_missing"]["accepted"]) == (2, 2)
    assert kinds["paid_after_death"]["resolved"] == 1 and kinds["large_change"]["open"] == 1
    assert kinds["mutually_exclusive"]["found"] == 0 and kinds["mutually_exclusive"]["rate"] is None
    assert report.tables[0].totals["found"] == 5 and report.tables[0].totals["rate"] == Decimal("0.8000")
    reasons = [(r["kind_code"], r["reason"], r["count"]) for r in report.tables[1].rows]
    assert reasons == [("above_standard", "护理等级提高，已核实", 1), ("bank_account_missing", "现金发放", 2)]
    outsider = personas["outsider"]  # town B: only 丙's exception
    assert exceptions_report(user=outsider, f=_f(outsider)).tables[0].totals["found"] == 1


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_returns_the_report_as_json(books, officer):
    response = _client(officer).get("/api/payment-reports/amounts/?from=2026-01&to=2026-02")
    assert response.status_code == 200
    body = response.json()
    assert body["tables"][0]["totals"]["amount"] == "4700.00"
    assert body["filters"] == {"from": "2026-01", "to": "2026-02", "area": "", "program": ""}
    bad = _client(officer).get("/api/payment-reports/ontime/?from=2026-1")
    assert bad.status_code == 400 and "from" in bad.json()


def test_api_refuses_users_without_the_payment_grant(books, officer):
    from accounts.services import user_create

    nobody = user_create(username="np", password="Test-Password-2026!", roles=[], area_code=officer.area_id,
                         validate=False)
    assert _client(nobody).get("/api/payment-reports/amounts/?from=2026-01").status_code == 403


def test_xlsx_export_keeps_numbers_and_is_access_logged(books, officer):
    response = _client(officer).get("/api/payment-reports/amounts/xlsx/?from=2026-01&to=2026-02")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert "资金发放金额统计表" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    assert headers == ["月份", "项目", "区划代码", "镇街", "明细条数", "收款人数", "收款单位数", "发放金额（元）"]
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=8)]
    assert data[0][:2] == ["2026-01", "最低生活保障（低保）"] and data[0][7] == 500
    assert data[1][:4] == ["2026-01", "特困人员救助供养", "500106001000", "小龙坎街道"] and data[1][7] == 1000
    assert sheet.cell(row=3, column=8).number_format == "#,##0.00"
    total = [c.value for c in sheet[9]]
    assert total[0] == "合计" and total[7] == 4700 and total[5] == 3 and total[6] == 0
    log = AccessLog.objects.get(user=officer)
    assert log.kind == AccessLog.Kind.EXPORT and log.detail["report"] == "amounts"
    assert log.detail["filters"]["from"] == "2026-01"


def test_xlsx_of_each_report_opens(books, officer):
    for key in ("recipients", "ontime", "exceptions"):
        response = _client(officer).get(f"/api/payment-reports/{key}/xlsx/?from=2026-01&to=2026-02")
        assert response.status_code == 200, key
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet.cell(row=2, column=1).value in ("项目", "月份", "异常类型")
    ontime = load_workbook(io.BytesIO(_client(officer).get(
        "/api/payment-reports/ontime/xlsx/?from=2026-01&to=2026-02").content)).worksheets[0]
    totals = next(row for row in ontime.iter_rows(values_only=True) if row[0] == "合计")
    assert totals[11] == pytest.approx(0.3333) and ontime.cell(row=3, column=12).number_format == "0.00%"
    assert AccessLog.objects.filter(user=officer, kind="export").count() == 4
