"""Payroll generation (生成发放明细): set-based SQL, chunked by enrolment id range, idempotent, resumable.

For each chunk [lo, hi) of enrolment ids, ONE `INSERT … SELECT … ON CONFLICT DO NOTHING` per line kind writes
the lines, and the chunk flips to DONE in the same transaction. The unique constraint (enrolment, covered
month, kind, cycle) makes a re-run a no-op for what is already there, so a crash half-way is continued by
running the job again: no duplicates, no gaps. Never one query per row; never OFFSET.

What is paid (the rules decided here):
- regular (当月发放): every enrolment payable in month M — status active / phasing_out, or ended with
  `end_month` ≥ M (an end decided ahead, a one-off 临时救助 in its month); start_month ≤ M; end_month empty or
  ≥ M; phase_out_until empty or ≥ M; never suspended. Not for a person programme whose person died before M
  (a death in M is paid for M: payment stops from the month after death), nor for a household programme whose
  household has no living active member. Amount: the enrolment's current monthly amount; an amount of 0 (a
  recognition such as 低保边缘, which pays no cash) writes no line.
- arrears (补发): a back-dated start. For each EARLIER cycle of the district that was generated BEFORE the
  enrolment was decided (`decided_at > generated_at`), whose month the enrolment was payable in, and for which
  no regular or arrears line of the enrolment exists in any other cycle: one line per covered month at the
  current monthly amount. So a resumed suspension is not back-paid automatically (it was known when the earlier
  payroll ran — an officer adds an adjustment line if the decision says so), and the first cycle of a new
  installation pays no arrears for months before it.
- recovery (扣回): for an open overpayment, a negative line of min(instalment, still owed, this month's regular
  amount), deducted from this month's payment; when the enrolment is not payable this month nothing is deducted.
- back pay (补发, 调整待遇): for an applied re-rating (`programs.Rerate`), each month from its start that an
  EARLIER cycle generated before the re-rating was applied paid at the old amount gets the difference: the sum
  of the applied items' (new − old) for that month, less the back pay already paid for it in other cycles. An
  `arrears` line whose `reason` is BACKPAY_REASON (a back-dated start's arrears have none), covering that month.
  Produced by the same statement as the arrears, so a regeneration keeps it and a re-run never pays it twice.
Before the chunks, `programs.rerate.rerates_due_apply` applies the confirmed re-ratings whose month has come
and re-rates enrolments whose own facts changed (an age band, a care level), so this payroll pays current
amounts.
A regeneration of a cycle that already has lines (after a fix) also deletes, per chunk, the lines of these
kinds that are no longer due or whose amount changed; adjustment lines are never touched.
"""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from jobs.models import Job
from jobs.services import job_handler, job_progress
from minzheng import sql as d
from minzheng.lookups import prefix_upper_bound
from payments.models import GenerationChunk, PaymentCycle, PaymentLine
from programs.models import Enrolment
from programs.rerate import rerates_due_apply

CHUNK_SIZE = 20_000
LINE_COLUMNS = ("cycle_id, enrolment_id, program_id, person_id, household_id, area_id, month, covered_month, kind, "
                "amount, formula, overpayment_id, bank_account_id, bank_name, account_number, status, reason")
PAYABLE_STATUSES = "('active', 'phasing_out', 'ended')"
# The columns queries filter, join or group the lines by: all but the formula JSON (see refresh_statistics).
STATISTICS_COLUMNS = ("id", "cycle_id", "enrolment_id", "program_id", "person_id", "household_id", "area_id", "month",
                      "covered_month", "kind", "amount", "overpayment_id", "bank_account_id", "bank_name",
                      "account_number", "status", "reason")


@dataclass(frozen=True)
class Scope:
    """What one chunk statement covers: a cycle, its month, its district's area-code range, an id range."""

    cycle_id: int
    month: str  # ISO date of the first day
    district_id: str
    area_lo: str
    area_hi: str
    lo: int
    hi: int


def district_range(cycle: PaymentCycle) -> tuple[str, str]:
    prefix = cycle.district.scope_prefix
    return prefix, prefix_upper_bound(prefix)


