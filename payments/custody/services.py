"""卡折代管 actions: register a custody under a signed agreement, record the monthly check, end the custody, and the
monthly job that makes a task for every custody whose check of last month is missing.

The rule (seed 001 §12 "落实……卡折代管……制度"; 《最低生活保障审核确认办法》 Art.26, RULES.md §1.1: bankbooks held by
others need a filed agreement): a recipient who cannot manage their own card or passbook may have it kept by a
guardian, the village/community committee or the care institution, under a written agreement, with a monthly
check of how the custodian used the money; the account stays the recipient's own. So a custody points at the
payee's own valid account, never holds another one, and is refused when that account number is registered to
anyone else (the custodian included).

Permissions: ("custody", "add" | "check" | "end"), and the payee's community inside the user's area. Every write
has its change log (the agreement's bytes are never logged: only its name, type and SHA-256) and a timeline event.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from minzheng.dates import add_months, first_of_month, month_end
from payments.models import BankAccount, BankCardCustody, CustodyCheck
from programs.selectors import ParametersInForce
from registry.models import Person
from tasks.models import Task
from tasks.services import TaskSpec, task_close, tasks_create_many
from workcalendar.services import add_working_days_provisional

TASK_KIND = "custody_check"
TASK_SOURCE = "payments.custody_check"
DEADLINE_KEY = "custody_check_working_days"
MAX_AGREEMENT_BYTES = 10 * 1024 * 1024
# What a scanned agreement may be, told by its first bytes (not by the name the browser sends).
AGREEMENT_TYPES = ((b"%PDF-", "application/pdf", "PDF"), (b"\xff\xd8\xff", "image/jpeg", "JPG"),
                   (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"))
# Logged fields: everything but the agreement's bytes.
LOGGED = [f.attname for f in BankCardCustody._meta.concrete_fields if f.name != "agreement_file"]


@dataclass
class Agreement:
    """代管协议: its number, the day it was signed, and the signed document (scan or PDF)."""

    number: str
    signed_on: date | None
    filename: str
    content: bytes | None


def _require(user, action: str, area_code: str) -> None:
    if not allowed(user, "custody", action):
        raise PermissionDenied("无此操作权限（卡折代管）")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该人员不在您的管辖范围内")


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: [f"请填写{label}"]})
    if len(text) > max_length:
        raise ValidationError({field: [f"{label}不能超过{max_length}个字"]})
    return text


def _choice(value, field: str, label: str, choices) -> str:
    if value not in choices.values:
        names = "、".join(str(c.label) for c in choices)
        raise ValidationError({field: [f"请选择{label}（{names}）"]})
    return value


def _not_future(value: date | None, field: str, label: str, today: date) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: [f"请填写{label}（年-月-日）"]})
    if value > today:
        raise ValidationError({field: [f"{label}不能晚于今天（{today:%Y-%m-%d}）"]})
    return value


def agreement_kind(content: bytes) -> tuple[str, str]:
    """(MIME type, label) of an agreement file by its first bytes; ValidationError when it is none we keep."""
    for magic, mime, label in AGREEMENT_TYPES:
        if content.startswith(magic):
            return mime, label
    raise ValidationError({"agreement_file": ["代管协议文件应为 PDF、JPG 或 PNG（签字盖章后的扫描件或照片）"]})


def _agreement(agreement: Agreement, today: date) -> tuple[str, date, bytes, str]:
    """The agreement checked: without a number, a date and the signed document, no custody (refused)."""
    number = _text(agreement.number, "agreement_number", "代管协议编号", 60)
    signed_on = _not_future(agreement.signed_on, "agreement_date", "协议签订日期", today)
    if not agreement.content:
        raise ValidationError({"agreement_file": ["请上传签字（盖章）的代管协议：没有书面协议不能登记卡折代管"]})
    if len(agreement.content) > MAX_AGREEMENT_BYTES:
        raise ValidationError({"agreement_file": ["代管协议文件不能超过10MB"]})
    mime, _ = agreement_kind(agreement.content)
    return number, signed_on, agreement.content, mime


def _own_account(person: Person) -> BankAccount:
    """The payee's own valid account, which must be registered to nobody else (the custodian included)."""
    account = BankAccount.objects.select_for_update().filter(person=person, valid=True).first()
    if account is None:
        raise ValidationError({"bank_account": ["该人员尚无有效银行账户：请先登记本人名下的银行账户，再登记卡折代管"]})
    shared = (BankAccount.objects.filter(account_number=account.account_number).exclude(person=person)
              .select_related("person").first())
    if shared is not None:
        raise ValidationError({"bank_account": [
            f"该账号同时登记在{shared.person.name}名下：代管的必须是收款人本人的账户，请先更正银行账户"]})
    return account


