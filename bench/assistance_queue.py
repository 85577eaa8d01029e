"""Benchmark of the social-assistance work queue and case page (社会救助待办与案件页基准测试).

    .venv/bin/python bench/assistance_queue.py --cases 40000 --db both [--requests 50]
        [--doc docs/benchmarks-assistance.md] [--results DIR] [--keep] [--reuse]

For each database (SQLite /tmp/aqb_bench.sqlite3, PostgreSQL aqb_bench — override with AQB_BENCH_SQLITE /
AQB_BENCH_POSTGRES_URL) a child process with DATABASE_URL pointed at it:

1. builds the data unless `--reuse` finds it: migrate, `manage.py load_areas areas/data/areas-500106.csv`,
   `manage.py load_demo` (households with members, incomes, assets — set-based), one town officer and one town
   reviewer per town, then `--cases` open applications spread over every town and every open state (plus a
   quarter as many closed ones: confirmed, rejected, withdrawn) with their deadlines computed by
   `casework.deadlines.case_deadlines_compute` (CaseDeadline rows), their CaseSteps, investigations (two
   investigators each),
   verifications, evaluations, public notices and objections — all written with bulk_create in chunks, never
   through the services one row at a time;
2. times, with django.test.Client logged in, `--requests` requests each of: the work-queue page
   (`assistance-queue`) as a town officer, a district officer and a district approver; `GET /api/work-queue/`
   as a town officer and a district officer; the case page (`assistance-case`) and `GET /api/applications/{id}/`
   for random cases in every state — median and p95 wall-clock ms, and the number of SQL queries per request
   (CaptureQueriesContext);
3. for any request whose p95 exceeds 300 ms, records the slowest query of one such request and its plan
   (EXPLAIN / EXPLAIN QUERY PLAN).

It prints the report; it writes a file only where told: `--doc FILE` rewrites the figures of that report (e.g.
docs/benchmarks-assistance.md), keeping the hand-written analysis below its marker; `--results DIR` keeps each
database's raw figures there (DIR/aqb_bench_<db>.json) for a later `--report-only --results DIR`. The databases it
made are dropped at the end unless `--keep` (which a later `--reuse` needs).
"""

import argparse
import json
import math
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

# Production settings over plain HTTP: DEBUG off needs a SECRET_KEY, and the test client speaks HTTP, so the
# HTTPS redirect is loosened explicitly (minzheng/settings.py: secure by default).
BENCH_SETTINGS = {"SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-not-secret-" + "x" * 40,
                  "SECURE_SSL_REDIRECT": "0"}

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SQLITE_PATH = Path(os.environ.get("AQB_BENCH_SQLITE", "/tmp/aqb_bench.sqlite3"))
POSTGRES_URL = os.environ.get("AQB_BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432/aqb_bench")
DISTRICT_FILE = "areas/data/areas-500106.csv"
DISTRICT = "500106000000"
SEED = 20261126
SLOW_MS = 300.0
CHUNK = 5000
BENCH_PREFIX = "bench_"
ANALYSIS_MARK = "<!-- analysis: kept across reruns -->"

# Programme mix of the applications, and the open states with their weights (approved_pending_completion only
# for 临时救助 急难型; the others for every programme). Closed cases are a quarter as many again.
PROGRAMS = [("dibao", 60), ("tekun", 8), ("dibao_bianyuan", 10), ("gangxing_zhichu", 7), ("linshi", 15)]
OPEN_WEIGHTS = [("submitted", 6), ("materials_requested", 4), ("accepted", 12), ("investigated", 12),
                ("verified", 10), ("evaluated", 10), ("reviewed", 12), ("publicised", 14), ("reinvestigating", 3),
                ("approved_pending_completion", 4)]
