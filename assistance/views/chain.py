"""一户一链: every application and enrolment of one household (with the enrolments' changes and re-checks)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assistance.models import Recheck
from assistance.selectors import DaysLeft, applications_visible
from assistance.views.common import household_or_404
from audit.models import DomainEvent
from casework import clock
from casework.workflows import workflow_get
from programs.selectors import household_assistance_history
from web.views.common import require, timeline


@login_required
@require_GET
def household_chain(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "application", "view")
    household = household_or_404(request, pk)
    people = [m.person_id for m in household.members.all()]
    cases = list(applications_visible(request.user)
                 .filter(Q(household=household) | Q(person_id__in=people) | Q(applicant_id__in=people))
                 .select_related("program", "applicant", "person", "enrolment", "application")
                 .prefetch_related("deadlines")
                 .order_by("submitted_at", "id"))
    days = DaysLeft(clock.today())
    case_rows = [{"case": c, "status_label": workflow_get(c.workflow).state_label(c.state), "deadline": days.of(c)}
                 for c in cases]
    enrolments = household_assistance_history(household, user=request.user)
    rechecks = Recheck.objects.filter(enrolment__in=enrolments).select_related("done_by").order_by("due_on", "id")
    by_enrolment: dict[int, list] = {}
    for recheck in rechecks:
        by_enrolment.setdefault(recheck.enrolment_id, []).append(recheck)
    rows = [{"enrolment": e, "changes": list(e.changes.all()), "rechecks": by_enrolment.get(e.pk, [])}
            for e in enrolments]
    events = timeline(DomainEvent.objects.filter(household=household))
    return render(request, "assistance/chain.html", {"household": household, "cases": case_rows,
                                                      "enrolments": rows, "events": events})

