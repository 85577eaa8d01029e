"""Bank disbursement benchmark (银行代发基准): export, return import, reconciliation and reissue for a cycle of
N enrolments, on PostgreSQL and SQLite.

    .venv/bin/python bench/bank_files.py --enrolments 100000 --db both

For each database a child process builds a fresh database (PostgreSQL `bank_bench`, SQLite in /tmp; another
name with BENCH_DB_NAME=…) with the
payroll benchmark's roll (`bench.payroll.build`: 2/3 低保 households, 1/3 特困 persons, 1% without an account,
1% with an overpayment), generates and approves March, then times:
(a) `bank_files_generate` — the payments (one INSERT … SELECT netting recoveries) and the CSV (GBK) rendered and
    stored with its SHA-256, once more for a re-export (same checksum);
(b) a return file of every payment (1% failed) through the staged import: upload + validation, then commit;
(c) the reconciliation (two GROUP BYs) for the district;
(d) a reissue of the failed payments after their accounts were replaced.
"""

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, databases, enrolment_args  # noqa: E402

# BENCH_DB_NAME: another name for the benchmark's own database (on a server shared with other benchmarks)
DATABASE = BenchDatabase(os.environ.get("BENCH_DB_NAME", "bank_bench"))


def _timed(result: dict, key: str, fn):
    started = time.perf_counter()
    value = fn()
    result[key] = round(time.perf_counter() - started, 2)
    return value


def return_file(cycle, bank_name: str) -> bytes:
    """Every payment of the bank's first-round file; each hundredth failed."""
    from payments.models import BankPayment

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["序号", "账号", "金额", "结果", "失败原因"])
    rows = (BankPayment.objects.filter(cycle=cycle, round=1, bank_name=bank_name).order_by("seq")
            .values_list("seq", "account_number", "amount"))
    for seq, account, amount in rows.iterator(chunk_size=10_000):
        failed = seq % 100 == 0
        writer.writerow([seq, account, f"{amount:.2f}", "失败" if failed else "成功", "账户已销户" if failed else ""])
    return buffer.getvalue().encode("utf-8")


def replace_failed_accounts(cycle) -> None:
    """The officer's fix, set-based: the failed payees' accounts invalidated and new ones registered."""
    from django.db import connection

    failed = "SELECT person_id FROM payments_bankpayment WHERE cycle_id = %s AND status = 'failed'"
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    with connection.cursor() as c:
        c.execute(f"UPDATE payments_bankaccount SET valid = NOT {true} WHERE valid AND person_id IN ({failed})",
                  [cycle.pk])
        c.execute("INSERT INTO payments_bankaccount (person_id, area_id, bank_name, account_number, valid, "
                  "updated_at) SELECT p.person_id, p.area_id, '中国工商银行', "
                  f"'622202' || CAST(1000000000 + p.person_id AS TEXT), {true}, CURRENT_TIMESTAMP "
                  "FROM payments_bankpayment p WHERE p.cycle_id = %s AND p.status = 'failed'", [cycle.pk])


def measure(n: int) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from accounts.services import user_create
    from bench.payroll import build
    from payments.generation import cycle_generate_now
    from payments.models import BankPayment, PaymentCycle, PaymentException
    from payments.reconciliation import reconciliation
    from payments.services import cycle_approve, cycle_open
    from payments.services_bank import bank_files_generate, bank_return_commit, bank_return_upload, payments_reissue

    call_command("migrate", verbosity=0)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    officer = user_create(username="bench_do", password="Bench-Password-2026!", roles=["district_officer"],
                          area_code="500106000000", validate=False)
    approver = user_create(username="bench_da", password="Bench-Password-2026!", roles=["district_approver"],
                           area_code="500106000000", validate=False)
    result = {"vendor": connection.vendor, "enrolments": n, **build(n)}
    march = cycle_open(acting_user=officer, month=date(2026, 3, 1))
    cycle_generate_now(PaymentCycle.objects.select_related("district").get(pk=march.pk), acting_user=officer)
    PaymentException.objects.filter(cycle=march, status="open").update(status="accepted", resolution="基准测试")
    cycle = cycle_approve(acting_user=approver, cycle=march)
    cycle.refresh_from_db()
    result["lines"] = cycle.line_count

    files = _timed(result, "export_s", lambda: bank_files_generate(acting_user=officer, cycle=cycle))
    result["payments"] = BankPayment.objects.filter(cycle=cycle).count()
    result["file_mb"] = round(sum(f.item_count and len(bytes(f.content)) for f in files) / 1e6, 1)
    again = _timed(result, "reexport_s", lambda: bank_files_generate(acting_user=officer, cycle=cycle))
    result["same_checksum"] = [f.checksum for f in files] == [f.checksum for f in again]

    biggest = max(files, key=lambda f: f.item_count)
    content = return_file(cycle, biggest.bank_name)
    upload = _timed(result, "return_validate_s", lambda: bank_return_upload(
        acting_user=officer, bank_file=biggest, filename="回盘.csv", content=content))
    _timed(result, "return_commit_s", lambda: bank_return_commit(acting_user=officer, bank_return=upload))
    upload.import_batch.refresh_from_db()
    result["return_rows"] = upload.import_batch.total_rows
    result["return_summary"] = upload.import_batch.summary

    report = _timed(result, "reconciliation_s", lambda: reconciliation(user=officer, cycle=cycle))
    result["adds_up"] = report["total"]["total"]["amount"] == cycle.total_amount
    replace_failed_accounts(cycle)
    reissued = _timed(result, "reissue_s", lambda: payments_reissue(acting_user=officer, cycle=cycle))
    result["reissued"] = sum(f.item_count for f in reissued)
    return result


def child(args: argparse.Namespace) -> None:
    child_run(lambda: measure(args.enrolments))


def run_db(db: str, args: argparse.Namespace) -> dict:
    return DATABASE.run_child(db, __file__, ["--enrolments", str(args.enrolments)])


def main() -> None:
    args = enrolment_args(__doc__, enrolments=100_000, db="both")
    if args.child:
        child(args)
        return
    for db in databases(args.db):
        print(json.dumps(run_db(db, args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
