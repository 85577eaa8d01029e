"""Payment actions (资金发放): open a cycle, generate it (a background job), re-check, accept an exception,
approve (maker ≠ checker), add an adjustment line, register an overpayment, register a bank account (a change of a
current payee's account confirmed by a second person).

An approved cycle is immutable: every action that would change its lines refuses; corrections are adjustment
lines in the next cycle. Permissions: ("payment", "run") to open, generate, re-check, accept and adjust;
("payment", "approve") to approve.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, scope_prefix
from areas.models import Area
from audit.models import ChangeLog, EventType
from audit.services import change_log_bulk_update, change_log_write, domain_event_write, snapshot
from jobs.models import Job
from jobs.services import job_start
from minzheng.lookups import prefix_q
from payments.checks import checks_run
from payments.generation import default_district_code, totals_refresh
from payments.models import (
    BankAccount,
    BankAccountChange,
    OrganisationPayee,
    Overpayment,
    PaymentCycle,
    PaymentException,
    PaymentLine,
)
from programs.calculations.money import money
from programs.models import Enrolment

IMMUTABLE = "该发放批次已审批，不能再修改；如需更正，请在下一批次中以调整明细办理"
MAKER_CHECKER = "经办与复核不能为同一人：建立或生成本批次的人员不能审批本批次（不相容岗位分离）"


def _require(user, action: str, area_code: str | None = None) -> None:
    if not allowed(user, "payment", action):
        raise PermissionDenied("无此操作权限（资金发放）")
    if area_code is not None and not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


def _editable(cycle: PaymentCycle) -> PaymentCycle:
    """Re-read the cycle under a row lock and refuse once it is approved (or while a job writes its lines)."""
    locked = PaymentCycle.objects.select_for_update().select_related("district").get(pk=cycle.pk)
    if locked.status in (PaymentCycle.Status.APPROVED, PaymentCycle.Status.EXPORTED, PaymentCycle.Status.CLOSED):
        raise ValidationError({"status": [IMMUTABLE]})
    return locked


def _text(value, field: str, label: str, max_length: int = 200) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: [f"请填写{label}"]})
    if len(text) > max_length:
        raise ValidationError({field: [f"{label}不能超过{max_length}个字"]})
    return text


def _amount(value, field: str, label: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{label}应为金额（元），最多两位小数"]}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1e10"):
        raise ValidationError({field: [f"{label}应为金额（元），最多两位小数"]})
    if amount == 0 or (positive and amount < 0):
        raise ValidationError({field: [f"{label}应{'大于0' if positive else '不为0'}"]})
    return amount


@transaction.atomic
def cycle_open(*, acting_user, month: date) -> PaymentCycle:
    """建立发放批次 for `month` in the installation's district; one per month."""
    district = Area.objects.get(code=default_district_code())
    _require(acting_user, "run", district.code)
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            cycle = PaymentCycle.objects.create(district=district, month=month, created_by=acting_user)
    except IntegrityError:
        raise ValidationError({"month": [f"{month:%Y年%m月}的发放批次已存在"]}) from None
    change_log_write(instance=cycle, action=ChangeLog.Action.CREATE, before=None, after=snapshot(cycle),
                     acting_user=acting_user)
    domain_event_write(type=EventType.PAYMENT_CYCLE_OPENED, subject=cycle, message=f"建立{month:%Y年%m月}发放批次",
                       acting_user=acting_user,
                       params={"cycle": cycle.pk, "month": month.isoformat()})
    return cycle


@transaction.atomic
def cycle_generate(*, acting_user, cycle: PaymentCycle, chunk_size: int | None = None) -> Job:
    """生成发放明细 as a background job (runs on commit). Allowed on an open or generated cycle (a regeneration
    after a fix), or to continue one whose previous job failed."""
    cycle = _editable(cycle)
    _require(acting_user, "run", cycle.district_id)
    if cycle.status == PaymentCycle.Status.GENERATING and cycle.job_id and cycle.job.status != Job.Status.FAILED:
        raise ValidationError({"status": ["该批次正在生成中，请等待当前任务完成"]})
    params = {"cycle": cycle.pk, **({"chunk_size": chunk_size} if chunk_size else {})}
    job = job_start(kind="payments.generate", params=params, acting_user=acting_user)
    before = snapshot(cycle)
    cycle.status, cycle.generated_by, cycle.job = PaymentCycle.Status.GENERATING, acting_user, job
    cycle.save(update_fields=["status", "generated_by", "job"])
    change_log_write(instance=cycle, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(cycle),
                     acting_user=acting_user, reason="生成发放明细")
    return job


