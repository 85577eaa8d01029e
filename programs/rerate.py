"""调整待遇（重新核定）: re-rating enrolments when a standard changes or a person's own facts change.

The payroll pays the stored `Enrolment.monthly_amount`; this module keeps it equal to the current quote.

- A new or corrected `PolicyParameter` (`services.policy_parameter_set`) calls `rerate_propose`: for each
  programme whose amount reads that figure, a PENDING `Rerate` with its preview (enrolments that change and
  the monthly difference, by programme and town). Nothing is paid differently until a district officer
  confirms it (`rerate_confirm`): it is then applied at once, or — when its month is still ahead — before the
  first payroll of that month (`rerates_due_apply`).
- A programme whose amount follows a person's own facts (an age band, a care level) registers a `FactsDue`
  function; before each payroll generation `rerates_due_apply` re-quotes the enrolments it names and applies
  the re-rating by itself (no confirmation: nothing was decided, the facts changed).

`enrolments_rerate` does the work, chunked by enrolment id range (never OFFSET, never one statement per row
when the programme has a set-based form): one INSERT … SELECT per chunk writes the `RerateItem` of every
enrolment whose amount changes; applying is one INSERT … SELECT of the `EnrolmentChange` rows and one
UPDATE … FROM of the enrolments per chunk. Programmes without a set-based form are re-quoted in Python, a
chunk at a time (correct, slower: fine for the few thousand enrolments of a small allowance).

Back pay (补发) is not written here: `payments.generation` pays, in the next cycle, the difference of the
applied items for every month already generated at the old amount (programs never writes payment tables).
"""

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.policy import allowed, scope_prefix
from areas.models import Area
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from minzheng.lookups import prefix_q, prefix_upper_bound
from programs.calculations import facts_due, quote, set_form
from programs.calculations.money import add_months, first_of_month, money
from programs.models import (
    AREA_PREFIX_LENGTHS,
    Enrolment,
    PolicyParameter,
    Program,
    Rerate,
    RerateItem,
    area_ancestor_codes,
    area_code_prefix,
)

CHUNK_SIZE = 20_000
# Enrolments that still hold a place are re-rated; a suspended one resumes at the current amount.
RERATED_STATUSES = ("active", "phasing_out", "suspended")
TOWN_LENGTH = AREA_PREFIX_LENGTHS[3]
DISTRICT_LENGTH = AREA_PREFIX_LENGTHS[2]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def rerate_month(valid_from: date) -> date:
    """The first month a parameter applies in full: parameters are looked up on the first day of a month
    (`selectors.parameter_at`), so a figure from 2026-01-15 first applies to 2026-02."""
    return valid_from if valid_from.day == 1 else add_months(first_of_month(valid_from), 1)


def _area_range(area_code: str) -> tuple[str, str]:
    prefix = area_code_prefix(area_code)
    return prefix, prefix_upper_bound(prefix)


# ---- parameter values per community, for the set-based forms ----------------------------------------------

def _values_in_force(pairs, month: date) -> dict[tuple, list[PolicyParameter]]:
    wanted = Q(pk__in=[])
    for program, key in pairs:
        wanted |= Q(program_id=program, key=key)
    rows = (PolicyParameter.objects.filter(wanted, valid_from__lte=month)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month)))
    found: dict[tuple, list[PolicyParameter]] = {}
    for row in rows:
        found.setdefault((row.program_id, row.key), []).append(row)
    return found


def _most_specific(rows: list[PolicyParameter], area_code: str) -> Decimal | None:
    """As `selectors.parameter_at` picks: the greatest applicable code, then the latest start."""
    codes = set(area_ancestor_codes(area_code))
    applicable = [r for r in rows if r.area_code in codes]
    return max(applicable, key=lambda r: (r.area_code, r.valid_from)).value if applicable else None


@dataclass(frozen=True)
class ParameterTable:
    """The parameter values in force in a month for each community of a range, as SQL: `join` adds a table
    `pv` to a statement over `e` (programs_enrolment), `columns` names each figure's column, `params` fill it."""

    join: str
    columns: dict[tuple, str]
    params: list


