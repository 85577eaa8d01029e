"""资金监管报表导出 (XLSX): one sheet per table — title, header row, rows, totals row; money as numbers with two
decimals, rates as percentages. Every export is written to the access log (`audit.services.access_log_write`)."""

import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.policy import allowed
from audit.models import AccessLog
from audit.services import access_log_write
from payments.reports import Report, ReportFilter, report_build
from programs.calculations.money import round_money

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def _cell_value(value, kind: str):
    if value is None:
        return None if kind in ("money", "rate", "int") else ""
    if kind == "money":
        return round_money(Decimal(value))
    if kind in ("rate", "int"):
        return value
    # Text goes out as text: a programme name or a reason typed by an officer never becomes a formula.
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def report_workbook(report: Report) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, table in enumerate(report.tables, start=1):
        sheet = workbook.create_sheet(title=f"{index}.{table.title}"[:31].replace("/", "／"))
        width = len(table.columns)
        sheet.cell(row=1, column=1, value=f"{report.title}（{report.period}）· {table.title}").font = Font(
            bold=True, size=13)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        for position, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=2, column=position, value=column.title)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(position)].width = max(10, len(column.title) * 2 + 2)
        rows = [*table.rows, *([table.totals] if table.totals is not None else [])]
        for offset, row in enumerate(rows):
            is_total = table.totals is not None and offset == len(rows) - 1
            for position, column in enumerate(table.columns, start=1):
                cell = sheet.cell(row=3 + offset, column=position, value=_cell_value(row.get(column.key), column.kind))
                if column.kind == "money":
                    cell.number_format = MONEY_FORMAT
                elif column.kind == "rate":
                    cell.number_format = RATE_FORMAT
                if is_total:
                    cell.font, cell.fill = Font(bold=True), TOTAL_FILL
        sheet.freeze_panes = "A3"
        for note_offset, note in enumerate(report.notes):
            sheet.cell(row=4 + len(rows) + note_offset, column=1, value=f"说明：{note}").font = Font(
                italic=True, color="595959")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_export(*, user, key: str, f: ReportFilter) -> tuple[str, bytes]:
    """Build the report for `user`, write it as XLSX and log the export; returns (file name, content)."""
    if not allowed(user, "payment", "view"):
        raise PermissionDenied("无此操作权限（资金发放）")
    report = report_build(user=user, key=key, f=f)
    content = report_workbook(report)
    access_log_write(user=user, kind=AccessLog.Kind.EXPORT, detail={
        "what": f"资金监管报表：{report.title}", "report": key, "filters": f.as_dict(),
        "rows": sum(len(t.rows) for t in report.tables)})
    return f"{report.title}-{f.start:%Y%m}-{f.end:%Y%m}.xlsx", content