@transaction.atomic
def cycle_check(*, acting_user, cycle: PaymentCycle) -> int:
    """复查: run the checks again after a fix; returns the open exceptions left."""
    cycle = _editable(cycle)
    _require(acting_user, "run", cycle.district_id)
    if cycle.status != PaymentCycle.Status.GENERATED:
        raise ValidationError({"status": ["请先生成发放明细"]})
    return checks_run(cycle=cycle, acting_user=acting_user)


@transaction.atomic
def exception_accept(*, acting_user, exception: PaymentException, reason: str) -> PaymentException:
    """核实认可: the officer checked the flagged line and it stands; the reason is kept for supervision."""
    exception = PaymentException.objects.select_for_update().get(pk=exception.pk)
    _editable(exception.cycle)
    _require(acting_user, "run", exception.area_id)
    reason = _text(reason, "reason", "认可理由", 300)
    if exception.status != PaymentException.Status.OPEN:
        raise ValidationError({"status": [f"该异常已处理（{exception.get_status_display()}）"]})
    before = snapshot(exception)
    exception.status, exception.resolution = PaymentException.Status.ACCEPTED, reason
    exception.resolved_by, exception.resolved_at = acting_user, timezone.now()
    exception.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    change_log_write(instance=exception, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(exception),
                     acting_user=acting_user, reason=reason)
    return exception


BULK_ACCEPT_LIMIT = 5000


@transaction.atomic
def exceptions_accept_bulk(*, acting_user, cycle: PaymentCycle, ids: list[int] | None = None, kind: str = "",
                           reason: str) -> int:
    """批量核实认可: the open exceptions of one cycle — the listed ids, or all of one kind — accepted with one
    reason, each keeping its own change-log row. Only exceptions in the officer's area are touched; an id that is
    not open (or not theirs) is refused by name, so nothing is half-accepted."""
    cycle = _editable(cycle)
    _require(acting_user, "run")
    reason = _text(reason, "reason", "认可理由", 300)
    if not ids and not kind:
        raise ValidationError({"ids": ["请选择要认可的异常，或指定异常类型"]})
    if kind and kind not in PaymentException.Kind.values:
        raise ValidationError({"kind": [f"未知的异常类型：{kind}"]})
    prefix = scope_prefix(acting_user)
    if prefix is None:
        raise PermissionDenied("该区划不在您的管辖范围内")
    rows = PaymentException.objects.select_for_update().filter(cycle=cycle, status=PaymentException.Status.OPEN)
    rows = rows.filter(prefix_q("area_id", prefix))
    if kind:
        rows = rows.filter(kind=kind)
    if ids:
        rows = rows.filter(pk__in=ids)
    found = list(rows.order_by("pk")[:BULK_ACCEPT_LIMIT + 1])
    if len(found) > BULK_ACCEPT_LIMIT:
        raise ValidationError({"ids": [f"一次最多认可 {BULK_ACCEPT_LIMIT:,} 条，请按类型或区划分批办理"]})
    missing = sorted(set(ids or ()) - {e.pk for e in found})
    if missing:
        shown = "、".join(str(pk) for pk in missing[:10])
        raise ValidationError({"ids": [f"以下异常不存在、已处理或不在您的管辖范围内：{shown}"]})
    now = timezone.now()
    before = {e.pk: snapshot(e) for e in found}
    for e in found:
        e.status, e.resolution = PaymentException.Status.ACCEPTED, reason
        e.resolved_by, e.resolved_at = acting_user, now
    PaymentException.objects.filter(pk__in=before).update(
        status=PaymentException.Status.ACCEPTED, resolution=reason, resolved_by=acting_user, resolved_at=now)
    change_log_bulk_update(model=PaymentException, rows=[(str(e.pk), str(e), before[e.pk], snapshot(e)) for e in found],
                           acting_user=acting_user, reason=reason)
    return len(found)


