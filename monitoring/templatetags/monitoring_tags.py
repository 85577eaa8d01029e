"""Template helpers of dynamic monitoring: whether to offer the household chain link on pages of other apps."""

from django import template

from accounts.policy import allowed

register = template.Library()


@register.filter
def may_see_chain(user) -> bool:
    """The 家庭监测链条 needs the warning grant (the page checks it again, and scopes by area)."""
    return bool(getattr(user, "is_authenticated", False)) and allowed(user, "warning", "view")


@register.filter
def feed_type_name(code: str) -> str:
    """数据类型 by its name (死亡数据), never its code (death)."""
    from monitoring.feeds import feed_type_get

    feed = feed_type_get(code)
    return feed.name if feed is not None else "其他数据"
