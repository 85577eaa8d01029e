"""Money arithmetic (金额计算) — pure, Decimal only, one rounding rule.

The rule, stated once and shown in every quote: amounts are yuan with two decimals, rounded half up
(四舍五入到分, ROUND_HALF_UP). A per-capita figure is rounded to the fen *before* it is compared or subtracted,
so the officer's hand check (one division, one subtraction, one multiplication) gives the same result.
"""

from decimal import ROUND_HALF_UP, Decimal

# The calendar helpers have one home, minzheng.dates; they stay importable from here for the callers that
# already take everything money-and-month from this module.
from minzheng.dates import (  # noqa: F401
    add_months,
    age_on,
    first_of_month,
    month_end,
    month_or_none,
    same_day_months_later,
)

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