@transaction.atomic
def cycle_approve(*, acting_user, cycle: PaymentCycle) -> PaymentCycle:
    """审批 (复核): a different user from the maker approves a generated cycle with no open exception. From then
    on the cycle is locked; overpayments record what this cycle recovered."""
    cycle = _editable(cycle)
    _require(acting_user, "approve", cycle.district_id)
    if acting_user.pk in (cycle.created_by_id, cycle.generated_by_id):
        raise PermissionDenied(MAKER_CHECKER)
    if cycle.status != PaymentCycle.Status.GENERATED:
        raise ValidationError({"status": [f"当前状态为“{cycle.get_status_display()}”，生成完成后才能审批"]})
    open_count = cycle.exceptions.filter(status=PaymentException.Status.OPEN).count()
    if open_count:
        raise ValidationError({"exceptions": [f"尚有 {open_count} 条发放异常未处理，请更正后复查或核实认可后再审批"]})
    before = snapshot(cycle)
    cycle.status, cycle.approved_by, cycle.approved_at = PaymentCycle.Status.APPROVED, acting_user, timezone.now()
    cycle.save(update_fields=["status", "approved_by", "approved_at"])
    _record_recoveries(cycle)
    change_log_write(instance=cycle, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(cycle),
                     acting_user=acting_user, reason="审批发放批次")
    total = money(cycle.total_amount)
    domain_event_write(type=EventType.PAYMENT_CYCLE_APPROVED, subject=cycle, acting_user=acting_user,
                       message=f"审批{cycle.month:%Y年%m月}发放批次：{cycle.line_count} 条，合计 {total} 元",
                       params={"cycle": cycle.pk, "lines": cycle.line_count, "total": money(cycle.total_amount)})
    return cycle


def _record_recoveries(cycle: PaymentCycle) -> None:
    """Set-based: add this cycle's recovery lines to their overpayments, and close those fully recovered."""
    # Every column of the unique index is matched, so each overpayment reads its one line through it (matching
    # on the cycle alone would read the whole cycle once per overpayment).
    this_cycle = ("SELECT -SUM(l.amount) FROM payments_paymentline l "
                  "WHERE l.enrolment_id = payments_overpayment.enrolment_id AND l.covered_month = %s "
                  "AND l.kind = 'recovery' AND l.cycle_id = %s AND l.overpayment_id = payments_overpayment.id")
    with connection.cursor() as cursor:
        cursor.execute(f"""UPDATE payments_overpayment SET recovered = recovered + COALESCE(({this_cycle}), 0)
            WHERE id IN (SELECT overpayment_id FROM payments_paymentline WHERE cycle_id = %s AND kind = 'recovery')""",
                       [cycle.month, cycle.pk, cycle.pk])
    Overpayment.objects.filter(status=Overpayment.Status.OPEN, id__in=PaymentLine.objects.filter(
        cycle=cycle, kind=PaymentLine.Kind.RECOVERY).values("overpayment_id"), recovered__gte=F("total")).update(
        status=Overpayment.Status.CLOSED)


@transaction.atomic
def adjustment_add(*, acting_user, cycle: PaymentCycle, enrolment: Enrolment, amount, reason: str,
                   organisation: OrganisationPayee | None = None) -> PaymentLine:
    """调整明细: a correction (positive or negative) for an enrolment, in a cycle not yet approved; the checks
    run again so the new line is covered before approval. With `organisation`, the line is payable to that
    收款单位 (its account, its area) — how a settlement paid to an organisation is corrected in a later cycle."""
    cycle = _editable(cycle)
    _require(acting_user, "run", organisation.area_id if organisation else enrolment.area_id)
    amount = _amount(amount, "amount", "调整金额")
    reason = _text(reason, "reason", "调整原因")
    if cycle.status == PaymentCycle.Status.GENERATING:
        raise ValidationError({"status": ["该批次正在生成中，请等待当前任务完成"]})
    payee = ({"organisation": organisation} if organisation else {"person_id": enrolment.person_id})
    account = BankAccount.objects.filter(**payee, valid=True).first()
    line = PaymentLine(cycle=cycle, enrolment=enrolment, program_id=enrolment.program_id,
                       person_id=None if organisation else enrolment.person_id,
                       household_id=None if organisation else enrolment.household_id, organisation=organisation,
                       area_id=organisation.area_id if organisation else enrolment.area_id,
                       month=cycle.month, covered_month=cycle.month, kind=PaymentLine.Kind.ADJUSTMENT, amount=amount,
                       formula={"rule": "调整：经办人录入", "amount": money(amount), "reason": reason,
                                "by": acting_user.pk},
                       bank_account=account, bank_name=account.bank_name if account else "",
                       account_number=account.account_number if account else "", reason=reason)
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        raise ValidationError({"enrolment": ["本批次已有该对象的调整明细，请在原调整上更正"]}) from None
    change_log_write(instance=line, action=ChangeLog.Action.CREATE, before=None, after=snapshot(line),
                     acting_user=acting_user, reason=reason)
    totals_refresh(cycle)
    if cycle.status == PaymentCycle.Status.GENERATED:
        checks_run(cycle=cycle, acting_user=acting_user)
    return line


