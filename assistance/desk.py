"""Desk blocks of social assistance (社会救助): my applications, the level's queue, confirmations due, overdue
cases — and the reader's case figures."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from accounts.policy import allowed, grants_of
from assistance.selectors import (
    CaseRow,
    application_work_queue,
    applications_overdue,
    applications_visible,
    case_rows,
)
from assistance.workflows import STATES, workflow_codes
from casework.models import Case
from casework.selectors import user_level
from casework.workflows import workflow_get
from web.desk import LIST_SIZE, WEEK, Block, desk_block, desk_overview

# 待审核确认: the state in which a case waits for the district's 审核确认 after its public notice.
AWAITING_CONFIRMATION = "publicised"
ROW = "assistance/_desk_case_row.html"


def _case_list(queryset: QuerySet[Case], today: date) -> list[CaseRow]:
    return case_rows(list(queryset.select_related("program", "applicant", "person", "area")[:LIST_SIZE]), today)


def _queue_states(user) -> set[str]:
    actions = {action for resource, action in grants_of(user) if resource == "application"}
    level = user_level(user)
    states: set[str] = set()
    for code in workflow_codes():
        states |= workflow_get(code).queue_states(actions, level)
    return states


def _by_state(queryset: QuerySet[Case]) -> list[tuple[str, int, str]]:
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    counts = {row["state"]: row["n"] for row in rows}
    return [(STATES[state], counts[state], "primary") for state in STATES if counts.get(state)]


@desk_block(10)
def my_applications(user, today: date) -> Block | None:
    """我提交的申请: the open applications this user entered, newest first, with their stage (环节)."""
    if not allowed(user, "application", "add"):
        return None
    mine = applications_visible(user).filter(submitted_by=user, closed_at__isnull=True)
    rows = _case_list(mine.order_by("-id"), today)
    if not rows and user_level(user) != "community":
        return None  # a town officer who enters no applications needs no empty block
    block = Block("my-applications", "我提交的申请（办理中）", row_template=ROW, rows=rows, empty="暂无办理中的申请",
                  more_url=reverse("assistance-search") + "?mine=1", more_label="查看我提交的全部申请")
    block.figures = [("办理中", mine.count(), "primary")] if rows else []
    return block


@desk_block(20)
def application_queue(user, today: date) -> Block | None:
    """本级待办申请: the cases at a step this user's grants take at their level, counted by step."""
    if not _queue_states(user):
        return None
    queue = application_work_queue(user)
    week_end = today + timedelta(days=WEEK)
    counts = queue.order_by().aggregate(total=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)),
                                        week=Count("id", filter=Q(next_due__gte=today, next_due__lt=week_end)),
                                        new=Count("id", filter=Q(state="submitted")))
    block = Block("application-queue", "本级待办申请", row_template=ROW, rows=_case_list(queue, today),
                  empty="本级暂无待办申请",
                  more_url=reverse("assistance-queue"), more_label="打开待办")
    block.figures = [("待办合计", counts["total"], "primary"), ("已超期", counts["overdue"], "danger"),
                     ("本周到期", counts["week"], "warning")]
    if counts["new"]:
        block.figures.append(("新申请待受理", counts["new"], "info"))
    block.note = "按环节：" + "、".join(f"{label} {n:,}" for label, n, _ in _by_state(queue)) if counts["total"] else ""
    return block


@desk_block(30)
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
    block = Block("confirmations", "待审核确认（公示中或已期满）", row_template=ROW, rows=rows,
                  empty="暂无待审核确认的申请",
                  more_url=reverse("assistance-search") + f"?state={AWAITING_CONFIRMATION}")
    block.figures = [("待审核确认", waiting.count() if len(rows) == LIST_SIZE else len(rows), "primary"),
                     ("已超期", waiting.filter(next_due__lt=today).count(), "danger")]
    return block


@desk_block(90)
def overdue_applications(user, today: date) -> Block | None:
    """超期申请 in the user's area (for a reader: the leader's overdue list)."""
    if not allowed(user, "application", "view") or user_level(user) == "community":
        return None
    overdue = applications_overdue(user, today)
    rows = _case_list(overdue, today)
    block = Block("overdue-applications", "超期申请", row_template=ROW, rows=rows, empty="辖区暂无超期申请",
                  more_url=reverse("assistance-overdue"), more_label="超期统计")
    block.figures = [("超期申请", overdue.count() if len(rows) == LIST_SIZE else len(rows), "danger")]
    return block


@desk_overview
def case_figures(user, today: date) -> dict:
    if not allowed(user, "application", "view"):
        return {}
    cases = applications_visible(user).filter(closed_at__isnull=True).order_by()
    return cases.aggregate(cases_open=Count("id"), cases_overdue=Count("id", filter=Q(next_due__lt=today)))