def parameter_table(pairs, month: date, area_lo: str, area_hi: str) -> ParameterTable:
    """One row per community (resolved in Python from the parameter table, a few hundred rows at most), or a
    single row joined to every enrolment when the figures are the same everywhere (the usual city-wide
    standard). A community lacking a figure gets NULL, so its enrolments are not re-rated (a configuration gap
    the quote reports by name) rather than re-rated with a default."""
    pairs = tuple(pairs)
    found = _values_in_force(pairs, month)
    areas = list(Area.objects.filter(level="community", code__gte=area_lo, code__lt=area_hi)
                 .values_list("code", flat=True))
    per_area = {area: tuple(_most_specific(found.get(pair, []), area) for pair in pairs) for area in areas}
    columns = {pair: f"pv.v{i}" for i, pair in enumerate(pairs)}
    number = "CAST(%s AS numeric)" if _postgres() else "CAST(%s AS NUMERIC)"
    values = [", ".join(f"{number} AS v{i}" for i in range(len(pairs)))]
    distinct = set(per_area.values())
    if len(distinct) <= 1:
        row = next(iter(distinct), (None,) * len(pairs))
        return ParameterTable(join=f"CROSS JOIN (SELECT {values[0]}) pv", columns=columns,
                              params=[None if v is None else str(v) for v in row])
    one = f"SELECT CAST(%s AS TEXT) AS area_id, {values[0]}"
    union = " UNION ALL ".join([one] * len(per_area))
    params = [v for area, row in per_area.items() for v in (area, *(None if x is None else str(x) for x in row))]
    return ParameterTable(join=f"JOIN ({union}) pv ON pv.area_id = e.area_id", columns=columns, params=params)


def set_form_amount(program: Program, month: date, area_lo: str, area_hi: str) -> tuple[str, str, list] | None:
    """(joins, amount expression, params) of the programme's set-based amount in `month` over `e`, or None when
    the programme has no set-based form. Used by the re-rating and by the payroll check of current amounts."""
    form = set_form(program.calculator)
    if form is None:
        return None
    table = parameter_table(form.parameters, month, area_lo, area_hi)
    joins = f"LEFT JOIN registry_household h ON h.id = e.household_id {table.join}"
    return joins, form.amount_sql(table.columns), table.params


# ---- which programmes a parameter re-rates ------------------------------------------------------------------

def programs_rated_by(parameter: PolicyParameter) -> list[Program]:
    """Monthly programmes whose amount reads the parameter: those whose set-based form names it, and — when it
    is the programme's own parameter and the programme has no set-based form — the programme itself (its
    Python quote may read any of its figures)."""
    found = []
    for program in Program.objects.filter(active=True, recurring=True).order_by("sort", "code"):
        form = set_form(program.calculator)
        if form is not None:
            if (parameter.program_id, parameter.key) in form.parameters:
                found.append(program)
        elif program.code == parameter.program_id:
            found.append(program)
    return found


# ---- the computation --------------------------------------------------------------------------------------

