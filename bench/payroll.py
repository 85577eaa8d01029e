"""Payroll benchmark (发放生成基准): the platform's generation, checks included, next to ONE hand-written
INSERT … SELECT producing the same regular lines into the same table.

    .venv/bin/python bench/payroll.py --enrolments 300000 --db both

For each database a child process builds a fresh database (PostgreSQL `payroll_bench` or $PAYROLL_BENCH_DB,
SQLite in /tmp), loads the 沙坪坝区 areas, writes N enrolments set-based (2/3 低保 households of two, 1/3 特困
persons; 1% without a bank account, 1% with an overpayment being recovered), generates February through the
platform (so March meets a realistic line table: arrears, recovery and last-month checks have something to look
at), and then times March:
(a) `payments.generation.cycle_generate_now` — chunks, every line kind, all six checks, totals;
(b) the raw statement, whose lines are checked to equal the platform's regular lines column by column. Lines
of March are deleted between runs; each is run --repeat times (2) and the best time kept.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, communities_numbered, databases, enrolment_args  # noqa: E402

DATABASE = BenchDatabase(os.environ.get("PAYROLL_BENCH_DB", "payroll_bench"))


# ---------------------------------------------------------------- child: runs inside Django


def _sql(pg: bool) -> dict[str, str]:
    return {"now": "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')", "true": "TRUE" if pg else "1",
            "start": "CAST('2025-01-01' AS date)" if pg else "'2025-01-01'",
            "series": "generate_series(1, %s) AS g(i)" if pg else "g",
            "with": "" if pg else "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %s) "}


def build(n: int) -> dict:
    """Persons, households, members, enrolments, changes, bank accounts and overpayments, set-based."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    s = _sql(pg)
    households, persons_t = 2 * n // 3, n - 2 * n // 3
    people = 2 * households + persons_t
    started = time.perf_counter()
    with connection.cursor() as c:
        communities = communities_numbered(c)
        area = f"(SELECT code FROM comm WHERE k = ((g.i + 1) / 2) % {communities})"

        def series_insert(table: str, columns: str, select: str, count: int) -> None:
            head = s["with"] % count if not pg else ""
            source = s["series"] % count if pg else "g"
            c.execute(f"{head}INSERT INTO {table} ({columns}) SELECT {select} FROM {source}")

        series_insert("registry_person", "id, id_number, no_id_reason, other_document, name, name_pinyin, "
                      "name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, updated_at",
                      f"g.i, NULL, 'other', '', '人员' || g.i, '', '', '', NULL, {area}, '', 'active', NULL, "
                      f"{s['now']}, {s['now']}", people)
        area_h = f"(SELECT code FROM comm WHERE k = g.i % {communities})"
        series_insert("registry_household", "id, area_id, hukou_type, address, status, created_at, updated_at",
                      f"g.i, {area_h}, CASE WHEN g.i % 2 = 0 THEN 'urban' ELSE 'rural' END, '', 'active', "
                      f"{s['now']}, {s['now']}", households)
        series_insert("registry_householdmember", "household_id, person_id, relation, area_id, joined_on, left_on, "
                      "is_active", f"(g.i + 1) / 2, g.i, CASE WHEN g.i % 2 = 1 THEN 'head' ELSE 'spouse' END, "
                      f"{area}, NULL, NULL, {s['true']}", 2 * households)
        enrol_cols = ("id, program_id, household_id, person_id, area_id, status, monthly_amount, start_month, "
                      "end_month, phase_out_until, care_level, support_mode, calculation, decided_at, end_reason")
        series_insert("programs_enrolment", enrol_cols,
                      f"g.i, 'dibao', g.i, 2 * g.i - 1, {area_h}, 'active', 300 + g.i % 400, {s['start']}, NULL, "
                      f"NULL, '', '', '{{}}', {s['now']}, ''", households)
        area_p = f"(SELECT code FROM comm WHERE k = ((2 * {households} + g.i + 1) / 2) % {communities})"
        series_insert("programs_enrolment", enrol_cols,
                      f"{households} + g.i, 'tekun', NULL, 2 * {households} + g.i, {area_p}, 'active', "
                      f"1000 + g.i % 400, {s['start']}, NULL, NULL, '', '', '{{}}', {s['now']}, ''", persons_t)
        c.execute(f"INSERT INTO programs_enrolmentchange (enrolment_id, kind, from_amount, to_amount, from_status, "
                  f"to_status, reason, effective_month, area_id, at) SELECT id, 'start', NULL, monthly_amount, '', "
                  f"'active', '', start_month, area_id, {s['now']} FROM programs_enrolment")
        c.execute(f"INSERT INTO payments_bankaccount (person_id, area_id, bank_name, account_number, valid, "
                  f"updated_at) SELECT e.person_id, e.area_id, '重庆农村商业银行', "
                  f"'622100' || CAST(1000000000 + e.person_id AS TEXT), {s['true']}, {s['now']} "
                  f"FROM programs_enrolment e WHERE e.id % 100 <> 7")
        c.execute(f"INSERT INTO payments_overpayment (enrolment_id, area_id, total, instalment, recovered, status, "
                  f"reason, created_at) SELECT id, area_id, 300, 100, 0, 'open', '基准测试', {s['now']} "
                  f"FROM programs_enrolment WHERE id % 100 = 3")
        if pg:
            for table in ("registry_person", "registry_household", "programs_enrolment"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            c.execute("ANALYZE")
        else:
            c.execute("ANALYZE")
    return {"people": people, "households": households, "build_s": round(time.perf_counter() - started, 2)}


def raw_statement(cycle_id: int) -> str:
    """The practical limit: the regular lines of March in one INSERT … SELECT, written out by hand — the same
    columns, eligibility, formula JSON and bank snapshot as the platform's regular lines."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    obj = "jsonb_build_object" if pg else "json_object"
    money = "CAST(CAST(e.monthly_amount AS numeric(14, 2)) AS text)" if pg else "printf('%.2f', e.monthly_amount)"
    month = "CAST('2026-03-01' AS date)" if pg else "'2026-03-01'"
    changes = ("(SELECT COALESCE(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) FROM programs_enrolmentchange c "
               "WHERE c.enrolment_id = e.id AND c.effective_month <= k.m)" if pg else
               "json((SELECT json_group_array(c.id) FROM programs_enrolmentchange c "
               "WHERE c.enrolment_id = e.id AND c.effective_month <= k.m))")
    label = "to_char(k.m, 'YYYY-MM')" if pg else "substr(k.m, 1, 7)"
    return f"""INSERT INTO payments_paymentline (cycle_id, enrolment_id, program_id, person_id, household_id, area_id,
            month, covered_month, kind, amount, formula, overpayment_id, bank_account_id, bank_name, account_number,
            status, reason)
        SELECT {cycle_id}, e.id, e.program_id, e.person_id, e.household_id, e.area_id, k.m, k.m, 'regular',
            e.monthly_amount, {obj}('rule', '按月发放：月发放金额 × 1个月', 'monthly_amount', {money}, 'months', 1,
                                    'covered_month', {label}, 'program', e.program_id, 'enrolment_status', e.status,
                                    'change_ids', {changes}),
            NULL, b.id, COALESCE(b.bank_name, ''), COALESCE(b.account_number, ''), 'pending', ''
        FROM programs_enrolment e
        CROSS JOIN (SELECT {month} AS m) k
        LEFT JOIN registry_person p ON p.id = e.person_id
        LEFT JOIN payments_bankaccount b ON b.person_id = e.person_id AND b.valid
        WHERE e.status IN ('active', 'phasing_out', 'ended') AND e.monthly_amount > 0 AND e.start_month <= k.m
          AND (e.end_month IS NULL OR e.end_month >= k.m) AND (e.phase_out_until IS NULL OR e.phase_out_until >= k.m)
          AND (e.household_id IS NOT NULL OR p.id IS NULL OR p.status <> 'deceased' OR p.death_date >= k.m)
          AND (e.household_id IS NULL OR EXISTS (
              SELECT 1 FROM registry_householdmember hm JOIN registry_person hp ON hp.id = hm.person_id
              WHERE hm.household_id = e.household_id AND hm.is_active
                AND (hp.status <> 'deceased' OR hp.death_date >= k.m)))"""


COMPARED = ("enrolment_id, program_id, person_id, household_id, area_id, month, covered_month, kind, amount, formula, "
            "overpayment_id, bank_account_id, bank_name, account_number, status, reason")


def keep_platform_lines(cycle_id: int) -> None:
    """Copy the platform's regular lines, to check that the raw statement writes exactly the same ones."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_platform_lines")
        c.execute(f"CREATE TEMPORARY TABLE bench_platform_lines AS SELECT {COMPARED} FROM payments_paymentline "
                  f"WHERE cycle_id = %s AND kind = 'regular'", [cycle_id])


def raw_differs(cycle_id: int) -> int:
    """Lines in one set and not the other (both ways), every column compared; formula JSON included."""
    from django.db import connection

    raw = f"SELECT {COMPARED} FROM payments_paymentline WHERE cycle_id = %s"
    with connection.cursor() as c:
        c.execute(f"SELECT (SELECT COUNT(*) FROM ({raw} EXCEPT SELECT * FROM bench_platform_lines) a) "
                  f"+ (SELECT COUNT(*) FROM (SELECT * FROM bench_platform_lines EXCEPT {raw}) b)",
                  [cycle_id, cycle_id])
        return c.fetchone()[0]


def clear(cycle) -> None:
    from django.db import connection

    from payments.models import GenerationChunk, PaymentCycle, PaymentException, PaymentLine

    PaymentException.objects.filter(cycle=cycle).delete()
    PaymentLine.objects.filter(cycle=cycle)._raw_delete(connection.alias)
    GenerationChunk.objects.filter(cycle=cycle).delete()
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="open", line_count=0, total_amount=0, totals={})
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE payments_paymentline" if connection.vendor == "postgresql" else "ANALYZE")


