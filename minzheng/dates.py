"""Months and ages (月份与周岁): the one home of the calendar arithmetic every app uses.

Kernel code: pure functions on `datetime.date`, importing nothing from the project, so any app (programs,
payments, monitoring, web …) may import it without an import cycle. Months are dates on their first day.
"""

from datetime import date


def first_of_month(value: date) -> date:
    return value.replace(day=1)


def month_or_none(text: str) -> date | None:
    """"YYYY-MM" (a month input, an API parameter) → its first day; anything else → None."""
    parts = (text or "").strip().split("-")
    if [len(p) for p in parts] == [4, 2] and all(p.isascii() and p.isdigit() for p in parts) \
            and 1 <= int(parts[1]) <= 12 and int(parts[0]) >= 1:  # year 0 does not exist
        return date(int(parts[0]), int(parts[1]), 1)
    return None


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def same_day_months_later(day: date, count: int) -> date:
    """The same day `count` months later, or that month's last day (31 Jan + 1 → 28/29 Feb)."""
    target = add_months(first_of_month(day), count)
    return target.replace(day=min(day.day, month_end(target).day))


def month_end(month: date) -> date:
    return date.fromordinal(add_months(month, 1).toordinal() - 1)


def age_on(birth_date: date, on: date) -> int:
    """周岁 on a day (a 29 February birthday is reached on 1 March in other years)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier: who was born on or before it is `years` old on `day`. 29 February → 28
    February of a common year; born 29 Feb, one reaches the age on 1 March, so `birth <= years_before(...)`
    is one day generous only on 28 February of a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
