"""Bank disbursement actions (银行代发): export the bank files of an approved cycle, upload a bank return file,
reissue failed payments after the payee's account was fixed, and close the cycle once the bank has answered.

What a bank file pays (the decision, see `payments.models.BankPayment`): one transfer per enrolment and cycle,
the NET of the enrolment's pending lines — generation writes a recovery (扣回) as its own negative line and an
adjustment may be negative, and both are deducted from that enrolment's payment, never sent as a debit. The
payment goes to the account snapshotted on the lines (the account valid when the payroll was generated), and
the file is per bank by that snapshot's bank name. An enrolment whose net is not above zero, or whose lines have
no account, is not in any bank file; its lines stay pending and show so in the reconciliation.

Permissions: ("payment", "export") to generate and download bank files (full account and ID numbers: every
generation and download is written to the access log); ("payment", "run") to upload returns and reissue.
Payments are written set-based (one INSERT … SELECT per round); a bank file's bytes are rendered by
`payments.bankfile_render` from the layout, deterministic for the same payments and layout.
"""

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from imports.services import import_batch_commit, import_batch_stage
from jobs.models import Job
from minzheng.files import file_chunks, file_store
from payments import bankfile_render as render
from payments.models import (
    BankFile,
    BankFileLayout,
    BankPayment,
    BankReturn,
    PaymentCycle,
    PaymentLine,
)
from registry.disclosure import personal_export_log

RETURN_SCHEMA = "bank_return"
FIRST_ROUND = 1
_PAYMENT_COLUMNS = ("cycle_id, round, bank_name, seq, enrolment_id, organisation_id, program_id, person_id, area_id, "
                    "account_number, amount, status, paid_on, failure_reason, reissue_of_id, created_at")


def _require(user, action: str, cycle: PaymentCycle) -> None:
    if not allowed(user, "payment", action):
        raise PermissionDenied("无此操作权限（银行代发）")
    # Bank files hold the whole district's payees: only a user whose scope covers the district acts on them.
    if not area_in_scope(user, cycle.district_id):
        raise PermissionDenied("该发放批次不在您的管辖范围内")


def _locked(cycle: PaymentCycle, statuses: tuple[str, ...], message: str) -> PaymentCycle:
    locked = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status not in statuses:
        raise ValidationError({"status": [f"当前状态为“{locked.get_status_display()}”，{message}"]})
    return locked


def layout_for(bank_name: str) -> BankFileLayout:
    """The active layout for the bank, else the default one (bank left empty)."""
    layouts = {lay.bank_name: lay for lay in BankFileLayout.objects.filter(active=True, bank_name__in=[bank_name, ""])}
    layout = layouts.get(bank_name) or layouts.get("")
    if layout is None:
        raise ValidationError({"layout": ["没有可用的代发文件格式：请在管理后台设置默认格式（适用银行留空）"]})
    return layout