def measure(n: int, repeat: int, serial_too: bool = False) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from accounts.services import user_create
    from minzheng import sql as dialect
    from payments.generation import cycle_generate_now
    from payments.models import PaymentCycle, PaymentException, PaymentLine
    from payments.services import cycle_approve, cycle_open

    call_command("migrate", verbosity=0)
    with connection.cursor() as c:
        # The connection settings the platform's generation uses (SQLite page cache), for both contenders.
        dialect.tune_connection(c)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    officer = user_create(username="bench_do", password="Bench-Password-2026!", roles=["district_officer"],
                          area_code="500106000000", validate=False)
    approver = user_create(username="bench_da", password="Bench-Password-2026!", roles=["district_approver"],
                           area_code="500106000000", validate=False)
    result = {"vendor": connection.vendor, "enrolments": n, **build(n)}
    feb = cycle_open(acting_user=officer, month=date(2026, 2, 1))
    started = time.perf_counter()
    cycle_generate_now(PaymentCycle.objects.select_related("district").get(pk=feb.pk), acting_user=officer)
    result["february_s"] = round(time.perf_counter() - started, 2)
    PaymentException.objects.filter(cycle=feb, status="open").update(status="accepted", resolution="基准测试")
    cycle_approve(acting_user=approver, cycle=feb)
    march = cycle_open(acting_user=officer, month=date(2026, 3, 1))
    platform, raw, steps, serial = [], [], [], []
    for _ in range(repeat):
        cycle = PaymentCycle.objects.select_related("district").get(pk=march.pk)
        if serial_too:
            # the same generation with the chunks one after the other, side by side with the parallel run
            started = time.perf_counter()
            cycle_generate_now(cycle, acting_user=officer, workers=1)
            serial.append(time.perf_counter() - started)
            clear(march)
            cycle = PaymentCycle.objects.select_related("district").get(pk=march.pk)
        started = time.perf_counter()
        summary = cycle_generate_now(cycle, acting_user=officer)
        platform.append(time.perf_counter() - started)
        steps.append(summary["timings"])
        lines = PaymentLine.objects.filter(cycle=march).values_list("kind").order_by()
        result["platform_lines"] = {k: lines.filter(kind=k).count() for k in ("regular", "arrears", "recovery")}
        result["exceptions_open"] = summary["exceptions_open"]
        keep_platform_lines(march.pk)
        clear(march)
        with connection.cursor() as c:
            started = time.perf_counter()
            c.execute(raw_statement(march.pk))
            raw.append(time.perf_counter() - started)
        result["raw_lines"] = PaymentLine.objects.filter(cycle=march).count()
        result["raw_lines_differing"] = raw_differs(march.pk)
        if result["raw_lines_differing"]:
            raise SystemExit(f"the raw statement's lines differ from the platform's: {result}")
        clear(march)
    result["platform_s"] = [round(t, 2) for t in platform]
    result["raw_s"] = [round(t, 2) for t in raw]
    result["platform_steps"] = steps  # per run: chunks, statistics, checks total and each check (seconds)
    result["ratio"] = round(min(platform) / min(raw), 2)
    result["chunk_workers"] = steps[-1].get("chunk_workers")
    if serial:
        result["serial_s"] = [round(t, 2) for t in serial]
        result["serial_ratio"] = round(min(serial) / min(raw), 2)
    result["load"] = os.getloadavg()
    return result