def payable(month: str) -> str:
    """SQL: enrolment `e` (with payee `p`) is payable in the month given by the SQL expression `month`.

    The living-member test is a scalar subquery with LIMIT 1 rather than EXISTS: under OR, PostgreSQL may run an
    EXISTS as a hashed subplan over every member of every household, rebuilt for each chunk (measured: 15 s of
    a 300,000-line generation); LIMIT 1 keeps it an index lookup per household of the chunk."""
    return f"""e.status IN {PAYABLE_STATUSES} AND e.monthly_amount > 0 AND e.start_month <= {month}
        AND (e.end_month IS NULL OR e.end_month >= {month})
        AND (e.phase_out_until IS NULL OR e.phase_out_until >= {month})
        AND (e.household_id IS NOT NULL OR p.id IS NULL OR p.status <> 'deceased' OR p.death_date >= {month})
        AND (e.household_id IS NULL OR (
            SELECT 1 FROM registry_householdmember hm JOIN registry_person hp ON hp.id = hm.person_id
            WHERE hm.household_id = e.household_id AND hm.is_active
              AND (hp.status <> 'deceased' OR hp.death_date >= {month}) LIMIT 1) IS NOT NULL)"""


def payee_joins() -> str:
    """The payee `p` (for the death test) and the payee's valid bank account `b` (at most one: a partial unique
    index), each an index lookup per enrolment of the chunk (see `minzheng.sql.left_join_one`)."""
    return (d.left_join_one("registry_person", "p", "p.id, p.status, p.death_date", "p.id = e.person_id") + "\n"
            + d.left_join_one("payments_bankaccount", "b", "b.id, b.bank_name, b.account_number",
                              "b.person_id = e.person_id AND b.valid"))


def _formula(rule: str, month: str, *extra: tuple[str, str]) -> str:
    changes = d.json_id_list("c.id", "FROM programs_enrolmentchange c "
                                     f"WHERE c.enrolment_id = e.id AND c.effective_month <= {month}")
    return d.json_object(("rule", f"'{rule}'"), ("monthly_amount", d.money_text("e.monthly_amount")),
                         ("months", "1"), ("covered_month", d.month_text(month)), ("program", "e.program_id"),
                         ("enrolment_status", "e.status"), *extra, ("change_ids", changes))


def regular_select(s: Scope) -> tuple[str, list]:
    """The regular lines due in the scope's month, as a SELECT in LINE_COLUMNS order."""
    sql = f"""SELECT %s AS cycle_id, e.id AS enrolment_id, e.program_id, e.person_id, e.household_id, e.area_id,
            k.m AS month, k.m AS covered_month, 'regular' AS kind, e.monthly_amount AS amount,
            {_formula('按月发放：月发放金额 × 1个月', 'k.m')} AS formula, NULL AS overpayment_id,
            b.id AS bank_account_id, COALESCE(b.bank_name, '') AS bank_name,
            COALESCE(b.account_number, '') AS account_number, 'pending' AS status, '' AS reason
        FROM programs_enrolment e
        CROSS JOIN (SELECT {d.date_param()} AS m) k
        {payee_joins()}
        WHERE e.id >= %s AND e.id < %s AND e.area_id >= %s AND e.area_id < %s AND {payable('k.m')}"""
    return sql, [s.cycle_id, s.month, s.lo, s.hi, s.area_lo, s.area_hi]


def arrears_select(s: Scope) -> tuple[str, list]:
    """Arrears for a back-dated start: one line per earlier cycle's month the enrolment was decided too late for."""
    sql = f"""SELECT %s AS cycle_id, e.id AS enrolment_id, e.program_id, e.person_id, e.household_id, e.area_id,
            k.m AS month, pc.month AS covered_month, 'arrears' AS kind, e.monthly_amount AS amount,
            {_formula('补发：起始月份早于已生成的批次，按月发放金额补发该月', 'pc.month',
                      ('paid_in', d.month_text('k.m')))} AS formula,
            NULL AS overpayment_id, b.id AS bank_account_id, COALESCE(b.bank_name, '') AS bank_name,
            COALESCE(b.account_number, '') AS account_number, 'pending' AS status, '' AS reason
        FROM programs_enrolment e
        CROSS JOIN (SELECT {d.date_param()} AS m) k
        JOIN payments_paymentcycle pc ON pc.district_id = %s AND pc.id <> %s AND pc.month < k.m
            AND pc.month >= e.start_month AND pc.generated_at IS NOT NULL AND e.decided_at > pc.generated_at
        {payee_joins()}
        WHERE e.id >= %s AND e.id < %s AND e.area_id >= %s AND e.area_id < %s AND {payable('pc.month')}
          AND NOT EXISTS (SELECT 1 FROM payments_paymentline x WHERE x.enrolment_id = e.id
                          AND x.covered_month = pc.month AND x.kind IN ('regular', 'arrears') AND x.cycle_id <> %s)"""
    return sql, [s.cycle_id, s.month, s.district_id, s.cycle_id, s.lo, s.hi, s.area_lo, s.area_hi, s.cycle_id]


