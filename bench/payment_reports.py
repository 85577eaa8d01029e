"""Supervision-report benchmark (资金监管报表基准): each report over two months of a realistic payroll.

    .venv/bin/python bench/payment_reports.py --enrolments 100000 --db postgres

A child process builds a fresh database (PostgreSQL `pay_reports_bench`, SQLite in /tmp) with the payroll
benchmark's set-based builder (`bench.payroll.build`), generates and approves February, generates March, then
times every report (JSON build, and the XLSX export of the amounts report) for the district officer (the whole
district) and a town officer (one town), best of `--repeat` runs.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/pay_reports_bench.sqlite3")
PG_NAME = "pay_reports_bench"


def database_url(db: str) -> str:
    return f"postgres://root@127.0.0.1:5432/{PG_NAME}" if db == "postgres" else f"sqlite:///{SQLITE_PATH}"


def fresh_database(db: str) -> None:
    if db == "postgres":
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", PG_NAME], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", PG_NAME], check=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


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
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django

    django.setup()
    print("RESULT " + json.dumps(measure(args.enrolments, args.repeat), ensure_ascii=False), flush=True)


def run_db(db: str, args: argparse.Namespace) -> dict:
    fresh_database(db)
    env = {**os.environ, "DATABASE_URL": database_url(db), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "minzheng.settings"}
    env.pop("CELERY_BROKER_URL", None)
    command = [sys.executable, str(Path(__file__)), "--child", "--enrolments", str(args.enrolments),
               "--repeat", str(args.repeat)]
    print(f"$ DATABASE_URL={env['DATABASE_URL']} DEBUG=0 {' '.join(command)}", flush=True)
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
        raise SystemExit(out.returncode)
    line = next(row for row in out.stdout.splitlines() if row.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for db in (["postgres", "sqlite"] if args.db == "both" else [args.db]):
        print(json.dumps(run_db(db, args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