def _custodian_person(custodian_person, person: Person, account: BankAccount) -> Person | None:
    if custodian_person is None:
        return None
    if custodian_person.pk == person.pk:
        raise ValidationError({"custodian_person": ["代管人不能是收款人本人"]})
    if BankAccount.objects.filter(person=custodian_person, account_number=account.account_number).exists():
        raise ValidationError({"custodian_person": ["收款账户是代管人名下的账户：资金必须发放到收款人本人账户"]})
    return custodian_person


def _log(instance, action: str, before: dict | None, acting_user, reason: str = "") -> None:
    fields = LOGGED if isinstance(instance, BankCardCustody) else None
    change_log_write(instance=instance, action=action, before=before, after=snapshot(instance, fields),
                     acting_user=acting_user, reason=reason[:200])


@transaction.atomic
def custody_start(*, acting_user, person: Person, custodian_kind: str, custodian_name: str, reason: str,
                  agreement: Agreement, start_date: date | None, custodian_person: Person | None = None,
                  custodian_contact: str = "", reason_note: str = "") -> BankCardCustody:
    """登记卡折代管: refused without a signed agreement, and while the payee's account already has an active custody."""
    _require(acting_user, "add", person.area_id)
    today = timezone.localdate()
    if person.status != Person.Status.ACTIVE:
        raise ValidationError({"person": [f"该人员状态为“{person.get_status_display()}”，不能登记卡折代管"]})
    custodian_kind = _choice(custodian_kind, "custodian_kind", "代管人类别", BankCardCustody.CustodianKind)
    custodian_name = _text(custodian_name, "custodian_name", "代管人姓名或单位名称", 100)
    reason = _choice(reason, "reason", "代管原因", BankCardCustody.Reason)
    reason_note = _text(reason_note, "reason_note", "原因说明", 200, required=reason == BankCardCustody.Reason.OTHER)
    contact = _text(custodian_contact, "custodian_contact", "代管人联系电话", 20, required=False).replace(" ", "")
    if contact and not (contact.isascii() and contact.replace("-", "").isdigit() and 7 <= len(contact) <= 20):
        raise ValidationError({"custodian_contact": ["代管人联系电话应为数字（可含“-”），7至20位"]})
    number, signed_on, content, mime = _agreement(agreement, today)
    start_date = _not_future(start_date, "start_date", "代管开始日期", today)
    if start_date < signed_on:
        raise ValidationError({"start_date": [f"代管开始日期不能早于协议签订日期（{signed_on:%Y-%m-%d}）"]})
    account = _own_account(person)
    guardian = _custodian_person(custodian_person, person, account)
    active = BankCardCustody.objects.filter(person=person, status=BankCardCustody.Status.ACTIVE).first()
    if active is not None:
        raise ValidationError({"person": [
            f"该人员的银行卡（折）已由{active.custodian_name}代管（自{active.start_date:%Y-%m-%d}起）：同一账户只能有一项"
            "有效的代管，请先终止原代管"]})
    try:
        with transaction.atomic():
            custody = BankCardCustody.objects.create(
                person=person, area_id=person.area_id, bank_account=account, custodian_kind=custodian_kind,
                custodian_name=custodian_name, custodian_person=guardian, custodian_contact=contact, reason=reason,
                reason_note=reason_note, agreement_number=number, agreement_date=signed_on,
                agreement_filename=(agreement.filename or f"代管协议.{mime.rsplit('/', 1)[-1]}")[-120:],
                agreement_content_type=mime, agreement_sha256=hashlib.sha256(content).hexdigest(),
                agreement_file=content, start_date=start_date, created_by=acting_user)
    except IntegrityError:  # another custody of the same account was registered at the same moment
        raise ValidationError({"person": ["该账户已有一项有效的卡折代管，请先终止原代管"]}) from None
    _log(custody, ChangeLog.Action.CREATE, None, acting_user, reason=f"代管协议{number}")
    domain_event_write(type=EventType.CUSTODY_STARTED, person=person, subject=custody, acting_user=acting_user,
                       message=f"银行卡（折）交由{custody.get_custodian_kind_display()}{custodian_name}代管，"
                               f"协议{number}，自{start_date:%Y-%m-%d}起",
                       params={"custody": custody.pk, "kind": custodian_kind, "agreement": number})
    return custody


def _locked(custody: BankCardCustody) -> BankCardCustody:
    return BankCardCustody.objects.select_for_update().select_related("person").defer("agreement_file").get(
        pk=custody.pk)


