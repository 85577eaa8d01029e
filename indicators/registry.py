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

An indicator may be split by one or more dimensions (`Breakdown`, 分项: by programme, by stage, by age in working
days, by category), declared with its registration. A breakdown is data-driven: a key expression over the counted
rows (and the base rows of a rate) and the Chinese label of each key; the kernel groups by (community, key), so the
figure's own numerator is the sum of its first breakdown's groups (no extra query), and the drill-down of one key
is the records filtered by that same expression.

An indicator whose computation reads a list as it is today (a roster, today's accounts, today's care homes) and not
as it was at the month's end is registered with `current_list=True`: its page says so for past months.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Aggregate, Count, Expression, F, Q, QuerySet


@dataclass
class Measure:
    """What an indicator counts for one month.

    records: the counted rows (drill-down); `area_field` is the column with the record's area code (community);
        empty for reference records without an area (a city standard's parameter rows, shown with `rows`).
    amount: aggregate over `records` giving the numerator (default: the number of records).
    base: for a rate, the rows counted against (denominator), grouped by `base_area_field`; `base_amount` as
        `amount`. Without `base` the value is the numerator itself (a count or a total).
    rows: instead of records, (area_code, numerator, denominator) per area (any level; summed upward).
    counted: for a rate whose numerator is the base rows meeting a condition: the condition. `records` is then
        `base.filter(counted)` (so the drill-down still is the numerator) and one grouped query gives both.
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

    counted: Q | None = None  # the numerator is the `base` rows meeting this condition (see the docstring)

    def __post_init__(self) -> None:
        if self.counted is not None:
            if self.base is None or self.amount is not None or self.base_amount is not None:
                raise ValueError("counted: a count of the base rows meeting a condition, so a base and no amounts")
            if self.records is None:
                self.records = self.base.filter(self.counted)

    @property
    def is_rate(self) -> bool:
        return self.base is not None or (self.rows is not None and any(den is not None for _, _, den in self.rows))

    def grouped(self, key=None) -> tuple[list[tuple[str, object, Decimal]], list[tuple[str, object, Decimal]]]:
        """(numerator rows, denominator rows), each (area code, breakdown key or None, amount). A `counted` rate
        is one query over the base counting all rows and, with a FILTER, those meeting the condition."""
        if self.counted is not None:
            return _grouped_counted(self.base, self.base_area_field, self.counted, key)
        numerator = _grouped_by_key(self.records, self.area_field, self.amount, key)
        base = _grouped_by_key(self.base, self.base_area_field, self.base_amount, key) if self.base is not None else []
        return numerator, base


def _keyed(queryset: QuerySet, area_field: str, key) -> QuerySet:
    if key is None:
        return queryset.order_by().values(area_field)
    return queryset.order_by().annotate(breakdown_key=key).values(area_field, "breakdown_key")


def _grouped_by_key(queryset: QuerySet, area_field: str, amount: Aggregate | None,
                    key) -> list[tuple[str, object, Decimal]]:
    """One grouped query: (area code, breakdown key, aggregate) per area (and key)."""
    rows = _keyed(queryset, area_field, key).annotate(figure=amount or Count("pk")).values_list(
        area_field, *(["breakdown_key"] if key is not None else []), "figure")
    return [(row[0], row[1] if key is not None else None, Decimal(row[-1] or 0)) for row in rows]


def _grouped_counted(queryset: QuerySet, area_field: str, condition: Q, key):
    rows = _keyed(queryset, area_field, key).annotate(
        counted=Count("pk", filter=condition), figure=Count("pk")).values_list(
        area_field, *(["breakdown_key"] if key is not None else []), "counted", "figure")
    rows = [(row[0], row[1] if key is not None else None, Decimal(row[-2] or 0), Decimal(row[-1] or 0))
            for row in rows]
    return [(code, item, num) for code, item, num, _ in rows], [(code, item, den) for code, item, _, den in rows]


KeyFn = Callable[[date], "str | Expression"]
LabelsFn = Callable[[list], dict]


@dataclass(frozen=True)
class Breakdown:
    """分项维度: how an indicator's figure is split.

    code: the dimension's name in URLs and the API (`by=program`), never shown to a person.
    label: the dimension in Chinese ("按项目").
    key: month → the field path or expression giving each counted row's key (also evaluated over `Measure.base`
        for a rate, so it must be valid on both).
    labels: the keys found → {key: Chinese label}, in display order (a key without a label shows "其他").
    note: how to read the split, shown beside it (e.g. which of several categories a person is counted in).
    """

    code: str
    label: str
    key: KeyFn
    labels: LabelsFn
    note: str = ""

    def expression(self, month: date):
        key = self.key(month)
        return F(key) if isinstance(key, str) else key


def by_field(path: str) -> KeyFn:
    """A breakdown key that is a plain field of the counted rows (the same every month)."""
    return lambda month: path


MeasureFn = Callable[[date], Measure]
_FUNCTIONS: dict[str, MeasureFn] = {}
_BREAKDOWNS: dict[str, tuple[Breakdown, ...]] = {}
_CURRENT_LIST: set[str] = set()


def register_indicator(code: str, *, breakdowns: Iterable[Breakdown] = (),
                       current_list: bool = False) -> Callable[[MeasureFn], MeasureFn]:
    """Register `fn(month) -> Measure` as the computation of the indicator with this code, with the dimensions it
    is split by and whether it reads today's list for every month (see the module's docstring)."""
    def register(fn: MeasureFn) -> MeasureFn:
        existing = _FUNCTIONS.get(code)
        if existing is not None and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"indicator {code!r} is already registered by {existing.__module__}.{existing.__name__}")
        _FUNCTIONS[code] = fn
        _BREAKDOWNS[code] = tuple(breakdowns)
        if current_list:
            _CURRENT_LIST.add(code)
        return fn
    return register


def indicator_function(code: str) -> MeasureFn | None:
    return _FUNCTIONS.get(code)


def indicator_breakdowns(code: str) -> tuple[Breakdown, ...]:
    return _BREAKDOWNS.get(code, ())


def indicator_breakdown(code: str, dimension: str) -> Breakdown | None:
    return next((b for b in indicator_breakdowns(code) if b.code == dimension), None)


def reads_current_list(code: str) -> bool:
    """Is the indicator computed from today's list for past months too (按当前名单计算)?"""
    return code in _CURRENT_LIST


def registered_codes() -> list[str]:
    return sorted(_FUNCTIONS)
