"""The bureau's periodic statistics (定期统计报表): a monthly table of recipients and amounts by programme and town,
and a quarterly summary by programme, in a fixed layout staff can submit upward (XLSX, openpyxl).

Both read the payroll lines (`payments.PaymentLine`, the paid kinds: 当月发放、补发、调整; recoveries are deductions
and not payments) through the user's scope, with two grouped queries. A recipient is an enrolment paid in the
period (a household for a household programme, a person for a personal one).
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from accounts.policy import restrict, scope_prefix
from areas.models import Area, AreaLevel
from audit.models import AccessLog
from audit.services import access_log_write
from minzheng.dates import add_months
from minzheng.lookups import prefix_q
from payments.models import PaymentLine
from payments.reports import PAID_KINDS
from programs.models import Program

ZERO = Decimal("0.00")
MONEY = "#,##0.00"
THIN = Side(style="thin")
SIGNATURES = "单位负责人：            审核人：            制表人：            制表日期："
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass
class Statistics:
    title: str
    period: str
    programs: list[tuple[str, str, str]]  # code, name, unit label (户/人)
    rows: list[dict] = field(default_factory=list)  # {"label", "cells": {code: (recipients, amount)}, ...}
    totals: dict = field(default_factory=dict)


def _lines(user, start: date, end: date):
    return restrict(PaymentLine.objects.filter(month__gte=start, month__lte=end, kind__in=PAID_KINDS), user, "view",
                    resource="payment")


def _programs(codes: set[str]) -> list[tuple[str, str, str]]:
    rows = Program.objects.filter(code__in=codes).order_by("sort", "code")
    return [(p.code, p.name, "户" if p.unit == Program.Unit.HOUSEHOLD else "人") for p in rows]


def _total(cells: dict) -> tuple[int, Decimal]:
    return sum(c[0] for c in cells.values()), sum((c[1] for c in cells.values()), ZERO)


def table_rows(report: Statistics) -> list[dict]:
    """The rows (and the totals row last) with their cells in the programmes' order, for a page."""
    return [{"label": row["label"], "total": row["total"],
             "pairs": [row["cells"].get(code, (0, ZERO)) for code, _, _ in report.programs]}
            for row in [*report.rows, report.totals]]


def monthly(user, month: date) -> Statistics:
    """救助资金发放统计月报: one row per town of the user's scope (zeros included), a column pair per programme."""
    grouped = (_lines(user, month, month).annotate(town=Substr("area_id", 1, 9)).values("program_id", "town")
               .annotate(recipients=Count("enrolment_id", distinct=True), amount=Sum("amount")).order_by())
    figures: dict[str, dict[str, tuple[int, Decimal]]] = {}
    for row in grouped:
        figures.setdefault(row["town"], {})[row["program_id"]] = (row["recipients"], row["amount"] or ZERO)
    prefix = scope_prefix(user) or ""
    towns = Area.objects.filter(prefix_q("code", prefix[:9]), level=AreaLevel.TOWN, valid_to__isnull=True)
    towns = towns.order_by("code") if prefix else towns.none()
    report = Statistics("救助资金发放统计月报", f"{month:%Y年%m月}", _programs({r["program_id"] for r in grouped}))
    for town in towns:
        cells = figures.get(town.code[:9], {})
        report.rows.append({"label": town.name, "cells": cells, "total": _total(cells)})
    totals = {}
    for code, _, _ in report.programs:
        totals[code] = (sum(r["cells"].get(code, (0, ZERO))[0] for r in report.rows),
                        sum((r["cells"].get(code, (0, ZERO))[1] for r in report.rows), ZERO))
    report.totals = {"label": "合计", "cells": totals, "total": _total(totals)}
    return report


def quarter_of(month: date) -> date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1, day=1)


