"""Bank return files through the staged import: paid and failed per payment, row errors named, re-import changes
nothing, reissue after the account is fixed and its own return, never paid twice."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import ChangeLog
from imports.models import StagedRow
from payments.models import BankFile, BankPayment, PaymentLine
from payments.services_bank import bank_files_generate, bank_return_commit, bank_return_upload, payments_reissue
from tests.payments.bankkit import RCB, account_fix, approved_cycle, return_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(roll, officer, approver, generate):
    cycle, enrolments = approved_cycle(roll, officer, approver, generate)
    files = {f.bank_name: f for f in bank_files_generate(acting_user=officer, cycle=cycle)}
    return cycle, enrolments, files


def _import(officer, bank_file, content, capture, name="回盘.csv", commit=True):
    with capture(execute=True):
        bank_return = bank_return_upload(acting_user=officer, bank_file=bank_file, filename=name, content=content)
    batch = bank_return.import_batch
    batch.refresh_from_db()
    if commit:
        with capture(execute=True):
            bank_return_commit(acting_user=officer, bank_return=bank_return)
        batch.refresh_from_db()
    return batch


def _account(enrolment) -> str:
    return enrolment.person.bank_accounts.get(valid=True).account_number


def _status(cycle, enrolment) -> set[str]:
    return set(PaymentLine.objects.filter(cycle=cycle, enrolment=enrolment).values_list("status", flat=True))


def test_return_with_a_failure_then_reissue_after_the_account_is_fixed(
        exported, officer, approver, personas, django_capture_on_commit_callbacks):
    cycle, e, files = exported
    capture = django_capture_on_commit_callbacks
    old_account = _account(e["bing"])
    content = return_csv([["1", "甲", _account(e["jia"]), "800.00", "成功", ""],
                          ["2", "丙", old_account, "900.00", "失败", "账户已销户"]])
    batch = _import(officer, files[RCB], content, capture)
    assert batch.status == "committed" and batch.summary == {"paid": 1, "failed": 1, "already_recorded": 0}
    jia = BankPayment.objects.get(cycle=cycle, enrolment=e["jia"])
    assert jia.status == "paid" and jia.paid_on is not None
    bing = BankPayment.objects.get(cycle=cycle, enrolment=e["bing"])
    assert (bing.status, bing.failure_reason) == ("failed", "账户已销户")
    logs = ChangeLog.objects.filter(model="payments.bankpayment")
    log = logs.get(object_id=str(bing.pk))
    failed = {"status": "failed", "paid_on": None, "failure_reason": "账户已销户"}
    assert (log.before, log.after, log.user_id, log.source) == ({"status": "pending"}, failed, officer.pk, "import")
    assert logs.get(object_id=str(jia.pk)).after["paid_on"] == str(jia.paid_on)
    # 甲's recovery line was deducted from the payment that was paid: both lines are paid.
    assert _status(cycle, e["jia"]) == {"paid"} and _status(cycle, e["bing"]) == {"failed"}

    with pytest.raises(ValidationError, match="须先登记新的有效银行账户"):
        payments_reissue(acting_user=officer, cycle=cycle)
    account_fix(officer, approver, e["bing"].person, "6221999900001111", RCB)
    files_2 = payments_reissue(acting_user=officer, cycle=cycle)
    assert [(f.round, f.bank_name, f.item_count) for f in files_2] == [(2, RCB, 1)]
    again = BankPayment.objects.get(cycle=cycle, round=2)
    assert (again.reissue_of, again.account_number, again.amount) == (bing, "6221999900001111", bing.amount)
    assert _status(cycle, e["bing"]) == {"reissued"}
    with pytest.raises(ValidationError, match="没有可重发"):
        payments_reissue(acting_user=officer, cycle=cycle)  # already reissued: nothing more to pay

    # The reissue's own return, imported the same way.
    batch = _import(officer, files_2[0], return_csv([["1", "丙", "6221999900001111", "900.00", "成功", ""]]),
                    capture, name="重发回盘.csv")
    assert batch.summary["paid"] == 1
    assert _status(cycle, e["bing"]) == {"paid"}
    assert BankPayment.objects.filter(cycle=cycle, enrolment=e["bing"], status="paid").count() == 1


def test_one_payee_is_never_paid_twice_for_the_same_lines(exported):
    cycle, e, _ = exported
    first = BankPayment.objects.get(cycle=cycle, enrolment=e["jia"])
    twin = BankPayment(cycle=cycle, round=9, bank_name=RCB, seq=1, enrolment=e["jia"], program_id="tekun",
                       person=first.person, area_id=first.area_id, account_number="6221000011112222",
                       amount=first.amount, created_at=first.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_reimport_of_the_same_file_changes_nothing(exported, officer, django_capture_on_commit_callbacks):
    cycle, e, files = exported
    content = return_csv([["1", "甲", _account(e["jia"]), "800.00", "成功", ""],
                          ["2", "丙", _account(e["bing"]), "900.00", "失败", "户名不符"]])
    _import(officer, files[RCB], content, django_capture_on_commit_callbacks)
    before = list(BankPayment.objects.order_by("id").values_list("status", "paid_on", "failure_reason"))
    lines = list(PaymentLine.objects.order_by("id").values_list("status", flat=True))
    same_bytes = _import(officer, files[RCB], content, django_capture_on_commit_callbacks)
    assert same_bytes.duplicate_of_id is not None and same_bytes.committed_rows == 0
    # The same results in another file (other bytes): recognised row by row, nothing changes.
    resaved = _import(officer, files[RCB], content.replace(b"\r\n", b"\n") + b"\n", django_capture_on_commit_callbacks)
    assert resaved.summary == {"paid": 0, "failed": 0, "already_recorded": 2}
    assert list(BankPayment.objects.order_by("id").values_list("status", "paid_on", "failure_reason")) == before
    assert list(PaymentLine.objects.order_by("id").values_list("status", flat=True)) == lines


def test_row_errors_are_named_by_row(exported, officer, django_capture_on_commit_callbacks):
    cycle, e, files = exported
    content = return_csv([["1", "甲", "6221000000000009999", "800.00", "成功", ""],
                          ["2", "丙", _account(e["bing"]), "901.00", "成功", ""],
                          ["7", "某", "6221000000000000007", "10.00", "成功", ""],
                          ["2", "丙", _account(e["bing"]), "900.00", "失败", ""],
                          ["3", "某", "6221", "abc", "未知", ""]])
    batch = _import(officer, files[RCB], content, django_capture_on_commit_callbacks, commit=False)
    assert (batch.status, batch.bad_rows, batch.good_rows) == ("validated", 5, 0)
    errors = {r.row_number: " ".join(r.errors) for r in StagedRow.objects.filter(batch=batch)}
    assert "「账号」与代发文件第1笔的账号" in errors[2]
    assert "「金额」901.00与代发文件第2笔的金额900.00不一致" in errors[3]
    assert "「序号」7在代发文件" in errors[4] and "未知明细" in errors[4]
    assert "失败原因" in errors[5] and "序号与第3行重复" in errors[5]
    assert "「金额」应为" in errors[6] and "「结果」应为" in errors[6]
    assert set(BankPayment.objects.values_list("status", flat=True)) == {"pending"}


def test_a_result_contradicting_a_recorded_one_is_a_row_error(exported, officer, django_capture_on_commit_callbacks):
    cycle, e, files = exported
    _import(officer, files[RCB], return_csv([["1", "甲", _account(e["jia"]), "800.00", "成功", ""]]),
            django_capture_on_commit_callbacks)
    batch = _import(officer, files[RCB], return_csv([["1", "甲", _account(e["jia"]), "800.00", "失败", "退票"]]),
                    django_capture_on_commit_callbacks, commit=False)
    row = StagedRow.objects.get(batch=batch)
    assert row.status == "error" and "已登记为“已发放”" in row.errors[0]


def test_gbk_return_file_and_upload_rules(exported, officer, approver, django_capture_on_commit_callbacks):
    cycle, e, files = exported
    content = return_csv([["1", "甲", _account(e["jia"]), "800.00", "成功", ""]]).decode().encode("gbk")
    batch = _import(officer, files[RCB], content, django_capture_on_commit_callbacks)
    assert batch.summary["paid"] == 1
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        bank_return_upload(acting_user=approver, bank_file=files[RCB], filename="r.csv", content=content)
    assert BankFile.objects.filter(cycle=cycle).count() == 2


def test_a_return_uploaded_on_the_generic_import_page_is_refused_row_by_row(exported, officer):
    from imports.services import import_file_run

    cycle, e, _ = exported
    batch = import_file_run(acting_user=officer, schema="bank_return", filename="r.csv",
                            content=return_csv([["1", "甲", _account(e["jia"]), "800.00", "成功", ""]]))
    assert (batch.bad_rows, batch.committed_rows) == (1, 0)
    assert "银行代发" in StagedRow.objects.get(batch=batch).errors[0]
    assert set(BankPayment.objects.values_list("status", flat=True)) == {"pending"}
