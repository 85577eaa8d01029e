"""Reads of indicators (指标查询), always within the user's area.

A value is read from the snapshots; a month not yet computed is computed and stored on first read (so the
current month is available before the nightly job). The records behind a value come from the indicator's own
function through `accounts.policy.restrict`, with the user's grant on that kind of record.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.policy import allowed, area_in_scope, restrict, scope_prefix
from areas.codes import area_code_prefix
from areas.models import Area
from indicators.models import Indicator, IndicatorBreakdown, IndicatorValue
from indicators.registry import Breakdown, indicator_breakdown, indicator_breakdowns, indicator_function
from indicators.services import snapshots_refresh
from minzheng.dates import add_months, first_of_month
from minzheng.lookups import prefix_q

RESOURCE = "indicator"


@dataclass
class Reading:
    """One indicator's figure for one area and month, as the API and pages show it."""

    indicator: Indicator
    area_code: str
    month: date
    value: object = None
    numerator: object = None
    denominator: object = None
    computed_at: object = None

    @property
    def status(self) -> str:
        return "computed" if self.indicator.status == Indicator.Status.COLLECTED else "not_collected"

    @property
    def light(self) -> str:
        """Traffic light: green (target met), red (missed), grey (no target, no value)."""
        met = self.indicator.meets_target(self.value)
        return "grey" if met is None else "green" if met else "red"


def may_view(user) -> bool:
    return allowed(user, RESOURCE, "view")


def check_view(user) -> None:
    if not may_view(user):
        raise PermissionDenied("无查看指标的权限")


def user_area_code(user) -> str | None:
    """The 12-digit code of the user's own area (the district for a superuser without one)."""
    prefix = scope_prefix(user)
    return prefix.ljust(12, "0") if prefix else None


def check_area(user, area_code: str) -> None:
    """A user reads only their own area and below: anything else is refused, never answered empty."""
    check_view(user)
    if not area_in_scope(user, area_code):
        raise PermissionDenied("无权查看该区划的指标")


def indicators_all() -> QuerySet[Indicator]:
    return Indicator.objects.all()


def _ensure(indicator: Indicator, months: list[date]) -> None:
    if indicator.status != Indicator.Status.COLLECTED or indicator_function(indicator.code) is None:
        return
    have = set(IndicatorValue.objects.filter(indicator=indicator, period_start__in=months)
               .values_list("period_start", flat=True).distinct())
    for month in months:
        if month not in have:
            snapshots_refresh(month=month, codes=[indicator.code])


def readings_grid(user, indicators: list[Indicator], area_code: str, months: list[date]) -> dict:
    """{(code, month): Reading} for several indicators over several months of one area, in two or three queries
    (the cockpit's cards and trends); months not yet computed are computed first."""
    check_area(user, area_code)
    collected = [i for i in indicators
                 if i.status == Indicator.Status.COLLECTED and indicator_function(i.code) is not None]
    have = set(IndicatorValue.objects.filter(indicator__in=collected, period_start__in=months, area_code=area_code)
               .values_list("indicator_id", "period_start"))
    missing: dict[date, list[str]] = {}
    for indicator in collected:
        for month in months:
            if (indicator.code, month) not in have:
                missing.setdefault(month, []).append(indicator.code)
    for month, codes in missing.items():
        snapshots_refresh(month=month, codes=codes)
    rows = {(row.indicator_id, row.period_start): row for row in IndicatorValue.objects.filter(
        indicator__in=collected, area_code=area_code, period_start__in=months)}
    grid = {}
    for indicator in indicators:
        for month in months:
            item = Reading(indicator, area_code, month)
            row = rows.get((indicator.code, month))
            if row is not None:
                item.value, item.numerator, item.denominator, item.computed_at = (
                    row.value, row.numerator, row.denominator, row.computed_at)
            grid[(indicator.code, month)] = item
    return grid


def reading(user, indicator: Indicator, area_code: str, month: date) -> Reading:
    check_area(user, area_code)
    month = first_of_month(month)
    _ensure(indicator, [month])
    row = IndicatorValue.objects.filter(indicator=indicator, area_code=area_code, period_start=month).first()
    result = Reading(indicator, area_code, month)
    if row is not None:
        result.value, result.numerator, result.denominator = row.value, row.numerator, row.denominator
        result.computed_at = row.computed_at
    return result


