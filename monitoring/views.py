"""动态监测预警页面: feed upload and batch history, rules with preview and switch, warnings, the match review
queue, and a household's chain (data events, warnings, task outcomes in one timeline). Reads go through the
selectors (out of scope → 404); writes through the services (which check the grants again)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.policy import allowed
from monitoring.feeds import FEED_TYPES
from monitoring.models import FeedBatch, MatchReview, Warning, WarningType
from monitoring.selectors import (
    dept_records_visible,
    feed_batches_visible,
    match_reviews_visible,
    rules_visible,
    warnings_visible,
)
from monitoring.services import feed_batch_upload, match_review_accept, match_review_reject, rule_preview, rule_update
from registry.selectors import households_visible
from tasks.selectors import tasks_visible
from web.views.common import PAGE_SIZE, AreaFilter, require

MAX_UPLOAD = 200 * 1024 * 1024
# 预警时长 (age of a warning): label, lower bound (days, inclusive), upper bound (days, exclusive).
AGES = {"0-3": ("3天内", 0, 3), "3-10": ("3至10天", 3, 10), "10-30": ("10至30天", 10, 30),
        "30+": ("30天以上", 30, None)}


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---- 部门数据上传与批次 --------------------------------------------------------------------------------------------

@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """GET: batch history; POST: upload a department file (feed type, period, file)."""
    require(request.user, "feed", "view")
    if request.method == "POST":
        _upload(request)
        return redirect("monitoring-feeds")
    batches = (feed_batches_visible(request.user).select_related("created_by", "import_batch")
               .defer("import_batch__content")[:PAGE_SIZE])
    return render(request, "monitoring/feeds.html", {
        "batches": batches, "feed_types": sorted(FEED_TYPES.values(), key=lambda f: f.code),
        "can_upload": allowed(request.user, "feed", "run"), "statuses": FeedBatch.Status})


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
        messages.error(request, f"上传失败：{_errors(exc)}")
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
        messages.error(request, f"修改失败：{_errors(exc)}")
    else:
        messages.success(request, f"规则“{rule.name}”已{'启用' if rule.active else '停用'}")
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
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"已处理：{review.name}")
        return redirect("monitoring-reviews")
    reviews = (match_reviews_visible(request.user).filter(status=MatchReview.Status.PENDING)
               .select_related("candidate", "area", "batch").order_by("id")[:PAGE_SIZE])
    return render(request, "monitoring/reviews.html", {"reviews": reviews})


# ---- 一户一链：数据事件、预警、任务办理 ----------------------------------------------------------------------------

@dataclass
class ChainEvent:
    at: datetime
    kind: str  # data / warning / task
    title: str
    detail: str
    tone: str


@login_required
def household_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """一户一链: the department records about the household's members, the warnings they raised and what the
    tasks' handling found, newest first."""
    require(request.user, "warning", "view")
    household = households_visible(request.user).filter(pk=pk).first()
    if household is None:
        raise Http404("家庭不存在或不在您的管辖范围内")
    people = list(household.members.values_list("person_id", flat=True))
    events: list[ChainEvent] = []
    for r in dept_records_visible(request.user).filter(person_id__in=people).select_related("person", "batch"):
        feed = FEED_TYPES.get(r.feed_type)
        what = "，".join(f"{k}：{v}" for k, v in r.payload.items())
        source = f"{feed.department}{feed.name}" if feed else r.feed_type
        events.append(ChainEvent(timezone.make_aware(datetime.combine(r.event_date, datetime.min.time())), "data",
                                 f"{source}：{r.person.name}", f"发生日期 {r.event_date:%Y-%m-%d}；{what}",
                                 "secondary"))
    for w in warnings_visible(request.user).filter(person_id__in=people).select_related("person", "rule"):
        events.append(ChainEvent(w.created_at, "warning", f"预警：{w.rule.name}（{w.person.name}）",
                                 f"{w.get_warning_type_display()} · {w.get_severity_display()}"
                                 f" · {w.get_status_display()}",
                                 "danger" if w.severity <= 2 else "warning"))
    tasks = tasks_visible(request.user).filter(person_id__in=people).prefetch_related("events")
    for task in tasks:
        for e in task.events.all():
            detail = e.message + (f"；{task.outcome_note}" if e.kind == "closed" and task.outcome_note else "")
            events.append(ChainEvent(e.at, "task", f"任务：{task.title}", detail,
                                     "success" if e.kind == "closed" else "info"))
    events.sort(key=lambda e: e.at, reverse=True)
    return render(request, "monitoring/chain.html", {"household": household, "events": events})
