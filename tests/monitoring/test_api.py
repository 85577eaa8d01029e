"""Monitoring API: feed upload, warnings (scoped, filtered), rules with preview, the review queue; never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.models import FeedBatch, MatchReview, Warning
from tasks.models import Task
from tests.monitoring.conftest import feed_csv

pytestmark = pytest.mark.django_db


def post_file(client, feed_type: str, content: bytes, name: str = "f.csv", **extra):
    return client.post(f"/api/feeds/{feed_type}/batches/",
                       {"file": SimpleUploadedFile(name, content), **extra}, format="multipart")


@pytest.fixture
def flagged(people, upload):
    """Two open possibly-eligible warnings: 王五 (community B) and 赵六 (community A2)."""
    upload("unemployment", [{"id_number": people["b1"].id_number, "name": "王五", "event_date": "2025-12-01"},
                            {"id_number": people["c1"].id_number, "name": "赵六", "event_date": "2025-12-01"}])
    return {w.person.name: w for w in Warning.objects.select_related("person")}


def test_upload_happy_path(api, people, django_capture_on_commit_callbacks):
    content = feed_csv("medical", [{"id_number": people["b1"].id_number, "name": "王五", "event_date": "2025-12-01",
                                    "settlement_no": "S1", "out_of_pocket": "15000"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(api("district_officer"), "medical", content, period="2026-01")
    assert response.status_code in (201, 202)
    batch = FeedBatch.objects.get(pk=response.json()["id"])
    assert batch.status == FeedBatch.Status.DONE and batch.period == "2026-01" and batch.warnings_created == 1
    detail = api("district_officer").get(f"/api/feed-batches/{batch.pk}/").json()
    assert detail["records_kept"] == 1 and len(detail["checksum"]) == 64
    assert api("district_officer").get("/api/feed-batches/").json()["results"][0]["id"] == batch.pk


def test_upload_errors_are_400_or_403(api, people):
    officer = api("district_officer")
    assert post_file(officer, "nope", b"x").status_code == 400
    assert officer.post("/api/feeds/vehicle/batches/", {}, format="multipart").status_code == 400
    response = post_file(officer, "vehicle", "姓名\n张三\n".encode())
    assert response.status_code == 400 and "file" in response.json()
    assert post_file(officer, "vehicle", b"a,b\n", name="f.pdf").status_code == 400
    assert post_file(officer, "vehicle", b"x", period="x" * 30).status_code == 400
    assert post_file(api("community_worker"), "vehicle", b"x").status_code == 403
    assert officer.get("/api/feeds/").json()[0]["columns"][0]["header"] == "身份证号"


def test_warnings_are_scoped_and_filtered(api, flagged, areas):
    names = {w["person_name"] for w in api("district_officer").get("/api/warnings/").json()["results"]}
    assert names == {"王五", "赵六"}
    town_a = api("town_officer").get("/api/warnings/", {"status": "open"}).json()["results"]
    assert [w["person_name"] for w in town_a] == ["赵六"] and town_a[0]["task"] is not None
    # an area outside the user's scope gives nothing, not someone else's warnings
    assert api("town_officer").get("/api/warnings/", {"area": areas["town_b"][:9]}).json()["results"] == []
    by_area = api("district_officer").get("/api/warnings/", {"area": areas["community_b"]}).json()["results"]
    assert [w["person_name"] for w in by_area] == ["王五"]
    assert api("district_officer").get("/api/warnings/", {"area": "5001x"}).status_code == 400
    assert api("district_officer").get("/api/warnings/", {"type": "nope"}).status_code == 400
    assert api("outsider").get(f"/api/warnings/{flagged['赵六'].pk}/").status_code == 404


def test_closing_the_task_closes_the_warning(api, flagged):
    warning = flagged["赵六"]
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    # 赵六 lives in community A2: not the community-A worker's, but the town above may close it
    assert api("community_worker").post(f"/api/tasks/{task.pk}/close/", {"outcome": "confirmed", "note": "x"},
                                        format="json").status_code == 404
    response = api("town_officer").post(f"/api/tasks/{task.pk}/close/",
                                        {"outcome": "confirmed", "note": "已入户，引导申请低保"}, format="json")
    assert response.status_code == 200
    warning.refresh_from_db()
    assert warning.status == Warning.Status.CLOSED and warning.outcome == "confirmed"
    open_ones = api("district_officer").get("/api/warnings/", {"status": "open"}).json()["results"]
    assert [w["person_name"] for w in open_ones] == ["王五"]


def test_rules_with_preview_and_switching(api, people, upload):
    upload("disability", [{"id_number": people["a2"].id_number, "name": "李四", "event_date": "2025-12-01",
                           "certificate": "C1", "category": "智力残疾", "grade": "1"}])
    rules = {r["code"]: r for r in api("district_officer").get("/api/rules/").json()}
    assert rules["disability_care_not_applied"]["active"] is False
    assert rules["disability_care_not_applied"]["preview"] == {"count": 1, "error": ""}
    rule_id = rules["disability_care_not_applied"]["id"]
    response = api("district_officer").patch(f"/api/rules/{rule_id}/", {"active": True}, format="json")
    assert response.status_code == 200 and response.json()["active"] is True
    bad = api("district_officer").patch(f"/api/rules/{rule_id}/", {"condition": {"eval": "x"}}, format="json")
    assert bad.status_code == 400 and "condition" in bad.json()
    assert api("town_officer").get("/api/rules/").json() == []
    assert api("leader").patch(f"/api/rules/{rule_id}/", {"active": False}, format="json").status_code == 403


def test_review_queue_api(api, people, upload):
    upload("unemployment", [{"name": "赵六", "birth_date": "1960-06-06", "event_date": "2025-11-01"}])
    rows = api("district_officer").get("/api/match-reviews/", {"status": "pending"}).json()["results"]
    assert [r["candidate_name"] for r in rows] == ["赵六"]
    response = api("district_officer").post(f"/api/match-reviews/{rows[0]['id']}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert api("district_officer").post(f"/api/match-reviews/{rows[0]['id']}/reject/").status_code == 400
    assert api("town_officer").post(f"/api/match-reviews/{rows[0]['id']}/accept/").status_code == 404
    assert MatchReview.objects.get().record is not None