def series(user, indicator: Indicator, area_code: str, start: date, end: date) -> list[Reading]:
    """One reading per month from `start` to `end` (inclusive)."""
    check_area(user, area_code)
    months, month = [], first_of_month(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    _ensure(indicator, months)
    rows = {row.period_start: row for row in IndicatorValue.objects.filter(
        indicator=indicator, area_code=area_code, period_start__in=months)}
    result = []
    for month in months:
        item = Reading(indicator, area_code, month)
        row = rows.get(month)
        if row is not None:
            item.value, item.numerator, item.denominator, item.computed_at = (
                row.value, row.numerator, row.denominator, row.computed_at)
        result.append(item)
    return result


def by_area(user, indicator: Indicator, parent_code: str, month: date) -> list[tuple[Area, Reading]]:
    """The figures of the areas one level below `parent_code` (the town ranking for a district)."""
    check_area(user, parent_code)
    month = first_of_month(month)
    _ensure(indicator, [month])
    children = list(Area.objects.filter(parent_id=parent_code, valid_to__isnull=True).order_by("code"))
    rows = {row.area_code: row for row in IndicatorValue.objects.filter(
        indicator=indicator, period_start=month, area_code__in=[a.code for a in children])}
    result = []
    for area in children:
        item = Reading(indicator, area.code, month)
        row = rows.get(area.code)
        if row is not None:
            item.value, item.numerator, item.denominator, item.computed_at = (
                row.value, row.numerator, row.denominator, row.computed_at)
        result.append((area, item))
    return result


def ranked(readings: list[tuple[Area, Reading]], indicator: Indicator) -> list[tuple[Area, Reading]]:
    """Best first by the indicator's direction; areas without a value last."""
    with_value = [pair for pair in readings if pair[1].value is not None]
    without = [pair for pair in readings if pair[1].value is None]
    with_value.sort(key=lambda pair: pair[1].value, reverse=indicator.direction == Indicator.Direction.HIGHER)
    return with_value + without


@dataclass
class Part:
    """One key of a breakdown (分项) for one area and month: its Chinese label and figure."""

    key: str
    label: str
    value: object = None
    numerator: object = None
    denominator: object = None


def breakdowns_of(indicator: Indicator) -> tuple[Breakdown, ...]:
    if indicator.status != Indicator.Status.COLLECTED:
        return ()
    return indicator_breakdowns(indicator.code)


def breakdown(user, indicator: Indicator, area_code: str, month: date, dimension: str) -> list[Part]:
    """The figure of each key of one breakdown (one programme, one stage …) for one area and month, from the
    snapshots (a month not yet computed is computed first, as for the figure itself)."""
    check_area(user, area_code)
    if indicator_breakdown(indicator.code, dimension) is None:
        raise PermissionDenied("该指标没有这一分项")
    month = first_of_month(month)
    _ensure(indicator, [month])
    rows = IndicatorBreakdown.objects.filter(indicator=indicator, period_start=month, dimension=dimension,
                                             area_code=area_code).order_by("sort", "label")
    if not rows and IndicatorValue.objects.filter(indicator=indicator, period_start=month, area_code=area_code,
                                                  numerator__gt=0).exists():
        # A month stored before the indicator was split: its breakdowns are computed now, once.
        snapshots_refresh(month=month, codes=[indicator.code])
    return [Part(row.key, row.label, row.value, row.numerator, row.denominator) for row in rows.all()]


def records(user, indicator: Indicator, month: date, area_code: str | None = None, *, dimension: str = "",
            key: str | None = None) -> QuerySet:
    """The records one value counts, through the user's own scope (and grant on that kind of record); with a
    breakdown `dimension` and `key`, those of that key only (the same key expression the snapshot grouped by)."""
    check_view(user)
    function = indicator_function(indicator.code)
    if function is None or indicator.status != Indicator.Status.COLLECTED:
        raise PermissionDenied("该指标尚未采集，没有可查看的记录")
    month = first_of_month(month)
    measure = function(month)
    if measure.records is None:
        raise PermissionDenied("该指标没有明细记录")
    if dimension:
        split = indicator_breakdown(indicator.code, dimension)
        if split is None:
            raise PermissionDenied("该指标没有这一分项")
        keyed = measure.records.alias(breakdown_key=split.expression(month))
        measure.records = keyed.filter(breakdown_key__isnull=True) if not key else keyed.filter(breakdown_key=key)
    if not measure.area_field:
        # Reference records with no area of their own (the city's standards): whoever may read them sees them.
        return measure.records if allowed(user, measure.resource, "view") else measure.records.none()
    queryset = restrict(measure.records, user, "view", resource=measure.resource, area_field=measure.area_field)
    if area_code:
        check_area(user, area_code)
        queryset = queryset.filter(prefix_q(measure.area_field, area_code_prefix(area_code)))
    return queryset
