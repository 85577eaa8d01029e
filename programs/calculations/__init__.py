"""Amount and eligibility calculations (测算). Importing the package registers the built-in programmes.

Adding a subsidy (e.g. 高龄津贴):
1. a data migration adding the `Program` row (code, name, unit, recurring, excludes) and its `PolicyParameter`
   rows, each with its source and `verified=False` where no primary text was read;
2. at most one `@register_eligibility("<key>")` function that calls `ctx.refuse(...)` and writes `ctx.line(...)`,
   and one `@register_calculator("<key>")` function returning the Decimal amount (or reuse "recognition");
3. tests with the amounts worked by hand.
"""

from programs.calculations import assistance  # noqa: F401  (registers 低保, 特困, 低保边缘, 刚性支出, 临时救助)
from programs.calculations.base import (
    ParameterRef,
    Quote,
    QuoteContext,
    quote,
    quote_bulk,
    register_calculator,
    register_eligibility,
    registered,
)

__all__ = ["ParameterRef", "Quote", "QuoteContext", "quote", "quote_bulk", "register_calculator",
           "register_eligibility", "registered"]
