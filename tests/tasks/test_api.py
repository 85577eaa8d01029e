"""Task API: scoped list with filters, detail, close with and without an outcome; errors are JSON, never 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.services import task_create, tasks_escalate_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(areas):
    soon = timezone.now() + timedelta(days=3)
    return {
        "a": task_create(kind="visit", title="走访A", area_code=areas["community_a"], handling_level="community",
                         deadline=soon),
        "b": task_create(kind="warning", title="预警B", area_code=areas["community_b"], handling_level="town",
                         deadline=soon),
    }


def test_list_is_scoped_and_filtered(api, tasks, areas):
    body = api("town_officer").get("/api/tasks/").json()
    assert [t["id"] for t in body["results"]] == [tasks["a"].pk]
    body = api("district_officer").get("/api/tasks/", {"kind": "warning"}).json()
    assert [t["id"] for t in body["results"]] == [tasks["b"].pk]
    body = api("district_officer").get("/api/tasks/", {"area": areas["town_b"][:9]}).json()
    assert [t["id"] for t in body["results"]] == [tasks["b"].pk]
    assert api("district_officer").get("/api/tasks/", {"area": "abc"}).status_code == 400
    assert api("district_officer").get("/api/tasks/", {"status": "nope"}).status_code == 400
    body = api("community_worker").get("/api/tasks/", {"queue": "mine"}).json()
    assert [t["id"] for t in body["results"]] == [tasks["a"].pk] and body["results"][0]["overdue"] is False


def test_close_happy_path_and_errors(api, tasks):
    worker = api("community_worker")
    url = f"/api/tasks/{tasks['a'].pk}/close/"
    response = worker.post(url, {"note": "已走访"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()
    response = worker.post(url, {"outcome": "confirmed", "note": ""}, format="json")
    assert response.status_code == 400
    response = worker.post(url, {"outcome": "confirmed", "note": "已走访", "evidence": {"photo": "P1"}},
                           format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["outcome"] == "confirmed" and body["events"][-1]["kind"] == "closed"
    assert worker.post(url, {"outcome": "confirmed", "note": "再次"}, format="json").status_code == 400
    # outside the scope: 404, the same as "does not exist"
    assert worker.post(f"/api/tasks/{tasks['b'].pk}/close/", {"outcome": "confirmed", "note": "x"},
                       format="json").status_code == 404
    assert worker.get("/api/tasks/99999999999999999999/").status_code == 404
    assert api("leader").post(f"/api/tasks/{tasks['b'].pk}/close/", {"outcome": "confirmed", "note": "x"},
                              format="json").status_code == 403


def test_escalated_task_is_403_for_the_community_and_detail_shows_the_timeline(api, tasks):
    tasks_escalate_overdue(now=tasks["a"].deadline + timedelta(minutes=1))
    response = api("community_worker").post(f"/api/tasks/{tasks['a'].pk}/close/",
                                            {"outcome": "confirmed", "note": "x"}, format="json")
    assert response.status_code == 403 and "升级" in response.json()["detail"]
    detail = api("town_officer").get(f"/api/tasks/{tasks['a'].pk}/").json()
    assert [e["kind"] for e in detail["events"]] == ["created", "escalated"] and detail["escalation_level"] == 1
    overdue = api("district_officer").get("/api/tasks/overdue/").json()
    assert any(r["escalated"] == 1 for r in overdue)


def test_anonymous_is_refused(client, tasks):
    assert client.get("/api/tasks/").status_code in (401, 403)
