"""Registry reads (查询). Every read starts from `restrict()`, so nothing outside the user's area leaks."""

import re

from django.db.models import Prefetch, QuerySet

from accounts.policy import restrict
from minzheng.lookups import prefix_q
from registry.models import Disability, Household, HouseholdMember, Income, Person

_ID_LIKE = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")
_LATIN = re.compile(r"^[A-Za-z]+$")


def persons_visible(user, action: str = "view") -> QuerySet[Person]:
    return restrict(Person.objects.all(), user, action)


def households_visible(user, action: str = "view") -> QuerySet[Household]:
    return restrict(Household.objects.all(), user, action)


def person_search(*, user, query: str) -> QuerySet[Person]:
    """Find people by ID number (full or leading digits), Chinese name, full pinyin or initials."""
    people = persons_visible(user)
    query = (query or "").strip()
    if not query:
        return people
    if _ID_LIKE.match(query):
        # An 18-character query is an exact lookup (uses the unique index); shorter is a prefix.
        if len(query) == 18:
            return people.filter(id_number=query.upper())
        return people.filter(prefix_q("id_number", query.upper()))
    if _LATIN.match(query):
        key = query.lower()
        return people.filter(prefix_q("name_initials", key) | prefix_q("name_pinyin", key))
    return people.filter(name__startswith=query) if len(query) == 1 else people.filter(name__contains=query)


def keyset_page(queryset: QuerySet, *, after: int | None, size: int = 50) -> tuple[list, int | None]:
    """One page ordered by id, starting after `after`; returns the rows and the cursor of the next page."""
    if after:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: size + 1])
    next_cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], next_cursor


def person_detail(*, user, pk: int) -> Person:
    """One person the user may see (404 otherwise), with their memberships and disabilities."""
    return persons_visible(user).select_related("area", "area__parent").prefetch_related(
        Prefetch("memberships", queryset=HouseholdMember.objects.select_related("household").order_by("-is_active")),
        Prefetch("disabilities", queryset=Disability.objects.order_by("-is_current", "-id")),
    ).get(pk=pk)


def household_detail(*, user, pk: int) -> Household:
    return households_visible(user).select_related("area", "area__parent").prefetch_related(
        Prefetch("members", queryset=HouseholdMember.objects.select_related("person").order_by("-is_active", "id")),
        Prefetch("incomes", queryset=Income.objects.select_related("category", "person").order_by("-start_month")),
        "assets",
    ).get(pk=pk)


def current_household_of(person: Person) -> Household | None:
    member = next((m for m in person.memberships.all() if m.is_active), None)
    return member.household if member else None
