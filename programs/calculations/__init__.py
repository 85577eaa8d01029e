"""Amount and eligibility calculations (测算): the machinery. The functions themselves live in the domain that
owns the programme, in a module named `calculations` (assistance.calculations: 低保, 特困, 低保边缘, 刚性支出,
临时救助; monitoring.calculations: 高龄津贴), which `programs.apps` imports from every installed app at start-up —
the one way a function is registered.

Adding a subsidy (e.g. 高龄津贴):
1. a data migration adding the `Program` row (code, name, unit, recurring, excludes, workflow, legal basis,
   start month, quote inputs, ceiling) and its `PolicyParameter` rows, each with its source and
   `verified=False` where no primary text was read;
2. at most one `@register_eligibility("<key>")` function that calls `ctx.refuse(...)` and writes `ctx.line(...)`,
   and one `@register_calculator("<key>")` function returning the Decimal amount (or reuse "recognition"), in
   the owning app's `calculations` module;
3. tests with the amounts worked by hand.
"""

from programs.calculations.base import (
    ParameterRef,
    Quote,
    QuoteContext,
    quote,
    register_calculator,
    register_eligibility,
    registered,
)

__all__ = ["ParameterRef", "Quote", "QuoteContext", "quote", "register_calculator", "register_eligibility",
           "registered"]
