"""养老服务页面: ability assessments (list, entry form grouped by dimension, detail, PDF report). Reads through the
selectors (out of scope → 404); writes through the services (which check the grants again)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.policy import allowed, restrict
from audit.models import AccessLog
from audit.services import access_log_write
from eldercare.documents import assessment_report_pdf
from eldercare.forms import AssessmentForm, split_codes
from eldercare.models import Assessment
from eldercare.selectors import assessments_visible, current_standard, items_of, level_name
from eldercare.services import assessment_record
from minzheng.dates import years_before
from registry.models import Person
from web.downloads import attachment
from web.views.common import PAGE_SIZE, require, service_error_text


def _person(user, pk: int) -> Person:
    person = restrict(Person.objects.all(), user, "view", resource="person").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """评估记录 and a name search among people aged 60+ to start a new assessment."""
    require(request.user, "assessment", "view")
    rows = list(assessments_visible(request.user).select_related("person", "standard")[:PAGE_SIZE])
    for row in rows:
        row.level_label = level_name(row.standard, row.level)
    query = (request.GET.get("q") or "").strip()[:50]
    found = []
    if query:
        found = list(restrict(Person.objects.all(), request.user, "view", resource="person")
                     .filter(name__contains=query, status=Person.Status.ACTIVE,
                             birth_date__lte=years_before(date.today(), 60)).order_by("name")[:20])
    return render(request, "eldercare/assessments.html", {
        "rows": rows, "query": query, "found": found, "can_add": allowed(request.user, "assessment", "add")})


def _groups(standard, posted=None) -> list[dict]:
    groups: dict[str, dict] = {}
    for item in items_of(standard):
        group = groups.setdefault(item.dimension.code, {"name": item.dimension.name,
                                                        "max": item.dimension.max_score, "items": []})
        item.choices = list(range(item.max_score, -1, -1))
        item.value = (posted or {}).get(item.code, "")
        group["items"].append(item)
    return list(groups.values())


def _scores(request: HttpRequest, standard) -> dict:
    scores = {}
    for item in items_of(standard):
        raw = request.POST.get(f"item_{item.code}", "")
        scores[item.code] = int(raw) if raw.isdigit() else None
    return {k: v for k, v in scores.items() if v is not None}


@login_required
def assessment_new(request: HttpRequest, person_id: int) -> HttpResponse:
    """录入能力评估: the base information and the 26 items grouped by dimension."""
    require(request.user, "assessment", "add")
    person = _person(request.user, person_id)
    standard = current_standard()
    form = AssessmentForm(request.POST or None, user=request.user, initial={"date": date.today()})
    posted = {}
    if request.method == "POST":
        posted = {k: str(v) for k, v in _scores(request, standard).items()}
        if form.is_valid():
            d = form.cleaned_data
            try:
                a = assessment_record(acting_user=request.user, person=person, on=d["date"], reason=d["reason"],
                                      items=_scores(request, standard), diagnoses=split_codes(d["diagnoses"]),
                                      health_problems=split_codes(d["health_problems"]),
                                      risk_events_30d=d["risk_events_30d"], coma=d["coma"],
                                      second_assessor=d["second_assessor"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"未保存：{_item_errors(exc, standard)}")
            else:
                messages.success(request, f"已保存：总分{a.total}，{level_name(standard, a.level)}")
                return redirect("eldercare-assessment", pk=a.pk)
    return render(request, "eldercare/assessment_form.html", {
        "person": person, "form": form, "groups": _groups(standard, posted), "standard": standard})


def _item_errors(exc, standard) -> str:
    """A refusal with item codes replaced by the items' names (never a code shown to a person)."""
    text = service_error_text(exc)
    for item in items_of(standard):
        text = text.replace(f"评估指标 {item.code} ", f"“{item.name}”").replace(f"指标：{item.code}", item.name)
    return text


def _visible(user, pk: int) -> Assessment:
    found = assessments_visible(user).select_related("person", "standard", "assessor", "second_assessor",
                                                     "area").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request.user, pk)
    names = {i.code: i for i in items_of(a.standard)}
    dims = {d.code: d for d in a.standard.dimensions.all()}
    return render(request, "eldercare/assessment.html", {
        "a": a, "level_label": level_name(a.standard, a.level),
        "preliminary_label": level_name(a.standard, a.preliminary_level),
        "dimensions": [(dims[c].name, v, dims[c].max_score) for c, v in a.dimension_scores.items() if c in dims],
        "items": [(names[c].dimension.name, names[c].name, v, names[c].max_score)
                  for c, v in sorted(a.scores.items(), key=lambda kv: names[kv[0]].sort) if c in names]})


@login_required
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable report; the export of a person's record is logged."""
    a = _visible(request.user, pk)
    access_log_write(user=request.user, kind=AccessLog.Kind.EXPORT, person=a.person,
                     detail={"document": "ability_assessment_report", "assessment": a.pk})
    return attachment(assessment_report_pdf(a), f"能力评估报告-{a.person.name}-{a.date:%Y%m%d}.pdf",
                      content_type="application/pdf")
