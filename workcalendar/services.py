"""Working-day arithmetic (工作日计算) for statutory deadlines (法定期限), e.g. "20个工作日内作出决定".

Which days count, in order of precedence:

1. a CalendarDay row (节假日调整) for the date — holiday → day off, workday → 调休上班日;
2. the `chinese_calendar` library, for the years it ships data for;
3. Monday–Friday, for a year an administrator has published (CalendarYear) — its adjusted days are rows;
4. otherwise the year is not published and the answer is unknown: CalendarNotPublished.

Every public function uses one `_Calendar`, which loads the rows of the years it needs in one query, so a
60-working-day deadline costs two queries rather than ninety. Inside `one_calendar()` — every web request, see
`workcalendar.middleware` — all calls share one, so a page showing forty deadlines reads the calendar once; a
CalendarDay or CalendarYear saved meanwhile empties it (`workcalendar.apps`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

from workcalendar.models import CalendarDay, CalendarYear, DayKind

ONE_DAY = timedelta(days=1)


class CalendarNotPublished(Exception):
    """该年度法定节假日安排尚未发布: neither the library nor an administrator covers the year."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年的法定节假日安排尚未发布，请管理员先录入该年度日历")


@cache
def _library_covers(year: int) -> bool:
    """Whether `chinese_calendar` ships the year's arrangement; it says no with NotImplementedError.

    Asking the public API keeps us off the library's private tables, which change between releases.
    """
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _require_date(value: date) -> None:
    # A datetime is a date subclass, but it never equals the date keys below, so rows would silently miss.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"需要日期（date），收到 {type(value).__name__}")


class _Calendar:
    """One call's view of the calendar (单次调用的日历缓存): rows are loaded per year range, never per day."""

    def __init__(self) -> None:
        self._overrides: dict[date, bool] = {}
        self._loaded_years: set[int] = set()
        self._admin_years: set[int] | None = None

    def load(self, first_year: int, last_year: int) -> None:
        """Load the CalendarDay rows of the not-yet-loaded years in [first_year, last_year] in one query."""
        missing = [y for y in range(first_year, last_year + 1) if y not in self._loaded_years]
        if not missing:
            return
        rows = CalendarDay.objects.filter(date__gte=date(min(missing), 1, 1), date__lte=date(max(missing), 12, 31))
        for day, kind in rows.values_list("date", "kind"):
            self._overrides[day] = kind == DayKind.WORKDAY
        self._loaded_years.update(range(min(missing), max(missing) + 1))

    def admin_covers(self, year: int) -> bool:
        # The table holds one row per published year — a handful — so it is read whole, once.
        if self._admin_years is None:
            self._admin_years = set(CalendarYear.objects.values_list("year", flat=True))
        return year in self._admin_years

    def status(self, day: date) -> bool | None:
        """True/False for a working day or not; None when the year is not published."""
        self.load(day.year, day.year)
        if day in self._overrides:
            return self._overrides[day]
        if _library_covers(day.year):
            return chinese_calendar.is_workday(day)
        if self.admin_covers(day.year):
            return day.weekday() < 5
        return None

    def is_working_day(self, day: date) -> bool:
        """工作日: like status(), but an unpublished year is an error."""
        working = self.status(day)
        if working is None:
            raise CalendarNotPublished(day.year)
        return working


_shared: ContextVar["_Calendar | None"] = ContextVar("workcalendar_shared", default=None)


def _calendar() -> _Calendar:
    """The block's shared calendar inside `one_calendar()`, else a fresh one for this call."""
    return _shared.get() or _Calendar()


@contextmanager
def one_calendar() -> Iterator[None]:
    """同一日历视图: every working-day call inside the block reads the calendar rows once per year.

    Nested blocks share the outer one. Meant for one request or one batch, not a long-lived worker: rows an
    administrator saves in another process are seen only by the next block.
    """
    token = _shared.set(_Calendar()) if _shared.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _shared.reset(token)


