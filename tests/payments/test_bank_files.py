"""Bank disbursement files: net per enrolment, per bank, layout honoured, bytes and checksum, CSV encoding,
XLSX readable, totals row, approved-only, export permission and access log."""

import csv
import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessLog
from payments.models import BankFile, BankFileColumn, BankFileLayout, BankPayment, PaymentCycle
from payments.services import cycle_open
from payments.services_bank import bank_file_download, bank_files_generate
from tests.payments.bankkit import ICBC, RCB, approved_cycle
from tests.payments.conftest import MAR

pytestmark = pytest.mark.django_db


def _csv_rows(bank_file: BankFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(bytes(bank_file.content).decode(bank_file.encoding))))


def test_default_layout_is_seeded():
    layout = BankFileLayout.objects.get(bank_name="", active=True)
    assert (layout.format, layout.encoding, layout.totals_row) == ("csv", "gbk", True)
    assert [c.header for c in layout.columns.order_by("position")] == ["序号", "姓名", "身份证号", "账号", "金额",
                                                                      "项目", "摘要"]


def test_export_pays_the_net_per_enrolment_one_file_per_bank(roll, officer, approver, generate):
    cycle, enrolments = approved_cycle(roll, officer, approver, generate)
    files = bank_files_generate(acting_user=officer, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == PaymentCycle.Status.EXPORTED
    by_bank = {f.bank_name: f for f in files}
    assert set(by_bank) == {ICBC, RCB}
    rcb = _csv_rows(by_bank[RCB])
    assert rcb[0] == ["序号", "姓名", "身份证号", "账号", "金额", "项目", "摘要"]
    jia = enrolments["jia"].person
    # 甲: 1000 regular − 200 recovery = 800 net, one transfer; full ID and account numbers for the bank.
    assert rcb[1] == ["1", "甲", jia.id_number, jia.bank_accounts.get().account_number, "800.00", "特困人员救助供养",
                      "2026年03月特困人员救助供养"]
    assert rcb[2][:2] == ["2", "丙"] and rcb[2][4] == "900.00"
    assert rcb[3] == ["合计", "2笔", "", "", "1700.00", "", ""]
    assert (by_bank[RCB].item_count, by_bank[RCB].total_amount) == (2, Decimal("1700.00"))
    assert by_bank[RCB].checksum == hashlib.sha256(bytes(by_bank[RCB].content)).hexdigest()
    assert BankPayment.objects.filter(cycle=cycle).count() == 3


def test_reexport_gives_the_same_bytes_and_checksum(roll, officer, approver, generate):
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    first = {f.bank_name: f.checksum for f in bank_files_generate(acting_user=officer, cycle=cycle)}
    again = {f.bank_name: f.checksum for f in bank_files_generate(acting_user=officer, cycle=cycle)}
    assert first == again
    assert BankFile.objects.filter(cycle=cycle).count() == 4 and BankPayment.objects.filter(cycle=cycle).count() == 3


def _layout(fmt: str, encoding: str = "utf-8", totals: bool = True, bank: str = ICBC) -> BankFileLayout:
    layout = BankFileLayout.objects.create(name=f"{bank}{fmt}", bank_name=bank, format=fmt, encoding=encoding,
                                           totals_row=totals)
    for position, (header, source) in enumerate([("金额", "amount"), ("户名", "name"), ("卡号", "account_number"),
                                                 ("备注", "summary")], start=1):
        BankFileColumn.objects.create(layout=layout, position=position, header=header, source=source)
    return layout


def test_bank_layout_columns_and_utf8_encoding_honoured(roll, officer, approver, generate):
    _layout("csv", encoding="utf-8", totals=False)
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    icbc = next(f for f in bank_files_generate(acting_user=officer, cycle=cycle) if f.bank_name == ICBC)
    text = bytes(icbc.content).decode("utf-8")
    expected = [["金额", "户名", "卡号", "备注"], ["500.00", "乙", "6222020000000000011", "2026年03月特困人员救助供养"]]
    assert list(csv.reader(io.StringIO(text))) == expected
    rcb = BankFile.objects.get(cycle=cycle, bank_name=RCB)
    assert rcb.encoding == "gbk" and "甲".encode("gbk") in bytes(rcb.content)  # the default layout: GBK
    with pytest.raises(UnicodeDecodeError):
        bytes(rcb.content).decode("utf-8")


def test_xlsx_layout_is_readable_and_deterministic(roll, officer, approver, generate):
    _layout("xlsx")
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    icbc = next(f for f in bank_files_generate(acting_user=officer, cycle=cycle) if f.bank_name == ICBC)
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(icbc.content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["金额", "户名", "卡号", "备注"]
    assert rows[1][:3] == [500, "乙", "6222020000000000011"] and sheet["C2"].data_type == "s"
    assert rows[2][:2] == [500, "合计"] and rows[2][2] == "1笔"
    again = next(f for f in bank_files_generate(acting_user=officer, cycle=cycle) if f.bank_name == ICBC)
    assert again.checksum == icbc.checksum and again.filename.endswith(".xlsx")


def test_a_name_gbk_cannot_write_is_reported(roll, officer, approver, generate):
    cycle, enrolments = approved_cycle(roll, officer, approver, generate)
    person = enrolments["jia"].person
    person.name = "王𠀀"  # outside GBK (CJK extension B)
    person.save(update_fields=["name"])
    with pytest.raises(ValidationError, match="GB18030"):
        bank_files_generate(acting_user=officer, cycle=cycle)


def test_only_an_approved_cycle_is_exported_and_only_with_the_grant(roll, officer, approver, personas, generate):
    roll.enrol("tekun", "500.00", person=roll.person())
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    with pytest.raises(ValidationError, match="审批后才能导出"):
        bank_files_generate(acting_user=officer, cycle=cycle)
    with pytest.raises(PermissionDenied):
        bank_files_generate(acting_user=approver, cycle=cycle)
    with pytest.raises(PermissionDenied):
        bank_files_generate(acting_user=personas["town_officer"], cycle=cycle)
    assert not BankFile.objects.exists()


def test_every_export_and_download_is_access_logged(roll, officer, approver, generate, personas):
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    files = bank_files_generate(acting_user=officer, cycle=cycle)
    assert AccessLog.objects.filter(user=officer, kind="export").count() == 2
    content = b"".join(bank_file_download(acting_user=officer, bank_file=files[0]))
    assert hashlib.sha256(content).hexdigest() == files[0].checksum
    log = AccessLog.objects.filter(user=officer, kind="export").order_by("-id").first()
    assert log.detail["filters"]["bank_file"] == files[0].pk and log.detail["rows"] == files[0].item_count
    for persona in ("town_officer", "leader", "district_approver"):
        with pytest.raises(PermissionDenied):
            bank_file_download(acting_user=personas[persona], bank_file=files[0])
