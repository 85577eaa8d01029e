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
3. optionally, `@register_set_form("<key>", parameters=…)` — the same amount as SQL over the stored quote facts,
   for bulk re-rating — and `@register_facts_due("<key>", cause=…)` when the amount follows a person's own
   facts (an age band, a care level);
4. tests with the amounts worked by hand.
"""

from programs.calculations.base import (
    FactsDue,
    ParameterRef,
    Quote,
    QuoteContext,
    SetForm,
    facts_due,
    quote,
    quote_bulk,
    rated_month,
    register_calculator,
    register_eligibility,
    register_facts_due,
    register_set_form,
    registered,
    set_form,
)

__all__ = ["FactsDue", "ParameterRef", "Quote", "QuoteContext", "SetForm", "facts_due", "quote", "quote_bulk",
           "rated_month", "register_calculator", "register_eligibility", "register_facts_due", "register_set_form",
           "registered", "set_form"]
