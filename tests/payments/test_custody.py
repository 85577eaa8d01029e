"""卡折代管: a custody needs a signed agreement and is one per account; the monthly check is once per month; the
monthly job makes each missing check's task once; scope holds; the bank file still pays the payee's own account."""

from datetime import date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AccessLog, ChangeLog, DomainEvent
from minzheng.dates import month_end
from payments.custody.services import (
    TASK_SOURCE,
    Agreement,
    custody_check_record,
    custody_check_tasks_create,
    custody_end,
    custody_start,
)
from payments.models import BankAccount, BankCardCustody, BankPayment, CustodyCheck
from programs.models import PolicyParameter
from tasks.models import Task
from workcalendar.services import add_working_days_provisional

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% custody agreement signed by both parties\n"
SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def agreement(number="DG-2026-001", signed_on=date(2026, 8, 25), content=PDF):
    return Agreement(number=number, signed_on=signed_on, filename="代管协议.pdf", content=content)


def start(user, person, **overrides):
    values = {"custodian_kind": "committee", "custodian_name": "龙泉路社区居民委员会", "reason": "dementia",
              "agreement": agreement(), "start_date": SEP}
    return custody_start(acting_user=user, person=person, **{**values, **overrides})


# ---- 登记代管 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("missing, field", [
    ({"content": None}, "agreement_file"), ({"number": ""}, "agreement_number"),
    ({"signed_on": None}, "agreement_date"),
    ({"content": b"just some text, not a scan"}, "agreement_file")])
def test_custody_without_a_signed_agreement_is_refused(roll, personas, missing, field):
    person = roll.person()
    with pytest.raises(ValidationError) as refused:
        start(personas["community_worker"], person, agreement=agreement(**missing))
    assert field in refused.value.message_dict
    assert not BankCardCustody.objects.exists()


def test_custody_is_on_the_payees_own_account_logged_without_the_file(roll, personas):
    worker = personas["community_worker"]
    person = roll.person()
    custody = start(worker, person)
    own = BankAccount.objects.get(person=person, valid=True)
    assert (custody.bank_account, custody.area_id, custody.status) == (own, person.area_id, "active")
    assert bytes(BankCardCustody.objects.values_list("agreement_file", flat=True).get()) == PDF
    log = ChangeLog.objects.get(model="payments.bankcardcustody", object_id=str(custody.pk))
    assert "agreement_file" not in log.after and log.after["agreement_sha256"] == custody.agreement_sha256
    assert DomainEvent.objects.filter(person=person, type="custody_started").count() == 1


def test_second_active_custody_of_the_account_is_refused_until_the_first_ends(roll, personas):
    worker = personas["community_worker"]
    person = roll.person()
    first = start(worker, person)
    with pytest.raises(ValidationError, match="只能有一项"):
        start(worker, person, custodian_kind="guardian", custodian_name="王五", agreement=agreement("DG-2"))
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        BankCardCustody.objects.create(**{f.attname: getattr(first, f.attname)
                                          for f in BankCardCustody._meta.concrete_fields if f.name != "id"})
    custody_end(acting_user=worker, custody=first, end_date=date(2026, 11, 20), reason="监护人变更",
                handover_note="卡交还本人女儿王五，余额当面核对")
    second = start(worker, person, custodian_kind="guardian", custodian_name="王五", agreement=agreement("DG-2"),
                   start_date=date(2026, 11, 21))
    assert second.status == "active" and BankCardCustody.objects.filter(status="active").count() == 1


def test_custody_refused_when_the_account_is_registered_to_the_custodian(roll, personas):
    person, guardian = roll.person("收款人"), roll.person("监护人", bank=False)
    account = BankAccount.objects.get(person=person)
    BankAccount.objects.create(person=guardian, area_id=guardian.area_id, bank_name=account.bank_name,
                               account_number=account.account_number)
    with pytest.raises(ValidationError, match="本人"):
        start(personas["community_worker"], person, custodian_kind="guardian", custodian_name="监护人",
              custodian_person=guardian)
    assert not BankCardCustody.objects.exists()


def test_a_town_officer_cannot_register_or_check_another_towns_custody(roll, personas, areas):
    outsider = personas["outsider"]
    person = roll.person()
    with pytest.raises(PermissionDenied):
        start(outsider, person)
    custody = start(personas["town_officer"], person)
    with pytest.raises(PermissionDenied):
        custody_check_record(acting_user=outsider, custody=custody, month=OCT, result="proper")
    with pytest.raises(PermissionDenied):
        custody_end(acting_user=outsider, custody=custody, end_date=NOV, reason="x", handover_note="x")


# ---- 月度核对 ----------------------------------------------------------------------------------------------------

def test_monthly_check_once_per_month(roll, personas):
    worker = personas["community_worker"]
    custody = start(worker, roll.person())
    check = custody_check_record(acting_user=worker, custody=custody, month=date(2026, 10, 15), result="proper",
                                 note="核对超市、药店票据", custodian_signed=True)
    assert (check.month, check.checked_by, check.custodian_signed) == (OCT, worker, True)
    with pytest.raises(ValidationError, match="每月只核对一次"):
        custody_check_record(acting_user=personas["town_officer"], custody=custody, month=OCT, result="issue",
                             note="再核一次")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyCheck.objects.create(custody=custody, area_id=custody.area_id, month=OCT)
    assert CustodyCheck.objects.filter(custody=custody).count() == 1