def _chunks(program: Program, area_lo: str, area_hi: str, size: int) -> list[tuple[int, int]]:
    bounds = Enrolment.objects.filter(program=program, area_id__gte=area_lo, area_id__lt=area_hi).aggregate(
        lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    return [(lo, min(lo + size, bounds["hi"] + 1)) for lo in range(bounds["lo"], bounds["hi"] + 1, size)]


ITEM_COLUMNS = "rerate_id, enrolment_id, program_id, area_id, valid_from, from_amount, to_amount"


def _compute_chunk_sql(cursor, rerate: Rerate, form_sql: tuple[str, str, list], lo: int, hi: int,
                       area_lo: str, area_hi: str) -> None:
    joins, amount, params = form_sql
    statuses = ", ".join(f"'{s}'" for s in RERATED_STATUSES)
    cursor.execute(f"""INSERT INTO programs_rerateitem ({ITEM_COLUMNS})
        SELECT %s, t.id, t.program_id, t.area_id, %s, t.monthly_amount, t.amount
        FROM (SELECT e.id, e.program_id, e.area_id, e.monthly_amount, {amount} AS amount
              FROM programs_enrolment e {joins}
              WHERE e.program_id = %s AND e.status IN ({statuses}) AND e.id >= %s AND e.id < %s
                AND e.area_id >= %s AND e.area_id < %s) t
        WHERE t.amount IS NOT NULL AND t.amount <> t.monthly_amount""",
                   [rerate.pk, rerate.valid_from, *params, rerate.program_id, lo, hi, area_lo, area_hi])


def _quote_inputs(enrolment: Enrolment) -> dict:
    inputs = dict((enrolment.calculation or {}).get("inputs") or {})
    if enrolment.care_level:
        inputs["care_level"] = enrolment.care_level  # the recorded level is the fact; the stored input may lag
    return inputs


def _compute_chunk_python(rerate: Rerate, rows: QuerySet[Enrolment]) -> None:
    """Re-quote each enrolment of the chunk in Python (a programme without a set-based form, or a person's own
    facts). An enrolment the quote can no longer rate (now ineligible, a missing figure) keeps its amount: ending
    or reducing it is a re-check's decision, taken with the household, not a side effect of a standard."""
    items = []
    for enrolment in rows.select_related("household", "person", "program"):
        try:
            result = quote(program=enrolment.program, household=enrolment.household, person=enrolment.person,
                           month=rerate.valid_from, **_quote_inputs(enrolment))
        except ValidationError:
            continue
        if result.eligible and result.monthly_amount != enrolment.monthly_amount:
            items.append(RerateItem(rerate=rerate, enrolment=enrolment, program_id=enrolment.program_id,
                                    area_id=enrolment.area_id, valid_from=rerate.valid_from,
                                    from_amount=enrolment.monthly_amount, to_amount=result.monthly_amount))
    RerateItem.objects.bulk_create(items, batch_size=1000)


def _preview(rerate: Rerate) -> None:
    """Count and sum the items by town (in whole fen, so SQLite's REAL never touches the money)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT SUBSTR(area_id, 1, {TOWN_LENGTH}), COUNT(*),
                SUM(CAST(ROUND((to_amount - from_amount) * 100) AS BIGINT))
            FROM programs_rerateitem WHERE rerate_id = %s GROUP BY SUBSTR(area_id, 1, {TOWN_LENGTH})""", [rerate.pk])
        rows = cursor.fetchall()
    by_town = {town.ljust(12, "0"): {"enrolments": count, "difference": money(Decimal(int(fen or 0)) / 100)}
               for town, count, fen in sorted(rows)}
    count = sum(r[1] for r in rows)
    total = Decimal(sum(int(r[2] or 0) for r in rows)) / 100
    rerate.enrolments, rerate.monthly_difference = count, total
    rerate.preview = {"by_program": {rerate.program_id: {"name": rerate.program.name, "enrolments": count,
                                                         "difference": money(total)}},
                      "by_town": by_town}
    Rerate.objects.filter(pk=rerate.pk).update(enrolments=count, monthly_difference=total, preview=rerate.preview)


def _reason(rerate: Rerate) -> str:
    if rerate.parameter_id:
        p = rerate.parameter
        value = f"{p.value.normalize():f}"
        text = f"调整待遇：{p.label}调整为{value}{p.unit}（{p.source}），自{rerate.valid_from:%Y年%m月}起"
    else:
        text = f"调整待遇：{rerate.get_cause_display()}，自{rerate.valid_from:%Y年%m月}起重新核定"
    return text[:200]


def _money_text(expr: str) -> str:
    return f"CAST(CAST({expr} AS numeric(14, 2)) AS text)" if _postgres() else f"printf('%%.2f', {expr})"


class _Clock:
    def __init__(self, timings: dict | None):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[step] = round(self.timings.get(step, 0) + now - self.last, 3)
        self.last = now


def _apply_chunk(cursor, rerate: Rerate, lo: int, hi: int, reason: str, acting_user, now, clock: _Clock) -> None:
    """The change records, then the amounts, of one chunk. Both only where the enrolment still has the amount
    the item was computed from: an officer's change in between is never overwritten."""
    cursor.execute("""INSERT INTO programs_enrolmentchange (enrolment_id, kind, from_amount, to_amount, from_status,
                to_status, reason, effective_month, area_id, by_id, at)
            SELECT ri.enrolment_id, 'change', ri.from_amount, ri.to_amount, e.status, e.status, %s, ri.valid_from,
                   ri.area_id, %s, %s
            FROM programs_rerateitem ri JOIN programs_enrolment e ON e.id = ri.enrolment_id
            WHERE ri.rerate_id = %s AND ri.enrolment_id >= %s AND ri.enrolment_id < %s
              AND e.monthly_amount = ri.from_amount""",
                   [reason, getattr(acting_user, "pk", None), now, rerate.pk, lo, hi])
    clock.lap("changes")
    note = [("rerate", "%s"), ("valid_from", "%s"), ("from_amount", _money_text("ri.from_amount")),
            ("to_amount", _money_text("ri.to_amount")), ("reason", "%s")]
    note_params = [rerate.pk, rerate.valid_from.isoformat(), reason]
    if _postgres():
        obj = "jsonb_build_object(" + ", ".join(f"'{k}', {v}" for k, v in note) + ")"
        calculation = f"calculation || jsonb_build_object('monthly_amount', {_money_text('ri.to_amount')}, " \
                      f"'rerated', {obj})"
    else:
        obj = "json_object(" + ", ".join(f"'{k}', {v}" for k, v in note) + ")"
        calculation = f"json_set(calculation, '$.monthly_amount', {_money_text('ri.to_amount')}, '$.rerated', {obj})"
    cursor.execute(f"""UPDATE programs_enrolment SET monthly_amount = ri.to_amount, calculation = {calculation}
            FROM programs_rerateitem ri
            WHERE ri.rerate_id = %s AND ri.enrolment_id = programs_enrolment.id
              AND ri.enrolment_id >= %s AND ri.enrolment_id < %s
              AND programs_enrolment.monthly_amount = ri.from_amount""",
                   [*note_params, rerate.pk, lo, hi])
    clock.lap("amounts")


