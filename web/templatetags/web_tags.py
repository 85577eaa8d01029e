"""Template helpers for the pages."""

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(birth_date: date | None, on: date | None = None) -> int | str:
    """周岁 on a day (today by default): computed when shown, never stored."""
    if not birth_date:
        return "—"
    on = on or timezone.localdate()
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
