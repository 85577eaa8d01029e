"""Template helpers of dynamic monitoring: whether to offer the household chain link on pages of other apps."""

from django import template

from accounts.policy import allowed

register = template.Library()


@register.filter
def may_see_chain(user) -> bool:
    """The 家庭监测链条 needs the warning grant (the page checks it again, and scopes by area)."""
    return bool(getattr(user, "is_authenticated", False)) and allowed(user, "warning", "view")
