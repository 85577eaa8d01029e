"""资金发放演示数据: the payroll of the demo roll, through the real payment services.

- a bank account (代发账户) for every payee of an active enrolment, spread over the banks a Chongqing district pays
  through; one payee in a hundred has none, so the cycle page shows the "missing account" check at work;
- last month's cycle generated, its exceptions checked and accepted by the officer, approved by the approver (a
  different user), exported as bank files, and the bank's return imported: a few transfers failed
  (账户已销户) and wait for a reissue, so the reconciliation shows paid, failed and pending;
- this month's cycle generated and waiting for the officer: its exceptions are left open.

Bank accounts are written set-based (one INSERT … SELECT); everything else goes through the services a user's
click would call, so the demo's cycles, logs and timeline look like real ones. Approval and bank dates of last
month are set inside that month (the demo's history), so the on-time report has something to count.
"""

import csv
import io
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as day_time

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from jobs.models import Job
from jobs.services import job_run
from minzheng import sql as dialect
from payments.models import BankFile, BankPayment, PaymentCycle, PaymentException
from payments.services import cycle_approve, cycle_generate, cycle_open, exception_accept
from payments.services_bank import bank_files_generate, bank_return_commit, bank_return_upload
from programs.models import Enrolment

# (bank, account-number prefix): 农商行 pays most social-assistance money in Chongqing; the rest are the large banks.
BANKS = (("重庆农村商业银行", "622136"), ("重庆农村商业银行", "622136"), ("重庆农村商业银行", "622136"),
         ("中国邮政储蓄银行", "621799"), ("中国工商银行", "622202"), ("重庆银行", "622154"))
NO_ACCOUNT_EVERY = 100  # one payee in a hundred has no account yet
FAILED_EVERY = 40  # one transfer in forty comes back from the bank
OFFICER, APPROVER = "district_officer", "district_approver"


@dataclass
class PaymentsSummary:
    accounts: int = 0
    last_month: PaymentCycle | None = None
    this_month: PaymentCycle | None = None
    failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        cycles = [c for c in (self.last_month, self.this_month) if c is not None]
        text = "；".join(f"{c.month:%Y年%m月}批次 {c.line_count:,} 条、合计 {c.total_amount:,} 元"
                        f"（{c.get_status_display()}）" for c in cycles)
        return (f"资金发放演示：银行账户 {self.accounts:,} 个；{text}；银行退回 {self.failed} 笔待重发，"
                f"用时 {self.seconds:.1f} 秒")


def bank_accounts_create() -> int:
    """One valid account per payee of an active enrolment who has none (set-based; the payee's area is copied)."""
    banks = " ".join(f"WHEN {i} THEN '{name}'" for i, (name, _) in enumerate(BANKS))
    prefixes = " ".join(f"WHEN {i} THEN '{prefix}'" for i, (_, prefix) in enumerate(BANKS))
    true = dialect.true()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO payments_bankaccount (person_id, area_id, bank_name, account_number, valid, updated_at)
            SELECT p.id, p.area_id, CASE p.id % {len(BANKS)} {banks} END,
                   CASE p.id % {len(BANKS)} {prefixes} END || CAST(1000000000000 + p.id AS TEXT), {true},
                   CURRENT_TIMESTAMP
            FROM registry_person p
            WHERE p.id IN (SELECT person_id FROM programs_enrolment WHERE status = 'active' AND person_id IS NOT NULL)
              AND p.id % {NO_ACCOUNT_EVERY} <> 7
              AND NOT EXISTS (SELECT 1 FROM payments_bankaccount a WHERE a.person_id = p.id AND a.valid)""")
        return cursor.rowcount


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, day_time(hour)))


def _ran(job: Job) -> None:
    """A job runs when the service's transaction commits; inside an outer transaction (a test's, or a caller's)
    that is later, so run it here — a job already run is not claimed twice."""
    job_run(job.pk)


def _generated(cycle: PaymentCycle, officer: User) -> PaymentCycle:
    _ran(cycle_generate(acting_user=officer, cycle=cycle))
    cycle.refresh_from_db()
    if cycle.status != PaymentCycle.Status.GENERATED:
        raise ValueError(f"{cycle} 生成失败：{cycle.job.error if cycle.job_id else '无任务'}")
    return cycle


def _return_file(bank_file: BankFile, paid_on: date) -> bytes:
    """The bank's answer to one of our files: every payment paid on `paid_on` except one in FAILED_EVERY."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["序号", "账号", "金额", "结果", "失败原因", "交易日期"])
    rows = (BankPayment.objects.filter(cycle=bank_file.cycle, round=bank_file.round, bank_name=bank_file.bank_name)
            .order_by("seq").values_list("seq", "account_number", "amount"))
    for seq, account, amount in rows:
        failed = seq % FAILED_EVERY == 0
        writer.writerow([seq, account, f"{amount:.2f}", "失败" if failed else "成功",
                         "账户已销户" if failed else "", paid_on.isoformat()])
    return buffer.getvalue().encode("utf-8")


def demo_payments_load(*, today: date) -> PaymentsSummary:
    """Last month paid through the bank, this month generated; returns what was made. Skipped (empty summary)
    when the demo already has cycles."""
    started = time.perf_counter()
    summary = PaymentsSummary()
    if PaymentCycle.objects.exists() or not Enrolment.objects.filter(status="active").exists():
        return summary
    officer, approver = User.objects.get(username=OFFICER), User.objects.get(username=APPROVER)
    with transaction.atomic():
        summary.accounts = bank_accounts_create()
    this_month = today.replace(day=1)
    last_month = (this_month - date.resolution).replace(day=1)

    cycle = _generated(cycle_open(acting_user=officer, month=last_month), officer)
    for exception in PaymentException.objects.filter(cycle=cycle, status=PaymentException.Status.OPEN):
        exception_accept(acting_user=officer, exception=exception, reason="演示：已电话核实，本月照发，账户下月补登")
    cycle = cycle_approve(acting_user=approver, cycle=cycle)
    # The demo's history: last month was approved on the 8th, before the payment day.
    PaymentCycle.objects.filter(pk=cycle.pk).update(approved_at=_at(last_month.replace(day=8), 10))
    for bank_file in bank_files_generate(acting_user=officer, cycle=cycle):
        if not bank_file.item_count:
            continue
        bank_return = bank_return_upload(acting_user=officer, bank_file=bank_file,
                                         filename=f"{bank_file.bank_name}回盘.csv",
                                         content=_return_file(bank_file, last_month.replace(day=9)))
        _ran(bank_return.import_batch.job)
        bank_return.import_batch.refresh_from_db()
        _ran(bank_return_commit(acting_user=officer, bank_return=bank_return))
    summary.failed = BankPayment.objects.filter(cycle=cycle, status=BankPayment.Status.FAILED).count()
    summary.last_month = PaymentCycle.objects.get(pk=cycle.pk)

    summary.this_month = _generated(cycle_open(acting_user=officer, month=this_month), officer)
    summary.seconds = time.perf_counter() - started
    return summary
