"""Indicator snapshots (指标快照): compute every collected indicator for a month, by area, and keep the figures.

One grouped query per numerator and denominator (by community, and by breakdown key where the indicator is split;
one for both where the numerator is a condition on the base), rolled up in Python to the towns and the district by
summing numerators and denominators (never by averaging rates), then one upsert statement per table of the rows
that changed, in one transaction. Re-running a month rewrites nothing that has not changed, and never duplicates
(unique on indicator, month, area). The monthly job refreshes last month (final) and this month; a page or the
command refreshes on demand.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from areas.codes import COMMUNITY_PREFIX_LENGTH, DISTRICT_PREFIX_LENGTH, TOWN_PREFIX_LENGTH
from areas.models import Area
from indicators.models import Indicator, IndicatorBreakdown, IndicatorValue
from indicators.registry import Breakdown, Measure, indicator_breakdowns, indicator_function
from minzheng.dates import add_months, first_of_month
from minzheng.lookups import prefix_q

PLACES = Decimal("0.0001")
LEVEL_LENGTHS = {"district": DISTRICT_PREFIX_LENGTH, "town": TOWN_PREFIX_LENGTH,
                 "community": COMMUNITY_PREFIX_LENGTH}


@dataclass(frozen=True)
class Figure:
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None


def district_areas(district_code: str | None = None) -> dict[str, str]:
    """The district's current areas: code → level (district, town, community)."""
    district_code = district_code or settings.MINZHENG_DISTRICT_CODE
    prefix = district_code[:DISTRICT_PREFIX_LENGTH]
    rows = Area.objects.filter(prefix_q("code", prefix), valid_to__isnull=True).values_list("code", "level")
    return dict(rows)


def _ancestors(code: str) -> list[str]:
    """This code and the codes above it up to the district (12-digit): community → town → district."""
    codes = [code[:length].ljust(12, "0") for length in (COMMUNITY_PREFIX_LENGTH, TOWN_PREFIX_LENGTH,
                                                          DISTRICT_PREFIX_LENGTH)]
    return list(dict.fromkeys(codes))