def _insert_first_round(cycle: PaymentCycle) -> int:
    """Round 1: one payment per payee with a positive net and an account, numbered per bank by area — per
    enrolment for a person's lines; per organisation (收款单位) for lines payable to one, summed over the
    enrolments it was paid for (e.g. all the vouchers a provider redeemed), with the organisation's area."""
    account = "CASE WHEN l.account_number <> '' THEN l.{} END"
    sql = f"""INSERT INTO payments_bankpayment ({_PAYMENT_COLUMNS})
        SELECT g.cycle_id, {FIRST_ROUND}, g.bank_name,
               ROW_NUMBER() OVER (PARTITION BY g.bank_name ORDER BY g.area_id, g.enrolment_id, g.organisation_id),
               g.enrolment_id, g.organisation_id, g.program_id, g.person_id, g.area_id, g.account_number, g.amount,
               'pending', NULL, '', NULL, %s
        FROM (SELECT l.cycle_id, CASE WHEN l.organisation_id IS NULL THEN l.enrolment_id END AS enrolment_id,
                     l.organisation_id, MAX(l.program_id) AS program_id, MAX(l.person_id) AS person_id,
                     MAX(l.area_id) AS area_id, MAX({account.format('bank_name')}) AS bank_name,
                     MAX({account.format('account_number')}) AS account_number, ROUND(SUM(l.amount), 2) AS amount
              FROM payments_paymentline l WHERE l.cycle_id = %s AND l.status = 'pending'
              GROUP BY l.cycle_id, l.organisation_id, CASE WHEN l.organisation_id IS NULL THEN l.enrolment_id END) g
        WHERE g.account_number IS NOT NULL AND g.amount > 0"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(timezone.now()), cycle.pk])
        return max(cursor.rowcount, 0)


def _insert_reissue_round(cycle: PaymentCycle, round_: int) -> int:
    """A new round: each failed, not yet reissued payment whose payee (person or organisation) now has a valid
    account other than the one that failed, to that account, for the same amount."""
    sql = f"""INSERT INTO payments_bankpayment ({_PAYMENT_COLUMNS})
        SELECT f.cycle_id, %s, b.bank_name,
               ROW_NUMBER() OVER (PARTITION BY b.bank_name ORDER BY f.area_id, f.enrolment_id, f.organisation_id),
               f.enrolment_id, f.organisation_id, f.program_id, f.person_id, f.area_id, b.account_number, f.amount,
               'pending', NULL, '', f.id, %s
        FROM payments_bankpayment f
        JOIN payments_bankaccount b ON b.valid AND b.account_number <> f.account_number
             AND ((f.organisation_id IS NULL AND b.person_id = f.person_id) OR b.organisation_id = f.organisation_id)
        WHERE f.cycle_id = %s AND f.status = 'failed'
          AND NOT EXISTS (SELECT 1 FROM payments_bankpayment r WHERE r.reissue_of_id = f.id)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_, connection.ops.adapt_datetimefield_value(timezone.now()), cycle.pk])
        return max(cursor.rowcount, 0)


def _rows(cycle: PaymentCycle, round_: int, bank_name: str) -> list[render.Row]:
    """The file's rows. For an organisation the name column holds its name and the ID-number column its
    统一社会信用代码 (the identifier a bank checks for a corporate account)."""
    values = (BankPayment.objects.filter(cycle=cycle, round=round_, bank_name=bank_name).order_by("seq")
              .values_list("seq", "id", "person__name", "person__id_number", "organisation__name",
                           "organisation__credit_code", "account_number", "bank_name", "amount", "program__name",
                           "area__name"))
    return [render.Row(seq, pk, name or org or "", id_number or code or "", account, bank, amount, program, area,
                       cycle.month, round_ > FIRST_ROUND)
            for seq, pk, name, id_number, org, code, account, bank, amount, program, area
            in values.iterator(chunk_size=5000)]


def _file_write(*, cycle: PaymentCycle, round_: int, bank_name: str, layout: BankFileLayout | None,
                acting_user) -> BankFile:
    layout = layout or layout_for(bank_name)
    rows = _rows(cycle, round_, bank_name)
    content = render.render(layout, list(layout.columns.order_by("position")), rows)
    label = "代发" if round_ == FIRST_ROUND else f"重发{round_ - 1}"
    bank_file = BankFile(
        cycle=cycle, round=round_, bank_name=bank_name, layout=layout, format=layout.format,
        encoding="utf-8" if layout.format == BankFileLayout.Format.XLSX else layout.encoding,
        filename=f"{cycle.month:%Y%m}_{bank_name}_{label}.{layout.format}"[:120], item_count=len(rows),
        total_amount=sum((r.amount for r in rows), 0), checksum=render.checksum(content), created_by=acting_user)
    file_store(bank_file.file, bank_file.filename, content)
    bank_file.save()
    personal_export_log(user=acting_user, what=f"银行代发文件 {bank_file.filename}", count=len(rows),
                        filters={"cycle": cycle.pk, "bank_file": bank_file.pk, "round": round_, "bank": bank_name})
    return bank_file


def _files_write(*, cycle: PaymentCycle, round_: int, layout: BankFileLayout | None, acting_user) -> list[BankFile]:
    banks = (BankPayment.objects.filter(cycle=cycle, round=round_).order_by("bank_name")
             .values_list("bank_name", flat=True).distinct())
    return [_file_write(cycle=cycle, round_=round_, bank_name=bank, layout=layout, acting_user=acting_user)
            for bank in banks]


