"""Registry reads (查询). Every read starts from `restrict()`, so nothing outside the user's area leaks."""

import re

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.policy import restrict
from minzheng import sql as dialect
from minzheng.lookups import Reversed, prefix_q
from registry import search_index
from registry.models import Disability, Household, HouseholdMember, Income, Person

_ID_SUFFIX = re.compile(r"^[0-9]{3,5}[0-9Xx]$")
_ID_LIKE = re.compile(r"^[0-9]{7,17}[0-9Xx]?$")
_LATIN = re.compile(r"^[A-Za-z]+$")


def persons_visible(user, action: str = "view") -> QuerySet[Person]:
    return restrict(Person.objects.all(), user, action)


def households_visible(user, action: str = "view") -> QuerySet[Household]:
    return restrict(Household.objects.all(), user, action)


def person_search(*, user, query: str) -> QuerySet[Person]:
    """Find people by ID number (full, last 4–6 digits or leading 7–17), Chinese name, full pinyin or initials.

    Every branch is served by an index: the unique ID number index (full number, leading digits), the index on
    the reversed number (尾号), the pinyin and initials indexes, and for names pg_trgm or SQLite's FTS5 trigram
    table (registry/search_index.py). A Chinese query of one character finds names starting with it (the
    surname), of two characters names starting or ending with it (surname + first given character, the whole
    two-character name, or the given name), of three or more names containing it.
    """
    people = persons_visible(user)
    query = (query or "").strip()
    if not query:
        return people
    if _ID_SUFFIX.match(query):
        # A clerk's habit: the last digits. Reversed, they are a prefix of the reversed number.
        return id_suffix_filter(people, query)
    if _ID_LIKE.match(query):
        # An 18-character query is an exact lookup (uses the unique index); shorter is a prefix.
        if len(query) == 18:
            return people.filter(id_number=query.upper())
        return people.filter(prefix_q("id_number", query.upper()))
    if _LATIN.match(query):
        key = query.lower()
        return people.filter(prefix_q("name_initials", key) | prefix_q("name_pinyin", key))
    return people.filter(name_q(query))


def id_suffix_filter(people: QuerySet[Person], digits: str) -> QuerySet[Person]:
    """People whose ID number ends with `digits`: a prefix of the reversed number (index person_id_reversed)."""
    return people.alias(id_reversed=Reversed("id_number", length=18)).filter(
        prefix_q("id_reversed", digits.upper()[::-1]))


def name_q(query: str) -> Q:
    """The condition for a Chinese name query (see person_search), in the form this database's index serves."""
    if dialect.is_sqlite():
        if len(query) == 1:  # SQLite's LIKE ignores the index; a range on the B-tree (code point order) does not
            return prefix_q("name", query)
        phrase = _fts_phrase(f"^{query}") + " OR " + _fts_phrase(f"{query}$") if len(query) == 2 else _fts_phrase(query)
        found = RawSQL(f"SELECT rowid FROM {search_index.FTS_TABLE} WHERE {search_index.FTS_TABLE} MATCH %s",
                       [phrase])
        return Q(pk__in=found)
    if len(query) == 1:
        return Q(name__startswith=query)
    if len(query) == 2:
        return Q(name__startswith=query) | Q(name__endswith=query)
    return Q(name__contains=query)


def _fts_phrase(text: str) -> str:
    """An FTS5 string: everything inside double quotes is literal, a quote is written twice."""
    return '"' + text.replace('"', '""') + '"'


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


def person_by_id_number(value: str) -> Person | None:
    """按身份证号查人 (the ID card in hand): the registered person with this number — written in any form
    `parse_id_number` reads — or None; ValidationError on the `id_number` field when it is not a valid number.
    Not scoped: the caller decides what an out-of-area match may learn."""
    from django.core.exceptions import ValidationError

    from registry.identity import InvalidIdNumber, parse_id_number

    try:
        number = parse_id_number(value).number
    except InvalidIdNumber as exc:
        raise ValidationError({"id_number": [str(exc)]}) from None
    return Person.objects.filter(id_number=number).first()


def current_household_of(person: Person) -> Household | None:
    member = next((m for m in person.memberships.all() if m.is_active), None)
    return member.household if member else None
