"""Checks before approval (发放前核查): each is ONE set-based query over the cycle's lines that inserts a
`PaymentException` per flagged line (idempotent: a unique (cycle, kind, line) and ON CONFLICT DO NOTHING), plus
one UPDATE that marks resolved the open exceptions whose line no longer fails the check (fixed, then re-checked).
Accepted exceptions stay accepted while the same line keeps failing.

Amount ceilings (金额超过标准), per programme, from the programme row's `ceiling` rule, with the parameters in force
in the cycle month for the line's community (`programs.selectors` rules: the most specific area wins). As seeded:
- dibao: the 低保标准 of the household's hukou type (standard_urban / standard_rural) × the household's living
  active members — the most a 差额补助 can be (a household with no income);
- tekun: tekun_standard + care_full — the basic standard plus the highest 照料护理补贴;
- dibao_bianyuan, gangxing_zhichu: 0 — a recognition pays no cash, so any amount is flagged;
- a programme whose row has no rule (临时救助, a one-off amount) has no monthly ceiling.
Only regular lines are compared with a ceiling; arrears repeat the same monthly amount.

Current quote (金额与现行标准测算不符): a regular line whose amount differs from the programme's amount
recomputed with the parameters in force in the cycle month — e.g. a standard raised but the re-rating not yet
confirmed. Only for programmes whose amount function has a set-based form (`programs.calculations.SetForm`,
today 低保) and enrolments whose stored quote holds the facts it reads; for the others (特困, 临时救助, a new
allowance without one) this check is silent: re-rating them is a Python quote per enrolment, too slow for a
check run at every generation.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from areas.models import Area
from minzheng import sql as d
from payments.generation import district_range, totals_refresh
from payments.models import PaymentCycle, PaymentException
from programs.calculations.money import add_months
from programs.models import PolicyParameter, Program, area_ancestor_codes
from programs.selectors import parameter_at

Kind = PaymentException.Kind
CHANGE_SHARE_KEY = "payment_change_share"
RESOLVED_BY_RECHECK = "复查时已不再出现（已更正）"
# The checks read the cycle's lines from this narrow copy (see `_lines_snapshot`), not from the line table.
LINES = "payment_check_lines"
# A check with nothing to compare (no ceiling rows, no previous cycle) flags nothing.
NOTHING = ("SELECT CAST(NULL AS BIGINT) AS line_id, CAST(NULL AS TEXT) AS area_id, CAST(NULL AS TEXT) AS detail "
           "WHERE 1 = 0")


@dataclass(frozen=True)
class Ceiling:
    """per_person keys by hukou ("*" = any) × living members, plus fixed keys added once."""

    per_person: dict[str, str]
    fixed: tuple[str, ...]
    label: str



def ceilings() -> dict[str, Ceiling]:
    """The ceiling rule of every programme whose row has one (`Program.ceiling`; empty = none)."""
    rows = Program.objects.exclude(ceiling={}).values_list("code", "ceiling")
    return {code: Ceiling(dict(rule.get("per_person") or {}), tuple(rule.get("fixed") or ()), rule.get("label", ""))
            for code, rule in rows if rule}


def _living_members(household: str, month: str) -> str:
    return f"""(SELECT COUNT(*) FROM registry_householdmember hm JOIN registry_person hp ON hp.id = hm.person_id
               WHERE hm.household_id = {household} AND hm.is_active
                 AND (hp.status <> 'deceased' OR hp.death_date >= {month}))"""


def paid_after_death(cycle: PaymentCycle) -> tuple[str, list]:
    sql = f"""SELECT l.id AS line_id, l.area_id, l.payee_name || ' 已于 ' || CAST(l.payee_death_date AS TEXT)
                     || ' 死亡，本行为 ' || {d.month_text('l.covered_month')} || ' 的发放 '
                     || {d.money_text('l.amount')} || ' 元' AS detail
        FROM {LINES} l
        WHERE l.cycle_id = %s AND l.amount > 0 AND l.payee_status = 'deceased'
          AND l.payee_death_date < l.covered_month"""
    return sql, [cycle.pk]


EXCLUDING = "(SELECT from_program_id FROM programs_program_excludes)"


def _candidates() -> str:
    """Persons who may be paid twice, found without listing every beneficiary: a person is an active member of
    at most one household (`member_one_active_household`), so a person counted twice has two person lines, or
    a household whose lines are two or more, or a person line and a line of the household they live in. Each
    part reads the narrow copy once or probes an index per person line; almost always the result is empty."""
    regular = f"l.cycle_id = %s AND l.kind = 'regular' AND l.program_id IN {EXCLUDING}"
    return f"""SELECT l.person_id AS pid FROM {LINES} l
            WHERE {regular} AND l.household_id IS NULL AND l.person_id IS NOT NULL
            GROUP BY l.person_id HAVING COUNT(*) > 1
        UNION
        SELECT hm.person_id FROM registry_householdmember hm
            WHERE hm.is_active AND hm.household_id IN (SELECT l.household_id FROM {LINES} l WHERE {regular}
                                                       GROUP BY l.household_id HAVING COUNT(*) > 1)
        UNION
        SELECT l.person_id FROM {LINES} l
            JOIN registry_householdmember hm ON hm.person_id = l.person_id AND hm.is_active
            WHERE {regular} AND l.household_id IS NULL
              AND EXISTS (SELECT 1 FROM programs_enrolment e
                          JOIN payments_paymentline x ON x.enrolment_id = e.id AND x.cycle_id = l.cycle_id
                               AND x.kind = 'regular' AND x.household_id = hm.household_id
                          WHERE e.household_id = hm.household_id AND x.program_id IN {EXCLUDING})"""


def _beneficiaries() -> str:
    """Who a regular line pays for, for the candidate persons only: the person of a person programme; every
    active member of a household."""
    return f"""SELECT l.id AS line_id, l.program_id, l.person_id AS pid, l.area_id FROM {LINES} l
            WHERE l.cycle_id = %s AND l.kind = 'regular' AND l.household_id IS NULL AND l.person_id IS NOT NULL
              AND l.program_id IN {EXCLUDING} AND l.person_id IN (SELECT pid FROM cand)
        UNION ALL
        SELECT l.id, l.program_id, hm.person_id, l.area_id FROM {LINES} l
            JOIN registry_householdmember hm ON hm.household_id = l.household_id AND hm.is_active
            WHERE l.cycle_id = %s AND l.kind = 'regular' AND l.program_id IN {EXCLUDING}
              AND l.household_id IN (SELECT c.household_id FROM registry_householdmember c
                                     WHERE c.is_active AND c.person_id IN (SELECT pid FROM cand))
              AND hm.person_id IN (SELECT pid FROM cand)"""


def mutually_exclusive(cycle: PaymentCycle) -> tuple[str, list]:
    """Persons paid by two programmes that exclude each other. The candidates (persons counted twice, see
    `_candidates`) come first; only their beneficiary rows are listed and joined pairwise. Listing every
    beneficiary (500,000 at 300,000 lines) and grouping them took most of this check's time. "Two or more
    programmes" is MIN <> MAX rather than COUNT(DISTINCT …) > 1: the same test without a sort."""
    sql = f"""WITH cand AS MATERIALIZED ({_candidates()}),
             ben AS MATERIALIZED ({_beneficiaries()}),
             dup AS (SELECT pid FROM ben GROUP BY pid HAVING MIN(program_id) <> MAX(program_id)),
             hit AS (SELECT ben.* FROM ben JOIN dup ON dup.pid = ben.pid)
        SELECT a.line_id, a.area_id, MIN(pp.name || ' 同时享受' || pb.name || '（发放明细 '
                                         || CAST(b.line_id AS TEXT) || '），两项目不能同时享受') AS detail
        FROM hit a
        JOIN hit b ON b.pid = a.pid AND b.line_id <> a.line_id
        JOIN programs_program_excludes x ON x.from_program_id = a.program_id AND x.to_program_id = b.program_id
        JOIN registry_person pp ON pp.id = a.pid
        JOIN programs_program pb ON pb.code = b.program_id
        GROUP BY a.line_id, a.area_id"""
    return sql, [cycle.pk] * 5


