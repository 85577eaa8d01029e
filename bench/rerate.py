"""Re-rating benchmark (调整待遇基准): the platform's `programs.rerate.enrolments_rerate` next to ONE hand-written
`UPDATE … FROM` doing the same arithmetic on the same enrolments.

    .venv/bin/python bench/rerate.py --enrolments 300000 --db both

For each database a child process builds a fresh database (PostgreSQL `bench_rerate` or $RERATE_BENCH_DB, SQLite
in /tmp), loads the 沙坪坝区 areas and writes N 低保 households set-based (urban and rural alternately, 1–4
members, per-capita income 0.00–699.99), each enrolled at the 2025 standard (750 urban / 610 rural) with the
quote facts the platform stores (`calculation`: per_capita_income, household_size). Then it times the
re-rating to the seeded 2026 standards (770 / 630) from 2026-01:
(a) the platform: `enrolments_rerate(apply=True)` — the items (one INSERT … SELECT per chunk through the
    registered set-based form), the preview by town, one `EnrolmentChange` per enrolment, the amounts and the
    calculation note (UPDATE … FROM per chunk);
(b) the raw statement: one UPDATE … FROM of the amounts with the same arithmetic, the standards written in.
The amounts of (b) are checked to equal those of (a) for every enrolment. The enrolments are restored between
runs; each is run --repeat times (2) and the best time kept.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, communities_numbered, databases, enrolment_args  # noqa: E402

DATABASE = BenchDatabase(os.environ.get("RERATE_BENCH_DB", "bench_rerate"))


# ---------------------------------------------------------------- child: runs inside Django


def build(n: int) -> dict:
    """Households and their 低保 enrolments with stored quote facts, set-based."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    start = "CAST('2025-12-01' AS date)" if pg else "'2025-12-01'"
    head = "" if pg else f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
    source = f"generate_series(1, {n}) AS g(i)" if pg else "g"
    pci_fen, size = "((CAST(g.i AS BIGINT) * 7919) % 70000)", "(1 + g.i % 4)"
    standard_fen = "CASE WHEN g.i % 2 = 0 THEN 75000 ELSE 61000 END"
    amount = (f"ROUND(CAST(((CASE WHEN {standard_fen} > {pci_fen} THEN {standard_fen} - {pci_fen} ELSE 0 END) "
              f"* {size}) AS numeric) / 100, 2)" if pg else
              f"ROUND(((CASE WHEN {standard_fen} > {pci_fen} THEN {standard_fen} - {pci_fen} ELSE 0 END) "
              f"* {size}) / 100.0, 2)")
    pci_text = (f"CAST(CAST({pci_fen} AS numeric) / 100 AS numeric(14, 2))::text" if pg
                else f"printf('%.2f', {pci_fen} / 100.0)")
    calc = (f"jsonb_build_object('month', '2025-12', 'per_capita_income', {pci_text}, 'household_size', {size})"
            if pg else f"json_object('month', '2025-12', 'per_capita_income', {pci_text}, 'household_size', {size})")
    started = time.perf_counter()
    with connection.cursor() as c:
        communities = communities_numbered(c)
        area = f"(SELECT code FROM comm WHERE k = g.i % {communities})"
        c.execute(f"{head}INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, name_pinyin, "
                  f"name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, updated_at) "
                  f"SELECT g.i, NULL, 'other', '', '户主' || g.i, '', '', '', NULL, {area}, '', 'active', NULL, "
                  f"{now}, {now} FROM {source}")
        c.execute(f"{head}INSERT INTO registry_household (id, area_id, hukou_type, address, status, created_at, "
                  f"updated_at) SELECT g.i, {area}, CASE WHEN g.i % 2 = 0 THEN 'urban' ELSE 'rural' END, '', "
                  f"'active', {now}, {now} FROM {source}")
        c.execute(f"{head}INSERT INTO programs_enrolment (id, program_id, household_id, person_id, area_id, status, "
                  f"monthly_amount, start_month, end_month, phase_out_until, care_level, support_mode, calculation, "
                  f"decided_at, end_reason) SELECT g.i, 'dibao', g.i, g.i, {area}, 'active', {amount}, {start}, "
                  f"NULL, NULL, '', '', {calc}, {now}, '' FROM {source}")
        if pg:
            for table in ("registry_person", "registry_household", "programs_enrolment"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        c.execute("ANALYZE")
        c.execute("CREATE TABLE bench_original AS SELECT id, monthly_amount, calculation FROM programs_enrolment")
        c.execute("CREATE UNIQUE INDEX bench_original_id ON bench_original (id)")
    return {"build_s": round(time.perf_counter() - started, 2)}


def raw_statement() -> str:
    """The practical limit: the new amounts in one UPDATE … FROM, by hand — (standard − stored per-capita income)
    × stored size in whole fen, the standard of the household's 户籍类型 written in (770 / 630)."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    if pg:
        pci = "CAST(ROUND(CAST(e.calculation ->> 'per_capita_income' AS numeric) * 100) AS BIGINT)"
        size = "CAST(e.calculation ->> 'household_size' AS BIGINT)"
        standard = "CASE WHEN h.hukou_type = 'rural' THEN 63000 ELSE 77000 END"
        return f"""UPDATE programs_enrolment e
            SET monthly_amount = ROUND(CAST(GREATEST({standard} - {pci}, 0) * {size} AS numeric) / 100, 2)
            FROM registry_household h
            WHERE h.id = e.household_id AND e.program_id = 'dibao'
              AND e.status IN ('active', 'phasing_out', 'suspended')"""
    pci = "CAST(ROUND(CAST(json_extract(e.calculation, '$.per_capita_income') AS NUMERIC) * 100) AS BIGINT)"
    size = "CAST(json_extract(e.calculation, '$.household_size') AS BIGINT)"
    standard = "CASE WHEN h.hukou_type = 'rural' THEN 63000 ELSE 77000 END"
    return f"""UPDATE programs_enrolment AS e
        SET monthly_amount = ROUND(MAX({standard} - {pci}, 0) * {size} / 100.0, 2)
        FROM registry_household h
        WHERE h.id = e.household_id AND e.program_id = 'dibao' AND e.status IN ('active', 'phasing_out', 'suspended')"""


def restore() -> None:
    """The enrolments as built, no re-rating or change record: the starting point of every run (not timed)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DELETE FROM programs_enrolmentchange")
        c.execute("DELETE FROM programs_rerateitem")
        c.execute("UPDATE programs_enrolment SET monthly_amount = o.monthly_amount, calculation = o.calculation "
                  "FROM bench_original o WHERE o.id = programs_enrolment.id")
        c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def amounts_differ() -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM programs_enrolment e JOIN bench_platform p ON p.id = e.id "
                  "WHERE p.monthly_amount <> e.monthly_amount")
        return c.fetchone()[0]


