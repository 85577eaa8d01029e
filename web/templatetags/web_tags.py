"""Template helpers for the pages."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from accounts.policy import allowed
from minzheng.dates import age_on

register = template.Library()


@register.filter
def age(birth_date: date | None, on: date | None = None) -> int | str:
    """周岁 on a day (today by default): computed when shown, never stored."""
    if not birth_date:
        return "—"
    on = on or timezone.localdate()
    return age_on(birth_date, on)


@register.filter
def thousands(value) -> str:
    """千分位: 1234567 → 1,234,567; money keeps its two decimals (1234.5 → 1,234.50). Empty stays "—"."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value() and not isinstance(value, Decimal | float):
        return f"{int(number):,}"
    return f"{number.quantize(Decimal('0.01')):,}"


@register.filter
def parameter_name(key: str) -> str:
    """A policy parameter's name (城市低保标准) for a key (standard_urban); never the key itself on a page."""
    from programs.models import PARAMETER_KEYS

    return PARAMETER_KEYS.get(key, ("政策参数", ""))[0]


@register.filter
def parameter_unit(key: str) -> str:
    from programs.models import PARAMETER_KEYS

    return PARAMETER_KEYS.get(key, ("", ""))[1]


@register.filter
def may(user, grant: str) -> bool:
    """`{% if user|may:"feed.view" %}`: whether the user holds the grant (resource.action), so a tab or button the
    user could not open is not shown to them (the view still checks)."""
    resource, _, action = grant.partition(".")
    return bool(getattr(user, "is_authenticated", False)) and allowed(user, resource, action or "view")
