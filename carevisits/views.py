"""探访关爱页面: weekly compliance (per community and worker), the roster, the people not reached this week, the
phone-sized visit page (htmx: a tap records the visit and answers with this week's counts) and manual addition.
Reads via carevisits.selectors (scoped); writes via carevisits.services."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import User
from accounts.policy import allowed, scope_prefix
from areas.models import Area
from carevisits.forms import ManualAddForm, PlanForm, VisitForm
from carevisits.models import CATEGORY_LABELS, RosterEntry
from carevisits.selectors import (
    Week,
    compliance_cells,
    compliance_rollup,
    not_reached,
    roster_visible,
    snapshot_cells,
    visits_visible,
    with_week,
)
from carevisits.services import roster_add_manual, visit_plan_set, visit_record
from registry.selectors import persons_visible
from web.views.common import PAGE_SIZE, AreaFilter, after_cursor, require, service_errors_to_form


def _week(request: HttpRequest) -> Week:
    try:
        return Week.of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return Week.of(timezone.localdate())


def _names(codes) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))


@login_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    """本周探访达标情况: per town for a district user (a town opens its communities), per community below, and per
    responsible worker, with the count of people not reached. Reads the weekly snapshot."""
    require(request.user, "carevisit", "view")
    week = _week(request)
    cells = snapshot_cells(request.user, week)
    if cells is None:  # a week no visit or refresh has touched yet (e.g. Monday before the night's refresh)
        cells = compliance_cells(request.user, week)
    town = request.GET.get("town", "")
    if len(town) == 12 and town.isdigit():
        cells = [c for c in cells if c["area_id"].startswith(town[:9])]
    by_town = len(scope_prefix(request.user) or "") <= 6 and not town
    if by_town:  # a district's 200 communities would be a long table: its towns first
        cells_by_area = [{**c, "area_id": c["area_id"][:9] + "000"} for c in cells]
    else:
        cells_by_area = cells
    areas = compliance_rollup(cells_by_area, "area_id")
    names = _names(r["area_id"] for r in areas)
    for row in areas:
        row["name"] = names.get(row["area_id"], row["area_id"])
    workers = compliance_rollup(cells, "worker_id")
    people = dict(User.objects.filter(pk__in=[r["worker_id"] for r in workers if r["worker_id"]])
                  .values_list("pk", "username"))
    for row in workers:
        row["name"] = people.get(row["worker_id"], "未指定责任探访人")
    totals = {k: sum(r[k] for r in areas) for k in ("people", "met", "unreached")}
    return render(request, "carevisits/compliance.html", {
        "week": week, "week_param": week.monday.isoformat(), "communities": areas, "by_town": by_town,
        "town": town, "town_name": _names([town]).get(town, "") if town else "", "workers": workers,
        "totals": totals, "previous": (week.monday - timedelta(days=7)).isoformat(),
        "next": (week.monday + timedelta(days=7)).isoformat()})


def _entries_page(request: HttpRequest, entries, title: str, template: str = "carevisits/roster.html"):
    week = _week(request)
    area_filter = AreaFilter.from_request(request)
    entries = area_filter.apply(entries)
    category = request.GET.get("category", "")
    if category in CATEGORY_LABELS:
        entries = entries.filter(**{category: True})
    after = after_cursor(request)
    if after:
        entries = entries.filter(pk__gt=after)
    rows = list(with_week(entries, week).select_related("person", "area").order_by("pk")[:PAGE_SIZE + 1])
    more = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render(request, template, {
        "title": title, "rows": rows[:PAGE_SIZE], "more": more, "week": week, "filter": area_filter,
        "categories": CATEGORY_LABELS, "category": category,
        "may_add": allowed(request.user, "carevisit", "add")})


@login_required
def roster_list(request: HttpRequest) -> HttpResponse:
    """探访关爱名册: who is on it and why (category labels), this week's visits and calls against plan."""
    require(request.user, "carevisit", "view")
    return _entries_page(request, roster_visible(request.user), "探访关爱名册")


@login_required
def not_reached_list(request: HttpRequest) -> HttpResponse:
    """本周未联系上的老年人."""
    require(request.user, "carevisit", "view")
    return _entries_page(request, not_reached(request.user, _week(request)), "本周尚未探访到的老年人")


def _entry_or_404(request: HttpRequest, pk: int) -> RosterEntry:
    entry = with_week(roster_visible(request.user).filter(pk=pk), Week.of(timezone.localdate())).select_related(
        "person", "area").first()
    if entry is None:
        raise Http404("名册对象不存在或不在您的管辖范围内")
    return entry


@login_required
def entry_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """探访录入（手机页面）: GET the person with this week's counts; POST a visit — htmx gets the counts back."""
    require(request.user, "carevisit", "view")
    entry = _entry_or_404(request, pk)
    form, plan_form = VisitForm(), PlanForm(initial={"home_visits_per_week": entry.home_visits_per_week,
                                                     "phone_calls_per_week": entry.phone_calls_per_week})
    if request.method == "POST" and request.POST.get("action") == "plan":
        plan_form = PlanForm(request.POST)
        if plan_form.is_valid():
            try:
                visit_plan_set(acting_user=request.user, entry=entry, worker=entry.worker, **plan_form.cleaned_data)
                messages.success(request, "探访计划已保存")
                return redirect("carevisits-visit", pk=pk)
            except (ValidationError, PermissionDenied) as exc:
                _form_error(plan_form, exc)
    elif request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                visit = visit_record(acting_user=request.user, entry=entry, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                if request.htmx:
                    return render(request, "carevisits/_visit_saved.html",
                                  {"entry": _entry_or_404(request, pk), "visit": visit, "form": VisitForm()})
                messages.success(request, "探访记录已保存")
                return redirect("carevisits-visit", pk=pk)
        if request.htmx:
            return render(request, "carevisits/_visit_form.html", {"entry": entry, "form": form})
    recent = visits_visible(request.user).filter(entry=entry).select_related("worker")[:10]
    return render(request, "carevisits/visit.html", {
        "entry": entry, "form": form, "plan_form": plan_form, "recent": recent,
        "may_add": allowed(request.user, "carevisit", "add"),
        "may_plan": allowed(request.user, "carevisit", "change")})


def _form_error(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        service_errors_to_form(form, exc)
    else:
        form.add_error(None, str(exc) or "无此操作权限")


@login_required
def roster_add(request: HttpRequest) -> HttpResponse:
    """人工纳入名册 (with a reason)."""
    require(request.user, "carevisit", "add")
    form = ManualAddForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        person = persons_visible(request.user).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error("person", "人员不存在或不在您的管辖范围内")
        else:
            try:
                entry = roster_add_manual(acting_user=request.user, person=person, reason=form.cleaned_data["reason"])
                messages.success(request, f"已将{person.name}纳入探访关爱名册")
                return redirect("carevisits-visit", pk=entry.pk)
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
    return render(request, "carevisits/add.html", {"form": form})
