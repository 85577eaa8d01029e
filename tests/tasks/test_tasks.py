"""The task kernel: creation at a level, the work queue, closing with an outcome, escalation on a simulated clock."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tasks.models import Task, TaskEvent
from tasks.selectors import overdue_counts, tasks_visible, work_queue
from tasks.services import deadline_at, task_close, task_create, task_start, tasks_escalate_overdue

NOW = timezone.make_aware(datetime(2026, 3, 2, 9, 0))  # a Monday


@pytest.fixture
def task(areas, registry_data):
    return task_create(kind="visit", title="走访张三", area_code=areas["community_a"], handling_level="community",
                       deadline=NOW + timedelta(days=2), person=registry_data["a1"],
                       household=registry_data["household_a"])


def test_created_in_the_community_queue(task, personas, areas):
    assert task.assigned_area_id == areas["community_a"] and task.status == Task.Status.OPEN
    assert list(work_queue(personas["community_worker"], NOW)) == [task]
    assert list(work_queue(personas["town_officer"], NOW)) == []  # not the town's to do
    assert tasks_visible(personas["town_officer"]).filter(pk=task.pk).exists()  # but the town sees it
    assert not tasks_visible(personas["outsider"]).exists()
    assert task.events.get().kind == TaskEvent.Kind.CREATED


def test_town_and_district_levels_are_assigned_upwards(areas, registry_data):
    town = task_create(kind="warning", title="t", area_code=areas["community_a"], handling_level="town",
                       deadline=NOW)
    district = task_create(kind="warning", title="d", area_code=areas["community_a"], handling_level="district",
                           deadline=NOW)
    assert (town.assigned_area_id, district.assigned_area_id) == (areas["town_a"], areas["district"])


def test_one_task_per_source(areas):
    first = task_create(kind="warning", title="t", area_code=areas["community_a"], handling_level="town",
                        deadline=NOW, source_type="x", source_id=7)
    again = task_create(kind="warning", title="t", area_code=areas["community_a"], handling_level="town",
                        deadline=NOW, source_type="x", source_id=7)
    assert first.pk == again.pk and Task.objects.count() == 1


def test_closing_needs_an_outcome_and_a_note(task, personas):
    worker = personas["community_worker"]
    with pytest.raises(ValidationError) as error:
        task_close(acting_user=worker, task=task, outcome="", note="")
    assert "请选择办理结果" in str(error.value) and "请填写办理说明" in str(error.value)
    with pytest.raises(ValidationError, match="接收部门"):
        task_close(acting_user=worker, task=task, outcome="handed_over", note="转残联")
    task_start(acting_user=worker, task=task)
    closed = task_close(acting_user=worker, task=task, outcome="handed_over", note="转残联", handed_to="区残联",
                        evidence={"photo": "P001"})
    assert closed.status == Task.Status.CLOSED and closed.closed_by == worker and closed.handed_to == "区残联"
    assert [e.kind for e in closed.events.order_by("id")] == ["created", "started", "closed"]
    with pytest.raises(ValidationError, match="已办结"):
        task_close(acting_user=worker, task=task, outcome="confirmed", note="再次")


def test_outsiders_and_readers_cannot_close(task, personas):
    with pytest.raises(PermissionDenied):
        task_close(acting_user=personas["outsider"], task=task, outcome="confirmed", note="x")
    with pytest.raises(PermissionDenied):
        task_close(acting_user=personas["leader"], task=task, outcome="confirmed", note="x")


def test_escalation_after_the_deadline(task, personas, areas):
    assert tasks_escalate_overdue(now=task.deadline - timedelta(minutes=1)) == 0
    later = task.deadline + timedelta(hours=1)
    assert tasks_escalate_overdue(now=later) == 1
    task.refresh_from_db()
    assert (task.handling_level, task.assigned_area_id, task.escalation_level) == ("town", areas["town_a"], 1)
    assert task.deadline == deadline_at(now=later, working_days=3) and task.area_id == areas["community_a"]
    assert tasks_escalate_overdue(now=later) == 0  # idempotent per deadline
    event = task.events.get(kind=TaskEvent.Kind.ESCALATED)
    assert "升级至乡镇（街道）督办" in event.message
    # now in the town's queue; still shown to the community (escalated from it), which can no longer close it
    assert list(work_queue(personas["town_officer"], later)) == [task]
    assert list(work_queue(personas["community_worker"], later)) == [task]
    with pytest.raises(PermissionDenied, match="已超期升级"):
        task_close(acting_user=personas["community_worker"], task=task, outcome="confirmed", note="x")
    # counted against its community
    counts = {r["area_id"]: r for r in overdue_counts(personas["district_officer"], later)}
    assert counts[areas["community_a"]]["escalated"] == 1
    # overdue again → district; and a district task has nowhere further to go
    even_later = task.deadline + timedelta(hours=1)
    assert tasks_escalate_overdue(now=even_later) == 1
    task.refresh_from_db()
    assert (task.handling_level, task.assigned_area_id, task.escalation_level) == ("district", areas["district"], 2)
    assert tasks_escalate_overdue(now=task.deadline + timedelta(days=30)) == 0
    task_close(acting_user=personas["district_officer"], task=task, outcome="not_confirmed", note="核实不属实")


def test_closed_tasks_do_not_escalate(task, personas):
    task_close(acting_user=personas["community_worker"], task=task, outcome="confirmed", note="已走访")
    assert tasks_escalate_overdue(now=task.deadline + timedelta(days=10)) == 0


@pytest.mark.django_db
def test_hour_deadlines_and_working_day_deadlines():
    assert deadline_at(now=NOW, hours=48) == NOW + timedelta(hours=48)
    friday = timezone.make_aware(datetime(2026, 3, 6, 15, 0))
    due = timezone.localtime(deadline_at(now=friday, working_days=1))
    assert (due.date().isoformat(), due.hour) == ("2026-03-09", 23)  # next Monday, end of day