CLOSED_WEIGHTS = [("confirmed", 70), ("rejected", 15), ("withdrawn", 15)]
PATHS = {
    "submitted": ["submit"],
    "materials_requested": ["submit", "accept:materials"],
    "accepted": ["submit", "accept"],
    "approved_pending_completion": ["submit", "accept", "urgent_approve"],
    "investigated": ["submit", "accept", "investigate"],
    "verified": ["submit", "accept", "investigate", "verify"],
    "evaluated": ["submit", "accept", "investigate", "verify", "evaluate"],
    "reviewed": ["submit", "accept", "investigate", "verify", "evaluate", "review"],
    "publicised": ["submit", "accept", "investigate", "verify", "evaluate", "review", "publish"],
    "reinvestigating": ["submit", "accept", "investigate", "verify", "evaluate", "review", "publish",
                        "objection"],
    "confirmed": ["submit", "accept", "investigate", "verify", "evaluate", "review", "publish", "confirm"],
    "rejected": ["submit", "accept", "investigate", "verify", "evaluate", "review:disagree", "reject"],
    "withdrawn": ["submit", "accept", "investigate", "withdraw"],
}


# ---- parent: one child per database -----------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="社会救助待办与案件页基准测试")
    parser.add_argument("--cases", type=int, default=40_000, help="办理中的申请数（另加其1/4的已办结申请）")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50, help="每项请求次数")
    parser.add_argument("--persons", type=int, default=0, help="演示区人数（默认 4 × 申请数：户均约2.6人）")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reuse", action="store_true", help="基准库已有所需申请数时不重建")
    parser.add_argument("--doc", type=Path, help="把报告写入此文件（如 docs/benchmarks-assistance.md）；不给则只打印")
    parser.add_argument("--results", type=Path, help="各库原始结果保存到此目录，供 --report-only 使用")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准库（供下次 --reuse）")
    parser.add_argument("--report-only", action="store_true",
                        help="不重新测量：用 --results 目录中上次各库的结果重写报告")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def database_url(db: str) -> str:
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else POSTGRES_URL


def pg_name() -> str:
    return POSTGRES_URL.rsplit("/", 1)[1]


def recreate(db: str) -> list[str]:
    """Start from an empty database; returns the commands run."""
    if db == "sqlite":
        SQLITE_PATH.unlink(missing_ok=True)
        return [f"rm -f {SQLITE_PATH}"]
    commands = [["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", pg_name()],
                ["createdb", "-h", "127.0.0.1", "-U", "root", pg_name()]]
    for command in commands:
        subprocess.run(command, check=True)
    return [shlex.join(c) for c in commands]