BACKPAY_REASON = "调整待遇补发"


def backpay_select(s: Scope) -> tuple[str, list]:
    """Back pay of applied re-ratings (see the module docstring), one line per enrolment and covered month.

    Read from the re-rating items of the chunk's enrolments (usually few), then their lines of earlier cycles
    by the (enrolment, covered month, …) index; a line counts as paid at the old amount when its cycle was
    generated before the re-rating was applied. The sum over items chains several re-ratings of one month
    (750 → 770 → 780 pays 30), less what earlier cycles already back-paid for that month."""
    formula = _formula('补发：调整待遇前已按原金额发放，补发差额', 'bp.covered_month',
                       ('paid_in', d.month_text('k.m')), ('difference', d.money_text('bp.due')),
                       ('backpaid_before', d.money_text('bp.before')))
    sql = f"""SELECT %s AS cycle_id, e.id AS enrolment_id, e.program_id, e.person_id, e.household_id, e.area_id,
            k.m AS month, bp.covered_month, 'arrears' AS kind, ROUND(bp.due - bp.before, 2) AS amount,
            {formula} AS formula, CAST(NULL AS BIGINT) AS overpayment_id, b.id AS bank_account_id,
            COALESCE(b.bank_name, '') AS bank_name, COALESCE(b.account_number, '') AS account_number,
            'pending' AS status, '{BACKPAY_REASON}' AS reason
        FROM (SELECT g.enrolment_id, g.covered_month, g.due, COALESCE((
                    SELECT SUM(y.amount) FROM payments_paymentline y
                    WHERE y.enrolment_id = g.enrolment_id AND y.covered_month = g.covered_month
                      AND y.kind = 'arrears' AND y.reason = '{BACKPAY_REASON}' AND y.cycle_id <> %s), 0) AS before
              FROM (SELECT x.enrolment_id, x.covered_month, SUM(ri.to_amount - ri.from_amount) AS due
                    FROM programs_rerateitem ri
                    JOIN programs_rerate r ON r.id = ri.rerate_id AND r.status = 'applied'
                    JOIN payments_paymentline x ON x.enrolment_id = ri.enrolment_id
                         AND x.kind IN ('regular', 'arrears') AND x.reason = ''
                         AND x.covered_month >= ri.valid_from AND x.covered_month < {d.date_param()}
                         AND x.cycle_id <> %s
                    JOIN payments_paymentcycle pc ON pc.id = x.cycle_id AND pc.district_id = %s
                         AND pc.generated_at < r.applied_at
                    WHERE ri.enrolment_id >= %s AND ri.enrolment_id < %s
                    GROUP BY x.enrolment_id, x.covered_month) g) bp
        JOIN programs_enrolment e ON e.id = bp.enrolment_id
        CROSS JOIN (SELECT {d.date_param()} AS m) k
        {payee_joins()}
        WHERE e.area_id >= %s AND e.area_id < %s AND ROUND(bp.due - bp.before, 2) <> 0"""
    return sql, [s.cycle_id, s.cycle_id, s.month, s.cycle_id, s.district_id, s.lo, s.hi, s.month,
                 s.area_lo, s.area_hi]


def arrears_and_backpay_select(s: Scope) -> tuple[str, list]:
    """Both kinds of 补发 share the line kind `arrears`, so one statement lists what is due of that kind (the
    regeneration's stale-line test compares against it)."""
    arrears, arrears_params = arrears_select(s)
    backpay, backpay_params = backpay_select(s)
    return f"{arrears} UNION ALL {backpay}", [*arrears_params, *backpay_params]


