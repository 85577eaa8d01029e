"""Monitoring pages: role access, area scoping (404 out of scope), writes through the services."""

import pytest
from django.test import Client
from django.urls import reverse

from monitoring.models import FeedBatch, MatchReview, Rule, Warning
from tests.monitoring.conftest import feed_csv


@pytest.fixture
def login(personas):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(personas[role])
        return client

    return client_for


def row(person, event_date="2026-10-01", **payload):
    return {"id_number": person.id_number, "name": person.name, "event_date": event_date, **payload}


@pytest.fixture
def warned_people(people, upload):
    """王五 (community B) and 赵六 (community A2) flagged by the unemployment rule."""
    upload("unemployment", [row(people["c1"]), row(people["b1"])])
    return people


def test_warnings_page_is_scoped_and_filtered(warned_people, login):
    page = login("district_officer").get(reverse("monitoring-warnings"))
    assert page.status_code == 200
    assert "王五" in page.content.decode() and "赵六" in page.content.decode()
    town_a = login("town_officer").get(reverse("monitoring-warnings")).content.decode()
    assert "赵六" in town_a and "王五" not in town_a
    death_only = login("district_officer").get(reverse("monitoring-warnings"), {"type": "death_stop"})
    assert "王五" not in death_only.content.decode()
    recent = login("district_officer").get(reverse("monitoring-warnings"), {"age": "0-3"}).content.decode()
    old = login("district_officer").get(reverse("monitoring-warnings"), {"age": "30+"}).content.decode()
    assert "王五" in recent and "王五" not in old


def test_feed_page_uploads_for_the_district_officer_only(people, login, django_capture_on_commit_callbacks):
    content = feed_csv("unemployment", [row(people["c1"])])
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("district_officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring-feeds"), {
            "feed_type": "unemployment", "period": "2026-10",
            "file": SimpleUploadedFile("u.csv", content, content_type="text/csv")})
    assert response.status_code == 302
    batch = FeedBatch.objects.get()
    assert batch.status == "done" and batch.period == "2026-10" and batch.warnings_created == 1
    assert "u.csv" in client.get(reverse("monitoring-feeds")).content.decode()
    assert login("community_worker").get(reverse("monitoring-feeds")).status_code == 403
    assert login("admin").post(reverse("monitoring-feeds"), {"feed_type": "unemployment"}).status_code == 403


def test_feed_page_names_types_shows_row_errors_and_offers_every_template(people, login, upload):
    from monitoring.feeds import FEED_TYPES

    bad = {"id_number": people["c1"].id_number, "name": "赵六", "event_date": "不是日期"}
    batch = upload("unemployment", [row(people["c1"]), bad])
    assert batch.import_batch.bad_rows == 1
    page = login("district_officer").get(reverse("monitoring-feeds")).content.decode()
    table = page.split('data-testid="batch-table"')[1]
    assert FEED_TYPES["unemployment"].name in table and ">unemployment<" not in table  # the name, not the code
    errors = table.split('data-testid="feed-bad-rows"')[1].split("</td>")[0]
    assert ">1<" in errors and reverse("import-errors", args=[batch.import_batch_id]) in errors
    templates = page.split('data-testid="feed-templates"')[1].split("</details>")[0]
    assert all(f"schema={feed.schema_key}" in templates for feed in FEED_TYPES.values())


def test_rules_page_shows_previews_and_switches(people, login, upload):
    upload("unemployment", [row(people["c1"])])
    rule = Rule.objects.get(code="disability_care_not_applied")
    page = login("leader").get(reverse("monitoring-rules")).content.decode()
    assert "预计预警人数" in page and "停用" not in page.split("rule-table")[1].split("</table>")[0].replace(
        "已停用", "")  # a leader sees, cannot switch
    assert login("leader").post(reverse("monitoring-rule-toggle", args=[rule.pk])).status_code == 403
    response = login("district_officer").post(reverse("monitoring-rule-toggle", args=[rule.pk]))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.active and rule.updated_by is not None
    assert login("community_worker").get(reverse("monitoring-rules")).status_code == 403


def test_rules_page_preview_counts(people, login, upload):
    upload("disability", [row(people["a2"], certificate="C3", category="智力残疾", grade="1")])
    page = login("district_officer").get(reverse("monitoring-rules")).content.decode()
    preview = page.split('data-testid="preview-disability_care_not_applied">')[1].split("<")[0]
    assert preview == "1"


def test_review_queue_page(people, upload, login):
    upload("unemployment", [{"id_number": "", "name": "赵六", "birth_date": "1960-06-06",
                             "event_date": "2026-10-01"}])
    review = MatchReview.objects.get()
    client = login("district_officer")
    assert "赵六" in client.get(reverse("monitoring-reviews")).content.decode()
    assert client.post(reverse("monitoring-reviews"), {"review": review.pk, "decision": "accept"}).status_code == 302
    review.refresh_from_db()
    assert review.status == "accepted" and review.record is not None
    assert login("town_officer").get(reverse("monitoring-reviews")).status_code == 403
    assert client.post(reverse("monitoring-reviews"), {"review": 999999, "decision": "reject"}).status_code == 404


def test_household_chain_shows_data_warnings_and_outcomes(warned_people, login, personas):
    from tasks.models import Task
    from tasks.services import task_close

    household = warned_people["household_c"]
    warning = Warning.objects.get(person=warned_people["c1"])
    task_close(acting_user=personas["town_officer"], task=Task.objects.get(source_id=warning.pk),
               outcome="not_confirmed", note="入户核实已再就业")
    url = reverse("monitoring-household-chain", args=[household.pk])
    page = login("town_officer").get(url).content.decode()
    assert "人社登记失业人员" in page and "预警：登记失业人员未纳入救助" in page
    assert "办结：经核实不属实" in page and "入户核实已再就业" in page
    # 王五's household is in community B (town B): out of the town A officer's scope
    other = reverse("monitoring-household-chain", args=[warned_people["household_b"].pk])
    assert login("town_officer").get(other).status_code == 404
    assert login("community_worker").get(url).status_code == 404  # community A2 is not community A
    assert login("outsider").get(url).status_code == 404