@transaction.atomic
def enrolments_rerate(*, rerate: Rerate, acting_user=None, apply: bool = False,
                      chunk_size: int = CHUNK_SIZE, ids: list[int] | None = None,
                      timings: dict | None = None) -> Rerate:
    """Compute (and with `apply`, apply) every affected enrolment's amount from `rerate.valid_from`.

    The items are recomputed from scratch each time (a re-run replaces them), so the preview and the applied
    amounts are those of the moment of the call; applying twice changes nothing the second time (the items
    then find every enrolment at its new amount already, and none is written). `ids` limits the run to those
    enrolments (a person's own facts). Called by `rerate_propose`, `rerate_confirm` and `rerates_due_apply`,
    which check permissions; this function checks none (the payroll hook runs it for the system). `timings`,
    if given, receives the seconds of each step (the benchmark)."""
    clock = _Clock(timings)
    rerate = Rerate.objects.select_for_update(of=("self",)).select_related("program", "parameter").get(pk=rerate.pk)
    if rerate.status == Rerate.Status.APPLIED:
        return rerate
    program, month = rerate.program, rerate.valid_from
    area_lo, area_hi = _area_range(rerate.area_code)
    RerateItem.objects.filter(rerate=rerate).delete()
    clock.lap("clear")
    form_sql = None if ids is not None else set_form_amount(program, month, area_lo, area_hi)
    chunks = _chunks(program, area_lo, area_hi, chunk_size)
    with connection.cursor() as cursor:
        for lo, hi in chunks:
            if form_sql is not None:
                _compute_chunk_sql(cursor, rerate, form_sql, lo, hi, area_lo, area_hi)
                continue
            rows = Enrolment.objects.filter(program=program, status__in=RERATED_STATUSES, id__gte=lo, id__lt=hi,
                                            area_id__gte=area_lo, area_id__lt=area_hi).order_by("id")
            if ids is not None:
                rows = rows.filter(id__in=[i for i in ids if lo <= i < hi])
            _compute_chunk_python(rerate, rows)
    clock.lap("items")
    _preview(rerate)
    clock.lap("preview")
    if not apply:
        return rerate
    reason, now = _reason(rerate), timezone.now()
    with connection.cursor() as cursor:
        for lo, hi in chunks:
            _apply_chunk(cursor, rerate, lo, hi, reason, acting_user, now, clock)
    before = snapshot(rerate)
    rerate.status, rerate.applied_at = Rerate.Status.APPLIED, timezone.now()
    rerate.save(update_fields=["status", "applied_at"])
    change_log_write(instance=rerate, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(rerate),
                     acting_user=acting_user, reason=reason)
    domain_event_write(type=EventType.ENROLMENTS_RERATED, acting_user=acting_user,
                       message=f"{program.name}{reason}，涉及 {rerate.enrolments} 户（人），"
                               f"月发放金额合计变化 {money(rerate.monthly_difference)} 元",
                       params={"rerate": rerate.pk, "program": program.code, "enrolments": rerate.enrolments})
    return rerate


# ---- the services ---------------------------------------------------------------------------------------------

def _is_district_level(user) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and len(prefix) <= DISTRICT_LENGTH


