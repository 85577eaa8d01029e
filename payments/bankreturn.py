"""The bank return file (银行回盘) as an import schema ("bank_return"): the bank's result per payment of one of
our bank files, matched by 序号 within that file (the `BankReturn` of the batch says which file).

Row errors name the row's problem: a 序号 not in the file, an account or amount that differs from what was sent,
a failure without a reason, a result that contradicts one already recorded. A row whose result is already
recorded (the same return imported again, in another file) changes nothing and is counted as such; the very
same bytes are recognised by the import kernel itself (checksum) and write nothing.

The commit is set-based over the whole file, a fixed handful of statements whatever its size: the good rows'
payments still pending into a temporary table (read from the staged rows in SQL), then one UPDATE for the paid
payments, one for the failed ones, one for each kind of their lines, one INSERT … SELECT for their change log
(99,000 rows on PostgreSQL: ~25 s per page of 2,000 rows before, see docs/benchmarks-bank.md).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils import timezone

from audit.context import current
from audit.models import ChangeLog, EventType
from audit.services import domain_event_write
from imports.models import StagedRow
from imports.schemas import schema_register
from imports.schemas.base import CellError, Column, Context, Schema, chunked, reject, text
from minzheng import sql as d
from minzheng.sql import Sql, lit
from payments.models import BankPayment, BankReturn, PaymentLine, mask_account

PAYMENT = "_payment"
SAME = "_same"
PAID, FAILED = BankPayment.Status.PAID, BankPayment.Status.FAILED
RESULTS = {"成功": PAID, "已发放": PAID, "发放成功": PAID, "交易成功": PAID, "success": PAID, "s": PAID,
           "失败": FAILED, "发放失败": FAILED, "交易失败": FAILED, "failed": FAILED, "fail": FAILED, "f": FAILED}
RESULT_LABEL = {PAID: "成功", FAILED: "失败"}


def _seq(value: str) -> int:
    if not re.fullmatch(r"\d{1,9}", value.strip()):
        raise CellError(f"「序号」应为正整数（填写的是“{value}”）")
    return int(value)


def _account(value: str) -> str:
    compact = re.sub(r"\s", "", value)
    if not compact.isdigit():
        raise CellError("「账号」应为数字")
    return compact


def _amount(value: str) -> str:
    try:
        number = Decimal(value.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise CellError(f"「金额」应为金额（元），如 1000.00（填写的是“{value}”）") from None
    if not number.is_finite() or number <= 0 or number != number.quantize(Decimal("0.01")):
        raise CellError(f"「金额」应为大于0、最多两位小数的金额（填写的是“{value}”）")
    return f"{number:.2f}"


def _result(value: str) -> str:
    code = RESULTS.get(value.strip().lower())
    if code is None:
        raise CellError(f"「结果」应为“成功”或“失败”（填写的是“{value}”）")
    return code


def _day(value: str) -> str:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise CellError(f"「交易日期」应为日期，如 2026-03-10（填写的是“{value}”）")


COLUMNS = (
    Column("seq", "序号", _seq, required=True, examples=("1",), help="代发文件中的序号"),
    Column("name", "姓名", text("姓名", 50), examples=("张三",)),
    Column("account_number", "账号", _account, required=True, examples=("6221000000000000001",)),
    Column("amount", "金额", _amount, required=True, examples=("1000.00",)),
    Column("result", "结果", _result, required=True, examples=("成功",), help="成功 或 失败"),
    Column("reason", "失败原因", text("失败原因", 200), header_required=True, examples=("",)),
    Column("paid_on", "交易日期", _day, examples=("2026-03-10",), help="可选；留空为导入当日"),
)


def _row_check(raw: dict[str, str], clean: dict) -> list[str]:
    if clean.get("result") == FAILED and not clean.get("reason"):
        return ["「失败原因」：结果为失败时必须填写失败原因"]
    return []


def _file_of(ctx: Context) -> BankReturn | None:
    if "bank_return" not in ctx.cache:
        ctx.cache["bank_return"] = (BankReturn.objects.select_related("bank_file")
                                    .filter(import_batch_id=ctx.batch.pk).first())
    return ctx.cache["bank_return"]


def _db_check(ctx: Context, rows: list[StagedRow]) -> None:
    """One query per chunk: the payments of the file with these 序号."""
    good = [r for r in rows if r.status == StagedRow.Status.OK]
    bank_return = _file_of(ctx)
    if bank_return is None:  # uploaded on the generic import page: no bank file to match against
        for row in good:
            reject(row, "银行回盘请在发放批次的“银行代发”中上传，并选择对应的代发文件")
        return
    bank_file = bank_return.bank_file
    sent: dict[int, tuple] = {}
    for seqs in chunked(sorted({r.clean["seq"] for r in good})):
        sent |= {row[0]: row[1:] for row in BankPayment.objects.filter(
            cycle_id=bank_file.cycle_id, round=bank_file.round, bank_name=bank_file.bank_name, seq__in=seqs)
            .values_list("seq", "pk", "account_number", "amount", "status")}
    for row in good:
        _check_row(row, bank_file.filename, sent.get(row.clean["seq"]))


def _check_row(row: StagedRow, filename: str, payment: tuple | None) -> None:
    seq = row.clean["seq"]
    if payment is None:
        reject(row, f"「序号」{seq}在代发文件“{filename}”中不存在（未知明细）")
        return
    pk, account, amount, status = payment
    if row.clean["account_number"] != account:
        reject(row, f"「账号」与代发文件第{seq}笔的账号（{mask_account(account)}）不一致")
    if Decimal(row.clean["amount"]) != amount:
        reject(row, f"「金额」{row.clean['amount']}与代发文件第{seq}笔的金额{amount:.2f}不一致")
    if status != BankPayment.Status.PENDING:
        if status == row.clean["result"]:
            row.clean[SAME] = 1
        else:
            reject(row, f"第{seq}笔已登记为“{BankPayment.Status(status).label}”，"
                        f"与回盘结果“{RESULT_LABEL[row.clean['result']]}”不一致")
    row.clean[PAYMENT] = pk


TODO = "bank_tmp_return"


def _commit(ctx: Context, report) -> dict[str, int]:
    """Settle the payments of the batch's good rows; `report(fraction)` records progress. Rows whose result is
    already recorded (the same return in another file, or a concurrent return) change nothing and are counted."""
    bank_return = _file_of(ctx)
    if bank_return is None:  # uploaded on the generic import page: every row was refused
        return {}
    bank_file = bank_return.bank_file
    sql = Sql()
    pending, paid_s, failed_s = (lit(BankPayment.Status.PENDING), lit(PAID), lit(FAILED))
    clean = {key: sql.jtext("s.clean", key) for key in ("result", "paid_on", "reason", SAME)}
    sql.drop(TODO)
    sql.run(f"""
        CREATE TEMP TABLE {TODO} AS
        SELECT p.id, p.enrolment_id, p.organisation_id, {clean['result']} AS result,
               COALESCE({clean['paid_on']}, {lit(date.today().isoformat())}) AS paid_on, {clean['reason']} AS reason
        FROM imports_stagedrow s JOIN payments_bankpayment p ON p.id = {sql.jint('s.clean', PAYMENT)}
        WHERE s.batch_id = {int(ctx.batch.pk)} AND s.status = {lit(StagedRow.Status.OK)} AND {clean[SAME]} IS NULL
          AND p.status = {pending}""")
    report(0.3)
    day = "CAST(t.paid_on AS date)" if sql.pg else "t.paid_on"
    settle = f"""UPDATE payments_bankpayment SET {{set}} FROM {TODO} t
                 WHERE payments_bankpayment.id = t.id AND t.result = {{result}}
                   AND payments_bankpayment.status = {pending}"""
    paid_count = sql.run(settle.format(set=f"status = {paid_s}, paid_on = {day}", result=paid_s))
    failed_count = sql.run(settle.format(set=f"status = {failed_s}, failure_reason = t.reason", result=failed_s))
    report(0.6)
    for result, line_status in ((PAID, PaymentLine.Status.PAID), (FAILED, PaymentLine.Status.FAILED)):
        # the lines of the settled payments' payees in the cycle take the payment's result: a person's
        # enrolment, or an organisation (收款单位) — whose lines are never a person's (`payment_line_one_payee`)
        settled = (f"SELECT t.{{key}} FROM {TODO} t JOIN payments_bankpayment p ON p.id = t.id "
                   f"WHERE t.result = {lit(result)} AND p.status = {lit(result)} AND t.{{key}} IS NOT NULL")
        line_update = f"""
            UPDATE payments_paymentline SET status = {lit(line_status)}
            WHERE cycle_id = {int(bank_file.cycle_id)}
              AND status IN ({lit(PaymentLine.Status.PENDING)}, {lit(PaymentLine.Status.REISSUED)})"""
        sql.run(f"""{line_update} AND organisation_id IS NULL
              AND enrolment_id IN ({settled.format(key='enrolment_id')})""")
        if _has_organisations(bank_file.cycle_id):
            sql.run(f"""{line_update} AND organisation_id IN ({settled.format(key='organisation_id')})""")
    report(0.8)
    _log(sql)
    sql.drop(TODO)
    if paid_count or failed_count:
        domain_event_write(type=EventType.PAYMENT_BANK_RETURN_IMPORTED, subject=bank_file, acting_user=ctx.user,
                           message=f"导入银行回盘（{bank_file.filename}）：成功{paid_count}笔，失败{failed_count}笔",
                           params={"bank_file": bank_file.pk, "import_batch": ctx.batch.pk, "paid": paid_count,
                                   "failed": failed_count})
    return {"paid": paid_count, "failed": failed_count,
            "already_recorded": ctx.batch.good_rows - paid_count - failed_count}


def _has_organisations(cycle_id: int) -> bool:
    """Does the cycle pay any organisation? (By the partial index: a payroll of persons only skips that update.)"""
    return PaymentLine.objects.filter(cycle_id=cycle_id, organisation__isnull=False).exists()


def _log(sql: Sql) -> None:
    """The change log of the payments just settled, in one INSERT … SELECT (after = what they now hold)."""
    ctx = current()
    before = d.json_object(("status", f"'{BankPayment.Status.PENDING}'"))
    after = d.json_object(("status", "p.status"), ("paid_on", "CAST(p.paid_on AS TEXT)"),
                          ("failure_reason", "p.failure_reason"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_changelog (time, user_id, request_id, source, model, object_id, object_repr, action, "
            f"before, after, reason) SELECT %s, %s, %s, %s, %s, CAST(p.id AS TEXT), '代发明细#' || CAST(p.id AS TEXT), "
            f"%s, {before}, {after}, %s FROM payments_bankpayment p JOIN {TODO} t ON t.id = p.id "
            "WHERE p.status = t.result",
            [connection.ops.adapt_datetimefield_value(timezone.now()), ctx.user_id, ctx.request_id, ctx.source,
             BankPayment._meta.label_lower, ChangeLog.Action.UPDATE, "导入银行回盘"])


SCHEMA = schema_register(Schema(
    key="bank_return", title="银行回盘", columns=COLUMNS, commit_batch=_commit,
    row_check=_row_check, db_check=_db_check,
    unique_key="seq", description="银行代发结果：按代发文件的序号逐笔登记成功（发放日期）或失败（失败原因）"))
