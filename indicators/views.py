"""Pages of the cockpit (数字驾驶舱): key figures against their targets, trends, the town ranking, the overdue list;
one page per indicator with its definition, trend, figures by area and the records behind it (with XLSX export).

Charts are drawn by ECharts (npm, served as a static file) from data the page puts in a `json_script` block:
the templates carry no script of their own (CSP).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed, restrict
from areas.models import Area
from audit.context import acting
from casework.models import Case
from indicators import selectors, statistics
from indicators.models import Indicator
from indicators.records import record_rows, records_workbook
from indicators.registry import reads_current_list
from indicators.services import snapshots_refresh
from minzheng.dates import add_months, first_of_month, month_or_none
from minzheng.db_router import replica_reads
from tasks.selectors import tasks_overdue
from web.downloads import attachment

TREND_MONTHS = 24
RECORDS_SHOWN = 50
OVERDUE_SHOWN = 10


def _month(request: HttpRequest) -> date:
    return month_or_none(request.GET.get("month", "")) or first_of_month(timezone.localdate())


def _area(request: HttpRequest) -> Area:
    own = selectors.user_area_code(request.user)
    code = request.GET.get("area", "") or own
    if not code:
        raise PermissionDenied("账号未设置所属区划")
    selectors.check_area(request.user, code)
    return get_object_or_404(Area, code=code)


def _number(value) -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _months(month: date) -> list[date]:
    return [add_months(month, offset) for offset in range(1 - TREND_MONTHS, 1)]


def _trend(user, indicator: Indicator, area: Area, month: date, grid: dict | None = None) -> dict:
    if grid is None:
        readings = selectors.series(user, indicator, area.code, add_months(month, 1 - TREND_MONTHS), month)
    else:
        readings = [grid[(indicator.code, m)] for m in _months(month)]
    return {"id": f"trend-{indicator.code}", "name": indicator.name, "unit": indicator.unit,
            "months": [f"{r.month:%Y-%m}" for r in readings],
            "values": [None if r.value is None else float(r.value) for r in readings],
            "target": float(indicator.target_value) if indicator.target_value is not None else None}


def _ranking(user, indicator: Indicator, area: Area, month: date) -> list[dict]:
    rows = selectors.ranked(selectors.by_area(user, indicator, area.code, month), indicator)
    return [{"area": child.name, "code": child.code, "value": reading.value, "shown": _number(reading.value),
             "numerator": _number(reading.numerator), "denominator": _number(reading.denominator),
             "light": reading.light} for child, reading in rows]


def _overdue(user) -> dict:
    today, now = timezone.localdate(), timezone.now()
    cases = restrict(Case.objects.filter(application__isnull=False, closed_at__isnull=True, next_due__lt=today),
                     user, "view", resource="application").select_related("program", "area").order_by("next_due")
    tasks = tasks_overdue(user, now).select_related("area")
    return {"cases": list(cases[:OVERDUE_SHOWN]), "tasks": list(tasks[:OVERDUE_SHOWN])}


@login_required
@require_GET
@replica_reads
def cockpit(request: HttpRequest) -> HttpResponse:
    selectors.check_view(request.user)
    month, area = _month(request), _area(request)
    indicators = list(selectors.indicators_all())
    key = [i for i in indicators if i.key]
    grid = selectors.readings_grid(request.user, key, area.code, _months(month))
    cards = []
    for indicator in key:
        reading = grid[(indicator.code, month)]
        cards.append({"indicator": indicator, "reading": reading, "shown": _number(reading.value)})
    collected = [i for i in indicators if i.status == Indicator.Status.COLLECTED]
    # The ranking offers the indicators computed for towns (a city standard has no town figure).
    rankable = [i for i in collected if "town" in i.levels.split(",")]
    chosen = next((i for i in rankable if i.code == request.GET.get("indicator")), None) or next(
        (i for i in rankable if i.key), rankable[0] if rankable else None)
    charts = [_trend(request.user, i, area, month, grid) for i in key if i.status == Indicator.Status.COLLECTED]
    ranking = _ranking(request.user, chosen, area, month) if chosen and area.level != "community" else []
    data = {"charts": charts, "ranking": {
        "id": "ranking-chart", "name": chosen.name if chosen else "", "unit": chosen.unit if chosen else "",
        "areas": [r["area"] for r in ranking],
        "values": [None if r["value"] is None else float(r["value"]) for r in ranking]}}
    return render(request, "indicators/cockpit.html", {
        "area": area, "month": month, "month_text": f"{month:%Y-%m}", "cards": cards, "charts": charts,
        "chosen": chosen, "collected": rankable, "ranking": ranking, "chart_data": data,
        "overdue": _overdue(request.user), "may_refresh": allowed(request.user, "indicator", "run"),
        "not_collected": [i for i in indicators if i.status != Indicator.Status.COLLECTED]})


@login_required
@require_POST
def cockpit_refresh(request: HttpRequest) -> HttpResponse:
    """刷新本月指标 (on demand): the current month's snapshots, as the nightly job would."""
    if not allowed(request.user, "indicator", "run"):
        raise PermissionDenied("无刷新指标的权限")
    with acting(user=request.user, source="page"):
        snapshots_refresh(month=first_of_month(timezone.localdate()))
    return redirect("cockpit")


