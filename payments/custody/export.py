"""卡折代管名册导出 (XLSX): the custody list with its filters, ID and account numbers masked as on the page; every
export is an export of personal data and is written to the access log (`registry.disclosure.personal_export_log`)."""

import io

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from accounts.policy import allowed
from payments.models import BankCardCustody
from registry.disclosure import personal_export_log
from registry.identity import mask_phone

HEADERS = ("收款人", "身份证号", "村社区", "开户银行", "账号", "代管人类别", "代管人", "代管人联系电话", "代管原因",
           "协议编号", "协议签订日期", "代管开始日期", "代管终止日期", "状态", "本月已核对")
MAX_ROWS = 100_000


def _text(value) -> str:
    # Text goes out as text: a name typed by an officer never becomes a formula.
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def _row(c: BankCardCustody) -> list:
    return [_text(c.person.name), c.person.masked_id_number or "", c.area.name, c.bank_account.bank_name,
            c.bank_account.masked_number, c.get_custodian_kind_display(), _text(c.custodian_name),
            mask_phone(c.custodian_contact) if c.custodian_contact else "", c.get_reason_display(),
            _text(c.agreement_number), c.agreement_date, c.start_date, c.end_date,
            c.get_status_display(), "是" if getattr(c, "month_checked", False) else "否"]


def custody_list_export(*, user, rows: QuerySet[BankCardCustody], filters: dict) -> tuple[str, bytes]:
    """`rows` is the page's scoped, filtered queryset (annotated with `month_checked`); returns (name, bytes)."""
    if not allowed(user, "export", "run"):
        raise PermissionDenied("无导出权限")
    rows = rows.select_related("person", "area", "bank_account").order_by("area_id", "pk")[:MAX_ROWS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "卡折代管名册"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    count = 0
    for custody in rows.iterator(chunk_size=2000):
        sheet.append(_row(custody))
        count += 1
    for column in "KLM":
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    personal_export_log(user=user, what="卡折代管名册", count=count, filters=filters)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return f"卡折代管名册-{timezone.localdate():%Y%m%d}.xlsx", buffer.getvalue()
