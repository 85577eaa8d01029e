"""残疾人福利页面: the coverage of the two subsidies by town (with the lists), and one disabled person's page
(every allowance, every case, every visit and service). Reads go through the selectors (out of scope → 404 / 403)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from disability.coverage import PROGRAMS
from disability.selectors import coverage_report, coverage_towns, person_overview
from minzheng.dates import month_or_none
from programs.models import Program
from registry.selectors import persons_visible
from web.views.common import require

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
    person = persons_visible(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("未找到该人员，或不在您的管辖范围内")
    return render(request, "disability/person.html", {"person": person,
                                                      **person_overview(person=person, user=request.user)})