@transaction.atomic
def bank_files_generate(*, acting_user, cycle: PaymentCycle, layout: BankFileLayout | None = None,
                        round_: int = FIRST_ROUND) -> list[BankFile]:
    """导出银行代发文件, one per bank. The first export of an approved cycle creates its payments and marks the
    cycle exported; a later export renders the same payments again (in `layout`, or each bank's own), so the
    same layout gives the same bytes and checksum."""
    _require(acting_user, "export", cycle)
    if not allowed(acting_user, "export", "run"):
        raise PermissionDenied("无导出权限")
    cycle = _locked(cycle, (PaymentCycle.Status.APPROVED, PaymentCycle.Status.EXPORTED),
                    "审批后才能导出银行代发文件")
    if layout is not None and not layout.active:
        raise ValidationError({"layout": [f"代发文件格式“{layout.name}”已停用"]})
    created = 0
    if cycle.status == PaymentCycle.Status.APPROVED:
        created = _insert_first_round(cycle)
        before = snapshot(cycle)
        cycle.status = PaymentCycle.Status.EXPORTED
        cycle.save(update_fields=["status"])
        change_log_write(instance=cycle, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(cycle),
                         acting_user=acting_user, reason="导出银行代发文件")
    elif not BankPayment.objects.filter(cycle=cycle, round=round_).exists():
        raise ValidationError({"round": [f"本批次没有第{round_}轮代发明细"]})
    files = _files_write(cycle=cycle, round_=round_, layout=layout, acting_user=acting_user)
    if created:
        total = sum((f.total_amount for f in files), 0)
        domain_event_write(type=EventType.PAYMENT_BANK_FILES_EXPORTED, subject=cycle, acting_user=acting_user,
                           message=f"导出{cycle.month:%Y年%m月}银行代发文件：{len(files)}个银行，{created}笔，合计{total:.2f}元",
                           params={"cycle": cycle.pk, "files": [f.pk for f in files], "payments": created,
                                   "total": f"{total:.2f}"})
    return files


def bank_file_download(*, acting_user, bank_file: BankFile) -> Iterator[bytes]:
    """下载代发文件: the stored bytes, exactly, in pieces streamed from the file storage; every download is an
    export of personal data and is logged."""
    _require(acting_user, "export", bank_file.cycle)
    personal_export_log(user=acting_user, what=f"下载银行代发文件 {bank_file.filename}", count=bank_file.item_count,
                        filters={"cycle": bank_file.cycle_id, "bank_file": bank_file.pk})
    return file_chunks(bank_file.file)


@transaction.atomic
def payments_reissue(*, acting_user, cycle: PaymentCycle, layout: BankFileLayout | None = None) -> list[BankFile]:
    """重发: every failed payment whose payee now has a valid account other than the one that failed is paid again
    in a new round (new bank files); its lines go from failed to reissued until the reissue's own return comes.
    A payment already reissued, or still pending or paid, is never paid again (`bank_payment_never_twice`)."""
    _require(acting_user, "run", cycle)
    if not allowed(acting_user, "payment", "export") or not allowed(acting_user, "export", "run"):
        raise PermissionDenied("无导出银行代发文件的权限")
    cycle = _locked(cycle, (PaymentCycle.Status.EXPORTED,), "导出银行代发文件并导入回盘后才能重发")
    round_ = (BankPayment.objects.filter(cycle=cycle).aggregate(r=Max("round"))["r"] or FIRST_ROUND) + 1
    try:
        with transaction.atomic():
            created = _insert_reissue_round(cycle, round_)
    except IntegrityError:
        raise ValidationError({"cycle": ["有发放对象已有未失败的代发明细，不能重复发放"]}) from None
    if not created:
        raise ValidationError({"cycle": ["没有可重发的明细：发放失败的对象须先登记新的有效银行账户（与失败账户不同）"]})
    reissued = BankPayment.objects.filter(cycle=cycle, round=round_)
    PaymentLine.objects.filter(cycle=cycle, status=PaymentLine.Status.FAILED, organisation__isnull=True,
                               enrolment_id__in=reissued.filter(enrolment__isnull=False).values("enrolment_id")).update(
        status=PaymentLine.Status.REISSUED)
    PaymentLine.objects.filter(cycle=cycle, status=PaymentLine.Status.FAILED, organisation__isnull=False,
                               organisation_id__in=reissued.filter(organisation__isnull=False).values(
                                   "organisation_id")).update(status=PaymentLine.Status.REISSUED)
    files = _files_write(cycle=cycle, round_=round_, layout=layout, acting_user=acting_user)
    totals = reissued.aggregate(n=Count("id"), amount=Sum("amount"))
    domain_event_write(type=EventType.PAYMENT_REISSUED, subject=cycle, acting_user=acting_user,
                       message=f"{cycle.month:%Y年%m月}发放失败重发（第{round_}轮）：{totals['n']}笔，"
                               f"合计{totals['amount']:.2f}元",
                       params={"cycle": cycle.pk, "round": round_, "payments": totals["n"],
                               "files": [f.pk for f in files]})
    return files