@transaction.atomic
def overpayment_register(*, acting_user, enrolment: Enrolment, total, instalment, reason: str) -> Overpayment:
    """登记多发追回: recovered from the enrolment's monthly payment, `instalment` a month."""
    _require(acting_user, "run", enrolment.area_id)
    total = _amount(total, "total", "应追回总额", positive=True)
    instalment = _amount(instalment, "instalment", "每月扣回金额", positive=True)
    reason = _text(reason, "reason", "追回原因")
    try:
        with transaction.atomic():
            row = Overpayment.objects.create(enrolment=enrolment, area_id=enrolment.area_id, total=total,
                                             instalment=instalment, reason=reason, created_by=acting_user)
    except IntegrityError:
        raise ValidationError({"enrolment": ["该对象已有一笔追回中的多发金额，请在原记录上调整"]}) from None
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user, reason=reason)
    return row


PAYING = (Enrolment.Status.ACTIVE, Enrolment.Status.PHASING_OUT)
SECOND_PERSON = "银行账户变更须由录入人以外的另一名工作人员确认（经办与复核分离）"


def _require_account(user, action: str, area_code: str) -> None:
    if not allowed(user, "bank_account", action):
        raise PermissionDenied("无此操作权限（银行账户）")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该人员不在您的管辖范围内")


def _account_number(value) -> str:
    number = _text(value, "account_number", "银行账号", 40).replace(" ", "")
    if not (number.isascii() and number.isdigit() and 10 <= len(number) <= 30):
        raise ValidationError({"account_number": ["银行账号应为10至30位数字"]})
    return number


def is_current_payee(person) -> bool:
    """Is money being paid to this person now (the payee of an enrolment in payment)?"""
    return Enrolment.objects.filter(person_id=person.pk, status__in=PAYING).exists()


def _payee_field(payee) -> str:
    """The account's key for this payee: `person`, or `organisation` for a 收款单位."""
    return "organisation" if isinstance(payee, OrganisationPayee) else "person"


def _account_apply(*, acting_user, payee, bank_name: str, number: str, reason: str) -> BankAccount:
    """The new account becomes the payee's valid one; the previous one is kept, invalid — both logged, masked."""
    field = _payee_field(payee)
    for old in BankAccount.objects.select_for_update().filter(**{field: payee}, valid=True):
        before = {**snapshot(old), "account_number": old.masked_number}
        old.valid = False
        old.save(update_fields=["valid", "updated_at"])
        change_log_write(instance=old, action=ChangeLog.Action.UPDATE, before=before,
                         after={**snapshot(old), "account_number": old.masked_number}, acting_user=acting_user,
                         reason=reason)
    account = BankAccount.objects.create(**{field: payee}, area_id=payee.area_id, bank_name=bank_name,
                                         account_number=number)
    change_log_write(instance=account, action=ChangeLog.Action.CREATE, before=None,
                     after={**snapshot(account), "account_number": account.masked_number}, acting_user=acting_user,
                     reason=reason)
    return account


@transaction.atomic
def bank_account_register(*, acting_user, person, bank_name: str, account_number: str,
                          reason: str = "") -> BankAccount | BankAccountChange:
    """登记或变更银行账户. A first account, or one for a person not being paid, takes effect at once. A change of
    the account of a current payee waits as a `BankAccountChange` until another person confirms it."""
    return payee_account_register(acting_user=acting_user, payee=person, bank_name=bank_name,
                                  account_number=account_number, reason=reason, current=is_current_payee)