def test_check_needs_a_note_for_an_issue_and_a_month_inside_the_custody(roll, personas):
    worker = personas["community_worker"]
    custody = start(worker, roll.person())
    with pytest.raises(ValidationError, match="核对说明"):
        custody_check_record(acting_user=worker, custody=custody, month=OCT, result="issue")
    with pytest.raises(ValidationError, match="早于代管开始"):
        custody_check_record(acting_user=worker, custody=custody, month=date(2026, 8, 1), result="proper")
    next_month = date(timezone.localdate().year + 1, 1, 1)
    with pytest.raises(ValidationError, match="尚未到来"):
        custody_check_record(acting_user=worker, custody=custody, month=next_month, result="proper")
    assert not CustodyCheck.objects.exists()


# ---- 每月核对提醒 (the job) ----------------------------------------------------------------------------------------

def test_the_job_creates_each_missing_checks_task_once(roll, personas, areas):
    worker = personas["community_worker"]
    unchecked = start(worker, roll.person("未核对"))
    checked = start(worker, roll.person("已核对"), agreement=agreement("DG-3"))
    custody_check_record(acting_user=worker, custody=checked, month=OCT, result="proper")
    ended = start(worker, roll.person("已终止"), agreement=agreement("DG-4"))
    custody_end(acting_user=worker, custody=ended, end_date=date(2026, 10, 10), reason="本人能自行管理",
                handover_note="交还本人")
    later = start(worker, roll.person("十一月起"), agreement=agreement("DG-5"), start_date=date(2026, 11, 2))

    assert custody_check_tasks_create(today=date(2026, 11, 3)) == 1
    task = Task.objects.get(source_type=TASK_SOURCE)
    pending = CustodyCheck.objects.get(pk=task.source_id)
    assert (pending.custody, pending.month, pending.result) == (unchecked, OCT, "pending")
    assert (task.person_id, task.area_id, task.kind, task.handling_level) == (
        unchecked.person_id, unchecked.area_id, "custody_check", "community")
    days = int(PolicyParameter.objects.get(key="custody_check_working_days").value)
    due, _ = add_working_days_provisional(month_end(OCT), days)
    assert task.deadline == timezone.make_aware(datetime.combine(due, time(23, 59, 59)))
    assert not CustodyCheck.objects.filter(custody__in=[ended, later]).exists()

    assert custody_check_tasks_create(today=date(2026, 11, 20)) == 0, "a re-run creates nothing"
    assert Task.objects.filter(source_type=TASK_SOURCE).count() == 1
    assert CustodyCheck.objects.filter(month=OCT).count() == 2

    # Recording the month's check fills the waiting row and closes the task.
    check = custody_check_record(acting_user=worker, custody=unchecked, month=OCT, result="proper")
    task.refresh_from_db()
    assert check.pk == pending.pk and task.status == "closed" and task.outcome == "confirmed"
    assert custody_check_tasks_create(today=date(2026, 11, 21)) == 0


def test_the_scheduled_task_runs_the_job(roll, personas):
    from minzheng.celery import app

    app.loader.import_default_modules()  # as the worker does at start
    start(personas["community_worker"], roll.person(), start_date=date(2026, 9, 1))
    first = app.tasks["periodic.custody_check_tasks"].apply().get()
    assert first == (1 if timezone.localdate() > date(2026, 9, 30) else 0)
    assert app.tasks["periodic.custody_check_tasks"].apply().get() == 0


# ---- 银行代发: the payee's own account --------------------------------------------------------------------------

def test_the_bank_file_still_pays_the_recipients_own_account(roll, personas, officer, approver, generate):
    from payments.services import cycle_approve, cycle_open
    from payments.services_bank import bank_files_generate

    person, guardian = roll.person("特困甲"), roll.person("监护人乙")
    own = BankAccount.objects.get(person=person).account_number
    enrolment = roll.enrol("tekun", "1001.00", person=person)
    start(personas["community_worker"], person, custodian_kind="guardian", custodian_name="监护人乙",
          custodian_person=guardian)
    cycle = cycle_open(acting_user=officer, month=date(2026, 3, 1))
    generate(cycle, officer)
    cycle = cycle_approve(acting_user=approver, cycle=cycle)
    files = bank_files_generate(acting_user=officer, cycle=cycle)
    payment = BankPayment.objects.get(cycle=cycle, enrolment=enrolment)
    assert payment.account_number == own and payment.person_id == person.pk
    guardian_account = BankAccount.objects.get(person=guardian).account_number
    assert not BankPayment.objects.filter(cycle=cycle, account_number=guardian_account).exclude(
        person=guardian).exists()
    content = b"".join(bytes(f.content) for f in files)
    assert own.encode() in content


# ---- 下载协议 --------------------------------------------------------------------------------------------------

def test_agreement_download_is_logged_and_scoped(roll, personas):
    from payments.custody.services import agreement_download

    custody = start(personas["community_worker"], roll.person())
    assert agreement_download(acting_user=personas["town_officer"], custody=custody) == PDF
    assert AccessLog.objects.filter(user=personas["town_officer"], kind="export", person=custody.person).exists()
    with pytest.raises(PermissionDenied):
        agreement_download(acting_user=personas["outsider"], custody=custody)
