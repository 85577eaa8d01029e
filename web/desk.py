"""The desk (工作台) on the home page: what is this user's to do, at their level, by deadline.

Every block is chosen by capability (a grant, the user's level, the states their grants act on), never by role
name, and read through the area-scoped selectors. Each block costs one or two indexed queries: a grouped count
and a list of at most `LIST_SIZE` rows with a link to the full page.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.policy import allowed, grants_of
from assistance.selectors import (
    CaseRow,
    application_work_queue,
    applications_overdue,
    applications_visible,
    case_rows,
)
from assistance.workflows import STATES, WORKFLOW_CODES
from casework import clock
from casework.models import Case
from casework.selectors import user_level
from casework.workflows import workflow_get
from monitoring.models import FeedBatch, MatchReview, Warning
from monitoring.selectors import feed_batches_visible, match_reviews_visible, warnings_visible
from payments.models import PaymentCycle, PaymentException
from payments.selectors import cycles_visible, exceptions_visible
from programs.models import Enrolment, Program
from programs.selectors import enrolments_visible
from tasks.selectors import OPEN as TASK_OPEN
from tasks.selectors import tasks_visible, with_overdue, work_queue

LIST_SIZE = 10
WEEK = 7
# 待审核确认: the state in which a case waits for the district's 审核确认 after its public notice.
AWAITING_CONFIRMATION = "publicised"
PAYING = (Enrolment.Status.ACTIVE, Enrolment.Status.PHASING_OUT)


@dataclass
class Block:
    """One block of the desk: headline figures, a short list, and where the full list is."""

    key: str
    title: str
    figures: list[tuple[str, int, str]] = field(default_factory=list)  # (label, number, tone)
    rows: list = field(default_factory=list)
    more_url: str = ""
    more_label: str = "查看全部"
    empty: str = "暂无"
    note: str = ""


def _case_list(queryset: QuerySet[Case], today: date) -> list[CaseRow]:
    return case_rows(list(queryset.select_related("program", "applicant", "person", "area")[:LIST_SIZE]), today)


def _queue_states(user) -> set[str]:
    actions = {action for resource, action in grants_of(user) if resource == "application"}
    level = user_level(user)
    states: set[str] = set()
    for code in WORKFLOW_CODES:
        states |= workflow_get(code).queue_states(actions, level)
    return states


def _by_state(queryset: QuerySet[Case]) -> list[tuple[str, int, str]]:
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    counts = {row["state"]: row["n"] for row in rows}
    return [(STATES[state], counts[state], "primary") for state in STATES if counts.get(state)]


def my_applications(user, today: date) -> Block | None:
    """我提交的申请: the open applications this user entered, newest first, with their stage (环节)."""
    if not allowed(user, "application", "add"):
        return None
    mine = applications_visible(user).filter(submitted_by=user, closed_at__isnull=True)
    rows = _case_list(mine.order_by("-id"), today)
    if not rows and user_level(user) != "community":
        return None  # a town officer who enters no applications needs no empty block
    block = Block("my-applications", "我提交的申请（办理中）", rows=rows, empty="暂无办理中的申请",
                  more_url=reverse("assistance-search") + "?mine=1", more_label="查看我提交的全部申请")
    block.figures = [("办理中", mine.count(), "primary")] if rows else []
    return block


def application_queue(user, today: date) -> Block | None:
    """本级待办申请: the cases at a step this user's grants take at their level, counted by step."""
    if not _queue_states(user):
        return None
    queue = application_work_queue(user)
    week_end = today + timedelta(days=WEEK)
    counts = queue.order_by().aggregate(total=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)),
                                        week=Count("id", filter=Q(next_due__gte=today, next_due__lt=week_end)),
                                        new=Count("id", filter=Q(state="submitted")))
    block = Block("application-queue", "本级待办申请", rows=_case_list(queue, today), empty="本级暂无待办申请",
                  more_url=reverse("assistance-queue"), more_label="打开待办")
    block.figures = [("待办合计", counts["total"], "primary"), ("已超期", counts["overdue"], "danger"),
                     ("本周到期", counts["week"], "warning")]
    if counts["new"]:
        block.figures.append(("新申请待受理", counts["new"], "info"))
    block.note = "按环节：" + "、".join(f"{label} {n:,}" for label, n, _ in _by_state(queue)) if counts["total"] else ""
    return block


