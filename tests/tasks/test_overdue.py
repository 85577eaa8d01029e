"""超期任务 (tasks_overdue): open tasks past their deadline in the user's area, oldest first — and on PostgreSQL read
in deadline order from the partial index of open tasks, not sorted."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tasks.models import Task
from tasks.selectors import tasks_overdue
from tasks.services import task_close, task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(personas, areas):
    now = timezone.now()

    def make(title, community, days):
        return task_create(kind="warning", title=title, area_code=areas[community], handling_level="community",
                           deadline=now + timedelta(days=days))

    made = {"old": make("最早超期", "community_a", -9), "recent": make("刚超期", "community_a", -1),
            "future": make("未到期", "community_a", 3), "other_town": make("他镇超期", "community_b", -5),
            "closed": make("已办结", "community_a", -20)}
    task_close(acting_user=personas["community_worker"], task=made["closed"], outcome="not_confirmed",
               note="已入户核实")
    return now, made


def test_open_and_past_deadline_in_scope_oldest_first(personas, tasks):
    now, made = tasks
    assert list(tasks_overdue(personas["town_officer"], now)) == [made["old"], made["recent"]]
    assert list(tasks_overdue(personas["district_officer"], now)) == [made["old"], made["other_town"],
                                                                       made["recent"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans (SQLite has no partial-index plan "
                                                                "worth asserting)")
def test_read_in_deadline_order_from_the_open_tasks_index(personas, tasks):
    now, _ = tasks
    sql, params = tasks_overdue(personas["district_officer"], now)[:10].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows would make a scan cheapest
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "task_open_deadline" in plan and "Sort" not in plan, plan
    assert Task.objects.filter(status=Task.Status.CLOSED).exists()
