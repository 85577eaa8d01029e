"""Re-check page (定期核查): the enrolment, what a quote gives today, and the form to complete the re-check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.policy import allowed
from assistance.forms import RecheckForm
from assistance.models import Recheck
from assistance.rechecks import RESOURCE, recheck_complete, recheck_quote, rechecks_visible
from casework import clock
from minzheng.dates import add_months, first_of_month
from web.views.common import require, service_errors_to_form


def _recheck_or_404(request: HttpRequest, pk: int) -> Recheck:
    found = (rechecks_visible(request.user).filter(pk=pk)
             .select_related("enrolment", "enrolment__program", "enrolment__household", "enrolment__person",
                             "area", "area__parent", "done_by").first())
    if found is None:
        raise Http404("复核不存在或不在您的管辖范围内")
    return found


def _preview(recheck: Recheck) -> dict | None:
    """The quote for next month, as the change outcome would compute it."""
    try:
        return recheck_quote(recheck.enrolment, add_months(first_of_month(clock.today()), 1)).as_json()
    except ValidationError as exc:
        return {"error": "；".join(exc.messages)}


def _context(request: HttpRequest, recheck: Recheck, form: RecheckForm | None) -> dict:
    enrolment = recheck.enrolment
    can_complete = recheck.status == Recheck.Status.DUE and allowed(request.user, RESOURCE, "change")
    members = (list(enrolment.household.members.filter(is_active=True).select_related("person").order_by("id"))
               if enrolment.household_id else [])
    return {"recheck": recheck, "enrolment": enrolment, "members": members,
            "changes": list(enrolment.changes.select_related("by").order_by("at", "id")),
            "preview": _preview(recheck) if recheck.status == Recheck.Status.DUE else None,
            "form": (form or RecheckForm(initial={"household_kind": recheck.kind})) if can_complete else None,
            "today": clock.today()}


@login_required
def recheck_show(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page; POST: complete the re-check through assistance.rechecks.recheck_complete."""
    recheck = _recheck_or_404(request, pk)
    if request.method != "POST":
        return render(request, "assistance/recheck.html", _context(request, recheck, None))
    require(request.user, RESOURCE, "change")
    form = RecheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = recheck_complete(acting_user=request.user, recheck=recheck, outcome=data["outcome"],
                                    reason=data["reason"], phase_out_months=data["phase_out_months"],
                                    household_kind=data["household_kind"])
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"{done.notice['title']}：{done.notice['text']}")
            return redirect("assistance-recheck", pk=done.pk)
    return render(request, "assistance/recheck.html", _context(request, _recheck_or_404(request, pk), form))
