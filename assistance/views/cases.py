"""Application pages: new application (申请), household look-up, the case page and its step forms (办理)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed
from assistance import services
from assistance.case_panels import case_panels
from assistance.documents import latest_calculation
from assistance.forms import ApplyForm, NonresidentForm
from assistance.nonresident import (
    nonresident_emergency,
    nonresident_hukou,
    nonresident_reports,
    nonresident_urgent_submit,
)
from assistance.rules import application_quote
from assistance.selectors import application_view
from assistance.views.actions import ACTIONS
from assistance.views.common import case_or_404, deadline_rows
from assistance.workflows import RESOURCE
from casework import clock
from casework.models import Case
from casework.workflows import workflow_get
from programs.calculations.base import PERSON_ALONE
from registry.models import Household, HouseholdMember
from registry.selectors import households_visible, person_search
from web.views.common import require, service_errors_to_form

AUTOCOMPLETE_SIZE = 10
_FIELD_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
STAGE_LABELS = {"review": "初审测算", "advance": "先行救助测算", "confirmation": "审核确认测算"}
PDF_KINDS = {"form": "申请审批表", "decision": "审核确认决定书", "rejection": "不予确认通知书",
             "report": "临时救助情况通报函（户籍地）"}


# ---- 申请 -------------------------------------------------------------------------------------------------------

@login_required
def apply(request: HttpRequest) -> HttpResponse:
    """新申请: a worker enters an application on a household's (or person's) behalf."""
    require(request.user, "application", "add")
    form = ApplyForm(request.POST or None, user=request.user, initial={"program": request.GET.get("program", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.application_submit(
                acting_user=request.user, program=data["program"], household=data["household"],
                person=data["person"], applicant=data["applicant"], channel=data["channel"],
                authorised_data_check=data["authorised_data_check"], inputs=form.inputs(), note=data["note"],
                submitted_on=data["submitted_on"])
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已提交{case.program.name}申请（案件 {case.pk}）")
            return redirect("assistance-case", pk=case.pk)
    return render(request, "assistance/apply.html", {"form": form})


@login_required
def nonresident_apply(request: HttpRequest) -> HttpResponse:
    """急难发生地救助登记: a person whose 户籍 is elsewhere, in sudden hardship here (assistance.nonresident)."""
    require(request.user, "application", "add")
    form = NonresidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = nonresident_urgent_submit(
                acting_user=request.user, name=data["name"], id_number=data["id_number"],
                hukou_place=data["hukou_place"], phone=data["phone"], area_code=data["area"], amount=data["amount"],
                channel=data["channel"], note=data["note"], authorised_data_check=data["authorised_data_check"])
        except ValidationError as exc:
            service_errors_to_form(form, exc, rename={"linshi_kind": "amount", "program": None})
        else:
            messages.success(request, f"已登记急难发生地临时救助（案件 {case.pk}），请先行救助审批并向户籍地通报")
            return redirect("assistance-case", pk=case.pk)
    return render(request, "assistance/nonresident.html", {"form": form})


@login_required
@require_GET
def household_autocomplete(request: HttpRequest) -> HttpResponse:
    """Find a household in the user's area by a member's name, pinyin, initials or ID number."""
    query = request.GET.get("q", "").strip()
    field = request.GET.get("field", "")
    field = field if _FIELD_ID.match(field) else ""
    households = []
    if query:
        found = HouseholdMember.objects.filter(is_active=True,
                                               person__in=person_search(user=request.user, query=query))
        members = HouseholdMember.objects.filter(is_active=True).select_related("person").order_by("id")
        households = list(households_visible(request.user).filter(status=Household.Status.ACTIVE,
                                                                  pk__in=found.values("household_id"))
                          .select_related("area").prefetch_related(Prefetch("members", members))
                          .order_by("pk")[:AUTOCOMPLETE_SIZE])
    return render(request, "assistance/_household_options.html",
                  {"households": households, "field": field, "q": query})


# ---- 案件页 -----------------------------------------------------------------------------------------------------

def _calculations(case: Case) -> list[dict]:
    return [{"key": key, "label": label, **case.application.calculation[key]}
            for key, label in STAGE_LABELS.items() if case.application.calculation.get(key)]


def _review_preview(case: Case) -> dict | None:
    """What the town review would compute today (shown beside the 初审 form; the service recomputes)."""
    try:
        return application_quote(case, clock.today()).as_json()
    except ValidationError as exc:
        return {"error": "；".join(exc.messages)}


def _action_forms(request: HttpRequest, case: Case, actions: list[dict], posted: tuple | None) -> list[dict]:
    forms = []
    for item in actions:
        spec = ACTIONS.get(item["action"])
        if spec is None:
            continue
        bound = posted[1] if posted and posted[0] == item["action"] else None
        form = bound or spec.form(case=case, user=request.user)
        forms.append({**item, "form": form, "open": bound is not None, "danger": spec.danger})
    return forms


def case_context(request: HttpRequest, case: Case, posted: tuple | None = None) -> dict:
    today = clock.today()
    view = application_view(case, user=request.user, today=today)
    actions = _action_forms(request, case, view["actions"], posted)
    members = (list(case.household.members.filter(is_active=True).select_related("person").order_by("id"))
               if case.household_id else [])
    can_export = allowed(request.user, "export", "run")
    kinds = {"form"} | ({"decision"} if case.state == "confirmed" else set()) | (
        {"rejection"} if case.state == "rejected" else set()) | (
        {"report"} if case.inputs.get(PERSON_ALONE) else set())
    return {**view, "today": today, "deadlines": deadline_rows(case, today), "calculations": _calculations(case),
            "latest": latest_calculation(case), "action_forms": actions, "members": members,
            "review_preview": _review_preview(case) if any(a["action"] == "review" for a in actions) else None,
            "pdfs": [(k, label) for k, label in PDF_KINDS.items() if k in kinds] if can_export else [],
            "can_chain": allowed(request.user, "household", "view") and case.household_id is not None,
            "nonresident": _nonresident(case, today),
            "panels": case_panels(user=request.user, case=case,
                                  actions=[a["action"] for a in actions] + _done_actions(case))}


def _nonresident(case: Case, today) -> dict | None:
    """急难发生地救助: the person's 户籍地 by name, what happened, and each 通报函 printed for the home district."""
    if not case.inputs.get(PERSON_ALONE):
        return None
    home, _ = nonresident_hukou(case, today)
    return {"hukou": home, "emergency": nonresident_emergency(case), "reports": nonresident_reports(case)}


def _done_actions(case: Case) -> list[str]:
    return ["verify"] if case.verifications.exists() else []


@login_required
@require_GET
def case_show(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    return render(request, "assistance/case.html", case_context(request, case))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step through its service. A PermissionDenied from the service becomes the 403 page with its message; a
    ValidationError is shown on the form's fields and nothing is saved (the service's transaction rolled back)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该办理环节")
    case = case_or_404(request, pk)
    transition = workflow_get(case.workflow).transition(action)
    # Refuse a step the user's roles cannot take at all before reading the form (the same words as the kernel).
    if transition is not None and not allowed(request.user, RESOURCE, transition.grant):
        raise PermissionDenied(f"无“{transition.label}”权限（{RESOURCE}.{transition.grant}）")
    form = spec.form(request.POST, case=case, user=request.user)
    if form.is_valid():
        try:
            message = spec.run(case, request.user, form)
        except ValidationError as exc:
            service_errors_to_form(form, exc, rename=spec.rename)
        else:
            messages.success(request, message)
            return redirect("assistance-case", pk=case.pk)
    case = case_or_404(request, pk)  # re-read: the refused step changed nothing
    return render(request, "assistance/case.html", case_context(request, case, posted=(action, form)))
