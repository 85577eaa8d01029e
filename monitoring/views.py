"""动态监测预警页面: feed upload and batch history, rules with preview and switch, warnings, the match review
queue, and a household's chain (data events, warnings, task handling, enrolment changes in one timeline). Reads go
through the selectors (out of scope → 404); writes through the services (which check the grants again)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.policy import allowed
from monitoring.chain import household_chain as household_chain_events
from monitoring.feeds import FEED_TYPES
from monitoring.models import FeedBatch, MatchReview, Warning, WarningType
from monitoring.selectors import (
    feed_batches_visible,
    match_reviews_visible,
    rules_visible,
    warnings_visible,
)
from monitoring.services import feed_batch_upload, match_review_accept, match_review_reject, rule_preview, rule_update
from registry.selectors import households_visible
from web.downloads import attachment
from web.views.common import PAGE_SIZE, AreaFilter, require, service_error_text

MAX_UPLOAD = 200 * 1024 * 1024
# 预警时长 (age of a warning): label, lower bound (days, inclusive), upper bound (days, exclusive).
AGES = {"0-3": ("3天内", 0, 3), "3-10": ("3至10天", 3, 10), "10-30": ("10至30天", 10, 30),
        "30+": ("30天以上", 30, None)}


# ---- 部门数据上传与批次 --------------------------------------------------------------------------------------------

@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """GET: batch history; POST: upload a department file (feed type, period, file)."""
    require(request.user, "feed", "view")
    if request.method == "POST":
        _upload(request)
        return redirect("monitoring-feeds")
    batches = list(feed_batches_visible(request.user).select_related("created_by", "import_batch")
                   [:PAGE_SIZE])
    for batch in batches:
        feed = FEED_TYPES.get(batch.feed_type)
        batch.feed_name = feed.name if feed else "未知数据类型"
    return render(request, "monitoring/feeds.html", {
        "batches": batches, "feed_types": sorted(FEED_TYPES.values(), key=lambda f: (f.department, f.code)),
        "can_upload": allowed(request.user, "feed", "run"), "statuses": FeedBatch.Status,
        # Row errors and blank templates come from the import machinery the feeds run on, under its grants.
        "can_template": allowed(request.user, "import", "view"),
        "can_errors": allowed(request.user, "import", "view") and allowed(request.user, "export", "run")})


def _upload(request: HttpRequest) -> None:
    require(request.user, "feed", "run")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
        return
    if upload.size > MAX_UPLOAD:
        messages.error(request, "文件超过200MB，请分批上传或使用接口")
        return
    try:
        batch = feed_batch_upload(acting_user=request.user, feed_type=request.POST.get("feed_type", ""),
                                  filename=upload.name, content=upload.read(), period=request.POST.get("period", ""))
    except ValidationError as exc:
        messages.error(request, f"上传失败：{service_error_text(exc)}")
        return
    messages.success(request, f"已上传：{batch}，正在校验和比对")


# ---- 规则 ---------------------------------------------------------------------------------------------------

@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Rules with their preview counts (how many people each would flag now); the switch for 'rule change'."""
    require(request.user, "rule", "view")
    rows = [{"rule": rule, "preview": rule_preview(rule)} for rule in rules_visible(request.user)]
    return render(request, "monitoring/rules.html",
                  {"rows": rows, "can_change": allowed(request.user, "rule", "change")})