def _parameter_values(cycle: PaymentCycle, programs: list[str],
                      keys: set[str]) -> dict[tuple[str, str], list[PolicyParameter]]:
    on = cycle.month
    rows = (PolicyParameter.objects.filter(program_id__in=programs, key__in=keys, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))
    found: dict[tuple[str, str], list[PolicyParameter]] = {}
    for row in rows:
        found.setdefault((row.program_id, row.key), []).append(row)
    return found


def _value_for(found: dict, program: str, key: str, area_code: str) -> Decimal | None:
    """The most specific row in force for the area (the greatest applicable code), as `parameter_at` picks."""
    codes = set(area_ancestor_codes(area_code))
    applicable = [r for r in found.get((program, key), []) if r.area_code in codes]
    return max(applicable, key=lambda r: (r.area_code, r.valid_from)).value if applicable else None


def ceiling_rows(cycle: PaymentCycle) -> list[tuple]:
    """(program, area or None, hukou or "*", per_person, fixed, label) resolved in Python from the parameter
    table; one row for all areas when the figure is the same everywhere (the usual city-wide standard)."""
    rules = ceilings()
    keys = {k for c in rules.values() for k in (*c.per_person.values(), *c.fixed)}
    found = _parameter_values(cycle, list(rules), keys)
    lo, hi = district_range(cycle)
    areas = list(Area.objects.filter(code__gte=lo, code__lt=hi, level="community").values_list("code", flat=True))
    rows: list[tuple] = []
    for program, ceiling in rules.items():
        for hukou, key in (ceiling.per_person.items() or [("*", None)]):
            per_area = {}
            for area in areas:
                per_person = _value_for(found, program, key, area) if key else Decimal(0)
                fixed = [_value_for(found, program, k, area) for k in ceiling.fixed]
                if per_person is None or None in fixed:
                    continue  # a missing parameter is a configuration gap the programme's pages report
                per_area[area] = (per_person, sum(fixed, Decimal(0)))
            label = f"{ceiling.label}"
            if len(set(per_area.values())) == 1:
                per_person, fixed = next(iter(per_area.values()))
                rows.append((program, None, hukou, per_person, fixed, label))
            else:
                rows += [(program, area, hukou, pp, fx, label) for area, (pp, fx) in per_area.items()]
    return rows


