"""Reconciliation (对账) of a cycle: what was paid, what failed, what is still pending — count and amount — by
programme and by town, with the totals. Read from the lines the user may see (`lines_visible`), so a town
officer reconciles their own town only; for the district the totals are the cycle's total.

Buckets are the lines' own statuses: 已发放 (the bank confirmed the payment that covers the line), 发放失败,
已重发待回盘 (in a reissue file, waiting for its return) and 待发放 (not yet returned, or never in a bank
file: no account, or an enrolment whose net is not above zero). A recovery line is in the bucket of the payment
it was deducted from, so each bucket's amount is the net money of its lines.
"""

import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from openpyxl import Workbook
from openpyxl.styles import Font

from areas.models import Area
from payments.models import PaymentCycle, PaymentLine
from payments.selectors import lines_visible
from programs.calculations.money import ZERO, round_money
from programs.models import Program

STATUSES = [PaymentLine.Status.PAID, PaymentLine.Status.FAILED, PaymentLine.Status.REISSUED,
            PaymentLine.Status.PENDING]


def _empty() -> dict:
    return {s: {"count": 0, "amount": ZERO} for s in [*STATUSES, "total"]}


def _add(cell: dict, status: str, count: int, amount: Decimal) -> None:
    # SQLite sums decimals as floating point (168648.040000000…); the lines are whole fen, so rounding the sum to
    # fen gives the exact figure back (exact up to far beyond any district's monthly total).
    amount = round_money(amount or ZERO)
    for key in (status, "total"):
        cell[key]["count"] += count
        cell[key]["amount"] += amount


def reconciliation(*, user, cycle: PaymentCycle) -> dict:
    """{"by_program": [...], "by_town": [...], "total": {...}}: each row {code, name, <status>: {count, amount},
    total: {count, amount}}. Two GROUP BY queries over the cycle's visible lines."""
    lines = lines_visible(user, cycle).order_by()
    by_program: dict[str, dict] = {}
    total = _empty()
    for row in lines.values("program_id", "status").annotate(n=Count("id"), amount=Sum("amount")):
        _add(by_program.setdefault(row["program_id"], _empty()), row["status"], row["n"], row["amount"])
        _add(total, row["status"], row["n"], row["amount"])
    by_town: dict[str, dict] = {}
    for row in (lines.annotate(town=Substr("area_id", 1, 9)).values("town", "status")
                .annotate(n=Count("id"), amount=Sum("amount"))):
        _add(by_town.setdefault(row["town"] + "000", _empty()), row["status"], row["n"], row["amount"])
    programs = dict(Program.objects.filter(pk__in=by_program).values_list("pk", "name"))
    towns = dict(Area.objects.filter(pk__in=by_town).values_list("pk", "name"))
    return {
        "by_program": [{"code": k, "name": programs.get(k, k), **v} for k, v in sorted(by_program.items())],
        "by_town": [{"code": k, "name": towns.get(k, k), **v} for k, v in sorted(by_town.items())],
        "total": total,
    }


def reconciliation_xlsx(*, cycle: PaymentCycle, report: dict) -> bytes:
    """对账表 (XLSX): by programme, then by town, then the totals; counts and amounts per bucket."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "对账"
    sheet.append([f"{cycle.month:%Y年%m月}发放对账表"])
    sheet["A1"].font = Font(bold=True, size=14)
    header = ["代码", "名称"]
    for status in [*STATUSES, "total"]:
        label = "合计" if status == "total" else PaymentLine.Status(status).label
        header += [f"{label}笔数", f"{label}金额"]
    for title, rows in (("按项目", report["by_program"]), ("按镇街", report["by_town"])):
        sheet.append([])
        sheet.append([title])
        sheet.append(header)
        for row in rows:
            sheet.append(_cells(row["code"], row["name"], row))
    sheet.append([])
    sheet.append(_cells("", "合计", report["total"]))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(code: str, name: str, row: dict) -> list:
    cells: list = [code, name]
    for status in [*STATUSES, "total"]:
        cells += [row[status]["count"], row[status]["amount"]]
    return cells
