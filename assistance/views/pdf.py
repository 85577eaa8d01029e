"""Printable documents (打印文书): the case's PDFs (an export of personal data: granted and logged) and the
公示名单 (public by law, name + household size + amount only: not logged)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.policy import area_in_scope, restrict
from areas.models import Area, AreaLevel
from assistance import documents, letters
from assistance.roster import standing_roster
from assistance.views.cases import PDF_KINDS
from assistance.views.common import case_or_404
from assistance.workflows import RESOURCE
from casework import clock
from casework.models import PublicNotice
from programs.calculations.base import PERSON_ALONE
from registry.disclosure import personal_export_log
from web.views.common import require

RENDERERS = {"form": documents.application_form_pdf, "decision": documents.decision_pdf,
             "rejection": documents.rejection_pdf, "report": letters.nonresident_report_pdf}
NEEDS_STATE = {"decision": "confirmed", "rejection": "rejected"}


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def case_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """申请审批表 / 审核确认决定书 / 不予确认通知书: logged as an export (registry.disclosure.personal_export_log,
    which also requires the export grant)."""
    if kind not in RENDERERS:
        raise Http404("没有该文书")
    case = case_or_404(request, pk)
    if kind in NEEDS_STATE and case.state != NEEDS_STATE[kind]:
        raise Http404(f"该案件尚无{PDF_KINDS[kind]}")
    if kind == "report" and not case.inputs.get(PERSON_ALONE):
        raise Http404("仅急难发生地救助（非本区户籍）的案件有通报函")
    personal_export_log(user=request.user, what=f"{PDF_KINDS[kind]}（案件{case.pk}）", count=1,
                        filters={"case": case.pk, "kind": kind})
    return pdf_response(RENDERERS[kind](case), f"case-{case.pk}-{kind}.pdf")


def _notices(user):
    return restrict(PublicNotice.objects.all(), user, "view", resource=RESOURCE).select_related("case__program")


def _place(area: Area) -> str:
    town = area.parent if area.level == AreaLevel.COMMUNITY and area.parent_id else area
    return town.name if town == area else f"{town.name}或{area.name}"


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """公示名单: one notice (`pk`), or every notice of an area (`?area=` town or community code) running on a day
    (`?date=`, default today)."""
    require(request.user, RESOURCE, "view")
    if pk is not None:
        notice = _notices(request.user).filter(pk=pk).select_related("area", "area__parent").first()
        if notice is None:
            raise Http404("公示不存在或不在您的管辖范围内")
        rows, area = [notice], notice.area
        period = f"{notice.starts_on:%Y年%m月%d日}至{notice.ends_on:%Y年%m月%d日}"
    else:
        area, day = _area_and_day(request)
        rows = list(_notices(request.user).filter(area__code__startswith=area.scope_prefix, starts_on__lte=day,
                                                  ends_on__gte=day)
                    .exclude(status=PublicNotice.Status.WITHDRAWN).order_by("case__program__sort", "area_id", "id"))
        period = (f"{min(n.starts_on for n in rows):%Y年%m月%d日}至{max(n.ends_on for n in rows):%Y年%m月%d日}"
                  if rows else f"{day:%Y年%m月%d日}")
    content = documents.notice_list_pdf(title=f"{area.name}社会救助公示名单", period=period, place=_place(area),
                                        rows=documents.notice_rows(rows))
    return pdf_response(content, f"notice-{pk or area.code}.pdf")


def _area_and_day(request: HttpRequest) -> tuple[Area, date]:
    code = request.GET.get("area", "")
    area = Area.objects.filter(code=code).select_related("parent").first() if len(code) == 12 else None
    if area is None or not area_in_scope(request.user, area.code):
        raise Http404("区划不存在或不在您的管辖范围内")
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
    except ValueError:
        day = None
    return area, day or clock.today()


@login_required
@require_GET
def roster_pdf(request: HttpRequest) -> HttpResponse:
    """长期公示名单 of an area (`?area=` town or community code) for a month (`?date=` in it, default today)."""
    require(request.user, "enrolment", "view")
    area, day = _area_and_day(request)
    rows = standing_roster(user=request.user, area=area, month=day)
    content = documents.notice_list_pdf(title=f"{area.name}社会救助对象长期公示名单",
                                        period=f"{day:%Y年%m月}（长期公示）", place=_place(area), rows=rows)
    return pdf_response(content, f"roster-{area.code}-{day:%Y%m}.pdf")
