"""Disability coverage benchmark (两项补贴全覆盖核查基准): the platform's coverage lists (`disability.coverage`:
应享未享 and 已享但不再符合, for both subsidies) next to hand-written SQL producing the same two lists.

    .venv/bin/python bench/coverage.py --persons 1500000 --db both

For each database a child process builds a fresh database (PostgreSQL `bench_coverage` or $COVERAGE_BENCH_DB,
SQLite in /tmp), loads the 沙坪坝区 areas and writes set-based: N persons in households of three (every one an
active member), 低保 enrolments for every tenth household, one 残疾人证 for every 25th person (N/25: 60,000 at
1.5 M; grades 1–4 in turn, one in 40 withdrawn, one in 50 issued after the month), 特困 for one holder in 13, and
enrolments in the two subsidies for four holders in five — among them people no longer eligible (a grade-3/4
holder with the care subsidy, a holder outside 低保 with the living allowance). Then, for 2026-02, it times:
(a) the platform: for each subsidy the ids of `missing(...)` and the (enrolment, person) pairs of
    `ineligible_enrolled(...)` — the ORM queries the check, the API and the page run;
(b) hand-written SQL: the same four lists, one statement each, written for the data at hand.
The lists of (a) and (b) are checked to be equal. Each is run --repeat times (3) and the best kept. The full
monthly check (`coverage_check_run`: the lists plus the warnings, tasks and task events inserted) is timed once
after, for information.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, communities_numbered, databases  # noqa: E402

DATABASE = BenchDatabase(os.environ.get("COVERAGE_BENCH_DB", "bench_coverage"))
MONTH_END = "2026-02-28"


# ---------------------------------------------------------------- child: runs inside Django


def build(n: int) -> dict:
    from django.db import connection

    pg = connection.vendor == "postgresql"
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    def series(count: str) -> tuple[str, str]:
        head = "" if pg else f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {count}) "
        return head, (f"generate_series(1, {count}) AS g(i)" if pg else "g")

    def day(text: str) -> str:
        return f"CAST('{text}' AS date)" if pg else f"'{text}'"

    households = (n + 2) // 3
    started = time.perf_counter()
    with connection.cursor() as c:
        communities = communities_numbered(c)
        head, source = series(str(households))
        area = f"(SELECT code FROM comm WHERE k = g.i % {communities})"
        c.execute(f"{head}INSERT INTO registry_household (id, area_id, hukou_type, address, status, created_at, "
                  f"updated_at) SELECT g.i, {area}, 'urban', '', 'active', {now}, {now} FROM {source}")
        head, source = series(str(n))
        hh = "((g.i - 1) / 3 + 1)"
        area = f"(SELECT code FROM comm WHERE k = {hh} % {communities})"
        c.execute(f"{head}INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, name_pinyin, "
                  f"name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, updated_at) "
                  f"SELECT g.i, NULL, 'other', '', '居民' || g.i, '', '', '', NULL, {area}, '', 'active', NULL, "
                  f"{now}, {now} FROM {source}")
        c.execute(f"{head}INSERT INTO registry_householdmember (id, household_id, person_id, relation, area_id, "
                  f"joined_on, left_on, is_active) SELECT g.i, {hh}, g.i, CASE WHEN g.i % 3 = 1 THEN 'head' "
                  f"ELSE 'child' END, {area}, NULL, NULL, {'TRUE' if pg else 1} FROM {source}")
        # 低保: every tenth household, the head as applicant
        c.execute("INSERT INTO programs_enrolment (program_id, household_id, person_id, area_id, status, "
                  "monthly_amount, start_month, end_month, phase_out_until, care_level, support_mode, calculation, "
                  f"decided_at, end_reason) SELECT 'dibao', h.id, h.id * 3 - 2, h.area_id, 'active', 500, "
                  f"{day('2025-01-01')}, NULL, NULL, '', '', '{{}}', {now}, '' FROM registry_household h "
                  "WHERE h.id % 10 = 0")
        # certificates: every 25th person; k = i / 25 numbers them
        k = "(p.id / 25)"
        issued = f"CASE WHEN {k} % 50 = 7 THEN {day('2026-03-15')} ELSE {day('2020-06-01')} END"
        current = f"CASE WHEN {k} % 40 = 3 THEN {'FALSE' if pg else 0} ELSE {'TRUE' if pg else 1} END"
        c.execute("INSERT INTO registry_disability (person_id, category, grade, certificate_number, issued_on, "
                  f"is_current, area_id) SELECT p.id, 'physical', 1 + {k} % 4, '', {issued}, {current}, p.area_id "
                  "FROM registry_person p WHERE p.id % 25 = 0")
        holder = "FROM registry_disability d JOIN registry_person p ON p.id = d.person_id"
        enrol = ("INSERT INTO programs_enrolment (program_id, household_id, person_id, area_id, status, "
                 "monthly_amount, start_month, end_month, phase_out_until, care_level, support_mode, calculation, "
                 "decided_at, end_reason) SELECT {program}, NULL, p.id, p.area_id, 'active', {amount}, "
                 f"{day('2026-01-01')}, NULL, NULL, '', '', '{{{{}}}}', {now}, '' {holder} WHERE {{where}}")
        c.execute(enrol.format(program="'tekun'", amount=1001, where=f"{k} % 13 = 5"))
        c.execute(enrol.format(program="'disability_care'", amount=110,
                               where=f"{k} % 5 <> 0 AND {k} % 13 <> 5 AND (d.grade <= 2 OR {k} % 7 = 0)"))
        in_dibao = "((p.id - 1) / 3 + 1) % 10 = 0"
        c.execute(enrol.format(program="'disability_living'", amount=100,
                               where=f"{k} % 5 <> 0 AND {k} % 13 <> 5 AND ({in_dibao} OR {k} % 11 = 0)"))
        if pg:
            for table in ("registry_person", "registry_household", "registry_householdmember", "programs_enrolment",
                          "registry_disability"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        c.execute("ANALYZE")
        c.execute("SELECT COUNT(*) FROM registry_disability")
        certificates = c.fetchone()[0]
    return {"build_s": round(time.perf_counter() - started, 2), "certificates": certificates}


def raw_lists() -> dict:
    """The four lists by hand: each statement starts from the certificates (the small table), as one writes it."""
    from django.db import connection

    holding = "('active', 'phasing_out', 'suspended')"
    cert = (f"FROM registry_disability d JOIN registry_person p ON p.id = d.person_id AND p.status = 'active' "
            f"WHERE d.is_current AND (d.issued_on IS NULL OR d.issued_on <= '{MONTH_END}')")
    not_tekun = ("NOT EXISTS (SELECT 1 FROM programs_enrolment t WHERE t.person_id = p.id AND t.program_id = 'tekun' "
                 f"AND t.status IN {holding})")
    in_dibao = ("EXISTS (SELECT 1 FROM registry_householdmember m JOIN programs_enrolment b ON b.household_id = "
                "m.household_id AND b.program_id = 'dibao' AND b.status IN ('active', 'phasing_out') "
                "WHERE m.person_id = p.id AND m.is_active)")

    def not_holding(program: str) -> str:
        return (f"NOT EXISTS (SELECT 1 FROM programs_enrolment x WHERE x.person_id = p.id AND "
                f"x.program_id = '{program}' AND x.status IN {holding})")

    care = f"d.grade <= 2 AND {not_tekun}"
    living = f"{not_tekun} AND {in_dibao}"
    statements = {
        "missing_care": f"SELECT DISTINCT p.id {cert} AND {care} AND {not_holding('disability_care')}",
        "missing_living": f"SELECT DISTINCT p.id {cert} AND {living} AND {not_holding('disability_living')}",
    }
    for key, program, condition in (("stale_care", "disability_care", care),
                                    ("stale_living", "disability_living", living)):
        statements[key] = (f"SELECT e.id, e.person_id FROM programs_enrolment e WHERE e.program_id = '{program}' "
                           f"AND e.status IN {holding} AND NOT EXISTS (SELECT 1 {cert} AND p.id = e.person_id "
                           f"AND {condition})")
    out = {}
    with connection.cursor() as c:
        for key, sql in statements.items():
            c.execute(sql)
            out[key] = sorted(c.fetchall())
    return out


def platform_lists() -> dict:
    from datetime import date

    from disability.coverage import ineligible_enrolled, missing

    month = date(2026, 2, 1)
    out = {}
    for short, code in (("care", "disability_care"), ("living", "disability_living")):
        out[f"missing_{short}"] = sorted((pk,) for pk in missing(code, month).values_list("pk", flat=True))
        out[f"stale_{short}"] = sorted(ineligible_enrolled(code, month).values_list("pk", "person_id"))
    return out


def measure(n: int, repeat: int) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from disability.services import coverage_check_run

    call_command("migrate", verbosity=0)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    result = {"vendor": connection.vendor, "persons": n, **build(n)}
    platform, raw, lists = [], [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        lists = platform_lists()
        platform.append(time.perf_counter() - started)
        started = time.perf_counter()
        by_hand = raw_lists()
        raw.append(time.perf_counter() - started)
        if by_hand != lists:
            differing = [k for k in lists if lists[k] != by_hand[k]]
            raise SystemExit(f"the hand-written lists differ from the platform's: {differing}")
    result["lists"] = {key: len(rows) for key, rows in lists.items()}
    result["platform_s"] = [round(t, 3) for t in platform]
    result["raw_s"] = [round(t, 3) for t in raw]
    result["ratio"] = round(min(platform) / min(raw), 2)
    started = time.perf_counter()
    check = coverage_check_run(month=date(2026, 2, 1))
    result["check_s"] = round(time.perf_counter() - started, 2)
    result["check"] = check["programs"]
    return result


# ---------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_500_000)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_run(lambda: measure(args.persons, args.repeat))
        return
    for db in databases(args.db):
        r = DATABASE.run_child(db, __file__, ["--persons", str(args.persons), "--repeat", str(args.repeat)])
        print(json.dumps(r, ensure_ascii=False))
        print(f"{r['vendor']}: {r['persons']:,} persons, {r['certificates']:,} certificates → platform lists "
              f"{min(r['platform_s'])} s, hand-written SQL {min(r['raw_s'])} s, ratio {r['ratio']}× (target ≤ 2×); "
              f"full monthly check with warnings {r['check_s']} s", flush=True)


if __name__ == "__main__":
    main()
