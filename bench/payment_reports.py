"""Supervision-report benchmark (资金监管报表基准): each report over two months of a realistic payroll.

    .venv/bin/python bench/payment_reports.py --enrolments 100000 --db postgres

A child process builds a fresh database (PostgreSQL `pay_reports_bench`, SQLite in /tmp) with the payroll
benchmark's set-based builder (`bench.payroll.build`), generates and approves February, generates March, then
times every report (JSON build, and the XLSX export of the amounts report) for the district officer (the whole
district) and a town officer (one town), best of `--repeat` runs.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, databases, enrolment_args  # noqa: E402

DATABASE = BenchDatabase("pay_reports_bench")


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(min(times), 3)


def measure(n: int, repeat: int) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from accounts.services import user_create
    from bench.payroll import build
    from payments.generation import cycle_generate_now
    from payments.models import PaymentCycle, PaymentException, PaymentLine
    from payments.report_xlsx import report_export
    from payments.reports import REPORTS, filter_parse, report_build
    from payments.services import cycle_approve, cycle_open

    call_command("migrate", verbosity=0)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    password = "Bench-Password-2026!"
    officer = user_create(username="bench_do", password=password, roles=["district_officer"],
                          area_code="500106000000", validate=False)
    approver = user_create(username="bench_da", password=password, roles=["district_approver"],
                           area_code="500106000000", validate=False)
    town = user_create(username="bench_to", password=password, roles=["town_officer"], area_code="500106001000",
                       validate=False)
    result = {"vendor": connection.vendor, "enrolments": n, **build(n)}
    for month in (date(2026, 2, 1), date(2026, 3, 1)):
        cycle = cycle_open(acting_user=officer, month=month)
        cycle_generate_now(PaymentCycle.objects.select_related("district").get(pk=cycle.pk), acting_user=officer)
        if month.month == 2:
            PaymentException.objects.filter(cycle=cycle, status="open").update(status="accepted", resolution="基准")
            cycle_approve(acting_user=approver, cycle=cycle)
    result["lines"] = PaymentLine.objects.count()
    with connection.cursor() as c:
        c.execute("ANALYZE")
    for who, user in (("district", officer), ("town", town)):
        f = filter_parse(user=user, start="2026-02", end="2026-03")
        for key in REPORTS:
            result[f"{who}_{key}_s"] = _best(lambda k=key, u=user, ff=f: report_build(user=u, key=k, f=ff), repeat)
        result[f"{who}_amounts_xlsx_s"] = _best(lambda u=user, ff=f: report_export(user=u, key="amounts", f=ff),
                                                repeat)
    return result


def child(args: argparse.Namespace) -> None:
    child_run(lambda: measure(args.enrolments, args.repeat))


def run_db(db: str, args: argparse.Namespace) -> dict:
    return DATABASE.run_child(db, __file__, ["--enrolments", str(args.enrolments), "--repeat", str(args.repeat)])


def main() -> None:
    args = enrolment_args(__doc__, enrolments=100_000, db="postgres", repeat=2)
    if args.child:
        child(args)
        return
    for db in databases(args.db):
        print(json.dumps(run_db(db, args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
