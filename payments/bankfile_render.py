"""Rendering a bank disbursement file (代发文件内容) from a layout and its rows — pure, no database writes.

The bytes are a function of the layout and the rows only (no "now", no random zip stamp), so exporting the same
payments in the same layout again gives the very same SHA-256: the checksum recorded at the first export can
be compared with any later copy. Text cells are always text (an account or ID number never becomes a number in
Excel, a name starting with "=" never a formula: in a CSV it gets a leading "'", imports.sheets.csv_safe).
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

from imports.sheets import csv_safe
from payments.models import BankFileColumn, BankFileLayout

Source = BankFileColumn.Source
# Zip members are stamped with this instead of the time of writing (the earliest date a zip can hold).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Row:
    """One payment as the bank sees it."""

    seq: int
    payment_id: int
    name: str
    id_number: str
    account_number: str
    bank_name: str
    amount: Decimal
    program: str
    area: str
    month: date
    reissue: bool

    def value(self, source: str):
        if source == Source.SUMMARY:
            return f"{self.month:%Y年%m月}{self.program}{'（重发）' if self.reissue else ''}"
        if source == Source.MONTH:
            return f"{self.month:%Y-%m}"
        return getattr(self, {Source.PROGRAM: "program", Source.AREA: "area"}.get(source, source))


def render(layout: BankFileLayout, columns: list[BankFileColumn], rows: list[Row]) -> bytes:
    """The file's bytes: header, one line per payment, and the totals row when the layout asks for it."""
    if not columns:
        raise ValidationError({"layout": [f"代发文件格式“{layout.name}”没有设置任何列，请在管理后台添加列"]})
    table = [[c.header for c in columns]]
    table += [[row.value(c.source) for c in columns] for row in rows]
    if layout.totals_row:
        table.append(totals_row(columns, len(rows), sum((r.amount for r in rows), Decimal("0.00"))))
    if layout.format == BankFileLayout.Format.XLSX:
        return _xlsx(table, columns, stamp=rows[0].month if rows else date(2000, 1, 1))
    return _csv(table, layout.encoding)


def totals_row(columns: list[BankFileColumn], count: int, total: Decimal) -> list:
    """合计行: "合计" and the count (笔数) in the first columns that do not hold the amount, the total under 金额."""
    cells: list = [""] * len(columns)
    free = [i for i, c in enumerate(columns) if c.source != Source.AMOUNT]
    labels = ["合计", f"{count}笔"]
    for index, label in zip(free, labels, strict=False):
        cells[index] = label
    for index, column in enumerate(columns):
        if column.source == Source.AMOUNT:
            cells[index] = total
    return cells


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _csv_amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _csv_text(value) -> str:
    return '"' + csv_safe(_text(value)).replace('"', '""') + '"'


def _csv(table: list[list], encoding: str) -> bytes:
    # Amounts (Decimal) are numbers and stay bare ("-12.00"); every text cell is quoted, so an 18-digit ID or a
    # 19-digit account number reads as text, not as a number a spreadsheet rounds, and is made formula-safe.
    text = "".join(",".join(_csv_amount(v) if isinstance(v, Decimal) else _csv_text(v) for v in cells) + "\r\n"
                   for cells in table)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text[:exc.start].count("\n") + 1
        raise ValidationError({"layout": [
            f"代发文件第{line}行含有{encoding.upper()}编码不能表示的字“{text[exc.start:exc.end]}”，"
            "请将该银行的文件格式改为 GB18030 或 UTF-8 编码"]}) from None


def _xlsx(table: list[list], columns: list[BankFileColumn], *, stamp: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "代发明细"
    for r, cells in enumerate(table, start=1):
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Decimal):
                cell.value, cell.number_format = value, "0.00"
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
                cell.data_type, cell.number_format = "s", "@"  # text, never a number or a formula
    for c, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = {
            Source.ID_NUMBER: 22, Source.ACCOUNT: 24, Source.SUMMARY: 24}.get(column.source, 12)
    fixed = datetime(stamp.year, stamp.month, stamp.day)
    workbook.properties.created = workbook.properties.modified = fixed
    buffer = io.BytesIO()
    # ExcelWriter directly: `Workbook.save` would stamp "modified" with the current time.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _restamp(buffer.getvalue())


def _restamp(content: bytes) -> bytes:
    """The same zip with every member dated ZIP_EPOCH, in the same order, so equal sheets give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