def recovery_select(s: Scope) -> tuple[str, list]:
    """Recovery of open overpayments, deducted from the month's regular amount. It reads the enrolment (the same
    `payable` condition as the regular line), not the lines just written: their statistics are stale in the
    middle of a generation, and a plan built on them would scan every line of the cycle for each chunk."""
    deducted = f"ROUND({d.least('o.instalment', 'o.remaining', 'e.monthly_amount')}, 2)"
    formula = d.json_object(
        ("rule", "'扣回多发：min(每月扣回, 尚欠金额, 当月发放金额)'"), ("overpayment_id", "o.id"),
        ("total", d.money_text("o.total")), ("instalment", d.money_text("o.instalment")),
        ("recovered_before", d.money_text("o.total - o.remaining")),
        ("regular_amount", d.money_text("e.monthly_amount")), ("deducted", d.money_text(deducted)))
    sql = f"""SELECT %s AS cycle_id, e.id AS enrolment_id, e.program_id, e.person_id, e.household_id, e.area_id,
            k.m AS month, k.m AS covered_month, 'recovery' AS kind, -{deducted} AS amount, {formula} AS formula,
            o.id AS overpayment_id, b.id AS bank_account_id, COALESCE(b.bank_name, '') AS bank_name,
            COALESCE(b.account_number, '') AS account_number, 'pending' AS status, '' AS reason
        FROM (SELECT o.id, o.enrolment_id, o.total, o.instalment,
                     ROUND(o.total - COALESCE((
                        SELECT -SUM(x.amount) FROM payments_paymentline x
                        JOIN payments_paymentcycle xc ON xc.id = x.cycle_id
                        WHERE x.enrolment_id = o.enrolment_id AND x.overpayment_id = o.id AND x.kind = 'recovery'
                          AND xc.month < {d.date_param()}), 0), 2) AS remaining
              FROM payments_overpayment o
              WHERE o.status = 'open' AND o.enrolment_id >= %s AND o.enrolment_id < %s) o
        JOIN programs_enrolment e ON e.id = o.enrolment_id
        CROSS JOIN (SELECT {d.date_param()} AS m) k
        {payee_joins()}
        WHERE o.remaining > 0 AND e.area_id >= %s AND e.area_id < %s AND {payable('k.m')}"""
    return sql, [s.cycle_id, s.month, s.lo, s.hi, s.month, s.area_lo, s.area_hi]


SELECTS = ((PaymentLine.Kind.REGULAR, regular_select), (PaymentLine.Kind.ARREARS, arrears_and_backpay_select),
           (PaymentLine.Kind.RECOVERY, recovery_select))


def _remove_stale(cursor, s: Scope, kind: str, select) -> None:
    """Regeneration: drop this chunk's lines of `kind` that are no longer due, or due at another amount."""
    due, params = select(s)
    stale = f"""cycle_id = %s AND kind = %s AND status = 'pending' AND enrolment_id >= %s AND enrolment_id < %s
        AND (enrolment_id, covered_month, amount) NOT IN (SELECT z.enrolment_id, z.covered_month, z.amount
                                                          FROM ({due}) z)"""
    stale_params = [s.cycle_id, kind, s.lo, s.hi, *params]
    # Exceptions keep their history: their line goes NULL and the next check marks them resolved.
    cursor.execute(f"UPDATE payments_paymentexception SET line_id = NULL WHERE line_id IN "
                   f"(SELECT id FROM payments_paymentline WHERE {stale})", stale_params)
    cursor.execute(f"DELETE FROM payments_paymentline WHERE {stale}", stale_params)


