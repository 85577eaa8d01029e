"""Task pages: the work queue with badges, the detail page, closing needs an outcome, scoping."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tasks.models import Task
from tasks.services import task_create, tasks_escalate_overdue


@pytest.fixture
def login(personas):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(personas[role])
        return client

    return client_for


@pytest.fixture
def task(areas, personas):
    return task_create(acting_user=personas["district_officer"], kind="visit", title="入户走访：张三",
                       area_code=areas["community_a"], handling_level="community",
                       deadline=timezone.now() + timedelta(days=2))


def test_queue_shows_the_levels_tasks(task, login):
    page = login("community_worker").get(reverse("task-queue")).content.decode()
    assert "入户走访：张三" in page and 'data-testid="badge-overdue"' not in page
    assert "入户走访：张三" not in login("outsider").get(reverse("task-queue")).content.decode()


def test_overdue_and_escalated_badges(task, login):
    later = timezone.now() + timedelta(days=5)
    assert tasks_escalate_overdue(now=later) == 1
    Task.objects.filter(pk=task.pk).update(deadline=timezone.now() - timedelta(hours=1))
    page = login("town_officer").get(reverse("task-queue")).content.decode()
    assert 'data-testid="badge-escalated"' in page and 'data-testid="badge-overdue"' in page
    # the community still sees it (marked), but may no longer close it
    detail = login("community_worker").get(reverse("task-detail", args=[task.pk])).content.decode()
    assert 'data-testid="close-form"' not in detail


def test_close_without_outcome_is_refused(task, login):
    client = login("community_worker")
    response = client.post(reverse("task-detail", args=[task.pk]), {"action": "close", "note": "已走访"})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    response = client.post(reverse("task-detail", args=[task.pk]),
                           {"action": "close", "outcome": "handed_over", "note": "需残联处理"})
    assert "请填写接收部门" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_close_with_outcome(task, login):
    client = login("community_worker")
    response = client.post(reverse("task-detail", args=[task.pk]),
                           {"action": "close", "outcome": "confirmed", "note": "已走访", "evidence": "走访记录第3号"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "closed" and task.outcome == "confirmed" and task.evidence == {"说明": "走访记录第3号"}
    assert "情况属实，已处置" in client.get(reverse("task-detail", args=[task.pk])).content.decode()


def test_start_then_roles_and_scope(task, login):
    url = reverse("task-detail", args=[task.pk])
    assert login("community_worker").post(url, {"action": "start"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "in_progress"
    assert login("outsider").get(reverse("task-detail", args=[task.pk])).status_code == 404
    assert login("leader").get(reverse("task-detail", args=[task.pk])).status_code == 200
    assert login("leader").post(reverse("task-detail", args=[task.pk]),
                                {"action": "close", "outcome": "confirmed", "note": "x"}).status_code == 403


def test_escalate_tasks_command(task):
    from io import StringIO

    from django.core.management import call_command

    Task.objects.filter(pk=task.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("escalate_tasks", stdout=out)
    assert "已升级 1 个" in out.getvalue()
    task.refresh_from_db()
    assert task.handling_level == "town" and task.escalation_level == 1
    call_command("escalate_tasks", stdout=out)
    task.refresh_from_db()
    assert task.escalation_level == 1