def above_standard(cycle: PaymentCycle) -> tuple[str, list]:
    rows = ceiling_rows(cycle)
    if not rows:
        return NOTHING, []
    one = (f"SELECT CAST(%s AS TEXT) AS program_id, CAST(%s AS TEXT) AS area_id, CAST(%s AS TEXT) AS hukou, "
           f"{d.number_param()} AS per_person, {d.number_param()} AS fixed, CAST(%s AS TEXT) AS label")
    ceilings = " UNION ALL ".join([one] * len(rows))
    params = [str(v) if isinstance(v, Decimal) else v for row in rows for v in row]
    sql = f"""SELECT t.line_id, t.area_id, '金额 ' || {d.money_text('t.amount')} || ' 元，超过上限 '
                     || {d.money_text('t.ceiling')} || ' 元（' || t.label || '）' AS detail
        FROM (SELECT l.id AS line_id, l.area_id, l.amount, c.label,
                     c.fixed + c.per_person * (CASE WHEN c.per_person > 0
                         THEN {_living_members('l.household_id', 'l.covered_month')} ELSE 0 END) AS ceiling
              FROM {LINES} l
              LEFT JOIN registry_household h ON h.id = l.household_id
              JOIN ({ceilings}) c ON c.program_id = l.program_id AND COALESCE(c.area_id, l.area_id) = l.area_id
                   AND (c.hukou = '*' OR c.hukou = h.hukou_type)
              -- Members are counted only where the amount exceeds one member's share: most lines never are.
              WHERE l.cycle_id = %s AND l.kind = 'regular' AND l.amount > c.fixed + c.per_person) t
        WHERE t.amount > t.ceiling"""
    return sql, [*params, cycle.pk]


