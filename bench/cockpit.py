"""Cockpit benchmark (驾驶舱基准): a full monthly snapshot run (every collected indicator × every area of the
district) next to the sum of hand-written aggregate queries computing the same figures, and the cockpit page
rendered from snapshots (cold, then p95).

    .venv/bin/python bench/cockpit.py --enrolments 50000 --db both
    .venv/bin/python bench/cockpit.py --enrolments 300000 --db postgres      # issue 14 size of the roll
    .venv/bin/python bench/cockpit.py --persons 1500000 --enrolments 300000 --payroll-months 12 --db postgres
                                                                              # issue 14 size: 1.5 M residents

For each database a child process builds a fresh database (PostgreSQL `bench_cockpit` or $COCKPIT_BENCH_DB,
SQLite in /tmp), loads the 沙坪坝区 areas (227) and writes set-based: N one-person 低保 households (person,
household, enrolment) spread over the communities, with `--persons` − N further residents (no enrolment; one in six
aged 60+, so the assessment rate reads a realistic older population), January 2026's approved payment cycle with
one line each (and with `--payroll-months` 12, the eleven months before it too: a year of payroll),
N/10 open warnings with their tasks (half past their deadline), N/20 applications whose 办结期限 falls in January
(a third closed late, a third still open) and N/50 stops (终止). Then it times:
(a) `snapshots_refresh(month=2026-01)` on an empty snapshot table (all rows written), and again (nothing changed);
(b) the hand-written aggregate queries: one GROUP BY area_id per data-backed indicator over the same tables,
    read into Python — the practical limit for (a)'s queries (the two city standards read two parameter rows and
    are left out of (b); the hand-written rates count the numerator only where the platform counts both, so (b)
    is a lower bound);
(c) the district leader's cockpit page (GET /cockpit/?month=2026-01) with 24 months of snapshots: the first
    request (cold: a fresh worker's first page, after the start-up warm-up every worker runs — minzheng.warmup,
    called by minzheng.wsgi; its own time is reported as `worker_warmup_s`) and the p95 of the next `--requests`.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project is importable
from bench.harness import ROOT, BenchDatabase, child_run, communities_numbered, databases, enrolment_args  # noqa: E402

DATABASE = BenchDatabase(os.environ.get("COCKPIT_BENCH_DB", "bench_cockpit"))
MONTH = "2026-01-01"
REQUESTS = 40


# ---------------------------------------------------------------- child: runs inside Django


def build(n: int, persons: int = 0, payroll_months: int = 1) -> dict:
    from django.db import connection

    pg = connection.vendor == "postgresql"
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    month = f"CAST('{MONTH}' AS date)" if pg else f"'{MONTH}'"
    head = "" if pg else f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
    source = f"generate_series(1, {n}) AS g(i)" if pg else "g"
    started = time.perf_counter()
    with connection.cursor() as c:
        communities = communities_numbered(c)
        area = f"(SELECT code FROM comm WHERE k = g.i % {communities})"
        c.execute(f"{head}INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, name_pinyin, "
                  f"name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, updated_at) "
                  f"SELECT g.i, NULL, 'other', '', '户主' || g.i, '', '', '', NULL, {area}, '', 'active', NULL, "
                  f"{now}, {now} FROM {source}")
        c.execute(f"{head}INSERT INTO registry_household (id, area_id, hukou_type, address, status, created_at, "
                  f"updated_at) SELECT g.i, {area}, 'urban', '', 'active', {now}, {now} FROM {source}")
        c.execute(f"{head}INSERT INTO programs_enrolment (id, program_id, household_id, person_id, area_id, status, "
                  f"monthly_amount, start_month, end_month, phase_out_until, care_level, support_mode, calculation, "
                  f"decided_at, end_reason) SELECT g.i, 'dibao', g.i, g.i, {area}, 'active', 500 + g.i % 300, "
                  f"{month}, NULL, NULL, '', '', '{{}}', {now}, '' FROM {source}")
        if persons > n:
            head_p = "" if pg else (f"WITH RECURSIVE g(i) AS (SELECT {n + 1} UNION ALL SELECT i + 1 FROM g "
                                    f"WHERE i < {persons}) ")
            source_p = f"generate_series({n + 1}, {persons}) AS g(i)" if pg else "g"
            birth = ("CAST('1950-01-01' AS date) + (g.i % 9000)" if pg
                     else "date('1950-01-01', '+' || (g.i % 9000) || ' days')")
            birth = f"CASE WHEN g.i % 6 = 0 THEN {birth} ELSE NULL END"
            c.execute(f"{head_p}INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, "
                      f"name_pinyin, name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, "
                      f"updated_at) SELECT g.i, NULL, 'other', '', '居民' || g.i, '', '', '', {birth}, {area}, '', "
                      f"'active', NULL, {now}, {now} FROM {source_p}")
        if pg:
            for table in ("registry_person", "registry_household", "programs_enrolment"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    _rows(n, payroll_months)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {"build_s": round(time.perf_counter() - started, 2)}


def _rows(n: int, payroll_months: int = 1) -> None:
    """The cycle and its lines (INSERT … SELECT), warnings and tasks, applications and stops (bulk_create)."""
    from datetime import date, datetime, timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from assistance.models import Application
    from casework.models import Case, CaseDeadline
    from minzheng.dates import add_months
    from monitoring.models import Rule, Warning
    from payments.models import PaymentCycle
    from programs.models import Enrolment, EnrolmentChange
    from tasks.models import Task

    officer = User.objects.get(username="bench_do")
    jan = date(2026, 1, 1)
    for back in range(payroll_months - 1, -1, -1):
        month = add_months(jan, -back)
        cycle = PaymentCycle.objects.create(district_id="500106000000", month=month, created_by=officer,
                                            status="approved",
                                            approved_at=timezone.make_aware(datetime(month.year, month.month, 5)))
        with connection.cursor() as c:
            c.execute("INSERT INTO payments_paymentline (cycle_id, enrolment_id, program_id, person_id, household_id, "
                      "area_id, month, covered_month, kind, amount, formula, bank_name, account_number, status, "
                      "reason) SELECT %s, id, program_id, person_id, household_id, area_id, %s, %s, 'regular', "
                      "monthly_amount, '{}', '', '', 'pending', '' FROM programs_enrolment", [cycle.pk, month, month])
    rows = list(Enrolment.objects.values_list("id", "person_id", "household_id", "area_id"))
    rule = Rule.objects.create(code="bench", name="基准规则", feed_type="death", warning_type="no_longer_eligible",
                               handling_level="community", deadline_working_days=5)
    moment = timezone.make_aware(datetime(2026, 1, 10, 9))
    warnings = [Warning(rule=rule, warning_type=rule.warning_type, severity=3, person_id=p, household_id=h, area_id=a,
                        dedup_key=f"bench-{e}") for e, p, h, a in rows[::10]]
    Warning.objects.bulk_create(warnings, batch_size=2000)
    Warning.objects.update(created_at=moment)
    stored = Warning.objects.only("id", "person_id", "area_id")
    Task.objects.bulk_create([Task(kind="warning", title="核查", person_id=w.person_id, area_id=w.area_id,
                                   handling_level="community", assigned_area_id=w.area_id,
                                   deadline=moment + timedelta(days=5 if i % 2 else 60),
                                   source_type="monitoring.warning", source_id=w.pk) for i, w in enumerate(stored)],
                             batch_size=2000)
    Task.objects.update(created_at=moment)
    cases = [Case(workflow="dibao.chongqing", program_id="dibao", household_id=h, area_id=a, submitted_by=officer,
                  state="confirmed" if i % 3 else "reviewed",
                  closed_at=None if i % 3 == 0 else moment + timedelta(days=20 * (i % 3 - 1)))
             for i, (_, _, h, a) in enumerate(rows[::20])]
    Case.objects.bulk_create(cases, batch_size=2000)
    ids = list(Case.objects.values_list("id", flat=True))
    Application.objects.bulk_create([Application(case_id=i) for i in ids], batch_size=2000)
    CaseDeadline.objects.bulk_create([CaseDeadline(case_id=i, kind="overall_due", label="办结期限",
                                                   due=date(2026, 1, 20)) for i in ids], batch_size=2000)
    EnrolmentChange.objects.bulk_create([EnrolmentChange(enrolment_id=e, kind="end", to_status="ended",
                                                         effective_month=jan, area_id=a)
                                         for e, _, _, a in rows[::50]], batch_size=2000)


HAND_WRITTEN = {
    "payroll_amount": "SELECT area_id, SUM(amount) FROM payments_paymentline WHERE month = %(m)s "
                      "AND kind IN ('regular', 'arrears', 'adjustment') GROUP BY area_id",
    "payroll_recipients": "SELECT area_id, COUNT(DISTINCT enrolment_id) FROM payments_paymentline "
                          "WHERE month = %(m)s AND kind IN ('regular', 'arrears', 'adjustment') GROUP BY area_id",
    "payments_on_time_rate": "SELECT l.area_id, COUNT(*), SUM(CASE WHEN l.status NOT IN ('failed', 'reissued') "
                             "THEN 1 ELSE 0 END) FROM payments_paymentline l WHERE l.month = %(m)s "
                             "AND l.kind IN ('regular', 'arrears', 'adjustment') GROUP BY l.area_id",
    "warnings_open": "SELECT area_id, COUNT(*) FROM monitoring_warning WHERE created_at <= %(end)s "
                     "AND (closed_at IS NULL OR closed_at > %(end)s) GROUP BY area_id",
    "warnings_overdue": "SELECT area_id, COUNT(*) FROM tasks_task WHERE source_type = 'monitoring.warning' "
                        "AND created_at <= %(end)s AND (closed_at IS NULL OR closed_at > %(end)s) "
                        "AND deadline < %(end)s GROUP BY area_id",
    "monitored_persons": "SELECT p.area_id, COUNT(*) FROM registry_person p WHERE EXISTS (SELECT 1 FROM "
                         "monitoring_warning w WHERE w.person_id = p.id AND w.created_at <= %(end)s AND "
                         "(w.closed_at IS NULL OR w.closed_at > %(end)s)) GROUP BY p.area_id",
    "applications_over_deadline": "SELECT c.area_id, COUNT(*), SUM(CASE WHEN (c.closed_at IS NULL AND d.due < "
                                  "%(today)s) OR CAST(c.closed_at AS date) > d.due THEN 1 ELSE 0 END) FROM "
                                  "casework_case c JOIN casework_casedeadline d ON d.case_id = c.id AND "
                                  "d.kind = 'overall_due' WHERE d.due BETWEEN %(m)s AND %(mend)s GROUP BY c.area_id",
    "applications_open": "SELECT area_id, COUNT(*) FROM casework_case WHERE CAST(submitted_at AS date) <= %(mend)s "
                         "AND (closed_at IS NULL OR CAST(closed_at AS date) > %(mend)s) GROUP BY area_id",
    "stops_month": "SELECT area_id, COUNT(*) FROM programs_enrolmentchange WHERE kind = 'end' AND effective_month "
                   "BETWEEN %(m)s AND %(mend)s GROUP BY area_id",
    "phase_outs_month": "SELECT area_id, COUNT(*) FROM programs_enrolmentchange WHERE kind = 'phase_out' AND "
                        "effective_month BETWEEN %(m)s AND %(mend)s GROUP BY area_id",
    "gangxing_recognised": "SELECT area_id, COUNT(*) FROM programs_enrolment WHERE program_id = 'gangxing_zhichu' "
                           "AND start_month <= %(m)s AND (end_month IS NULL OR end_month >= %(m)s) GROUP BY area_id",
    "payments_late": "SELECT area_id, COUNT(*) FROM payments_paymentline WHERE month = %(m)s AND kind IN "
                     "('regular', 'arrears', 'adjustment') AND status IN ('failed', 'reissued') GROUP BY area_id",
    "payments_amount_mismatch": "SELECT e.area_id, COUNT(*) FROM payments_paymentexception e JOIN "
                                "payments_paymentcycle c ON c.id = e.cycle_id WHERE c.month = %(m)s AND e.kind IN "
                                "('amount_not_current_quote', 'above_standard') GROUP BY e.area_id",
    "exceptions_accepted_without_reason": "SELECT e.area_id, COUNT(*) FROM payments_paymentexception e JOIN "
                                          "payments_paymentcycle c ON c.id = e.cycle_id WHERE c.month = %(m)s AND "
                                          "e.status = 'accepted' AND TRIM(e.resolution) = '' GROUP BY e.area_id",
    "warnings_handled_late": "SELECT area_id, COUNT(*), SUM(CASE WHEN closed_at > deadline OR escalation_level > 0 "
                             "THEN 1 ELSE 0 END) FROM tasks_task WHERE source_type = 'monitoring.warning' AND "
                             "closed_at BETWEEN %(start)s AND %(end)s GROUP BY area_id",
    "applications_rejected_reapplied": "SELECT c.area_id, COUNT(*) FROM casework_case c WHERE c.state = 'rejected' "
                                       "AND c.decided_on BETWEEN %(m)s AND %(mend)s GROUP BY c.area_id",
    "communities_with_worker": "SELECT a.code, COUNT(*) FROM areas_area a WHERE a.level = 'community' GROUP BY "
                               "a.code",
    **{f"monitored_{kind}": "SELECT p.area_id, COUNT(*) FROM registry_person p WHERE EXISTS (SELECT 1 FROM "
                            "monitoring_warning w WHERE w.person_id = p.id AND w.warning_type = '" + kind + "' AND "
                            "w.created_at <= %(end)s AND (w.closed_at IS NULL OR w.closed_at > %(end)s)) "
                            "GROUP BY p.area_id"
       for kind in ("death_stop", "no_longer_eligible", "possibly_eligible", "policy_not_applied", "auto_enrol")},
}


def hand_written() -> tuple[float, dict]:
    from datetime import date, datetime

    from django.db import connection
    from django.utils import timezone

    params = {"m": date(2026, 1, 1), "mend": date(2026, 1, 31), "today": timezone.localdate(),
              "start": timezone.make_aware(datetime(2026, 1, 1)),
              "end": timezone.make_aware(datetime(2026, 1, 31, 23, 59, 59))}
    times = {}
    with connection.cursor() as c:
        for code, sql in HAND_WRITTEN.items():
            started = time.perf_counter()
            c.execute(sql, params)
            c.fetchall()
            times[code] = round(time.perf_counter() - started, 4)
    return sum(times.values()), times


def page_timings(requests: int) -> dict:
    from datetime import date

    from django.test import Client

    from accounts.models import User
    from indicators.models import IndicatorValue
    from minzheng.dates import add_months

    jan = IndicatorValue.objects.filter(period_start=date(2026, 1, 1))
    history = [IndicatorValue(indicator_id=v.indicator_id, area_code=v.area_code, period_start=add_months(
        v.period_start, -k), numerator=v.numerator, denominator=v.denominator, value=v.value,
        computed_at=v.computed_at) for k in range(1, 24) for v in jan]
    IndicatorValue.objects.bulk_create(history, batch_size=5000, ignore_conflicts=True)
    from minzheng.warmup import warm_up

    started = time.perf_counter()
    warm_up()  # what each web worker does at start-up (minzheng.wsgi), before its first request
    warmup = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(username="bench_leader"))
    started = time.perf_counter()
    first = client.get("/cockpit/", {"month": "2026-01"})
    cold = time.perf_counter() - started
    assert first.status_code == 200, first.status_code
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/cockpit/", {"month": "2026-01"})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    samples.sort()
    return {"worker_warmup_s": round(warmup, 3),
            "page_cold_s": round(cold, 3), "page_p95_s": round(samples[int(0.95 * (len(samples) - 1))], 3),
            "page_median_s": round(statistics.median(samples), 3),
            "snapshot_rows_24_months": len(history) + jan.count()}


def measure(n: int, repeat: int, requests: int, persons: int = 0, payroll_months: int = 1) -> dict:
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from accounts.services import user_create
    from indicators.models import IndicatorBreakdown, IndicatorValue
    from indicators.services import snapshots_refresh

    call_command("migrate", verbosity=0)
    call_command("load_areas", str(ROOT / "areas/data/areas-500106.csv"), verbosity=0)
    user_create(username="bench_do", password="Bench-Password-2026!", roles=["district_officer"],
                area_code="500106000000", validate=False)
    user_create(username="bench_leader", password="Bench-Password-2026!", roles=["leader"],
                area_code="500106000000", validate=False)
    result = {"vendor": connection.vendor, "enrolments": n, "persons": max(persons, n),
              "payroll_months": payroll_months, **build(n, persons, payroll_months)}
    full, rerun, raw = [], [], []
    for _ in range(repeat):
        IndicatorValue.objects.all().delete()
        IndicatorBreakdown.objects.all().delete()
        started = time.perf_counter()
        written = snapshots_refresh(month=date(2026, 1, 1))
        full.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = snapshots_refresh(month=date(2026, 1, 1))
        rerun.append(time.perf_counter() - started)
        total, per_query = hand_written()
        raw.append(total)
    result.update({"rows_written": written["written"], "rerun_written": again["written"],
                   "snapshot_s": [round(t, 3) for t in full], "rerun_s": [round(t, 3) for t in rerun],
                   "hand_written_s": [round(t, 3) for t in raw], "hand_written_queries": per_query,
                   "ratio": round(min(full) / min(raw), 2), **page_timings(requests)})
    return result


def child(args) -> None:
    child_run(lambda: measure(args.enrolments, args.repeat, REQUESTS, args.persons, args.payroll_months))


# ---------------------------------------------------------------- parent


def main() -> None:
    args = enrolment_args(__doc__, enrolments=50_000, db="both", repeat=3, extra=[
        ("--persons", {"type": int, "default": 0, "help": "residents in all (default: one per enrolment)"}),
        ("--payroll-months", {"type": int, "default": 1, "help": "months of payroll up to January 2026"})])
    if args.child:
        child(args)
        return
    for db in databases(args.db):
        r = DATABASE.run_child(db, __file__, ["--enrolments", str(args.enrolments), "--repeat", str(args.repeat),
                                              "--persons", str(args.persons),
                                              "--payroll-months", str(args.payroll_months)])
        print(json.dumps(r, ensure_ascii=False))
        print(f"{r['vendor']}: {r['persons']:,} persons, {r['enrolments']:,} enrolments, {r['payroll_months']} "
              f"months of payroll → full snapshot run {min(r['snapshot_s'])} s "
              f"({r['rows_written']:,} rows), re-run {min(r['rerun_s'])} s ({r['rerun_written']} written), "
              f"hand-written aggregates {min(r['hand_written_s'])} s, ratio {r['ratio']}× (target ≤ 3×); cockpit "
              f"page cold {r['page_cold_s']} s (target < 1 s; worker start-up warm-up {r['worker_warmup_s']} s), "
              f"p95 {r['page_p95_s']} s (target < 0.2 s)", flush=True)


if __name__ == "__main__":
    main()