@transaction.atomic
def rerate_propose(*, parameter: PolicyParameter, acting_user) -> list[Rerate]:
    """A PENDING re-rating, with its preview, for each programme whose amount reads `parameter` and has an
    enrolment that would change. A pending re-rating of the same figure and area is superseded (cancelled):
    the officer confirms the latest value only."""
    if not allowed(acting_user, "policy", "change"):
        raise PermissionDenied("无修改政策参数的权限")
    month = rerate_month(parameter.valid_from)
    Rerate.objects.filter(status=Rerate.Status.PENDING, parameter__key=parameter.key,
                          parameter__program_id=parameter.program_id, area_code=parameter.area_code).update(
        status=Rerate.Status.CANCELLED)
    proposed = []
    for program in programs_rated_by(parameter):
        rerate = Rerate.objects.create(program=program, cause=Rerate.Cause.PARAMETER, parameter=parameter,
                                       area_code=parameter.area_code, valid_from=month, created_by=acting_user)
        rerate = enrolments_rerate(rerate=rerate, acting_user=acting_user)
        if not rerate.enrolments:
            rerate.delete()  # the items cascade; nothing to confirm
            continue
        change_log_write(instance=rerate, action=ChangeLog.Action.CREATE, before=None, after=snapshot(rerate),
                         acting_user=acting_user, reason="政策参数调整，待确认调整待遇")
        proposed.append(rerate)
    return proposed


@transaction.atomic
def rerate_confirm(*, rerate: Rerate, acting_user, today: date | None = None) -> Rerate:
    """确认调整待遇 (区民政): confirm a pending re-rating. Applied at once when its month has come (amounts,
    change records; the next payroll pays back pay for months already generated), else before the first
    payroll of its month."""
    if not allowed(acting_user, "policy", "change") or not _is_district_level(acting_user):
        raise PermissionDenied("只有区民政经办人或审批人可以确认调整待遇")
    locked = Rerate.objects.select_for_update(of=("self",)).select_related("program", "parameter").get(pk=rerate.pk)
    if locked.status != Rerate.Status.PENDING:
        raise ValidationError({"status": [f"当前状态为“{locked.get_status_display()}”，不能确认"]})
    before = snapshot(locked)
    locked.status, locked.confirmed_by, locked.confirmed_at = Rerate.Status.CONFIRMED, acting_user, timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    change_log_write(instance=locked, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(locked),
                     acting_user=acting_user, reason="确认调整待遇")
    this_month = first_of_month(today or timezone.localdate())
    if locked.valid_from <= this_month:
        locked = enrolments_rerate(rerate=locked, acting_user=acting_user, apply=True)
    return locked


def rerates_due_apply(*, month: date, area_code: str, acting_user=None) -> list[Rerate]:
    """Before a payroll of `month` (`payments.generation`): apply the confirmed re-ratings whose month has come,
    then re-rate, by themselves, the enrolments whose own facts changed (registered `FactsDue`). Returns the
    re-ratings applied."""
    applied = []
    prefix = area_code_prefix(area_code)
    lo, hi = prefix, prefix_upper_bound(prefix)
    confirmed = Rerate.objects.filter(status=Rerate.Status.CONFIRMED, valid_from__lte=month)
    for rerate in confirmed.order_by("valid_from", "id"):
        applied.append(enrolments_rerate(rerate=rerate, acting_user=rerate.confirmed_by, apply=True))
    for program in Program.objects.filter(active=True, recurring=True).order_by("sort", "code"):
        for due in facts_due(program.calculator):
            ids = sorted(due.due(program, month, prefix))
            ids = list(Enrolment.objects.filter(id__in=ids, area_id__gte=lo, area_id__lt=hi).values_list(
                "id", flat=True)) if ids else []
            if not ids:
                continue
            with transaction.atomic():
                rerate = Rerate.objects.create(program=program, cause=due.cause, area_code=area_code.ljust(12, "0"),
                                               valid_from=month, status=Rerate.Status.CONFIRMED,
                                               note="人员自身情况变化，发放前自动重新核定")
                rerate = enrolments_rerate(rerate=rerate, acting_user=acting_user, apply=True, ids=ids)
            if rerate.enrolments:
                applied.append(rerate)
            else:
                rerate.delete()
    return applied


def rerates_visible(user, *, status: str | None = None) -> QuerySet[Rerate]:
    """Re-ratings the user may see: with the policy grant, those whose area contains the user's or lies in it."""
    prefix = scope_prefix(user)
    if prefix is None or not allowed(user, "policy", "view"):
        return Rerate.objects.none()
    above = [code for code in area_ancestor_codes(prefix.ljust(12, "0"))]
    rows = Rerate.objects.filter(Q(area_code__in=above) | prefix_q("area_code", prefix))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("program", "parameter", "created_by", "confirmed_by").order_by("-created_at", "-id")