def _breakdowns(user, indicator: Indicator, area: Area, month: date) -> list[dict]:
    """Each breakdown of the indicator (分项) for the area and month: its rows and its bar chart."""
    result = []
    for split in selectors.breakdowns_of(indicator):
        parts = selectors.breakdown(user, indicator, area.code, month, split.code)
        rows = [{"key": p.key, "label": p.label, "shown": _number(p.value), "numerator": _number(p.numerator),
                 "denominator": _number(p.denominator)} for p in parts]
        result.append({"code": split.code, "label": split.label, "note": split.note, "rows": rows,
                       "chart": {"id": f"breakdown-{split.code}", "name": f"{indicator.name}（{split.label}）",
                                 "unit": indicator.unit, "labels": [p.label for p in parts],
                                 "values": [None if p.value is None else float(p.value) for p in parts]}})
    return result


def _chosen_part(request: HttpRequest, indicator: Indicator, breakdowns: list[dict]) -> tuple[str, str | None, str]:
    """The breakdown key the records are narrowed to (?by=…&key=…), with its label; ("", None, "") for all."""
    dimension, key = request.GET.get("by", ""), request.GET.get("key")
    for split in breakdowns:
        if split["code"] == dimension:
            row = next((r for r in split["rows"] if r["key"] == (key or "")), None)
            if row is not None:
                return dimension, key or "", f"{split['label']}：{row['label']}"
    return "", None, ""


@login_required
@require_GET
@replica_reads
def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    selectors.check_view(request.user)
    indicator = get_object_or_404(Indicator, code=code)
    month, area = _month(request), _area(request)
    reading = selectors.reading(request.user, indicator, area.code, month)
    context = {"indicator": indicator, "area": area, "month": month, "month_text": f"{month:%Y-%m}",
               "reading": reading, "shown": _number(reading.value),
               "current_list": reads_current_list(indicator.code) and month < first_of_month(timezone.localdate())}
    if indicator.status == Indicator.Status.COLLECTED:
        trend = _trend(request.user, indicator, area, month)
        breakdowns = _breakdowns(request.user, indicator, area, month)
        context["breakdowns"] = breakdowns
        context["chart_data"] = {"charts": [trend], "ranking": None, "bars": [b["chart"] for b in breakdowns]}
        context["by_area"] = _ranking(request.user, indicator, area, month) if area.level != "community" else []
        dimension, key, context["part_label"] = _chosen_part(request, indicator, breakdowns)
        try:
            records = selectors.records(request.user, indicator, month, area.code, dimension=dimension, key=key)
        except PermissionDenied:
            records = None
        if records is not None:
            context["records_count"] = records.count()
            context["records"] = record_rows(records[:RECORDS_SHOWN])
        context["may_export"] = allowed(request.user, "export", "run")
    return render(request, "indicators/indicator.html", context)


@login_required
@require_GET
@replica_reads
def indicator_export(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind a value as XLSX (ID numbers masked); written to the access log as an export."""
    selectors.check_view(request.user)
    if not allowed(request.user, "export", "run"):
        raise PermissionDenied("无导出权限")
    indicator = get_object_or_404(Indicator, code=code)
    if indicator.status != Indicator.Status.COLLECTED:
        raise Http404("该指标尚未采集")
    month, area = _month(request), _area(request)
    records = selectors.records(request.user, indicator, month, area.code)
    name, content = records_workbook(user=request.user, indicator=indicator, area=area, month=month, records=records)
    return attachment(content, name)


STATISTICS = {"monthly": statistics.monthly, "quarterly": statistics.quarterly}


def _statistics_user(request: HttpRequest) -> None:
    selectors.check_view(request.user)
    if not allowed(request.user, "payment", "view"):
        raise PermissionDenied("无查看资金发放数据的权限")


@login_required
@require_GET
@replica_reads
def statistics_page(request: HttpRequest) -> HttpResponse:
    """定期统计报表: this month's table by programme and town and the quarter's summary, with their XLSX."""
    _statistics_user(request)
    month = _month(request)
    monthly, quarterly = statistics.monthly(request.user, month), statistics.quarterly(request.user, month)
    return render(request, "indicators/statistics.html", {
        "month": month, "month_text": f"{month:%Y-%m}", "monthly": monthly, "quarterly": quarterly,
        "monthly_rows": statistics.table_rows(monthly), "quarterly_rows": statistics.table_rows(quarterly)})


@login_required
@require_GET
@replica_reads
def statistics_download(request: HttpRequest, kind: str) -> HttpResponse:
    _statistics_user(request)
    if kind not in STATISTICS:
        raise Http404("报表不存在")
    month = _month(request)
    report = STATISTICS[kind](request.user, month)
    area = Area.objects.filter(code=selectors.user_area_code(request.user)).first()
    unit = f"{area.name}民政" if area is not None else "民政部门"
    content = statistics.workbook(user=request.user, report=report, unit_name=unit)
    return attachment(content, f"{report.title}-{report.period}.xlsx")