def child(args: argparse.Namespace) -> None:
    child_run(lambda: measure(args.enrolments, args.repeat, SERIAL_TOO))


# ---------------------------------------------------------------- parent


def run_db(db: str, args: argparse.Namespace) -> dict:
    return DATABASE.run_child(db, __file__, ["--enrolments", str(args.enrolments), "--repeat", str(args.repeat),
                                             *(["--serial-too"] if SERIAL_TOO else [])])


# --serial-too: also time the generation with its chunks one after the other (workers=1), side by side with
# the parallel chunks (payments.generation.chunk_workers: 2 on PostgreSQL)
SERIAL_TOO = "--serial-too" in sys.argv
if SERIAL_TOO:
    sys.argv.remove("--serial-too")


def main() -> None:
    args = enrolment_args(__doc__, enrolments=300_000, db="both", repeat=2)
    if args.child:
        child(args)
        return
    for db in databases(args.db):
        r = run_db(db, args)
        print(json.dumps(r, ensure_ascii=False))
        for run, steps in enumerate(r["platform_steps"], 1):
            checks = ", ".join(f"{name} {seconds}" for name, seconds in steps["checks_s"].items())
            print(f"  platform run {run}: chunks {steps['chunks_s']} s, statistics {steps['statistics_s']} s, "
                  f"checks {steps['checks_total_s']} s ({checks})")
        print(f"{r['vendor']}: {r['enrolments']:,} enrolments → platform (generation + checks) "
              f"{min(r['platform_s'])} s with {r['chunk_workers']} chunk worker(s), raw INSERT … SELECT "
              f"{min(r['raw_s'])} s, ratio {r['ratio']}× (target ≤ 1.5×)"
              + (f"; serial chunks {min(r['serial_s'])} s, ratio {r['serial_ratio']}×" if r.get("serial_s") else "")
              + f"; load average {r['load'][0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