def bank_return_upload(*, acting_user, bank_file: BankFile, filename: str, content: bytes) -> BankReturn:
    """上传银行回盘: staged through the import kernel (schema "bank_return"); its validation runs as a job, then the
    officer saves the good rows (`bank_return_commit`) or discards the batch, as with any import."""
    cycle = PaymentCycle.objects.get(pk=bank_file.cycle_id)  # its status now, not as the caller last read it
    _require(acting_user, "run", cycle)
    if cycle.status != PaymentCycle.Status.EXPORTED:
        raise ValidationError({"status": [f"当前状态为“{cycle.get_status_display()}”，不能导入回盘"]})
    with transaction.atomic():
        batch = import_batch_stage(acting_user=acting_user, schema=RETURN_SCHEMA, filename=filename, content=content)
        bank_return = BankReturn.objects.create(import_batch=batch, bank_file=bank_file, cycle=bank_file.cycle,
                                                created_by=acting_user)
    bank_return.import_batch.refresh_from_db()
    return bank_return


def bank_return_commit(*, acting_user, bank_return: BankReturn) -> Job:
    """保存回盘结果: the good rows of the validated return set their payments (and lines) paid or failed."""
    _require(acting_user, "run", bank_return.cycle)
    return import_batch_commit(acting_user=acting_user, batch=bank_return.import_batch)


@transaction.atomic
def cycle_close(*, acting_user, cycle: PaymentCycle, reason: str = "") -> PaymentCycle:
    """结束发放批次: the bank has answered every transfer of the cycle. Lines the payee never received — a failed
    payment not reissued, or a line never in a bank file (no account) — are left as they are and paid, if due, by
    an adjustment in a later cycle; closing with such lines needs a reason, kept in the change log."""
    _require(acting_user, "run", cycle)
    cycle = _locked(cycle, (PaymentCycle.Status.EXPORTED,), "导出银行代发文件并导入回盘后才能结束")
    awaiting = BankPayment.objects.filter(cycle=cycle, status=BankPayment.Status.PENDING).count()
    if awaiting:
        raise ValidationError({"status": [f"尚有 {awaiting} 笔代发未收到银行回盘，请导入回盘后再结束批次"]})
    unpaid = PaymentLine.objects.filter(cycle=cycle, amount__gt=0, status__in=(
        PaymentLine.Status.PENDING, PaymentLine.Status.FAILED)).count()
    reason = (reason or "").strip()
    if unpaid and not reason:
        raise ValidationError({"reason": [f"尚有 {unpaid} 条明细未发放到账（发放失败未重发或无银行账户），"
                                          "请填写结束原因（如：已转下月以调整明细补发）"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["结束原因不能超过200个字"]})
    before = snapshot(cycle)
    cycle.status = PaymentCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    change_log_write(instance=cycle, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(cycle),
                     acting_user=acting_user, reason=reason or "银行回盘已全部到账")
    unpaid_text = f"：{unpaid}条未到账（{reason}）" if unpaid else ""
    domain_event_write(type=EventType.PAYMENT_CYCLE_CLOSED, subject=cycle, acting_user=acting_user,
                       message=f"结束{cycle.month:%Y年%m月}发放批次{unpaid_text}",
                       params={"cycle": cycle.pk, "unpaid_lines": unpaid})
    return cycle
