"""任务查询: what a user may see, their work queue, and overdue counts per area."""

from datetime import datetime

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.policy import restrict, scope_prefix
from minzheng.lookups import prefix_q
from tasks.models import Task

OPEN = [Task.Status.OPEN, Task.Status.IN_PROGRESS]


def with_overdue(queryset: QuerySet[Task], now: datetime | None = None) -> QuerySet[Task]:
    """`overdue` computed by the query (not stored): open and past its deadline."""
    now = now or timezone.now()
    return queryset.annotate(overdue=Case(When(status__in=OPEN, deadline__lt=now, then=Value(True)),
                                          default=Value(False), output_field=BooleanField()))


def tasks_visible(user, action: str = "view") -> QuerySet[Task]:
    """Tasks about communities inside the user's area (whoever holds them now); none without the grant."""
    return restrict(Task.objects.all(), user, action, resource="task", area_field="area_id")


def tasks_overdue(user, now: datetime) -> QuerySet[Task]:
    """超期任务 about the user's area: open and past the deadline, oldest first (index task_open_deadline)."""
    return tasks_visible(user).filter(status__in=OPEN, deadline__lt=now).order_by("deadline", "id")


def work_queue(user, now: datetime | None = None) -> QuerySet[Task]:
    """待办队列: open tasks the user's level must handle, earliest deadline first.

    Precisely: open tasks whose `assigned_area` is the user's own area (the community's own tasks for a community
    worker, tasks escalated to or assigned at the town for a town officer, at the district for a district
    officer), plus open tasks about the user's area that were escalated away from it (escalation_level > 0) —
    they still show in the lower queue, marked overdue/escalated, because the work is done there even when the
    town or district supervises it; only the level that holds it may close it.
    """
    visible = tasks_visible(user)
    if user.area_id is None:
        mine = Q(pk__in=[])
        if scope_prefix(user):  # a superuser without an area: the district queue
            mine = Q(assigned_area__level="district")
    else:
        mine = Q(assigned_area_id=user.area_id)
    escalated_from_here = Q(escalation_level__gt=0) & prefix_q("area_id", scope_prefix(user) or "") & ~mine
    return with_overdue(visible.filter(status__in=OPEN).filter(mine | escalated_from_here), now).order_by(
        "deadline", "id")


def overdue_counts(user, now: datetime | None = None) -> list[dict]:
    """超期统计 per community: open tasks past their deadline plus tasks that were ever escalated (a task that
    went overdue counts against its community even after the town took it over)."""
    now = now or timezone.now()
    rows = (tasks_visible(user).order_by().values("area_id")
            .annotate(open_overdue=Count("id", filter=Q(status__in=OPEN, deadline__lt=now)),
                      escalated=Count("id", filter=Q(escalation_level__gt=0)),
                      open=Count("id", filter=Q(status__in=OPEN)))
            .filter(Q(open_overdue__gt=0) | Q(escalated__gt=0) | Q(open__gt=0))
            .order_by("area_id"))
    return list(rows)
