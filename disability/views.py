"""残疾人福利页面: the coverage of the two subsidies by town (with the lists), and one disabled person's page
(every allowance, every case, every visit and service). Reads go through the selectors (out of scope → 404 / 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.policy import allowed
from disability.coverage import PROGRAMS
from disability.devices import device_apply
from disability.forms import DeviceApplicationForm, RehabJoinForm, RehabSessionForm
from disability.rehab import rehab_participant_enrol, rehab_session_record
from disability.selectors import coverage_report, coverage_towns, person_overview
from minzheng.dates import month_or_none
from programs.models import Program
from registry.selectors import persons_visible
from web.views.common import require, service_error_text

LIST_ROWS = 200


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    """两项补贴覆盖情况: by town (or community), and the area's 应享未享 / 不再符合 lists."""
    require(request.user, "enrolment", "view")
    month = month_or_none(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    area = request.GET.get("area") or None
    try:
        report = coverage_report(user=request.user, month=month, area_code=area, limit=LIST_ROWS)
        towns = coverage_towns(user=request.user, month=month, area_code=area)
    except ValidationError as exc:
        raise Http404("区划代码不存在") from exc
    names = dict(Program.objects.filter(code__in=PROGRAMS).values_list("code", "name"))
    return render(request, "disability/coverage.html", {
        "report": report, "towns": towns, "month": month, "programs": [(code, names[code]) for code in PROGRAMS],
        "list_rows": LIST_ROWS})


@login_required
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    """残疾人档案: certificates, every allowance, every case, every visit and service of one person."""
    person = _person_or_404(request, pk)
    can_add = allowed(request.user, "disability", "add")
    return render(request, "disability/person.html", {
        "person": person, **person_overview(person=person, user=request.user), "can_add": can_add,
        "session_form": RehabSessionForm(person=person), "device_form": DeviceApplicationForm(),
        "join_form": RehabJoinForm(person=person)})


def _person_or_404(request: HttpRequest, pk: int):
    person = persons_visible(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("未找到该人员，或不在您的管辖范围内")
    return person


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    """登记一次精康融合服务 (the service checks the grant and the area again)."""
    person = _person_or_404(request, pk)
    form = RehabSessionForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, "服务记录未保存：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("disability-person", pk=pk)
    try:
        rehab_session_record(acting_user=request.user, **form.cleaned_data)
        messages.success(request, "已登记精康融合服务")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"服务记录未保存：{service_error_text(exc)}")
    return redirect("disability-person", pk=pk)


@login_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """纳入精康融合服务."""
    person = _person_or_404(request, pk)
    form = RehabJoinForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, "未纳入：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("disability-person", pk=pk)
    try:
        rehab_participant_enrol(acting_user=request.user, person=person, **form.cleaned_data)
        messages.success(request, "已纳入精康融合服务")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未纳入：{service_error_text(exc)}")
    return redirect("disability-person", pk=pk)


@login_required
@require_POST
def device_add(request: HttpRequest, pk: int) -> HttpResponse:
    """辅助器具申请."""
    person = _person_or_404(request, pk)
    form = DeviceApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "申请未保存：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("disability-person", pk=pk)
    try:
        device_apply(acting_user=request.user, person=person, **form.cleaned_data)
        messages.success(request, "已登记辅助器具申请")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"申请未保存：{service_error_text(exc)}")
    return redirect("disability-person", pk=pk)
