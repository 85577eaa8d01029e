"""Reconciliation: paid, failed, reissued, pending by programme and town add up to the cycle total; a town
officer reconciles their own town only; the XLSX opens."""

import io
from decimal import Decimal

import openpyxl
import pytest

from payments.models import PaymentLine
from payments.reconciliation import reconciliation, reconciliation_xlsx
from payments.services_bank import bank_files_generate, bank_return_commit, bank_return_upload
from tests.payments.bankkit import RCB, approved_cycle, return_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(roll, officer, approver, generate, django_capture_on_commit_callbacks):
    """甲 paid (800 net: 1000 − 200 recovery), 丙 failed (900), 乙 pending at the other bank (500), plus 丁 in
    town A without an account (never in a bank file)."""
    nobank = roll.enrol("dibao", "300.00", person=roll.person("丁", bank=False))
    cycle, e = approved_cycle(roll, officer, approver, generate)
    e["ding"] = nobank
    files = {f.bank_name: f for f in bank_files_generate(acting_user=officer, cycle=cycle)}
    jia = e["jia"].person.bank_accounts.get().account_number
    bing = e["bing"].person.bank_accounts.get().account_number
    content = return_csv([["1", "甲", jia, "800.00", "成功", ""], ["2", "丙", bing, "900.00", "失败", "账户冻结"]])
    with django_capture_on_commit_callbacks(execute=True):
        bank_return = bank_return_upload(acting_user=officer, bank_file=files[RCB], filename="r.csv", content=content)
    with django_capture_on_commit_callbacks(execute=True):
        bank_return_commit(acting_user=officer, bank_return=bank_return)
    cycle.refresh_from_db()
    return cycle, e


def _cell(count: int, amount: str) -> dict:
    return {"count": count, "amount": Decimal(amount)}


def test_reconciliation_adds_up_to_the_cycle_total(returned, officer):
    cycle, _ = returned
    report = reconciliation(user=officer, cycle=cycle)
    total = report["total"]
    assert total["paid"] == _cell(2, "800.00")  # 甲's regular line and its recovery line
    assert total["failed"] == _cell(1, "900.00")
    assert total["pending"] == _cell(2, "800.00")  # 乙 at the other bank, 丁 without an account
    assert total["reissued"] == _cell(0, "0.00")
    assert total["total"] == _cell(cycle.line_count, str(cycle.total_amount))
    for part in ("by_program", "by_town"):
        for status in ("paid", "failed", "pending", "reissued", "total"):
            assert sum(r[status]["amount"] for r in report[part]) == total[status]["amount"]
            assert sum(r[status]["count"] for r in report[part]) == total[status]["count"]
    towns = {r["code"]: r for r in report["by_town"]}
    assert towns[roll_town(returned, "jia")]["paid"]["amount"] == Decimal("800.00")
    assert {r["code"] for r in report["by_program"]} == {"tekun", "dibao"}


def roll_town(returned, key: str) -> str:
    return returned[1][key].area_id[:9] + "000"


def test_a_town_officer_sees_only_their_town(returned, personas):
    cycle, e = returned
    town_a = reconciliation(user=personas["town_officer"], cycle=cycle)
    assert [r["code"] for r in town_a["by_town"]] == [roll_town(returned, "jia")]
    expected = sum(PaymentLine.objects.filter(cycle=cycle, area__code__startswith=e["jia"].area_id[:9])
                   .values_list("amount", flat=True))
    assert town_a["total"]["total"]["amount"] == expected
    assert town_a["total"]["failed"]["count"] == 0  # 丙's failure is in town B
    outsider = reconciliation(user=personas["outsider"], cycle=cycle)
    assert outsider["total"]["failed"] == _cell(1, "900.00") and outsider["total"]["paid"]["count"] == 0


def test_reconciliation_xlsx_is_readable(returned, officer):
    cycle, _ = returned
    content = reconciliation_xlsx(cycle=cycle, report=reconciliation(user=officer, cycle=cycle))
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert rows[0][0] == "2026年03月发放对账表"
    last = rows[-1]
    assert last[1] == "合计" and last[-2:] == [cycle.line_count, float(cycle.total_amount)]
