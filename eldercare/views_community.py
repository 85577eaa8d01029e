"""适老化改造与时间银行页面: the adaptation plans of the user's area (one per household, step by step, each step a form
with its date; a printable acceptance form), and the time bank (volunteers with their balance, hours earned and
spent). Reads through the area-scoped selectors (out of scope → 404), writes through `eldercare.community`."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.policy import allowed, restrict
from eldercare.community import (
    ADAPTATION_RESOURCE,
    STAGES,
    adaptation_advance,
    adaptation_start,
    adaptations_visible,
    time_bank_balance,
    time_bank_entries,
    time_bank_record,
    time_bank_volunteers,
)
from eldercare.models import HomeAdaptation
from minzheng.dates import years_before
from registry.models import Person
from web.views.common import PAGE_SIZE, require, service_error_text

# What each next stage's form asks for, besides its date and a note.
STAGE_FIELDS = {"planned": ("plan", "cost"), "works": (), "accepted": (), "subsidised": ("subsidy",)}


def _people(user, query: str, *, older: bool) -> list[Person]:
    if not query:
        return []
    people = restrict(Person.objects.all(), user, "view", resource="person").filter(
        name__contains=query, status=Person.Status.ACTIVE)
    if older:
        people = people.filter(birth_date__lte=years_before(timezone.localdate(), 60))
    return list(people.order_by("name")[:20])


def _person(user, pk: int) -> Person:
    person = restrict(Person.objects.all(), user, "view", resource="person").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _date(raw: str, label: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise ValidationError({"on": [f"请填写{label}"]}) from None


# ---- 适老化改造 ------------------------------------------------------------------------------------------------

@login_required
def adaptation_list(request: HttpRequest) -> HttpResponse:
    """改造台账 by stage, and a name search among people aged 60+ to open a plan."""
    require(request.user, ADAPTATION_RESOURCE, "view")
    stage = request.GET.get("stage", "")
    rows = adaptations_visible(request.user).select_related("person").order_by("-id")
    if stage in STAGES:
        rows = rows.filter(stage=stage)
    query = (request.GET.get("q") or "").strip()[:50]
    can_add = allowed(request.user, ADAPTATION_RESOURCE, "add")
    return render(request, "eldercare/adaptations.html", {
        "rows": list(rows[:PAGE_SIZE]), "stages": HomeAdaptation.Stage.choices, "stage": stage, "query": query,
        "found": _people(request.user, query, older=True) if can_add else [], "can_add": can_add})


@login_required
def adaptation_new(request: HttpRequest, person_id: int) -> HttpResponse:
    """入户评估 form: the date and the needs found."""
    require(request.user, ADAPTATION_RESOURCE, "add")
    person = _person(request.user, person_id)
    if request.method == "POST":
        try:
            adaptation = adaptation_start(acting_user=request.user, person=person,
                                          on=_date(request.POST.get("on"), "入户评估日期"),
                                          needs=request.POST.get("needs", "")[:2000])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
        else:
            messages.success(request, "入户评估已登记")
            return redirect("eldercare-adaptation", pk=adaptation.pk)
    return render(request, "eldercare/adaptation_new.html", {"person": person, "today": timezone.localdate(),
                                                             "posted": request.POST})


def _adaptation(user, pk: int) -> HomeAdaptation:
    found = adaptations_visible(user).select_related("person", "household", "area").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _next_stage(adaptation: HomeAdaptation) -> tuple[str, str] | None:
    index = STAGES.index(adaptation.stage) + 1
    return (STAGES[index], HomeAdaptation.Stage(STAGES[index]).label) if index < len(STAGES) else None


@login_required
def adaptation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: its steps (date, who, note) and the form of the next step."""
    adaptation = _adaptation(request.user, pk)
    following = _next_stage(adaptation)
    if request.method == "POST":
        require(request.user, ADAPTATION_RESOURCE, "add")
        if following is None or request.POST.get("stage") != following[0]:
            messages.error(request, "未保存：该环节已办理或不是下一环节，请刷新页面")
            return redirect("eldercare-adaptation", pk=pk)
        fields = {name: request.POST.get(name, "")[:2000] for name in STAGE_FIELDS[following[0]]}
        try:
            adaptation_advance(acting_user=request.user, adaptation=adaptation, stage=following[0],
                               on=_date(request.POST.get("on"), f"{following[1]}日期"),
                               note=request.POST.get("note", ""), **fields)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
            return render(request, "eldercare/adaptation.html", _detail_context(request, adaptation, following))
        messages.success(request, f"已登记：{following[1]}")
        return redirect("eldercare-adaptation", pk=pk)
    return render(request, "eldercare/adaptation.html", _detail_context(request, adaptation, following))


def _detail_context(request, adaptation: HomeAdaptation, following) -> dict:
    return {"a": adaptation, "steps": adaptation.steps.select_related("by").order_by("id"), "next": following,
            "fields": STAGE_FIELDS.get(following[0], ()) if following else (), "today": timezone.localdate(),
            "posted": request.POST, "can_add": allowed(request.user, ADAPTATION_RESOURCE, "add")}


@login_required
def adaptation_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    """适老化改造竣工验收单 (printable), once the works are accepted."""
    adaptation = _adaptation(request.user, pk)
    if STAGES.index(adaptation.stage) < STAGES.index(HomeAdaptation.Stage.ACCEPTED):
        raise Http404
    steps = {s.stage: s for s in adaptation.steps.select_related("by")}
    return render(request, "eldercare/adaptation_acceptance.html", {"a": adaptation, "steps": steps})


# ---- 时间银行 --------------------------------------------------------------------------------------------------

@login_required
def timebank_list(request: HttpRequest) -> HttpResponse:
    """志愿者 and their balance; a name search to open a volunteer's account."""
    require(request.user, "time_bank", "view")
    query = (request.GET.get("q") or "").strip()[:50]
    can_add = allowed(request.user, "time_bank", "add")
    return render(request, "eldercare/timebank.html", {
        "rows": list(time_bank_volunteers(request.user)[:PAGE_SIZE]), "query": query, "can_add": can_add,
        "found": _people(request.user, query, older=False) if can_add else []})


@login_required
def timebank_volunteer(request: HttpRequest, person_id: int) -> HttpResponse:
    """One volunteer's entries and balance, and the entry form (存入 / 支取)."""
    require(request.user, "time_bank", "view")
    person = _person(request.user, person_id)
    if request.method == "POST":
        require(request.user, "time_bank", "add")
        raw = request.POST.get("hours", "").strip()
        signed = raw if request.POST.get("direction") == "earn" else f"-{raw}"
        try:
            if not raw or raw.startswith(("-", "+")):
                raise ValidationError({"hours": ["请填写正数的小时数，并选择存入或支取"]})
            time_bank_record(acting_user=request.user, volunteer=person, hours=signed,
                             note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
        else:
            messages.success(request, "已记录")
            return redirect("eldercare-timebank-volunteer", person_id=person.pk)
    entries = list(time_bank_entries(request.user, person)[:PAGE_SIZE])
    for entry in entries:
        entry.size = abs(entry.hours)
    return render(request, "eldercare/timebank_volunteer.html", {
        "person": person, "balance": time_bank_balance(person), "posted": request.POST, "entries": entries,
        "can_add": allowed(request.user, "time_bank", "add")})
