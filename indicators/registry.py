"""How an indicator is computed (指标计算登记): one registered function per indicator code.

A domain app contributes `<app>/indicators.py` with

    @register_indicator("cases_over_deadline")
    def cases_over_deadline(month: date) -> Measure: ...

`indicators.apps` imports every installed app's `indicators` module at start-up. The function does not compute a
value: it describes, for one month, the set of records the indicator counts (`Measure.records`, with the column
holding each record's community code) and, for a rate, the set it is counted against (`Measure.base`). The kernel
then runs ONE grouped query for each (numerator and denominator by community), rolls the sums up to town and
district, and serves the drill-down from the same queryset through `accounts.policy.restrict` — so the drill-down
count is the numerator by construction, and a town leader never sees another town's records.

A figure that has no records behind it (a standard set by the city) gives `Measure.rows` instead: per-area
numerator and denominator, computed by the function itself from policy parameters.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Aggregate, Count, QuerySet


@dataclass
class Measure:
    """What an indicator counts for one month.

    records: the counted rows (drill-down); `area_field` is the column with the record's area code (community);
        empty for reference records without an area (a city standard's parameter rows, shown with `rows`).
    amount: aggregate over `records` giving the numerator (default: the number of records).
    base: for a rate, the rows counted against (denominator), grouped by `base_area_field`; `base_amount` as
        `amount`. Without `base` the value is the numerator itself (a count or a total).
    rows: instead of records, (area_code, numerator, denominator) per area (any level; summed upward).
    scale: the value is numerator ÷ denominator × scale (100 for a percentage).
    resource: the grant a user needs to see the records (accounts.Grant resource), e.g. "application".
    """

    records: QuerySet | None = None
    area_field: str = "area_id"
    amount: Aggregate | None = None
    base: QuerySet | None = None
    base_area_field: str = "area_id"
    base_amount: Aggregate | None = None
    rows: list[tuple[str, Decimal, Decimal | None]] | None = None
    scale: Decimal = Decimal(1)
    resource: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)  # drill-down columns: (label, field path)

    @property
    def is_rate(self) -> bool:
        return self.base is not None or (self.rows is not None and any(den is not None for _, _, den in self.rows))

    def numerator_by_area(self) -> list[tuple[str, Decimal]]:
        return _grouped(self.records, self.area_field, self.amount)

    def denominator_by_area(self) -> list[tuple[str, Decimal]]:
        return _grouped(self.base, self.base_area_field, self.base_amount) if self.base is not None else []


def _grouped(queryset: QuerySet, area_field: str, amount: Aggregate | None) -> list[tuple[str, Decimal]]:
    """One grouped query: (area code, aggregate) per area."""
    rows = (queryset.order_by().values(area_field).annotate(figure=amount or Count("pk"))
            .values_list(area_field, "figure"))
    return [(code, Decimal(figure or 0)) for code, figure in rows]


MeasureFn = Callable[[date], Measure]
_FUNCTIONS: dict[str, MeasureFn] = {}


def register_indicator(code: str) -> Callable[[MeasureFn], MeasureFn]:
    """Register `fn(month) -> Measure` as the computation of the indicator with this code."""
    def register(fn: MeasureFn) -> MeasureFn:
        existing = _FUNCTIONS.get(code)
        if existing is not None and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"indicator {code!r} is already registered by {existing.__module__}.{existing.__name__}")
        _FUNCTIONS[code] = fn
        return fn
    return register


def indicator_function(code: str) -> MeasureFn | None:
    return _FUNCTIONS.get(code)


def registered_codes() -> list[str]:
    return sorted(_FUNCTIONS)