def chunk_run(cycle: PaymentCycle, chunk: GenerationChunk) -> int:
    """Write one chunk's lines and mark it DONE, in one transaction. Returns the lines inserted (0 if another
    run had claimed or finished it)."""
    area_lo, area_hi = district_range(cycle)
    scope = Scope(cycle.pk, cycle.month.isoformat(), cycle.district_id, area_lo, area_hi, chunk.lo, chunk.hi)
    try:
        with transaction.atomic():
            # Claimed inside the transaction: a crash rolls the claim back with the lines, so no chunk is ever
            # left RUNNING by a dead worker; a second worker waits on the row lock and then finds it DONE.
            if not GenerationChunk.objects.filter(pk=chunk.pk, status=GenerationChunk.Status.PENDING).update(
                    status=GenerationChunk.Status.RUNNING, attempts=F("attempts") + 1):
                return 0
            inserted = 0
            with connection.cursor() as cursor:
                d.tune_transaction(cursor)
                d.commit_without_waiting_for_disk(cursor)
                for kind, select in SELECTS:
                    if chunk.resync:
                        _remove_stale(cursor, scope, kind, select)
                    sql, params = select(scope)
                    cursor.execute(f"INSERT INTO payments_paymentline ({LINE_COLUMNS}) {sql} "
                                   f"{d.on_conflict_nothing()}", params)
                    inserted += max(cursor.rowcount, 0)
            GenerationChunk.objects.filter(pk=chunk.pk).update(
                status=GenerationChunk.Status.DONE, lines=inserted, finished_at=timezone.now(), error="")
            return inserted
    except DatabaseError as exc:
        GenerationChunk.objects.filter(pk=chunk.pk).update(status=GenerationChunk.Status.FAILED,
                                                           attempts=F("attempts") + 1, error=str(exc)[:2000])
        raise


def chunks_plan(cycle: PaymentCycle, *, size: int = CHUNK_SIZE) -> list[GenerationChunk]:
    """The chunks still to run. An unfinished plan (a crash, a failure) is continued; otherwise a new plan
    covers the district's enrolment ids in ranges of `size` ids (ranges by key, never OFFSET)."""
    chunks = list(cycle.chunks.order_by("lo"))
    if chunks and any(c.status != GenerationChunk.Status.DONE for c in chunks):
        cycle.chunks.exclude(status=GenerationChunk.Status.DONE).update(status=GenerationChunk.Status.PENDING)
        return list(cycle.chunks.filter(status=GenerationChunk.Status.PENDING).order_by("lo"))
    cycle.chunks.all().delete()
    resync = PaymentLine.objects.filter(cycle=cycle).exists()
    area_lo, area_hi = district_range(cycle)
    bounds = Enrolment.objects.filter(area_id__gte=area_lo, area_id__lt=area_hi).aggregate(lo=Min("id"), hi=Max("id"))
    PaymentCycle.objects.filter(pk=cycle.pk).update(generation_started_at=timezone.now())
    if bounds["lo"] is None:
        return []
    rows = [GenerationChunk(cycle=cycle, lo=lo, hi=min(lo + size, bounds["hi"] + 1), resync=resync)
            for lo in range(bounds["lo"], bounds["hi"] + 1, size)]
    return GenerationChunk.objects.bulk_create(rows)


