"""发放查询 and 资金监管报表 pages: find payment lines by person, programme, months, area and status; the four
supervision reports with their filters and XLSX downloads (every download access-logged)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minzheng.dates import month_or_none
from minzheng.db_router import replica_reads
from payments.models import PaymentLine
from payments.report_xlsx import report_export
from payments.reports import REPORTS, Report, filter_parse, report_build
from payments.selectors import lines_visible
from programs.models import Program
from registry.selectors import person_search
from web.downloads import attachment
from web.views.common import PAGE_SIZE, AreaFilter, require

# ---- 发放查询 ---------------------------------------------------------------------------------------------------

@login_required
@require_GET
def payment_search(request: HttpRequest) -> HttpResponse:
    """Payment lines the user may see, newest first, keyset-paged; names and ID numbers through the registry's
    search (name, pinyin, full or leading ID digits)."""
    require(request.user, "payment", "view")
    area = AreaFilter.from_request(request)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "program", "from", "to", "status", "kind")}
    rows = area.apply(lines_visible(request.user))
    if params["q"]:
        rows = rows.filter(person_id__in=person_search(user=request.user, query=params["q"]).values("pk"))
    if params["program"]:
        rows = rows.filter(program_id=params["program"])
    if start := month_or_none(params["from"]):
        rows = rows.filter(month__gte=start)
    if end := month_or_none(params["to"]):
        rows = rows.filter(month__lte=end)
    if params["status"] in PaymentLine.Status.values:
        rows = rows.filter(status=params["status"])
    if params["kind"] in PaymentLine.Kind.values:
        rows = rows.filter(kind=params["kind"])
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.select_related("program", "person", "area").order_by("-pk")[:PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "payments/search.html", {
        "lines": page[:PAGE_SIZE], "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "params": params, "filter": area, "programs": Program.objects.all(), "query": query.urlencode(),
        "statuses": PaymentLine.Status.choices, "kinds": PaymentLine.Kind.choices,
        "searched": any(params.values()) or bool(area.town)})


# ---- 资金监管报表 -----------------------------------------------------------------------------------------------

def _display(value, kind: str) -> str:
    if value is None:
        return "—" if kind == "rate" else ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "rate":
        return f"{Decimal(value) * 100:.2f}%"
    return str(value)


WRAPPED = {"reason"}  # free text an officer typed; every other column stays on one line


def report_tables(report: Report) -> list[dict]:
    """The report's tables as display strings, each cell with its CSS class, for the template."""
    tables = []
    for table in report.tables:
        classes = [("text-end text-nowrap" if c.kind != "text" else "" if c.key in WRAPPED else "text-nowrap")
                   for c in table.columns]

        def cells(row: dict, classes=classes, columns=table.columns) -> list[tuple[str, str]]:
            return [(_display(row.get(c.key), c.kind), css) for c, css in zip(columns, classes, strict=True)]

        tables.append({"title": table.title,
                       "headers": [(c.title, css) for c, css in zip(table.columns, classes, strict=True)],
                       "rows": [cells(row) for row in table.rows],
                       "totals": None if table.totals is None else cells(table.totals)})
    return tables


def _defaults(request: HttpRequest) -> tuple[str, str]:
    today = timezone.localdate()
    start = request.GET.get("from") or f"{today.year}-01"
    return start, request.GET.get("to") or f"{today:%Y-%m}"


def _report_filter(request: HttpRequest, area: AreaFilter):
    start, end = _defaults(request)
    return filter_parse(user=request.user, start=start, end=end, area=area.community or area.town,
                        program=request.GET.get("program", ""))


@login_required
@require_GET
@replica_reads
def report_page(request: HttpRequest, key: str = "amounts") -> HttpResponse:
    require(request.user, "payment", "view")
    if key not in REPORTS:
        raise Http404("报表不存在")
    area = AreaFilter.from_request(request)
    start, end = _defaults(request)
    context = {"key": key, "reports": [(k, title) for k, (title, _) in REPORTS.items()], "filter": area,
               "programs": Program.objects.all(), "start": start, "end": end,
               "program": request.GET.get("program", ""), "query": request.GET.urlencode()}
    try:
        f = _report_filter(request, area)
    except ValidationError as exc:
        context["error"] = "；".join(exc.messages)
        return render(request, "payments/reports.html", context, status=400)
    report = report_build(user=request.user, key=key, f=f)
    return render(request, "payments/reports.html", {**context, "report": report, "tables": report_tables(report)})


@login_required
@require_GET
@replica_reads
def report_download(request: HttpRequest, key: str) -> HttpResponse:
    """The report as XLSX; `report_export` writes the access log."""
    require(request.user, "payment", "view")
    if key not in REPORTS:
        raise Http404("报表不存在")
    try:
        f = _report_filter(request, AreaFilter.from_request(request))
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    name, content = report_export(user=request.user, key=key, f=f)
    return attachment(content, name)
