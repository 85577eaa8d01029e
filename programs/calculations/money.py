"""Money arithmetic (金额计算) — pure, Decimal only, one rounding rule.

The rule, stated once and shown in every quote: amounts are yuan with two decimals, rounded half up
(四舍五入到分, ROUND_HALF_UP). A per-capita figure is rounded to the fen *before* it is compared or subtracted,
so the officer's hand check (one division, one subtraction, one multiplication) gives the same result.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING_RULE = "人均收入先四舍五入到分，再与标准比较、求差额；金额四舍五入到分（ROUND_HALF_UP）"


def round_money(value: Decimal) -> Decimal:
    """四舍五入到分."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    """A yuan amount as the string the API and the lines show: always two decimals, e.g. "770.00"."""
    return f"{round_money(value):f}"


def plain(value: Decimal) -> str:
    """A multiplier or ratio without trailing zeros: Decimal("1.3000") → "1.3"."""
    return f"{value.normalize():f}"


def per_capita(total: Decimal, size: int) -> Decimal:
    """月人均收入 = total ÷ size, rounded to the fen. `size` must be positive."""
    if size <= 0:
        raise ValueError("size must be positive")
    return round_money(total / Decimal(size))


def gap_amount(standard: Decimal, per_capita_income: Decimal, size: int) -> tuple[Decimal, Decimal]:
    """差额补助: (standard − per-capita, (standard − per-capita) × size), both to the fen; never negative."""
    gap = max(round_money(standard) - round_money(per_capita_income), ZERO)
    return gap, round_money(gap * size)


def scaled(base: Decimal, factor: Decimal) -> Decimal:
    """base × factor to the fen (e.g. 1.5 × 低保标准)."""
    return round_money(base * factor)


def first_of_month(value: date) -> date:
    return value.replace(day=1)


def month_or_none(text: str) -> date | None:
    """"YYYY-MM" (a month input, an API parameter) → its first day; anything else → None."""
    parts = (text or "").strip().split("-")
    if [len(p) for p in parts] == [4, 2] and all(p.isascii() and p.isdigit() for p in parts) \
            and 1 <= int(parts[1]) <= 12:
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
    """周岁 on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
