"""Sheets written for the user (导出表格): the blank template and the error sheet (错误清单).

Every cell the user typed goes out as text, never as a formula: a value like "=HYPERLINK(...)" from an
uploaded file must not become live in the officer's Excel (CSV/formula injection).
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from imports.models import ImportBatch, StagedRow
from imports.schemas import Schema

ERROR_HEADER = "错误说明"
PRESENT_NOTE = "已登记，不重复导入"
_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s().-]*")
STREAM_PIECE = 64 * 1024


def template_xlsx(schema: Schema, examples: list[dict[str, str]]) -> bytes:
    """导入模板: the header row (required columns in bold red) and the example rows, all cells as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = schema.title[:31]
    for position, column in enumerate(schema.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.must_have_header else "000000")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4, 22 if column.examples else 0)
        for row, example in enumerate(examples, start=2):
            value = sheet.cell(row=row, column=position, value=example.get(column.key, ""))
            value.number_format = "@"  # keep 18-digit ID numbers and codes as text in Excel
            value.data_type = "s"
    sheet.freeze_panes = "A2"
    return _save(workbook)


def template_csv(schema: Schema, examples: list[dict[str, str]]) -> bytes:
    rows = [[c.header for c in schema.columns]]
    rows += [[csv_safe(example.get(c.key, "")) for c in schema.columns] for example in examples]
    return _csv_bytes(rows)


def row_note(row: StagedRow) -> str:
    """What the 错误说明 column says for a row: its errors, or that it was already there."""
    if row.status == StagedRow.Status.DUPLICATE_EXISTING:
        return PRESENT_NOTE
    return "；".join(row.errors or [])


def error_sheet_rows(batch: ImportBatch, pages) -> tuple[list[str], object]:
    """The header and a generator of rows: the original cells of every row, then the error column."""
    headers = list(batch.headers)
    width = len(headers)

    def rows():
        for page in pages:
            for row in page:
                cells = list(row.data[:width])
                yield cells + [""] * (width - len(cells)) + [row_note(row)]

    return headers + [ERROR_HEADER], rows()


def _text_workbook(headers: list[str], rows, title: str) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([_text_cell(sheet, h, bold=True) for h in headers])
    for values in rows:
        sheet.append([_text_cell(sheet, v) for v in values])
    return workbook


def error_sheet_xlsx(headers: list[str], rows, title: str = "导入结果") -> bytes:
    """A sheet of text cells (header row bold): every cell is text, so data from outside never becomes a formula.
    Also the writer of other plain-text exports (the household chain)."""
    return _save(_text_workbook(headers, rows, title))


def error_sheet_xlsx_chunks(headers: list[str], rows, title: str = "导入结果") -> Iterator[bytes]:
    """The same sheet for a file of any size: openpyxl's write-only mode keeps one row at a time (it spools the
    sheet to its own temporary file), the workbook is saved to a temporary file, and that file is read out in
    pieces. The workbook is written here, before the first piece is asked for, so an error is a plain error
    response rather than a cut-off download."""
    spool = tempfile.TemporaryFile(prefix="minzheng-sheet-")
    try:
        _text_workbook(headers, rows, title).save(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return _pieces(spool)


def _pieces(spool) -> Iterator[bytes]:
    with spool:
        while piece := spool.read(STREAM_PIECE):
            yield piece


def error_sheet_csv(headers: list[str], rows) -> bytes:
    return _csv_bytes([headers, *([csv_safe(v) for v in values] for values in rows)])


def error_sheet_csv_chunks(headers: list[str], rows) -> Iterator[bytes]:
    """The CSV written as it is read: rows go out in pieces of about 64 KB, never the whole file in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # BOM: Excel opens UTF-8 CSV with Chinese correctly only with it
    writer.writerow(headers)
    for values in rows:
        writer.writerow([csv_safe(v) for v in values])
        if buffer.tell() >= STREAM_PIECE:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _text_cell(sheet, value: str, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value or ""))
    cell.data_type = "s"  # text even when it starts with "=": never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def csv_safe(value: str) -> str:
    """A text cell for a CSV the platform writes: a leading formula character (=, @, tab, CR, and + or - unless the
    rest is a plain signed number or phone number, which no spreadsheet runs as a formula) gets a "'" in front, so
    the cell stays text in Excel or WPS. Only for text: numbers (money) are written as numbers by the caller."""
    if value and (value[0] in "=@\t\r" or (value[0] in "+-" and not _PLAIN_NUMBER.fullmatch(value))):
        return "'" + value
    return value


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    # BOM: Excel opens UTF-8 CSV with Chinese correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