def drop(db: str) -> None:
    """Remove the benchmark database this run used (not kept with --keep)."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", pg_name()], check=True)


def results_file(directory: Path, db: str) -> Path:
    return directory / f"aqb_bench_{db}.json"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.report_only:
        if not args.results:
            raise SystemExit("--report-only 需要 --results 目录")
        return write_report(args, {db: json.loads(results_file(args.results, db).read_text(encoding="utf-8"))
                                   for db in dbs})
    with tempfile.TemporaryDirectory(prefix="aqb_bench_") as scratch:
        results = {db: measure_db(args, db, Path(scratch)) for db in dbs}
    write_report(args, results)


def measure_db(args: argparse.Namespace, db: str, scratch: Path) -> dict:
    try:
        prepared = [] if args.reuse else recreate(db)
        out = results_file(scratch, db)
        argv_child = [str(PYTHON), "bench/assistance_queue.py", "--worker", "--cases", str(args.cases),
                      "--requests", str(args.requests), "--persons", str(args.persons), "--seed", str(args.seed),
                      "--json", str(out)] + (["--reuse"] if args.reuse else [])
        env = {**os.environ, "DATABASE_URL": database_url(db), "DEBUG": "0", **BENCH_SETTINGS,
               "DJANGO_SETTINGS_MODULE": "minzheng.settings"}
        shown = f"DATABASE_URL={database_url(db)} DEBUG=0 " + shlex.join([".venv/bin/python", *argv_child[1:]])
        print(f"$ {shown}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(argv_child, cwd=ROOT, env=env)
        if done.returncode != 0:
            raise SystemExit(f"命令失败（退出码 {done.returncode}）：{shown}")
        result = {**json.loads(out.read_text(encoding="utf-8")), "command": shown, "prepared": prepared,
                  "wall_s": round(time.perf_counter() - started, 1)}
    finally:
        if not args.keep:
            drop(db)
    if args.results:
        args.results.mkdir(parents=True, exist_ok=True)
        results_file(args.results, db).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str),
                                                  encoding="utf-8")
    return result


def write_report(args: argparse.Namespace, results: dict) -> None:
    text = report(args, results)
    print(text)
    if not args.doc:
        return
    # A hand-written analysis below the marker survives a rerun; the figures above it are regenerated.
    kept = ""
    if args.doc.exists() and ANALYSIS_MARK in args.doc.read_text(encoding="utf-8"):
        kept = args.doc.read_text(encoding="utf-8").split(ANALYSIS_MARK, 1)[1]
    args.doc.write_text(text + ANALYSIS_MARK + kept, encoding="utf-8")
    print(f"已写入 {_shown_path(args.doc)}")


# ---- child: build ------------------------------------------------------------------------------------------------

def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from casework.models import Case

    build = {}
    call_command("migrate", verbosity=0)
    if args.reuse and Case.objects.filter(closed_at__isnull=True).count() >= args.cases:
        build["reused"] = True
    else:
        build = build_all(args)
    result = {"build": build, "facts": facts(), "measure": measure(args)}
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def timed(label: str, fn, log: dict):
    started = time.perf_counter()
    value = fn()
    log[label] = round(time.perf_counter() - started, 1)
    print(f"  {label}: {log[label]} s", flush=True)
    return value


def build_all(args: argparse.Namespace) -> dict:
    from django.core.management import call_command

    log: dict = {}
    persons = args.persons or 4 * args.cases
    timed("load_areas", lambda: call_command("load_areas", DISTRICT_FILE, verbosity=0), log)
    timed(f"load_demo --persons {persons}", lambda: call_command(
        "load_demo", persons=persons, seed=args.seed, allow_non_debug=True, verbosity=0), log)
    staff = timed("staff per town", towns_staff, log)
    counts = timed("cases, steps and records (bulk_create)", lambda: build_cases(args, staff), log)
    log.update(counts)
    if _vendor() == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"), log)
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            timed("ANALYZE", lambda: cursor.execute("ANALYZE"), log)
    return log


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def towns_staff() -> dict:
    """A town officer and a town reviewer for every current town (the demo logins for the first two), created
    with one shared password hash so that no per-user hashing dominates the build."""
    from accounts.models import Role, User
    from areas.models import Area, AreaLevel

    towns = list(Area.objects.filter(code__startswith=DISTRICT[:6], level=AreaLevel.TOWN, valid_to__isnull=True)
                 .order_by("code"))
    template = User.objects.get(username="district_officer")
    roles = {code: Role.objects.get(code=code) for code in ("town_officer", "town_reviewer")}
    staff = {}
    for town in towns:
        pair = {}
        for role in roles:
            existing = User.objects.filter(area=town, roles=roles[role]).order_by("id").first()
            if existing is None:
                existing = User.objects.create(username=f"{BENCH_PREFIX}{role}_{town.code[6:9]}",
                                               password=template.password, first_name=f"{town.name}{role}",
                                               area=town)
                existing.roles.set([roles[role]])
            pair[role] = existing.pk
        second = User.objects.filter(username=f"{BENCH_PREFIX}town_officer2_{town.code[6:9]}").first()
        if second is None:
            second = User.objects.create(username=f"{BENCH_PREFIX}town_officer2_{town.code[6:9]}",
                                         password=template.password, area=town)
            second.roles.set([roles["town_officer"]])
        pair["town_officer2"] = second.pk
        staff[town.code] = pair
    staff["district"] = {"district_officer": template.pk,
                         "district_approver": User.objects.get(username="district_approver").pk}
    return staff


def _choice(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]


def _cached_deadlines():
    """case_deadlines_compute with the parameter rows and the calendar counts memoised for the build only: the
    figures are the same for every case accepted on the same day, so 40,000 cases need a few hundred lookups."""
    import casework.deadlines as deadlines

    original_param, original_add = deadlines.parameter_at, deadlines.add_working_days_provisional
    deadlines.parameter_at = lru_cache(maxsize=None)(original_param)
    deadlines.add_working_days_provisional = lru_cache(maxsize=None)(original_add)

    def restore() -> None:
        deadlines.parameter_at, deadlines.add_working_days_provisional = original_param, original_add
    return deadlines.case_deadlines_compute, restore


def _working_days_back(today: date, n: int) -> date:
    import chinese_calendar

    day = today
    while n > 0:
        day -= timedelta(days=1)
        try:
            n -= chinese_calendar.is_workday(day)
        except NotImplementedError:
            n -= day.weekday() < 5
    return day


def build_cases(args: argparse.Namespace, staff: dict) -> dict:
    from django.db import transaction

    from casework import clock
    from registry.models import Household, HouseholdMember, Relation

    rng = random.Random(args.seed)
    today = clock.today()
    heads = dict(HouseholdMember.objects.filter(is_active=True, relation=Relation.HEAD)
                 .values_list("household_id", "person_id"))
    households = list(Household.objects.filter(status=Household.Status.ACTIVE, pk__in=list(heads))
                      .values_list("pk", "area_id", "hukou_type").order_by("pk"))
    total = args.cases + args.cases // 4
    if len(households) < total:
        raise SystemExit(f"家庭数 {len(households)} 少于所需申请数 {total}，请加大 --persons")
    picked = rng.sample(households, total)
    back = {n: _working_days_back(today, n) for n in range(0, 80)}
    compute, restore = _cached_deadlines()
    counts = {"cases_open": 0, "cases_closed": 0}
    try:
        for start in range(0, total, CHUNK):
            chunk = picked[start:start + CHUNK]
            with transaction.atomic():
                _write_chunk(rng, chunk, start, args.cases, heads, staff, back, today, compute, counts)
            print(f"    {min(start + CHUNK, total)}/{total}", flush=True)
    finally:
        restore()
    return counts


def _amount(program: str, size_hint: int, rng: random.Random) -> Decimal:
    if program in ("dibao_bianyuan", "gangxing_zhichu"):
        return Decimal("0.00")
    if program == "tekun":
        return Decimal("1001.00") + rng.choice([Decimal(100), Decimal(300), Decimal(500)])
    if program == "linshi":
        return Decimal(rng.choice([500, 800, 1000, 2000]))
    return (Decimal(rng.randint(5000, 77000)) / 100 * size_hint).quantize(Decimal("0.01"))


def _calculation(program: str, amount: Decimal, size: int) -> dict:
    """A review calculation of the shape and length a real quote keeps (about a dozen lines)."""
    from programs.calculations.money import ROUNDING_RULE

    lines = [{"label": "测算月份", "value": "2026年11月"},
             {"label": "低保标准（城市，渝民规〔2025〕6号）", "value": "770.00"},
             {"label": "计入：工资性收入", "value": "1000.00"}, {"label": "不计入：高龄津贴", "value": "100.00"},
             {"label": "家庭月总收入（计入部分）", "value": "1000.00"},
             {"label": f"家庭人数（{size}人）", "value": str(size)},
             {"label": f"月人均收入 = 1000.00 ÷ {size}", "value": "500.00"},
             {"label": "取整规则", "value": ROUNDING_RULE},
             {"label": "差额 = 770.00 − 500.00", "value": "270.00"},
             {"label": f"金额 × {size}", "value": f"{amount:.2f}"}]
    return {"review": {"program": program, "month": "2026-11", "eligible": True, "reasons": [],
                       "standard": "770.00", "household_size": size, "per_capita_income": "500.00",
                       "monthly_amount": f"{amount:.2f}", "lines": lines, "parameters": [], "unverified": False,
                       "inputs": {}, "flags": {}}}


def _inputs(program: str, rng: random.Random) -> dict:
    if program == "tekun":
        return {"care_level": rng.choice(["self", "half", "full"]), "support_mode": "dispersed",
                "no_supporter": True}
    if program == "linshi":
        return {"linshi_kind": rng.choice(["jinan", "zhichu"]), "amount": "800.00"}
    if program == "gangxing_zhichu":
        return {"rigid_expenditure": "20000.00"}
    return {}


def _write_chunk(rng, chunk, offset, open_total, heads, staff, back, today, compute, counts) -> None:
    from assistance.models import Application, Evaluation, Investigation, Verification
    from casework.models import Case, CaseDeadline, CaseDocument, CaseStep, Objection, PublicNotice

    cases, plans = [], []
    for index, (household_id, area_id, _hukou) in enumerate(chunk, start=offset):
        closed = index >= open_total
        state = _choice(rng, CLOSED_WEIGHTS if closed else OPEN_WEIGHTS)
        program = "linshi" if state == "approved_pending_completion" else _choice(rng, PROGRAMS)
        inputs = _inputs(program, rng)
        if state == "approved_pending_completion":
            inputs["linshi_kind"] = "jinan"
        town = area_id[:9].ljust(12, "0")
        people = staff.get(town) or next(v for k, v in staff.items() if k != "district")
        head = heads[household_id]
        path = PATHS[state]
        accepted = None
        if len(path) > 1 and not path[1].endswith("materials"):
            depth = len(path)
            accepted = back[rng.randint(0, 6) if depth <= 2 else rng.randint(depth, 20 + 5 * depth)]
        size = rng.randint(1, 4)
        amount = _amount(program, size, rng) if any(p.startswith("review") for p in path) \
            or state == "approved_pending_completion" else None
        case = Case(workflow=f"{program}.chongqing", variant="chongqing", program_id=program,
                    household_id=household_id,
                    person_id=head if program == "tekun" else None, applicant_id=head, area_id=area_id,
                    channel=rng.choice(["worker", "worker", "online"]), submitted_by_id=people["town_officer"],
                    state=state, inputs=inputs, accepted_on=accepted,
                    handler_id=people["town_officer"] if accepted else None,
                    close_relative_filed=rng.random() < 0.01)
        case.application = application = Application(
            authorised_data_check=True, monthly_amount=amount,
            calculation=_calculation(program, amount, size) if amount is not None else {},
            missing_materials=["户口簿复印件", "收入证明"] if state == "materials_requested" else [],
            materials_requested_on=back[rng.randint(1, 10)] if state == "materials_requested" else None)
        notice_start = None
        if "publish" in path:
            notice_start = max(accepted + timedelta(days=5), back[rng.randint(0, 12)])
            application.confirmation_base_on = notice_start + timedelta(days=6)
        if state == "reinvestigating":
            application.restarted_on, application.confirmation_base_on = notice_start + timedelta(days=3), None
        if state in ("confirmed", "rejected", "withdrawn"):
            case.decided_on = today if state != "withdrawn" else None
            case.closed_at = datetime.combine(today, datetime.min.time()).astimezone()
            application.decision_reasons = "家庭月人均收入高于低保标准" if state == "rejected" else ""
        compute(case)
        cases.append(case)
        plans.append((path, people, notice_start))
    Case.objects.bulk_create(cases, batch_size=1000)
    applications, deadlines = [], []
    for case in cases:
        case.application.case = case
        applications.append(case.application)
        for row in case.__dict__.pop("_pending_deadlines").values():
            row.case, row.closed_at = case, case.closed_at
            deadlines.append(row)
    Application.objects.bulk_create(applications, batch_size=2000)
    CaseDeadline.objects.bulk_create(deadlines, batch_size=2000)
    steps, investigations, verifications, evaluations, notices, objections, documents = [], [], [], [], [], [], []
    for case, (path, people, notice_start) in zip(cases, plans, strict=True):
        state = "submitted"
        for entry in path:
            action, _, variant = entry.partition(":")
            to_state = _to_state(action, variant, case.state, state)
            user = people["town_reviewer"] if action == "review" else \
                staff["district"]["district_approver"] if action in ("confirm", "reject") else people["town_officer"]
            steps.append(CaseStep(case=case, action=action, from_state="" if action == "submit" else state,
                                  to_state=to_state, user_id=user, area_id=case.area_id,
                                  params={"opinion": "disagree" if variant == "disagree" else "agree"}
                                  if action == "review" else {}))
            state = to_state
            on = case.accepted_on or today
            if action == "investigate":
                investigations.append(Investigation(case=case, visited_on=on, recorded_by_id=user, area_id=case.area_id,
                                                    findings={"incomes": [], "assets": [], "assessment": case.inputs},
                                                    district_investigation=case.close_relative_filed))
            elif action == "verify":
                verifications.append(Verification(case=case, checked_on=on, sources=["hukou", "tax"], result="match",
                                                  recorded_by_id=user, area_id=case.area_id))
            elif action == "evaluate":
                evaluations.append(Evaluation(case=case, held_on=on, participants=7, result="agree",
                                              recorded_by_id=user, area_id=case.area_id))
            elif action == "publish":
                status = {"publicised": "open", "reinvestigating": "withdrawn"}.get(case.state, "ended")
                notices.append(PublicNotice(case=case, starts_on=notice_start, ends_on=notice_start + timedelta(days=6),
                                            days=7, status=status, area_id=case.area_id, created_by_id=user,
                                            content={"name": "（基准）", "household_size": 2,
                                                     "monthly_amount": f"{case.application.monthly_amount or 0:.2f}"}))
            elif action == "objection":
                objections.append(Objection(case=case, content="其子有工资收入", received_on=notice_start,
                                            status="upheld", handling="属实，重新调查", area_id=case.area_id))
            elif action == "accept" and variant == "materials":
                documents.append(CaseDocument(case=case, kind="materials_notice", title="补正材料一次性告知书",
                                              content={"missing": case.application.missing_materials},
                                              area_id=case.area_id, created_by_id=user))
    CaseStep.objects.bulk_create(steps, batch_size=2000)
    Investigation.objects.bulk_create(investigations, batch_size=2000)
    through = Investigation.investigators.through
    pairs = []
    for record in investigations:
        people = staff.get(record.area_id[:9].ljust(12, "0")) or next(v for k, v in staff.items() if k != "district")
        second = staff["district"]["district_officer"] if record.district_investigation else people["town_officer2"]
        pairs += [through(investigation_id=record.pk, user_id=people["town_officer"]),
                  through(investigation_id=record.pk, user_id=second)]
    through.objects.bulk_create(pairs, batch_size=2000)
    for model, rows in ((Verification, verifications), (Evaluation, evaluations), (PublicNotice, notices),
                        (Objection, objections), (CaseDocument, documents)):
        model.objects.bulk_create(rows, batch_size=2000)
    for case in cases:
        counts["cases_closed" if case.closed_at else "cases_open"] += 1
    counts["steps"] = counts.get("steps", 0) + len(steps)
    counts["investigations"] = counts.get("investigations", 0) + len(investigations)
    counts["notices"] = counts.get("notices", 0) + len(notices)


def _to_state(action: str, variant: str, final: str, current: str) -> str:
    fixed = {"submit": "submitted", "investigate": "investigated", "verify": "verified", "evaluate": "evaluated",
             "review": "reviewed", "publish": "publicised", "objection": "reinvestigating", "confirm": "confirmed",
             "reject": "rejected", "withdraw": "withdrawn", "urgent_approve": "approved_pending_completion"}
    if action == "accept":
        return "materials_requested" if variant == "materials" else "accepted"
    return fixed[action]


# ---- child: measure ----------------------------------------------------------------------------------------------

def facts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from casework.models import Case, CaseStep
    from registry.models import Household, Person

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        else:
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
    open_cases = Case.objects.filter(closed_at__isnull=True)
    by_state = dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by("state"))
    towns = open_cases.values_list("area_id", flat=True)
    return {"vendor": connection.vendor, "version": version, "persons": Person.objects.count(),
            "households": Household.objects.count(), "cases_open": open_cases.count(),
            "cases_all": Case.objects.count(), "steps": CaseStep.objects.count(), "by_state": by_state,
            "towns_with_cases": len({a[:9] for a in towns.distinct()}),
            "overdue_open": open_cases.filter(next_due__lt=date.today()).count()}


def _summary(times: list[float], queries: list[int]) -> dict:
    ordered = sorted(times)
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1), "max_ms": round(ordered[-1], 1),
            "queries_median": statistics.median(queries), "queries_max": max(queries)}


def _explain(sql: str, params) -> str:
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join(" | ".join(str(c) for c in row) for row in rows)


def _slowest_query(client, url: str) -> dict:
    """Run the request once with every query timed (through a wrapper) and EXPLAIN the slowest."""
    from django.db import connection

    seen: list[tuple[float, str, object]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        client.get(url)
    ms, sql, params = max(seen, key=lambda s: s[0])
    repeated = {}
    for _, text, _ in seen:
        shape = text.split(" WHERE ")[0][:160]
        repeated[shape] = repeated.get(shape, 0) + 1
    return {"queries": len(seen), "total_sql_ms": round(sum(s[0] for s in seen), 1), "slowest_ms": round(ms, 1),
            "slowest_sql": sql[:1500], "plan": _explain(sql, params) if sql.lstrip().upper().startswith("SELECT")
            else "", "most_repeated": sorted(repeated.items(), key=lambda kv: -kv[1])[:3]}


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from casework.models import Case

    rng = random.Random(args.seed + 1)
    town_officer = User.objects.get(username="town_officer_xlk")
    district_officer = User.objects.get(username="district_officer")
    approver = User.objects.get(username="district_approver")
    clients = {}
    for user in (town_officer, district_officer, approver):
        client = Client()
        client.force_login(user)
        clients[user.username] = client
    open_ids = list(Case.objects.filter(closed_at__isnull=True).values_list("pk", flat=True))
    all_ids = list(Case.objects.values_list("pk", flat=True))
    sample = rng.sample(open_ids, min(args.requests, len(open_ids)))
    sample_all = rng.sample(all_ids, min(args.requests, len(all_ids)))
    queue = reverse("assistance-queue")
    targets = [
        ("待办页 assistance-queue（镇街经办人 town_officer_xlk）", "town_officer_xlk", [queue] * args.requests),
        ("待办页 assistance-queue（区民政经办人 district_officer）", "district_officer", [queue] * args.requests),
        ("待办页 assistance-queue（区民政审批人 district_approver）", "district_approver", [queue] * args.requests),
        ("GET /api/work-queue/（镇街经办人）", "town_officer_xlk", ["/api/work-queue/"] * args.requests),
        ("GET /api/work-queue/（区民政经办人）", "district_officer", ["/api/work-queue/"] * args.requests),
        ("案件页 assistance-case（区民政经办人，随机办理中案件）", "district_officer",
         [reverse("assistance-case", args=[pk]) for pk in sample]),
        ("案件页 assistance-case（区民政经办人，随机案件含已办结）", "district_officer",
         [reverse("assistance-case", args=[pk]) for pk in sample_all]),
        ("GET /api/applications/{id}/（区民政经办人，随机办理中案件）", "district_officer",
         [f"/api/applications/{pk}/" for pk in sample]),
    ]
    results, load_before = [], os.getloadavg()
    for label, who, urls in targets:
        client = clients[who]
        for url in urls[:3]:  # warm-up
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:500])
        times, queries, sql_ms = [], [], []
        for url in urls:
            spent = [0.0]

            def timer(execute, sql, params, many, context, spent=spent):
                began = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += (time.perf_counter() - began) * 1000

            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured.captured_queries))
            sql_ms.append(spent[0])
        row = {"label": label, "user": who, "example": urls[0], **_summary(times, queries),
               "sql_ms_median": round(statistics.median(sql_ms), 1)}
        if row["p95_ms"] > SLOW_MS:
            slowest = max(range(len(urls)), key=lambda i: times[i])
            row["diagnosis"] = _slowest_query(client, urls[slowest])
        if "work-queue" in urls[0] or urls[0] == queue:
            row["rows_on_page"] = _queue_size(who)
        results.append(row)
        print(f"  {label}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
              f"queries {row['queries_median']} (max {row['queries_max']})", flush=True)
    return {"requests": args.requests, "rows": results,
            "load_average": [round(x, 1) for x in (*load_before[:1], os.getloadavg()[0])]}


def _queue_size(username: str) -> int:
    from accounts.models import User
    from assistance.selectors import application_work_queue

    return application_work_queue(User.objects.get(username=username)).count()


# ---- report ------------------------------------------------------------------------------------------------------

def _shown_path(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def report(args: argparse.Namespace, results: dict) -> str:
    lines = ["# Benchmark: social-assistance work queue and case page (社会救助待办与案件页)", "",
             "Produced by `bench/assistance_queue.py`; rerun the command to check any figure. Times are wall-clock "
             "milliseconds per request through `django.test.Client` (logged in; middleware, templates and "
             "serialisers included, no network), with `DEBUG=0`; queries counted with `CaptureQueriesContext`.", "",
             "```", f".venv/bin/python bench/assistance_queue.py --cases {args.cases} --db {args.db} "
             f"--requests {args.requests}" + (f" --doc {_shown_path(args.doc)}" if args.doc else ""), "```", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.", ""]
    for result in results.values():
        f = result["facts"]
        lines += [f"## {f['version']}", "", "Commands (the script runs them):", "", "```",
                  *result["prepared"], result["command"], "```", ""]
        if result["build"].get("reused"):
            lines += ["Data reused from an earlier run (`--reuse`).", ""]
        else:
            lines += ["Build (seconds): " + "; ".join(f"{k} {v}" for k, v in result["build"].items()
                                                      if not k.startswith(("cases_", "steps", "investigations",
                                                                           "notices"))), ""]
        lines += [f"Data: {f['persons']:,} people in {f['households']:,} households; {f['cases_open']:,} open "
                  f"applications ({f['cases_all']:,} in all) over {f['towns_with_cases']} towns, "
                  f"{f['overdue_open']:,} of them past their current deadline; {f['steps']:,} CaseSteps.", "",
                  "By state: " + ", ".join(f"{k} {v:,}" for k, v in f["by_state"].items()), "",
                  f"Machine load (1-min load average on {os.cpu_count()} CPUs) before / after the measurements: "
                  + " / ".join(str(x) for x in result["measure"].get("load_average", [])), "",
                  "| request | n | median ms | p95 ms | max ms | SQL ms (median) | SQL queries (median / max) "
                  "| cases in the queue |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in result["measure"]["rows"]:
            lines.append(f"| {row['label']} | {row['n']} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} | "
                         f"{row.get('sql_ms_median', '')} | {row['queries_median']:g} / {row['queries_max']} | "
                         f"{row.get('rows_on_page', '')} |")
        lines.append("")
        for row in result["measure"]["rows"]:
            if "diagnosis" in row:
                d = row["diagnosis"]
                lines += [f"### Slow (p95 > {SLOW_MS:g} ms): {row['label']}", "",
                          f"One request ({row['example']}): {d['queries']} queries, {d['total_sql_ms']} ms in SQL; "
                          f"slowest query {d['slowest_ms']} ms; most repeated: "
                          + "; ".join(f"{n}× `{s[:90]}`" for s, n in d["most_repeated"]), "",
                          "```sql", d["slowest_sql"], "```", "", "```", d["plan"][:3000], "```", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