def totals_refresh(cycle: PaymentCycle, *, lines: str = "payments_paymentline") -> None:
    """Cache the cycle's totals by kind (one GROUP BY) for the cycle page and API. `lines` may name the checks'
    narrow copy of the cycle's lines (`checks.LINES`, same columns), which is cheaper to read than the line
    table. Summed in whole fen (分) as integers, so SQLite's REAL arithmetic never touches the money."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, COUNT(*), SUM(CAST(ROUND(amount * 100) AS BIGINT)) FROM {lines} "
                       f"WHERE cycle_id = %s GROUP BY kind", [cycle.pk])
        rows = [(kind, count, Decimal(int(fen or 0)) / 100) for kind, count, fen in cursor.fetchall()]
    totals = {kind: {"count": count, "amount": f"{amount:.2f}"} for kind, count, amount in rows}
    PaymentCycle.objects.filter(pk=cycle.pk).update(totals=totals, line_count=sum(r[1] for r in rows),
                                                    total_amount=sum((r[2] for r in rows), Decimal(0)))


def chunk_workers(chunks: int, wanted: int | None = None) -> int:
    """How many chunks run at once (并行分块): `MINZHENG_PAYROLL_WORKERS` (default 2, the cores of the reference
    server) or `wanted`, at most one per chunk. Only on PostgreSQL, and only outside a transaction: each worker
    commits its chunks on a connection of its own, which could not see rows the caller has not committed yet
    (and SQLite has one writer at a time, so a second worker would only wait). Otherwise 1: the chunks run one
    after the other in this connection, as before."""
    wanted = settings.MINZHENG_PAYROLL_WORKERS if wanted is None else wanted
    if wanted <= 1 or chunks <= 1 or not d.is_postgres() or connection.in_atomic_block:
        return 1
    return min(wanted, chunks)


def _chunk_worker(cycle: PaymentCycle, chunk: GenerationChunk) -> int:
    """One chunk on this thread's own connection (Django's connections are per thread), closed afterwards so a
    pool thread never keeps a connection open once its chunk is written."""
    try:
        return chunk_run(cycle, chunk)
    finally:
        connection.close()


def chunks_run(cycle: PaymentCycle, chunks: list[GenerationChunk],
               workers: int) -> Iterator[tuple[GenerationChunk, int]]:
    """Run the chunks, `workers` at a time; yields (chunk, lines inserted) as each finishes (in the order they
    finish when parallel). The chunks cover disjoint enrolment ranges, so parallel workers never write the same
    line; each chunk is one transaction claimed by its status row (`chunk_run`), so the result is the serial
    one — the same lines, the same idempotence (ON CONFLICT on payment_line_once) and the same resumption after
    a crash. The first failing chunk's error is raised once the chunks already started have finished."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, chunk_run(cycle, chunk)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="payroll-chunk") as pool:
        futures = {pool.submit(_chunk_worker, cycle, chunk): chunk for chunk in chunks}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def cycle_generate_now(cycle: PaymentCycle, *, acting_user=None, job: Job | None = None,
                       size: int = CHUNK_SIZE, workers: int | None = None) -> dict:
    """Run (or continue) the generation of `cycle` in this process, then the checks; returns a summary, with
    the seconds of each step (`timings`: chunks, statistics, checks total and each check by name). The chunks
    run `chunk_workers` at a time (`workers` overrides the setting; 1 runs them one after the other)."""
    from payments.checks import checks_run

    started = time.perf_counter()
    timings: dict = {}

    if not cycle.chunks.exclude(status=GenerationChunk.Status.DONE).exists():
        # A new plan (not the continuation of a crashed one, whose lines must stay consistent): amounts first.
        rerates_due_apply(month=cycle.month, area_code=cycle.district_id, acting_user=acting_user)
    timings["rerate_s"] = round(time.perf_counter() - started, 3)
    with connection.cursor() as cursor:
        d.tune_connection(cursor)
    chunks = chunks_plan(cycle, size=size)
    total = cycle.chunks.count()
    done = total - len(chunks)
    inserted = 0
    pool = chunk_workers(len(chunks), workers)
    timings["chunk_workers"] = pool
    for chunk, lines in chunks_run(cycle, chunks, pool):
        inserted += lines
        done += 1
        if job is not None:
            job_progress(job, done=done, total=total + 1, message=f"分块 [{chunk.lo}, {chunk.hi}) 完成")
    timings["chunks_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    if inserted:
        # The planner must know the lines just written. Without it the new cycle is estimated at "1 row" and the
        # copy the checks take of the cycle's lines, and the bank-snapshot refresh, run as nested loops over the
        # whole cycle (measured at 1,000,000: 16 s and 6 s instead of about 2 s and milliseconds).
        with connection.cursor() as cursor:
            d.refresh_statistics(cursor, "payments_paymentline", STATISTICS_COLUMNS)
    timings["statistics_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    checks: dict = {}
    found = checks_run(cycle=cycle, acting_user=acting_user, refresh_totals=True, timings=checks)
    timings["checks_total_s"] = round(time.perf_counter() - started, 3)
    timings["checks_s"] = checks
    PaymentCycle.objects.filter(pk=cycle.pk).update(status=PaymentCycle.Status.GENERATED,
                                                    generated_at=F("generation_started_at"))
    if job is not None:
        job_progress(job, done=total + 1, total=total + 1, message="核查完成")
    return {"cycle": cycle.pk, "chunks": total, "inserted": inserted, "exceptions_open": found, "timings": timings}


@job_handler("payments.generate")
def generate_job(job: Job) -> dict:
    cycle = PaymentCycle.objects.select_related("district").get(pk=job.params["cycle"])
    return cycle_generate_now(cycle, acting_user=job.created_by, job=job,
                              size=int(job.params.get("chunk_size", CHUNK_SIZE)))


def default_district_code() -> str:
    return settings.MINZHENG_DISTRICT_CODE.ljust(12, "0")