@login_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "rule", "change")
    rule = rules_visible(request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404("规则不存在")
    try:
        rule = rule_update(acting_user=request.user, rule=rule, active=not rule.active)
    except ValidationError as exc:
        messages.error(request, f"修改失败：{service_error_text(exc)}")
    else:
        ran = rule.run_result
        found = f"，已对现有部门数据运行，新增预警 {ran['warnings']:,} 条" if ran else ""
        messages.success(request, f"规则“{rule.name}”已{'启用' if rule.active else '停用'}{found}")
    return redirect("monitoring-rules")


# ---- 预警 ---------------------------------------------------------------------------------------------------

@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """预警 by type, area and age (days since raised), open first; with counts per type for the filter."""
    require(request.user, "warning", "view")
    area = AreaFilter.from_request(request)
    rows = area.apply(warnings_visible(request.user))
    kind, status, age = request.GET.get("type", ""), request.GET.get("status", "open"), request.GET.get("age", "")
    if kind in WarningType.values:
        rows = rows.filter(warning_type=kind)
    if status in Warning.Status.values:
        rows = rows.filter(status=status)
    if age in AGES:
        _, low, high = AGES[age]
        now = timezone.now()
        rows = rows.filter(created_at__lte=now - timedelta(days=low))
        if high is not None:
            rows = rows.filter(created_at__gt=now - timedelta(days=high))
    total = rows.count()
    page = list(rows.select_related("person", "area", "rule").order_by("severity", "id")[:PAGE_SIZE])
    now = timezone.now()
    return render(request, "monitoring/warnings.html", {
        "warnings": [{"w": w, "days": (now - w.created_at).days,
                      "overdue": w.task_deadline is not None and w.status == "open" and w.task_deadline < now}
                     for w in page],
        "total": total, "filter": area, "types": WarningType.choices, "ages": [(k, v[0]) for k, v in AGES.items()],
        "statuses": Warning.Status.choices, "selected": {"type": kind, "status": status, "age": age}})


# ---- 人工匹配 -------------------------------------------------------------------------------------------------

@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """待人工匹配: rows without a usable ID number that fit exactly one person; accept or reject each."""
    require(request.user, "feed", "review")
    if request.method == "POST":
        review = match_reviews_visible(request.user).filter(pk=request.POST.get("review", "0") or 0).first()
        if review is None:
            raise Http404("记录不存在或不在您的管辖范围内")
        action = match_review_accept if request.POST.get("decision") == "accept" else match_review_reject
        try:
            action(acting_user=request.user, review=review)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, service_error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"已处理：{review.name}")
        return redirect("monitoring-reviews")
    reviews = (match_reviews_visible(request.user).filter(status=MatchReview.Status.PENDING)
               .select_related("candidate", "area", "batch").order_by("id")[:PAGE_SIZE])
    return render(request, "monitoring/reviews.html", {"reviews": reviews})


# ---- 家庭监测链条 ------------------------------------------------------------------------------------------------

@login_required
def household_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """家庭监测链条: one timeline of the household's department records, warnings, task handling (escalations,
    outcomes), enrolment changes and payment stops, re-checks and composition events (`monitoring.chain`).
    `?format=xlsx` downloads it — an export of personal data, so it needs the export grant and is logged."""
    require(request.user, "warning", "view")
    household = households_visible(request.user).filter(pk=pk).select_related("area").first()
    if household is None:
        raise Http404("家庭不存在或不在您的管辖范围内")
    members = list(household.members.select_related("person").order_by("-is_active", "id"))
    chain = household_chain_events(user=request.user, household=household)
    if request.GET.get("format") == "xlsx":
        return _chain_xlsx(request, household, chain)
    return render(request, "monitoring/chain.html", {
        "household": household, "members": members, "chain": chain, "events": chain.events,
        "can_export": allowed(request.user, "export", "run"),
        "can_assistance": allowed(request.user, "application", "view")})


def _chain_xlsx(request: HttpRequest, household, chain) -> HttpResponse:
    from imports.sheets import error_sheet_xlsx
    from registry.disclosure import personal_export_log

    require(request.user, "export", "run")
    personal_export_log(user=request.user, what=f"家庭监测链条（家庭{household.pk}）", count=len(chain.events),
                        filters={"household": household.pk})
    # Department payloads and typed notes are outside text: written as text cells, never as formulas.
    content = error_sheet_xlsx(["时间", "类别", "事项", "详情"], (
        [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.kind_label, e.title, e.detail]
        for e in chain.events), title="家庭监测链条")
    return attachment(content, f"household-{household.pk}-chain.xlsx")