def quarterly(user, month: date) -> Statistics:
    """救助资金发放统计季报: one row per programme — the three months' recipients and amounts, the quarter's total
    amount and average monthly recipients."""
    start = quarter_of(month)
    months = [start, add_months(start, 1), add_months(start, 2)]
    grouped = (_lines(user, months[0], months[2]).values("program_id", "month")
               .annotate(recipients=Count("enrolment_id", distinct=True), amount=Sum("amount")).order_by())
    figures: dict[str, dict[str, tuple[int, Decimal]]] = {}
    for row in grouped:
        figures.setdefault(row["program_id"], {})[f"{row['month']:%Y-%m}"] = (row["recipients"],
                                                                                row["amount"] or ZERO)
    report = Statistics("救助资金发放统计季报", f"{start.year}年第{(start.month - 1) // 3 + 1}季度",
                        [(f"{m:%Y-%m}", f"{m.month}月", "") for m in months])
    for code, name, unit in _programs(set(figures)):
        cells = figures[code]
        recipients, amount = _total(cells)
        report.rows.append({"label": f"{name}（{unit}）", "cells": cells, "total": (recipients, amount)})
    totals = {key: (sum(r["cells"].get(key, (0, ZERO))[0] for r in report.rows),
                    sum((r["cells"].get(key, (0, ZERO))[1] for r in report.rows), ZERO))
              for key, _, _ in report.programs}
    report.totals = {"label": "合计", "cells": totals, "total": _total(totals)}
    return report


def workbook(*, user, report: Statistics, unit_name: str) -> bytes:
    """The fixed layout: title (merged), unit and period, two header rows (column group, 人数/金额), the rows, the
    totals row, and the signature line."""
    book = Workbook()
    sheet = book.active
    sheet.title = report.title[:31]
    width = 1 + 2 * len(report.programs) + 2
    sheet.cell(row=1, column=1, value=f"{report.title}（{report.period}）").font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=f"填报单位：{unit_name}")
    sheet.cell(row=2, column=width - 1, value="金额单位：元")
    first = "镇街" if report.title.endswith("月报") else "项目（单位）"
    headers = [(first, "")] + [(name + (f"（{unit}）" if unit else ""), "") for _, name, unit in report.programs]
    sheet.cell(row=3, column=1, value=first)
    sheet.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    for index, (label, _) in enumerate(headers[1:]):
        column = 2 + 2 * index
        sheet.cell(row=3, column=column, value=label)
        sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
        sheet.cell(row=4, column=column, value="对象数")
        sheet.cell(row=4, column=column + 1, value="金额")
    sheet.cell(row=3, column=width - 1, value="合计")
    sheet.merge_cells(start_row=3, start_column=width - 1, end_row=3, end_column=width)
    monthly_layout = report.title.endswith("月报")
    sheet.cell(row=4, column=width - 1, value="对象数" if monthly_layout else "对象人（户）次")
    sheet.cell(row=4, column=width, value="金额")
    line = 5
    for row in [*report.rows, report.totals]:
        sheet.cell(row=line, column=1, value=row["label"])
        for index, (code, _, _) in enumerate(report.programs):
            recipients, amount = row["cells"].get(code, (0, ZERO))
            sheet.cell(row=line, column=2 + 2 * index, value=recipients)
            sheet.cell(row=line, column=3 + 2 * index, value=amount).number_format = MONEY
        sheet.cell(row=line, column=width - 1, value=row["total"][0])
        sheet.cell(row=line, column=width, value=row["total"][1]).number_format = MONEY
        line += 1
    for cell in sheet[line - 1]:
        cell.font = Font(bold=True)
    for row_cells in sheet.iter_rows(min_row=3, max_row=line - 1, max_col=width):
        for cell in row_cells:
            cell.border = BOX
    for header_row in (3, 4):
        for cell in sheet[header_row]:
            cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center", vertical="center")
    sheet.cell(row=line + 1, column=1, value=SIGNATURES)
    sheet.column_dimensions["A"].width = 22
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    buffer = io.BytesIO()
    book.save(buffer)
    access_log_write(user=user, kind=AccessLog.Kind.EXPORT, detail={"what": report.title, "period": report.period})
    return buffer.getvalue()
