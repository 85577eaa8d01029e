"""Indicator snapshots (指标快照): compute every collected indicator for a month, by area, and keep the figures.

One grouped query per numerator and denominator (by community), rolled up in Python to the towns and the
district by summing numerators and denominators (never by averaging rates), then one bulk upsert of the rows that
changed. Re-running a month rewrites nothing that has not changed, and never duplicates (unique on indicator,
area, month). The monthly job refreshes last month (final) and this month; a page or the command refreshes on
demand.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from areas.codes import COMMUNITY_PREFIX_LENGTH, DISTRICT_PREFIX_LENGTH, TOWN_PREFIX_LENGTH
from areas.models import Area
from indicators.models import Indicator, IndicatorValue
from indicators.registry import Measure, indicator_function
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


def measure_figures(measure: Measure, areas: dict[str, str], levels: list[str]) -> dict[str, Figure]:
    """The figure of every area of the wanted levels: numerator and denominator summed up the tree."""
    if measure.rows is not None:
        numerators = _rolled_up([(code, num) for code, num, _ in measure.rows], areas)
        denominators = _rolled_up([(code, den) for code, _, den in measure.rows if den is not None], areas)
    else:
        numerators = _rolled_up(measure.numerator_by_area(), areas)
        denominators = _rolled_up(measure.denominator_by_area(), areas)
    rate = measure.is_rate
    figures = {}
    for code, level in areas.items():
        if level not in levels:
            continue
        if measure.rows is not None and code not in numerators:
            continue  # a figure given for some areas only (a city standard: the district row)
        numerator = numerators.get(code, Decimal(0))
        denominator = denominators.get(code, Decimal(0)) if rate else None
        if rate:
            value = (numerator / denominator * measure.scale).quantize(PLACES) if denominator else None
        else:
            value = (numerator * measure.scale).quantize(PLACES)
        figures[code] = Figure(numerator.quantize(PLACES), denominator.quantize(PLACES) if rate else None, value)
    return figures


def indicator_figures(indicator: Indicator, month: date, areas: dict[str, str] | None = None) -> dict[str, Figure]:
    """Compute one indicator for one month (nothing stored)."""
    function = indicator_function(indicator.code)
    if function is None or indicator.status != Indicator.Status.COLLECTED:
        return {}
    areas = areas if areas is not None else district_areas()
    return measure_figures(function(first_of_month(month)), areas, indicator.levels.split(","))


def snapshots_refresh(*, month: date, codes: list[str] | None = None, now=None) -> dict[str, int]:
    """Compute and store the month's values of every collected indicator (or of `codes`); rows whose figures are
    unchanged are left alone. Returns how many rows were written and how many were already current."""
    month = first_of_month(month)
    now = now or timezone.now()
    areas = district_areas()
    indicators = Indicator.objects.filter(status=Indicator.Status.COLLECTED)
    if codes:
        indicators = indicators.filter(code__in=codes)
    written = unchanged = 0
    indicators = list(indicators)
    stored_all: dict[str, dict[str, Figure]] = {}
    for code, area, *figure in IndicatorValue.objects.filter(indicator__in=indicators, period_start=month).values_list(
            "indicator_id", "area_code", "numerator", "denominator", "value"):
        stored_all.setdefault(code, {})[area] = Figure(*figure)
    for indicator in indicators:
        figures = indicator_figures(indicator, month, areas)
        if not figures:
            continue
        stored = stored_all.get(indicator.code, {})
        changed = [(code, figure) for code, figure in figures.items() if stored.get(code) != figure]
        unchanged += len(figures) - len(changed)
        if changed:
            _upsert(indicator.code, month, changed, now)
            written += len(changed)
    return {"written": written, "unchanged": unchanged}


UPSERT_BATCH = 500
COLUMNS = "(indicator_id, area_code, period_start, numerator, denominator, value, computed_at)"
ON_CONFLICT = ("ON CONFLICT (indicator_id, area_code, period_start) DO UPDATE SET numerator = excluded.numerator, "
               "denominator = excluded.denominator, value = excluded.value, computed_at = excluded.computed_at")


def _upsert(code: str, month: date, changed: list[tuple[str, Figure]], now) -> None:
    """Multi-row INSERT … ON CONFLICT DO UPDATE, 500 rows a statement (PostgreSQL and SQLite alike): the ORM's
    bulk_create spent most of a snapshot run building model instances (measured: bench/cockpit.py)."""
    ops = connection.ops
    period, computed = ops.adapt_datefield_value(month), ops.adapt_datetimefield_value(now)

    def number(value):
        return None if value is None else ops.adapt_decimalfield_value(value, 18, 4)

    rows = [(code, area, period, number(f.numerator), number(f.denominator), number(f.value), computed)
            for area, f in changed]
    table = IndicatorValue._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):
            batch = rows[start:start + UPSERT_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(f"INSERT INTO {table} {COLUMNS} VALUES {values} {ON_CONFLICT}",
                           [item for row in batch for item in row])


def snapshots_monthly(*, today: date) -> dict[str, int]:
    """The monthly job: last month (now complete) and this month so far."""
    this_month = first_of_month(today)
    totals = {"written": 0, "unchanged": 0}
    for month in (add_months(this_month, -1), this_month):
        result = snapshots_refresh(month=month)
        for key in totals:
            totals[key] += result[key]
    return totals