def bank_account_missing(cycle: PaymentCycle) -> tuple[str, list]:
    bad_format = (f"LENGTH(l.account_number) < 10 OR LENGTH(l.account_number) > 30 OR "
                  f"{d.has_non_digit('l.account_number')}")
    payee = "(CASE WHEN l.organisation_id IS NULL THEN '收款人' ELSE '收款单位' END || COALESCE(l.payee_name, ''))"
    sql = f"""SELECT l.id AS line_id, l.area_id,
                     CASE WHEN l.account_id IS NULL THEN {payee} || ' 未登记有效银行账户'
                          WHEN NOT l.account_valid THEN {payee} || ' 的银行账户已失效'
                          ELSE '银行账号格式不正确（应为10至30位数字）' END AS detail
        FROM {LINES} l
        WHERE l.cycle_id = %s AND l.amount > 0 AND (l.account_id IS NULL OR NOT l.account_valid OR {bad_format})"""
    return sql, [cycle.pk]


def not_in_registry(cycle: PaymentCycle) -> tuple[str, list]:
    """A person payee not in the registry or not in the district; for a line paid to an organisation (收款单位,
    not a resident) only its area is tested."""
    lo, hi = district_range(cycle)
    sql = f"""SELECT l.id AS line_id, l.area_id,
                    CASE WHEN l.organisation_id IS NOT NULL THEN '收款单位 ' || l.payee_name || ' 所在地不在本区'
                         WHEN l.payee_id IS NULL THEN '无收款人，不在居民信息库'
                         WHEN l.payee_status = 'moved_out' THEN l.payee_name || ' 已迁出（居民信息库状态：迁出）'
                         WHEN l.payee_area_id < %s OR l.payee_area_id >= %s
                              THEN l.payee_name || ' 居住地 ' || l.payee_area_id || ' 不在本区'
                         ELSE '享受地 ' || l.area_id || ' 不在本区' END AS detail
        FROM {LINES} l
        WHERE l.cycle_id = %s AND l.amount > 0
          AND ((l.organisation_id IS NULL AND (l.payee_id IS NULL OR l.payee_status = 'moved_out'
                                               OR l.payee_area_id < %s OR l.payee_area_id >= %s))
               OR l.area_id < %s OR l.area_id >= %s)"""
    return sql, [lo, hi, cycle.pk, lo, hi, lo, hi]


def large_change(cycle: PaymentCycle) -> tuple[str, list]:
    share = parameter_at(None, CHANGE_SHARE_KEY, cycle.district_id, cycle.month).value
    previous = PaymentCycle.objects.filter(district_id=cycle.district_id,
                                           month=add_months(cycle.month, -1)).values_list("id", flat=True).first()
    if previous is None:
        return NOTHING, []
    percent = f"{share * 100:.0f}%%"  # a literal % in a statement with parameters
    sql = f"""SELECT l.id AS line_id, l.area_id, '本月 ' || {d.money_text('l.amount')} || ' 元，上月 '
                     || {d.money_text('q.amount')} || ' 元，变动超过 {percent}' AS detail
        FROM {LINES} l
        JOIN payments_paymentline q ON q.enrolment_id = l.enrolment_id AND q.covered_month = {d.date_param()}
             AND q.kind = 'regular' AND q.cycle_id = %s
        WHERE l.cycle_id = %s AND l.kind = 'regular' AND q.amount > 0
          AND ABS(l.amount - q.amount) > {d.number_param()} * q.amount"""
    return sql, [add_months(cycle.month, -1).isoformat(), previous, cycle.pk, str(share)]


def amount_not_current_quote(cycle: PaymentCycle) -> tuple[str, list]:
    from programs.models import Program
    from programs.rerate import set_form_amount

    lo, hi = district_range(cycle)
    parts, params = [], []
    for program in Program.objects.filter(recurring=True).order_by("code"):
        form = set_form_amount(program, cycle.month, lo, hi)
        if form is None:
            continue
        joins, amount, form_params = form
        parts.append(f"""SELECT l.id AS line_id, l.area_id, '金额 ' || {d.money_text('l.amount')}
                || ' 元，按' || {d.month_text('l.covered_month')} || '现行标准测算应为 ' || {d.money_text('q.amount')}
                || ' 元，请确认调整待遇' AS detail
            FROM {LINES} l
            JOIN (SELECT e.id, {amount} AS amount FROM programs_enrolment e {joins}
                  WHERE e.program_id = %s AND e.id IN (SELECT z.enrolment_id FROM {LINES} z
                                                       WHERE z.cycle_id = %s AND z.program_id = %s)) q
                 ON q.id = l.enrolment_id
            WHERE l.cycle_id = %s AND l.kind = 'regular' AND l.program_id = %s AND q.amount IS NOT NULL
              AND q.amount <> l.amount""")
        params += [*form_params, program.code, cycle.pk, program.code, cycle.pk, program.code]
    if not parts:
        return NOTHING, []
    return " UNION ALL ".join(parts), params


