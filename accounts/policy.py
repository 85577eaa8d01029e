"""The one path for "what may this user do and see" (权限与数据范围).

Pages, API, exports, search and jobs all call `allowed()` and `restrict()`; nothing else decides access.
A superuser acts as an administrator of the whole installation.
"""

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Grant
from minzheng.lookups import prefix_q

_CACHE_ATTR = "_minzheng_grants"


def grants_of(user) -> frozenset[tuple[str, str]]:
    """The (resource, action) pairs the user's roles hold, loaded once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        rows = Grant.objects.filter(role__users=user).values_list("resource", "action")
        if user.is_superuser:
            rows = Grant.objects.filter(role_id="admin").values_list("resource", "action")
        cached = frozenset(rows)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def allowed(user, resource: str, action: str) -> bool:
    """May the user do `action` on `resource` at all (anywhere in their area)?"""
    return (resource, action) in grants_of(user)


def scope_prefix(user) -> str | None:
    """The area-code prefix of everything the user may see, or None for nothing."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.area_id is None:
        # A superuser without an area administers the installation's district.
        return settings.MINZHENG_DISTRICT_CODE if user.is_superuser else None
    return user.area.scope_prefix


def restrict(queryset: QuerySet, user, action: str = "view", *, resource: str | None = None,
             area_field: str = "area__code") -> QuerySet:
    """The records of `queryset` the user may `action`: none without the grant, else those in their area.

    The scope is a range on the record's own area column (`minzheng.lookups.prefix_q`; Django trims the join
    because `code` is Area's primary key), so scoping costs no join and uses the (area, id) index.
    """
    resource = resource or queryset.model._meta.model_name
    prefix = scope_prefix(user)
    if prefix is None or not allowed(user, resource, action):
        return queryset.none()
    return queryset.filter(prefix_q(area_field, prefix))


def area_in_scope(user, area_code: str) -> bool:
    """Is this area code inside the user's area (for checking where a new record may be put)?"""
    prefix = scope_prefix(user)
    return prefix is not None and bool(area_code) and area_code.startswith(prefix)