def measure(n: int, repeat: int) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from accounts.services import user_create
    from programs.models import Program, Rerate
    from programs.rerate import enrolments_rerate

    call_command("migrate", verbosity=0)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    officer = user_create(username="bench_do", password="Bench-Password-2026!", roles=["district_officer"],
                          area_code="500106000000", validate=False)
    result = {"vendor": connection.vendor, "enrolments": n, **build(n)}
    platform, raw = [], []
    for _ in range(repeat):
        rerate = Rerate.objects.create(program=Program.objects.get(code="dibao"), cause=Rerate.Cause.PARAMETER,
                                       area_code="500000000000", valid_from=date(2026, 1, 1),
                                       status=Rerate.Status.CONFIRMED, confirmed_by=officer)
        steps: dict = {}
        started = time.perf_counter()
        rerate = enrolments_rerate(rerate=rerate, acting_user=officer, apply=True, timings=steps)
        platform.append(time.perf_counter() - started)
        result.setdefault("platform_steps", []).append(steps)
        result["changed"] = rerate.enrolments
        result["monthly_difference"] = str(rerate.monthly_difference)
        with connection.cursor() as c:
            c.execute("SELECT COUNT(*) FROM programs_enrolmentchange WHERE kind = 'change'")
            result["change_records"] = c.fetchone()[0]
            c.execute("DROP TABLE IF EXISTS bench_platform")
            c.execute("CREATE TABLE bench_platform AS SELECT id, monthly_amount FROM programs_enrolment")
        restore()
        with connection.cursor() as c:
            started = time.perf_counter()
            c.execute(raw_statement())
            raw.append(time.perf_counter() - started)
        result["raw_amounts_differing"] = amounts_differ()
        if result["raw_amounts_differing"]:
            raise SystemExit(f"the raw statement's amounts differ from the platform's: {result}")
        restore()
    result["platform_s"] = [round(t, 2) for t in platform]
    result["raw_s"] = [round(t, 2) for t in raw]
    result["ratio"] = round(min(platform) / min(raw), 2)
    return result


def child(args: argparse.Namespace) -> None:
    child_run(lambda: measure(args.enrolments, args.repeat))


# ---------------------------------------------------------------- parent


def main() -> None:
    args = enrolment_args(__doc__, enrolments=300_000, db="both", repeat=2)
    if args.child:
        child(args)
        return
    for db in databases(args.db):
        r = DATABASE.run_child(db, __file__, ["--enrolments", str(args.enrolments), "--repeat", str(args.repeat)])
        print(json.dumps(r, ensure_ascii=False))
        print(f"{r['vendor']}: {r['enrolments']:,} enrolments, {r['changed']:,} re-rated → platform "
              f"(items, preview, change records, amounts) {min(r['platform_s'])} s, raw UPDATE … FROM "
              f"{min(r['raw_s'])} s, ratio {r['ratio']}× (target ≤ 3×)", flush=True)


if __name__ == "__main__":
    main()
