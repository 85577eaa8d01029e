"""The assistance app's notes on the person page's 现享受待遇: the next re-check (下次复核) of each enrolment."""

from assistance.models import Recheck
from programs.models import Enrolment
from web.receives_now import enrolment_notes


@enrolment_notes
def next_recheck(enrolments: list[Enrolment]) -> dict[int, dict[str, str]]:
    due = (Recheck.objects.filter(enrolment_id__in=[e.pk for e in enrolments], status=Recheck.Status.DUE)
           .values_list("enrolment_id", "due_on").order_by("due_on"))
    notes: dict[int, dict[str, str]] = {}
    for enrolment_id, due_on in due:
        notes.setdefault(enrolment_id, {"下次复核": f"{due_on:%Y-%m-%d}"})
    return notes