CHECKS = ((Kind.PAID_AFTER_DEATH, paid_after_death), (Kind.MUTUALLY_EXCLUSIVE, mutually_exclusive),
          (Kind.ABOVE_STANDARD, above_standard), (Kind.BANK_ACCOUNT_MISSING, bank_account_missing),
          (Kind.NOT_IN_REGISTRY, not_in_registry), (Kind.LARGE_CHANGE, large_change),
          (Kind.AMOUNT_NOT_CURRENT_QUOTE, amount_not_current_quote))


def _refresh_bank_snapshots(cursor, cycle: PaymentCycle) -> None:
    """A fixed account reaches the lines it was missing from: lines with an open bank exception, or pointing
    at an account since made invalid, take the payee's valid account now (or none).

    Both sets are found from their small side — the open exceptions, the invalid accounts and, through the
    (person, month) index, their payees' lines — never by reading every line of the cycle: a line's account is
    always its payee's (generation and adjustments both take the person's valid account). Both sets hold only
    lines of this cycle, so the outer WHERE names no cycle: given one, SQLite read the cycle's every line by
    the (cycle, area) index to test it against the set. CROSS JOIN is SQLite's way to keep the accounts as the
    outer loop (PostgreSQL plans it as any inner join)."""
    valid = "FROM payments_bankaccount b WHERE b.person_id = payments_paymentline.person_id AND b.valid"
    cursor.execute(f"""UPDATE payments_paymentline SET bank_account_id = (SELECT b.id {valid}),
            bank_name = COALESCE((SELECT b.bank_name {valid}), ''),
            account_number = COALESCE((SELECT b.account_number {valid}), '')
        WHERE status = 'pending' AND organisation_id IS NULL AND id IN (
            SELECT x.line_id FROM payments_paymentexception x
            WHERE x.cycle_id = %s AND x.kind = %s AND x.status = 'open' AND x.line_id IS NOT NULL
            UNION
            SELECT l.id FROM payments_bankaccount ba CROSS JOIN payments_paymentline l
            WHERE NOT ba.valid AND l.person_id = ba.person_id AND l.bank_account_id = ba.id AND l.cycle_id = %s)""",
                   [cycle.pk, Kind.BANK_ACCOUNT_MISSING, cycle.pk])
    # Lines payable to an organisation (few, by the partial index): each takes its organisation's valid account.
    valid = "FROM payments_bankaccount b WHERE b.organisation_id = payments_paymentline.organisation_id AND b.valid"
    cursor.execute(f"""UPDATE payments_paymentline SET bank_account_id = (SELECT b.id {valid}),
            bank_name = COALESCE((SELECT b.bank_name {valid}), ''),
            account_number = COALESCE((SELECT b.account_number {valid}), '')
        WHERE organisation_id IS NOT NULL AND cycle_id = %s AND status = 'pending'
          AND COALESCE(bank_account_id, 0) <> COALESCE((SELECT b.id {valid}), 0)""", [cycle.pk])


