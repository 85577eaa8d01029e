"""现享受待遇: what a person and their household receive now, for the top of the person page.

The kernel knows the enrolments (programme, amount, since); a domain adds what it alone knows about them — the
assistance app the next re-check — through `enrolment_notes`, so this page never imports a domain.
"""

from collections.abc import Callable, Iterable

from django.db.models import Q

from accounts.policy import restrict
from programs.models import OPEN_STATUSES, Enrolment
from registry.models import Household, Person

# fn(enrolments) -> {enrolment_id: {label: text}}: one query for the whole list, never one per enrolment.
NotesFn = Callable[[list[Enrolment]], dict[int, dict[str, str]]]
_NOTES: list[NotesFn] = []


def enrolment_notes(fn: NotesFn) -> NotesFn:
    """Register a domain's notes on enrolments (idempotent: an app's `ready()` may run twice in tests)."""
    if fn not in _NOTES:
        _NOTES.append(fn)
    return fn


def receives_now(*, user, person: Person, household: Household | None) -> list[dict]:
    """The open enrolments of the person, and of their current household, that the user may see: each with the
    programme's name, the monthly amount, since when, whom it is for and the domains' notes."""
    subject = Q(person=person) | (Q(household=household) if household is not None else Q(pk__in=[]))
    rows = list(restrict(Enrolment.objects.filter(subject, status__in=OPEN_STATUSES), user, "view",
                         resource="enrolment").select_related("program").order_by("program__sort", "id"))
    notes = _notes(rows)
    return [{"enrolment": e, "program": e.program.name, "amount": e.monthly_amount, "since": e.start_month,
             "status": e.get_status_display(), "phasing_out": e.status == Enrolment.Status.PHASING_OUT,
             "for_household": e.household_id is not None, "notes": notes.get(e.pk, {})} for e in rows]


def _notes(rows: list[Enrolment]) -> dict[int, dict[str, str]]:
    merged: dict[int, dict[str, str]] = {}
    if not rows:
        return merged
    for fn in _NOTES:
        for enrolment_id, items in fn(rows).items():
            merged.setdefault(enrolment_id, {}).update(items)
    return merged


def total_monthly(rows: Iterable[dict]):
    return sum((r["amount"] for r in rows), start=0)