def _rolled_up(pairs: list[tuple[str, Decimal]], areas: dict[str, str]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for code, amount in pairs:
        if not code:
            continue
        for ancestor in _ancestors(code):
            if ancestor in areas:
                totals[ancestor] = totals.get(ancestor, Decimal(0)) + amount
    return totals


def _figure(numerator: Decimal, denominator: Decimal, rate: bool, scale: Decimal) -> Figure:
    if rate:
        value = (numerator / denominator * scale).quantize(PLACES) if denominator else None
    else:
        value = (numerator * scale).quantize(PLACES)
    return Figure(numerator.quantize(PLACES), denominator.quantize(PLACES) if rate else None, value)


def _figures(numerators: dict[str, Decimal], denominators: dict[str, Decimal], rate: bool, scale: Decimal,
             areas: dict[str, str], levels: list[str], *, given_only: bool) -> dict[str, Figure]:
    figures = {}
    for code, level in areas.items():
        if level not in levels:
            continue
        if given_only and code not in numerators and code not in denominators:
            continue
        figures[code] = _figure(numerators.get(code, Decimal(0)), denominators.get(code, Decimal(0)), rate, scale)
    return figures


def _split(pairs: list[tuple[str, object, Decimal]]) -> dict[object, list[tuple[str, Decimal]]]:
    by_key: dict[object, list[tuple[str, Decimal]]] = {}
    for code, item, amount in pairs:
        by_key.setdefault(item, []).append((code, amount))
    return by_key


def _summed(pairs: list[tuple[str, object, Decimal]]) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    for code, _, amount in pairs:
        totals[code] = totals.get(code, Decimal(0)) + amount
    return list(totals.items())


@dataclass
class Computed:
    """One indicator's month: the figure of every area, and of every (breakdown, key) of every area."""

    figures: dict[str, Figure]
    # (dimension, key text) → (label, sort, {area: Figure})
    parts: dict[tuple[str, str], tuple[str, int, dict[str, Figure]]]


def _key_text(item) -> str:
    return "" if item is None else str(item)


def measure_computed(measure: Measure, areas: dict[str, str], levels: list[str], month: date,
                     breakdowns: tuple[Breakdown, ...] = ()) -> Computed:
    """The figure of every area of the wanted levels (numerator and denominator summed up the tree), and with
    `breakdowns` the same per key. The first breakdown's grouped query gives the figure too (its groups summed)."""
    rate = measure.is_rate
    if measure.rows is not None:
        numerators = _rolled_up([(code, num) for code, num, _ in measure.rows], areas)
        denominators = _rolled_up([(code, den) for code, _, den in measure.rows if den is not None], areas)
        # A figure given for some areas only (a city standard: the district row).
        figures = _figures(numerators, denominators, rate, measure.scale, areas, levels, given_only=True)
        return Computed(figures, {})
    parts: dict[tuple[str, str], tuple[str, int, dict[str, Figure]]] = {}
    grouped = []
    for breakdown in breakdowns:
        num, den = measure.grouped(breakdown.expression(month))
        grouped.append((num, den))
        num_by_key, den_by_key = _split(num), _split(den)
        keys = list(dict.fromkeys([*num_by_key, *den_by_key]))
        labels = breakdown.labels([k for k in keys if k is not None])
        order = {k: i for i, k in enumerate(labels)}
        for item in keys:
            label = labels.get(item) or ("未分类" if item is None else "其他")
            figures = _figures(_rolled_up(num_by_key.get(item, []), areas), _rolled_up(den_by_key.get(item, []), areas),
                               rate, measure.scale, areas, levels, given_only=True)
            parts[(breakdown.code, _key_text(item))] = (label, order.get(item, len(order)), figures)
    num, den = grouped[0] if grouped else measure.grouped()
    figures = _figures(_rolled_up(_summed(num), areas), _rolled_up(_summed(den), areas), rate, measure.scale, areas,
                       levels, given_only=False)
    return Computed(figures, parts)


def indicator_computed(indicator: Indicator, month: date, areas: dict[str, str] | None = None) -> Computed | None:
    """Compute one indicator for one month, with its breakdowns (nothing stored); None when not collected."""
    function = indicator_function(indicator.code)
    if function is None or indicator.status != Indicator.Status.COLLECTED:
        return None
    areas = areas if areas is not None else district_areas()
    month = first_of_month(month)
    return measure_computed(function(month), areas, indicator.levels.split(","), month,
                            indicator_breakdowns(indicator.code))


def indicator_figures(indicator: Indicator, month: date, areas: dict[str, str] | None = None) -> dict[str, Figure]:
    """Compute one indicator for one month (nothing stored)."""
    computed = indicator_computed(indicator, month, areas)
    return computed.figures if computed is not None else {}


def snapshots_refresh(*, month: date, codes: list[str] | None = None, now=None) -> dict[str, int]:
    """Compute and store the month's values of every collected indicator (or of `codes`), with their breakdowns;
    rows whose figures are unchanged are left alone, breakdown keys no longer found are removed. One upsert
    statement per table for the whole run, in one transaction. Returns how many rows were written and how many
    were already current."""
    month = first_of_month(month)
    now = now or timezone.now()
    areas = district_areas()
    indicators = Indicator.objects.filter(status=Indicator.Status.COLLECTED)
    if codes:
        indicators = indicators.filter(code__in=codes)
    indicators = list(indicators)
    stored_values: dict[tuple[str, str], Figure] = {
        (code, area): Figure(*figure) for code, area, *figure in IndicatorValue.objects.filter(
            indicator__in=indicators, period_start=month).values_list(
            "indicator_id", "area_code", "numerator", "denominator", "value")}
    stored_parts: dict[tuple, tuple[int, tuple]] = {
        (code, dimension, item, area): (pk, (label, sort, Figure(*figure)))
        for pk, code, dimension, item, area, label, sort, *figure in IndicatorBreakdown.objects.filter(
            indicator__in=[i for i in indicators if indicator_breakdowns(i.code)], period_start=month).values_list(
            "pk", "indicator_id", "dimension", "key", "area_code", "label", "sort", "numerator", "denominator",
            "value")}
    values, parts, found, figures_count = [], [], set(), 0
    for indicator in indicators:
        computed = indicator_computed(indicator, month, areas)
        if computed is None:
            continue
        figures_count += len(computed.figures)
        values += [(indicator.code, area, figure) for area, figure in computed.figures.items()
                   if stored_values.get((indicator.code, area)) != figure]
        for (dimension, item), (label, sort, figures) in computed.parts.items():
            for area, figure in figures.items():
                identity = (indicator.code, dimension, item, area)
                found.add(identity)
                stored = stored_parts.get(identity)
                if stored is None or stored[1] != (label, sort, figure):
                    parts.append((indicator.code, dimension, item, area, label, sort, figure))
    gone = [pk for identity, (pk, _) in stored_parts.items() if identity not in found]
    with transaction.atomic():
        _upsert(IndicatorValue, VALUE_KEYS, [(code, area, month, *_numbers(f), now) for code, area, f in values])
        _upsert(IndicatorBreakdown, BREAKDOWN_KEYS, [
            (code, dimension, item, area, month, label, sort, *_numbers(f), now)
            for code, dimension, item, area, label, sort, f in parts])
        if gone:
            IndicatorBreakdown.objects.filter(pk__in=gone).delete()
    return {"written": len(values) + len(parts) + len(gone),
            "unchanged": figures_count - len(values) + len(found) - len(parts)}


def _numbers(figure: Figure) -> tuple:
    return figure.numerator, figure.denominator, figure.value


UPSERT_BATCH = 500
# (column, kind) in statement order, and the conflict target.
VALUE_COLUMNS = [("indicator_id", "varchar"), ("area_code", "varchar"), ("period_start", "date"),
                 ("numerator", "numeric"), ("denominator", "numeric"), ("value", "numeric"),
                 ("computed_at", "timestamptz")]
BREAKDOWN_COLUMNS = [("indicator_id", "varchar"), ("dimension", "varchar"), ("key", "varchar"),
                     ("area_code", "varchar"), ("period_start", "date"), ("label", "varchar"), ("sort", "integer"),
                     ("numerator", "numeric"), ("denominator", "numeric"), ("value", "numeric"),
                     ("computed_at", "timestamptz")]
VALUE_KEYS = (VALUE_COLUMNS, ("indicator_id", "period_start", "area_code"))
BREAKDOWN_KEYS = (BREAKDOWN_COLUMNS, ("indicator_id", "period_start", "dimension", "area_code", "key"))


def _upsert(model, spec, rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE of `rows`. On PostgreSQL one statement for all rows, passed as ONE JSON
    parameter read by json_populate_recordset: psycopg's client-side binding of 3,500 placeholders a statement
    and a commit per indicator were a third of a snapshot run, and binding the columns as arrays still spent
    0.46 s adapting 5,500 rows (bench/cockpit.py); json.dumps takes a few milliseconds. SQLite: multi-row
    VALUES, 500 rows a statement."""
    if not rows:
        return
    columns, keys = spec
    names = [name for name, _ in columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    table = model._meta.db_table
    head = f"INSERT INTO {table} ({', '.join(names)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            payload = json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=str)
            cursor.execute(f"{head} SELECT {', '.join(names)} FROM json_populate_recordset(NULL::{table}, %s) "
                           f"{conflict}", [payload])
            return
        ops = connection.ops
        adapt = {"date": ops.adapt_datefield_value, "timestamptz": ops.adapt_datetimefield_value,
                 "numeric": lambda v: None if v is None else ops.adapt_decimalfield_value(v, 18, 4)}
        kinds = [adapt.get(kind, lambda v: v) for _, kind in columns]
        rows = [tuple(fn(v) for fn, v in zip(kinds, row, strict=True)) for row in rows]
        for start in range(0, len(rows), UPSERT_BATCH):
            batch = rows[start:start + UPSERT_BATCH]
            values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(batch))
            cursor.execute(f"{head} VALUES {values} {conflict}", [item for row in batch for item in row])


def snapshots_monthly(*, today: date) -> dict[str, int]:
    """The monthly job: last month (now complete) and this month so far."""
    this_month = first_of_month(today)
    totals = {"written": 0, "unchanged": 0}
    for month in (add_months(this_month, -1), this_month):
        result = snapshots_refresh(month=month)
        for key in totals:
            totals[key] += result[key]
    return totals