def _apply(cursor, cycle: PaymentCycle, kind: str, violations: tuple[str, list], acting_user, now) -> None:
    sql, params = violations
    # Resolve first, and only when this kind has open exceptions (a first generation has none): the violation
    # query then runs once, not twice.
    cursor.execute("SELECT 1 FROM payments_paymentexception WHERE cycle_id = %s AND status = 'open' AND kind = %s "
                   "LIMIT 1", [cycle.pk, kind])
    if cursor.fetchone() is not None:
        cursor.execute(f"""UPDATE payments_paymentexception SET status = 'resolved', resolution = %s,
                resolved_by_id = %s, resolved_at = %s
            WHERE cycle_id = %s AND kind = %s AND status = 'open'
              AND (line_id IS NULL OR line_id NOT IN (SELECT v.line_id FROM ({sql}) v))""",
                       [RESOLVED_BY_RECHECK, getattr(acting_user, "pk", None), now, cycle.pk, kind, *params])
    cursor.execute("SELECT 1 FROM payments_paymentexception WHERE cycle_id = %s AND status = 'resolved' "
                   "AND kind = %s LIMIT 1", [cycle.pk, kind])
    if cursor.fetchone() is not None:
        # Fixed once, broken again: the same line's exception opens again (the insert below would skip it).
        cursor.execute(f"""UPDATE payments_paymentexception SET status = 'open', resolution = '',
                resolved_by_id = NULL, resolved_at = NULL
            WHERE cycle_id = %s AND kind = %s AND status = 'resolved'
              AND line_id IN (SELECT v.line_id FROM ({sql}) v)""", [cycle.pk, kind, *params])
    cursor.execute(f"""INSERT INTO payments_paymentexception
            (cycle_id, line_id, area_id, kind, detail, status, resolution, found_at)
        SELECT %s, v.line_id, v.area_id, %s, substr(v.detail, 1, 300), 'open', '', %s FROM ({sql}) v WHERE 1 = 1
        {d.on_conflict_nothing()}""", [cycle.pk, kind, now, *params])


def _lines_snapshot(cursor, cycle: PaymentCycle) -> None:
    """Copy what the checks read of the cycle's lines, with the payee's registry record and the bank account
    the line points at, into a temporary table, once.

    Every check used to scan the line table itself — rows of ~500 bytes (the formula JSON), every month's
    lines in one table — and three of them joined the whole person or bank-account table again. The copy is
    about a fifth of the width, holds this cycle only and is joined once; it lives in this transaction (dropped
    at the end; a rollback drops it too) and is not WAL-logged. ANALYZE gives the planner its true size, which
    the line table's statistics do not know right after a generation."""
    cursor.execute(f"DROP TABLE IF EXISTS {LINES}")
    where, params = d.cycle_lines_in_id_order(cursor, "l", cycle.pk)
    cursor.execute(f"""CREATE TEMPORARY TABLE {LINES} AS
        SELECT l.id, l.cycle_id, l.enrolment_id, l.program_id, l.person_id, l.household_id, l.organisation_id,
               l.area_id, l.covered_month, l.kind, l.amount, l.bank_account_id, l.account_number,
               p.id AS payee_id, COALESCE(p.name, o.name) AS payee_name, p.status AS payee_status,
               p.death_date AS payee_death_date, p.area_id AS payee_area_id, ba.id AS account_id,
               ba.valid AS account_valid
        FROM payments_paymentline l
        LEFT JOIN registry_person p ON p.id = l.person_id
        LEFT JOIN payments_organisationpayee o ON o.id = l.organisation_id
        LEFT JOIN payments_bankaccount ba ON ba.id = l.bank_account_id
        WHERE {where}""", params)
    d.analyze_small_sample(cursor, LINES)


@contextmanager
def _timed(timings: dict | None, step: str):
    """Seconds spent in `step`, added to `timings` when the caller asked for them (the payroll benchmark)."""
    started = time.perf_counter()
    yield
    if timings is not None:
        timings[step] = round(timings.get(step, 0) + time.perf_counter() - started, 3)


def checks_run(*, cycle: PaymentCycle, acting_user=None, refresh_totals: bool = False,
               timings: dict | None = None) -> int:
    """Run every check on the cycle in one transaction; returns the number of open exceptions. With
    `refresh_totals`, the cycle's cached totals are refreshed from the same copy of its lines (a generation).
    `timings`, if given, receives the seconds of each step by name."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        d.tune_transaction(cursor)
        with _timed(timings, "bank_refresh"):
            _refresh_bank_snapshots(cursor, cycle)
        with _timed(timings, "copy"):
            _lines_snapshot(cursor, cycle)
        for kind, check in CHECKS:
            with _timed(timings, str(kind)):
                _apply(cursor, cycle, kind, check(cycle), acting_user, now)
        if refresh_totals:
            with _timed(timings, "totals"):
                totals_refresh(cycle, lines=LINES)
        cursor.execute(f"DROP TABLE {LINES}")
    return PaymentException.objects.filter(cycle=cycle, status=PaymentException.Status.OPEN).count()