def _check_month(custody: BankCardCustody, month, today: date) -> date:
    if not isinstance(month, date):
        raise ValidationError({"month": ["请选择核对月份（年-月）"]})
    month = first_of_month(month)
    if month > first_of_month(today):
        raise ValidationError({"month": [f"不能核对尚未到来的月份（{month:%Y年%m月}）"]})
    if month < first_of_month(custody.start_date):
        raise ValidationError({"month": [f"{month:%Y年%m月}早于代管开始（{custody.start_date:%Y-%m-%d}），无需核对"]})
    if custody.end_date is not None and month > first_of_month(custody.end_date):
        raise ValidationError({"month": [f"{month:%Y年%m月}晚于代管终止（{custody.end_date:%Y-%m-%d}），无需核对"]})
    return month


def _close_task(check: CustodyCheck, acting_user) -> None:
    """The job's task for this month's check is done: closed in the checker's name when they may close it (an
    escalated task stays with the level that holds it, which closes it in its queue)."""
    task = Task.objects.filter(source_type=TASK_SOURCE, source_id=check.pk).exclude(status=Task.Status.CLOSED).first()
    if task is None or not allowed(acting_user, "task", "close") or not area_in_scope(acting_user,
                                                                                        task.assigned_area_id):
        return
    task_close(acting_user=acting_user, task=task, outcome=Task.Outcome.CONFIRMED,
               note=f"已完成{check.month:%Y年%m月}卡折代管核对：{check.get_result_display()}"
                    + (f"（{check.note}）" if check.note else ""))


@transaction.atomic
def custody_check_record(*, acting_user, custody: BankCardCustody, month: date | None, result: str, note: str = "",
                         custodian_signed: bool = False) -> CustodyCheck:
    """每月核对: how the custodian used one month's money, checked and signed off — once per month."""
    custody = _locked(custody)
    _require(acting_user, "check", custody.area_id)
    month = _check_month(custody, month, timezone.localdate())
    if result not in (CustodyCheck.Result.PROPER, CustodyCheck.Result.ISSUE):
        raise ValidationError({"result": ["请选择核对结果（资金使用正常、发现问题）"]})
    note = _text(note, "note", "核对说明（发现的问题及处理）", 300, required=result == CustodyCheck.Result.ISSUE)
    check = CustodyCheck.objects.select_for_update().filter(custody=custody, month=month).first()
    if check is not None and check.result != CustodyCheck.Result.PENDING:
        raise ValidationError({"month": [f"{month:%Y年%m月}已核对（{check.get_result_display()}，{check.checked_by}），"
                                         "每月只核对一次"]})
    before = snapshot(check) if check is not None else None
    if check is None:
        check = CustodyCheck(custody=custody, area_id=custody.area_id, month=month)
    check.result, check.note, check.custodian_signed = result, note, bool(custodian_signed)
    check.checked_by, check.checked_at = acting_user, timezone.now()
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:  # the same month recorded at the same moment
        raise ValidationError({"month": [f"{month:%Y年%m月}已核对，每月只核对一次"]}) from None
    _log(check, ChangeLog.Action.CREATE if before is None else ChangeLog.Action.UPDATE, before, acting_user)
    domain_event_write(type=EventType.CUSTODY_CHECKED, person=custody.person, subject=check, acting_user=acting_user,
                       message=f"卡折代管{month:%Y年%m月}核对：{check.get_result_display()}"
                               + (f"（{note}）" if note else ""),
                       params={"custody": custody.pk, "month": month.isoformat(), "result": result})
    _close_task(check, acting_user)
    return check


@transaction.atomic
def custody_end(*, acting_user, custody: BankCardCustody, end_date: date | None, reason: str,
                handover_note: str) -> BankCardCustody:
    """终止代管: the card or passbook goes back to the payee (or on to a new custodian under a new agreement)."""
    custody = _locked(custody)
    _require(acting_user, "end", custody.area_id)
    if custody.status != BankCardCustody.Status.ACTIVE:
        raise ValidationError({"status": [f"该代管已终止（{custody.end_date:%Y-%m-%d}）"]})
    end_date = _not_future(end_date, "end_date", "代管终止日期", timezone.localdate())
    if end_date < custody.start_date:
        raise ValidationError({"end_date": [f"终止日期不能早于代管开始日期（{custody.start_date:%Y-%m-%d}）"]})
    reason = _text(reason, "end_reason", "终止原因", 200)
    handover_note = _text(handover_note, "handover_note", "卡折交接情况（交还给谁、账户余额是否核对）", 300)
    before = snapshot(custody, LOGGED)
    custody.status, custody.end_date, custody.end_reason = BankCardCustody.Status.ENDED, end_date, reason
    custody.handover_note, custody.ended_by, custody.ended_at = handover_note, acting_user, timezone.now()
    custody.save(update_fields=["status", "end_date", "end_reason", "handover_note", "ended_by", "ended_at"])
    _log(custody, ChangeLog.Action.UPDATE, before, acting_user, reason=reason)
    domain_event_write(type=EventType.CUSTODY_ENDED, person=custody.person, subject=custody, acting_user=acting_user,
                       message=f"终止卡折代管（{custody.custodian_name}），{end_date:%Y-%m-%d}：{reason}",
                       params={"custody": custody.pk, "end_date": end_date.isoformat()})
    return custody