@transaction.atomic
def payee_account_register(*, acting_user, payee, bank_name: str, account_number: str, reason: str,
                           current) -> BankAccount | BankAccountChange:
    """The rule for any payee (a person, a 收款单位): `current(payee)` says whether money is being paid to it now,
    which makes a change of its account wait for a second person."""
    _require_account(acting_user, "change", payee.area_id)
    bank_name = _text(bank_name, "bank_name", "开户银行", 60)
    number = _account_number(account_number)
    reason = (reason or "").strip()[:200]
    field = _payee_field(payee)
    valid = BankAccount.objects.select_for_update().filter(**{field: payee}, valid=True).first()
    if valid is not None and valid.bank_name == bank_name and valid.account_number == number:
        raise ValidationError({"account_number": ["与现有有效账户相同，无需变更"]})
    if valid is None or not current(payee):
        return _account_apply(acting_user=acting_user, payee=payee, bank_name=bank_name, number=number,
                              reason=reason or "登记银行账户")
    if not reason:
        raise ValidationError({"reason": ["变更在发放对象的银行账户，请填写变更原因"]})
    busy = ValidationError({"account_number": [f"该{'单位' if field == 'organisation' else '人员'}已有一项待确认的账户"
                                               "变更，请先确认或退回"]})
    if BankAccountChange.objects.filter(**{field: payee}, status=BankAccountChange.Status.PENDING).exists():
        raise busy
    try:
        with transaction.atomic():
            change = BankAccountChange.objects.create(
                **{field: payee}, area_id=payee.area_id, old_account=valid, bank_name=bank_name,
                account_number=number, reason=reason, requested_by=acting_user)
    except IntegrityError:  # another change was entered at the same moment
        raise busy from None
    change_log_write(instance=change, action=ChangeLog.Action.CREATE, before=None,
                     after={**snapshot(change), "account_number": change.masked_number}, acting_user=acting_user,
                     reason=reason)
    return change


def _pending(change: BankAccountChange, acting_user) -> BankAccountChange:
    locked = (BankAccountChange.objects.select_for_update(of=("self",)).select_related("person", "organisation")
              .get(pk=change.pk))
    _require_account(acting_user, "confirm", locked.area_id)
    if locked.status != BankAccountChange.Status.PENDING:
        raise ValidationError({"status": [f"该变更{locked.get_status_display()}，不能再处理"]})
    if locked.requested_by_id == acting_user.pk:
        raise PermissionDenied(SECOND_PERSON)
    return locked


@transaction.atomic
def bank_account_change_confirm(*, acting_user, change: BankAccountChange) -> BankAccount:
    """确认账户变更 (the second person): the new account takes effect from the next bank file."""
    change = _pending(change, acting_user)
    before = {**snapshot(change), "account_number": change.masked_number}
    account = _account_apply(acting_user=acting_user, payee=change.person or change.organisation,
                             bank_name=change.bank_name, number=change.account_number, reason=change.reason)
    change.status, change.account = BankAccountChange.Status.CONFIRMED, account
    change.decided_by, change.decided_at = acting_user, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "account"])
    change_log_write(instance=change, action=ChangeLog.Action.UPDATE, before=before,
                     after={**snapshot(change), "account_number": change.masked_number}, acting_user=acting_user)
    return account


@transaction.atomic
def bank_account_change_reject(*, acting_user, change: BankAccountChange, note: str) -> BankAccountChange:
    """退回账户变更: the old account stays; the note says why (e.g. 账号与存折不符)."""
    change = _pending(change, acting_user)
    note = _text(note, "note", "退回理由", 200)
    before = {**snapshot(change), "account_number": change.masked_number}
    change.status, change.note = BankAccountChange.Status.REJECTED, note
    change.decided_by, change.decided_at = acting_user, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "note"])
    change_log_write(instance=change, action=ChangeLog.Action.UPDATE, before=before,
                     after={**snapshot(change), "account_number": change.masked_number}, acting_user=acting_user,
                     reason=note)
    return change
