"""Pages of children's welfare (儿童福利页面): the children's list, a child's page (every allowance, case, visit,
assessment and support), the network's coverage per town with its gaps, and the adoption registrations."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.policy import scope_prefix
from audit.models import AccessLog
from audit.services import access_log_write
from casework.workflows import workflow_get
from children.care import visits_overdue
from children.documents import certificate_pdf
from children.models import Category
from children.network import town_coverage
from children.selectors import adoptions_visible, child_overview, files_visible
from web.views.common import PAGE_SIZE, AreaFilter, require


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "child", "view")
    area = AreaFilter.from_request(request)
    rows = area.apply(files_visible(request.user)).select_related("person", "area")
    category = request.GET.get("category", "")
    files = list(rows.order_by("-id")[:PAGE_SIZE * 4])
    if category in Category.values:
        files = [f for f in files if category in f.categories]
    overdue = {v.file.pk: v for v in visits_overdue(rows)}
    return render(request, "children/list.html", {
        "files": [{"f": f, "categories": [Category(c).label for c in f.categories if c in Category.values],
                   "visit_due": overdue.get(f.pk)} for f in files[:PAGE_SIZE]],
        "filter": area, "categories": Category.choices, "selected": category, "overdue": len(overdue)})


@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "child", "view")
    file = files_visible(request.user).select_related("person", "area", "guardian").filter(pk=pk).first()
    if file is None:
        raise Http404
    view = child_overview(file, request.user)
    cases = [{"c": c, "state": workflow_get(c.workflow).state_label(c.state)} for c in view.cases]
    return render(request, "children/detail.html", {
        "file": file, "view": view, "cases": cases,
        "categories": [Category(c).label for c in file.categories if c in Category.values]})


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    require(request.user, "child_network", "view")
    rows = town_coverage(scope_prefix(request.user) or "")
    return render(request, "children/coverage.html", {
        "rows": rows, "gaps": sum(len(r.missing_directors) for r in rows),
        "towns_incomplete": [r for r in rows if not r.complete]})


@login_required
def adoption_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "adoption", "view")
    rows = adoptions_visible(request.user).select_related("child", "adopter")[:PAGE_SIZE]
    return render(request, "children/adoptions.html", {"adoptions": rows})


@login_required
def adoption_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "adoption", "view")
    adoption = adoptions_visible(request.user).filter(pk=pk, status="registered").first()
    if adoption is None:
        raise Http404
    access_log_write(user=request.user, kind=AccessLog.Kind.EXPORT, person=adoption.child,
                     detail={"what": "收养登记证", "adoption": adoption.pk})
    response = HttpResponse(certificate_pdf(adoption), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="adoption-{adoption.pk}.pdf"'
    return response