def agreement_download(*, acting_user, custody: BankCardCustody) -> bytes:
    """The signed agreement's bytes, for those who may see the custody; every download is access-logged."""
    from audit.models import AccessLog
    from audit.services import access_log_write

    if not allowed(acting_user, "custody", "view") or not area_in_scope(acting_user, custody.area_id):
        raise PermissionDenied("无权查看该代管协议")
    access_log_write(user=acting_user, kind=AccessLog.Kind.EXPORT, person=custody.person,
                     detail={"what": f"卡折代管协议 {custody.agreement_filename}", "custody": custody.pk, "rows": 1})
    return bytes(BankCardCustody.objects.values_list("agreement_file", flat=True).get(pk=custody.pk))


# ---- 月度核对提醒 (the monthly job) --------------------------------------------------------------------------------

def _deadline(month: date, area_code: str, parameters: ParametersInForce) -> datetime:
    """End of the n-th working day after the checked month (n: the policy parameter in force for the area)."""
    days = int(parameters(None, DEADLINE_KEY, area_code, add_months(month, 1)).value)
    day, _ = add_working_days_provisional(month_end(month), days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _pending_rows_insert(month: date) -> int:
    """One INSERT … SELECT: a 待核对 row for every custody in force at the end of `month` that has no row for it."""
    last = month_end(month)
    sql = """INSERT INTO payments_custodycheck (custody_id, area_id, month, result, note, custodian_signed,
                                                 created_at)
             SELECT c.id, c.area_id, %s, 'pending', '', %s, %s FROM payments_bankcardcustody c
             WHERE c.start_date <= %s AND (c.end_date IS NULL OR c.end_date >= %s)
               AND NOT EXISTS (SELECT 1 FROM payments_custodycheck k WHERE k.custody_id = c.id AND k.month = %s)"""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(sql, [ops.adapt_datefield_value(month), False, ops.adapt_datetimefield_value(timezone.now()),
                             ops.adapt_datefield_value(last), ops.adapt_datefield_value(last),
                             ops.adapt_datefield_value(month)])
        return max(cursor.rowcount, 0)


@transaction.atomic
def custody_check_tasks_create(*, today: date | None = None, acting_user=None) -> int:
    """卡折代管核对提醒 (monthly, idempotent): every custody in force at the end of last month whose check of that month
    is missing gets a 待核对 row and a Task for its community, due by the n-th working day of this month. A second
    run finds the rows there and their tasks made (one task per source): it creates nothing."""
    month = add_months(first_of_month(today or timezone.localdate()), -1)
    _pending_rows_insert(month)
    tasked = Task.objects.filter(source_type=TASK_SOURCE).values("source_id")
    due = (CustodyCheck.objects.filter(month=month, result=CustodyCheck.Result.PENDING)
           .exclude(pk__in=tasked).select_related("custody__person").order_by("pk"))
    parameters = ParametersInForce()
    specs = [TaskSpec(kind=TASK_KIND, area_id=check.area_id, handling_level=Task.Level.COMMUNITY,
                      title=f"{check.custody.person.name}卡折代管{month:%Y年%m月}核对（代管人：{check.custody.custodian_name}）",
                      deadline=_deadline(month, check.area_id, parameters), person_id=check.custody.person_id,
                      source_type=TASK_SOURCE, source_id=check.pk,
                      detail={"advice": f"查看代管人保管的卡（折）交易明细和支出凭证，在该人员的“卡折代管”页记录"
                                        f"{month:%Y年%m月}核对结果（代管人签字确认）；记录后本任务自动办结",
                              "month": f"{month:%Y-%m}", "custodian": check.custody.custodian_name})
             for check in due.iterator(chunk_size=2000)]
    return len(tasks_create_many(specs=specs, acting_user=acting_user)) if specs else 0