def confirmations_due(user, today: date) -> Block | None:
    """待审核确认: for a district user who prepares (not takes) the confirmation — cases whose notice ran, by
    deadline. The approver sees them in their own queue."""
    if user_level(user) != "district" or AWAITING_CONFIRMATION in _queue_states(user):
        return None
    if not ({"investigate", "verify"} & {a for r, a in grants_of(user) if r == "application"}):
        return None
    waiting = (applications_visible(user).filter(state=AWAITING_CONFIRMATION, closed_at__isnull=True)
               .order_by("next_due", "id"))
    rows = _case_list(waiting, today)
    block = Block("confirmations", "待审核确认（公示中或已期满）", rows=rows, empty="暂无待审核确认的申请",
                  more_url=reverse("assistance-search") + f"?state={AWAITING_CONFIRMATION}")
    block.figures = [("待审核确认", waiting.count() if len(rows) == LIST_SIZE else len(rows), "primary"),
                     ("已超期", waiting.filter(next_due__lt=today).count(), "danger")]
    return block


def overdue_applications(user, today: date) -> Block | None:
    """超期申请 in the user's area (for a reader: the leader's overdue list)."""
    if not allowed(user, "application", "view") or user_level(user) == "community":
        return None
    overdue = applications_overdue(user, today)
    rows = _case_list(overdue, today)
    block = Block("overdue-applications", "超期申请", rows=rows, empty="辖区暂无超期申请",
                  more_url=reverse("assistance-overdue"), more_label="超期统计")
    block.figures = [("超期申请", overdue.count() if len(rows) == LIST_SIZE else len(rows), "danger")]
    return block


def my_tasks(user) -> Block | None:
    """待办任务 of my level (or, for a reader, the overdue tasks of my area): overdue and due this week."""
    if not allowed(user, "task", "view"):
        return None
    now = timezone.now()
    handles = allowed(user, "task", "close")
    if handles:
        tasks = work_queue(user, now)
        title, more, empty = "待办任务", reverse("task-queue"), "暂无待办任务"
    else:
        tasks = with_overdue(tasks_visible(user).filter(status__in=TASK_OPEN, deadline__lt=now), now).order_by(
            "deadline", "id")
        title, more, empty = "超期任务", "", "辖区暂无超期任务"
    counts = tasks.order_by().aggregate(total=Count("id"), overdue=Count("id", filter=Q(deadline__lt=now)),
                                        week=Count("id", filter=Q(deadline__gte=now,
                                                                  deadline__lt=now + timedelta(days=WEEK))))
    block = Block("tasks", title, rows=list(tasks.select_related("area", "person")[:LIST_SIZE]), empty=empty,
                  more_url=more, more_label="打开待办任务")
    block.figures = [("已超期", counts["overdue"], "danger")]
    if handles:
        block.figures = [("待办合计", counts["total"], "primary"), *block.figures,
                         ("本周到期", counts["week"], "warning")]
    return block


def open_warnings(user) -> Block | None:
    """处理中的预警 of my area, newest first."""
    if not allowed(user, "warning", "view"):
        return None
    open_ = warnings_visible(user).filter(status=Warning.Status.OPEN)
    rows = list(open_.select_related("person", "area").order_by("-id")[:LIST_SIZE])
    block = Block("warnings", "处理中的预警", rows=rows, empty="辖区暂无处理中的预警",
                  more_url=reverse("monitoring-warnings") + "?status=open")
    block.figures = [("处理中", open_.order_by().count() if len(rows) == LIST_SIZE else len(rows), "warning")]
    return block


