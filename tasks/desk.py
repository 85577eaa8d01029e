"""Desk block of tasks (任务): the level's open tasks for who handles them, the area's overdue ones for a reader."""

from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.policy import allowed
from tasks.selectors import tasks_overdue, with_overdue, work_queue
from web.desk import LIST_SIZE, WEEK, Block, desk_block

TASK_ROW = "tasks/_desk_task_row.html"


@desk_block(70)
def my_tasks(user, today: date) -> Block | None:
    """待办任务 of my level (or, for a reader, the overdue tasks of my area): overdue and due this week."""
    if not allowed(user, "task", "view"):
        return None
    now = timezone.now()
    handles = allowed(user, "task", "close")
    if handles:
        tasks = work_queue(user, now)
        title, more, empty = "待办任务", reverse("task-queue"), "暂无待办任务"
    else:
        tasks = with_overdue(tasks_overdue(user, now), now)
        title, more, empty = "超期任务", "", "辖区暂无超期任务"
    counts = tasks.order_by().aggregate(total=Count("id"), overdue=Count("id", filter=Q(deadline__lt=now)),
                                        week=Count("id", filter=Q(deadline__gte=now,
                                                                  deadline__lt=now + timedelta(days=WEEK))))
    rows = list(tasks.select_related("area", "person")[:LIST_SIZE])
    block = Block("tasks", title, row_template=TASK_ROW, rows=rows, empty=empty,
                  more_url=more, more_label="打开待办任务")
    block.figures = [("已超期", counts["overdue"], "danger")]
    if handles:
        block.figures = [("待办合计", counts["total"], "primary"), *block.figures,
                         ("本周到期", counts["week"], "warning")]
    return block