def forget_shared_calendar() -> None:
    """Empty the block's shared calendar (a CalendarDay or CalendarYear was saved); no-op outside a block."""
    if _shared.get() is not None:
        _shared.set(_Calendar())


def _check_count(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"工作日天数应为整数，收到 {type(n).__name__}")
    if n < 0:
        raise ValueError(f"工作日天数不能为负数（{n}）")


def _likely_end_year(start: date, n: int) -> int:
    """A generous guess of the year n working days after start, so the walk usually needs one load."""
    # ~250 working days a year; the extra month absorbs 春节 and 国庆 falling inside the span. Capped because
    # beyond a decade the walk will have stopped at an unpublished year long before; later years load lazily.
    span_days = min(n * 7 // 5 + 31, 3660, (date.max - start).days)
    return (start + timedelta(days=span_days)).year


def is_covered(year: int) -> bool:
    """该年度日历已发布: the library ships the year, or an administrator has added a CalendarYear row."""
    return _library_covers(year) or CalendarYear.objects.filter(year=year).exists()


def is_working_day(d: date) -> bool:
    """是否工作日. Raises CalendarNotPublished for a year no one has published."""
    _require_date(d)
    return _calendar().is_working_day(d)


def add_working_days(start: date, n: int) -> date:
    """n个工作日后的日期: the n-th working day after start (start itself is not counted; n=0 gives start).

    Raises ValueError for a negative n and CalendarNotPublished when the count runs into an unpublished year.
    """
    _require_date(start)
    _check_count(n)
    calendar = _calendar()
    calendar.load(start.year, _likely_end_year(start, n))
    day, remaining = start, n
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def add_working_days_provisional(start: date, n: int) -> tuple[date, bool]:
    """暂定期限: like add_working_days, but an unpublished year counts Monday–Friday instead of failing.

    Returns (date, provisional); provisional is True when any counted-over day fell in an unpublished year,
    so the caller can show the deadline as 暂定 and recompute it once the year is published.
    """
    _require_date(start)
    _check_count(n)
    calendar = _calendar()
    calendar.load(start.year, _likely_end_year(start, n))
    day, remaining, provisional = start, n, False
    while remaining:
        day += ONE_DAY
        working = calendar.status(day)
        if working is None:
            # A deadline must keep running while the notice is awaited; weekends are the only days we are sure of.
            working, provisional = day.weekday() < 5, True
        if working:
            remaining -= 1
    return day, provisional


def working_days_between(a: date, b: date) -> int:
    """两日期之间的工作日数: working days in (a, b] — after a, up to and including b; negative when b < a.

    Raises CalendarNotPublished when the span touches an unpublished year.
    """
    _require_date(a)
    _require_date(b)
    low, high, sign = (a, b, 1) if a <= b else (b, a, -1)
    calendar = _calendar()
    calendar.load(low.year, high.year)
    count, day = 0, low
    while day < high:
        day += ONE_DAY
        count += calendar.is_working_day(day)
    return sign * count


def earliest_within_working_days(end: date, counts: list[int]) -> dict[int, date]:
    """For each n in `counts`: the earliest day d with at most n working days in (d, end] — a day d is "within n
    working days of end" exactly when d ≥ the date returned (an age band over a date column becomes one
    comparison). One walk back from `end`; an unpublished year counts Monday–Friday (as the provisional
    deadlines do)."""
    _require_date(end)
    for n in counts:
        _check_count(n)
    calendar = _calendar()
    remaining, result = sorted(set(counts)), {}
    calendar.load(_likely_start_year(end, max(remaining, default=0)), end.year)
    day, seen = end, 0  # seen: working days in [day, end]
    while remaining:
        working = calendar.status(day)
        if day.weekday() < 5 if working is None else working:
            seen += 1
        while remaining and seen > remaining[0]:
            # (day − 1, end] holds n + 1 working days, so `day` is the earliest within n.
            result[remaining.pop(0)] = day
        day -= ONE_DAY
    return result


def _likely_start_year(end: date, n: int) -> int:
    return (end - timedelta(days=min(n * 7 // 5 + 31, 3660))).year