def payment_exceptions(user) -> Block | None:
    """待处理的发放异常 (the officer who generates cycles fixes them), by kind, with their cycle."""
    if not allowed(user, "payment", "run"):
        return None
    open_ = exceptions_visible(user).filter(status=PaymentException.Status.OPEN)
    labels = dict(PaymentException.Kind.choices)
    kinds = open_.order_by().values("kind").annotate(n=Count("id")).order_by("-n")
    rows = list(open_.select_related("cycle", "area", "line", "line__person").order_by("-cycle__month", "id")
                [:LIST_SIZE])
    block = Block("payment-exceptions", "待处理的发放异常", rows=rows, empty="暂无待处理的发放异常",
                  more_url=reverse("payment-cycle-list"), more_label="查看发放批次")
    block.figures = [(labels.get(row["kind"], "其他"), row["n"], "danger") for row in kinds]
    return block


def feeds_waiting(user) -> Block | None:
    """部门数据: rows waiting for a person to match them, and batches still running or failed."""
    if not allowed(user, "feed", "review"):
        return None
    pending = match_reviews_visible(user).filter(status=MatchReview.Status.PENDING).count()
    batches = feed_batches_visible(user).filter(status__in=[FeedBatch.Status.RUNNING, FeedBatch.Status.FAILED])
    rows = list(batches.order_by("-id")[:LIST_SIZE])
    block = Block("feeds", "部门数据待处理", rows=rows, empty="暂无处理中或失败的数据批次",
                  more_url=reverse("monitoring-feeds"), more_label="查看部门数据")
    block.figures = [("待人工匹配", pending, "warning"), ("处理中或失败的批次", len(rows), "danger")]
    if pending:
        block.note = "待人工匹配的记录请在“人工匹配”页确认。"
    return block


def cycles_to_approve(user) -> Block | None:
    """待审批的发放批次."""
    if not allowed(user, "payment", "approve"):
        return None
    rows = list(cycles_visible(user).filter(status=PaymentCycle.Status.GENERATED).select_related("district")
                .order_by("month", "id")[:LIST_SIZE])
    block = Block("cycles", "待审批的发放批次", rows=rows, empty="暂无待审批的发放批次",
                  more_url=reverse("payment-cycle-list"), more_label="查看发放批次")
    block.figures = [("待审批", len(rows), "primary")]
    return block


@dataclass
class ProgramFigure:
    name: str
    enrolments: int
    monthly_amount: Decimal


def area_overview(user, today: date) -> dict | None:
    """辖区概况 for a reader (a user whose grants only view): the key figures of their area."""
    grants = grants_of(user)
    if not grants or any(action != "view" for _, action in grants) or user_level(user) == "community":
        return None
    figures = {}
    if allowed(user, "application", "view"):
        cases = applications_visible(user).filter(closed_at__isnull=True).order_by()
        figures.update(cases.aggregate(cases_open=Count("id"), cases_overdue=Count("id", filter=Q(next_due__lt=today))))
    if allowed(user, "warning", "view"):
        figures["warnings_open"] = warnings_visible(user).filter(status=Warning.Status.OPEN).order_by().count()
    programs = []
    if allowed(user, "enrolment", "view"):
        names = dict(Program.objects.values_list("code", "name"))
        rows = (enrolments_visible(user).filter(status__in=PAYING).order_by().values("program_id")
                .annotate(n=Count("id"), amount=Sum("monthly_amount")).order_by("program_id"))
        programs = [ProgramFigure(names.get(r["program_id"], "其他项目"), r["n"], r["amount"] or Decimal(0))
                    for r in rows]
    return {"figures": figures, "programs": programs}


def desk_for(user) -> dict:
    today = clock.today()
    blocks = [my_applications(user, today), application_queue(user, today), confirmations_due(user, today),
              cycles_to_approve(user), payment_exceptions(user), feeds_waiting(user), my_tasks(user),
              open_warnings(user), overdue_applications(user, today)]
    return {"blocks": [b for b in blocks if b is not None], "overview": area_overview(user, today), "today": today}
