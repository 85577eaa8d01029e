"""Visit plan, visit logs (a need becomes a task), weekly compliance per community and worker, people not reached,
visits against plan for the cockpit — through services, pages and the API, scoped by area."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from carevisits.models import RosterEntry, Visit
from carevisits.roster import roster_refresh
from carevisits.selectors import Week, compliance, not_reached, visits_against_plan
from carevisits.services import visit_plan_set, visit_record
from tasks.models import Task
from tests.carevisits.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(elders):
    roster_refresh(today=TODAY)
    return {e.person.name: e for e in RosterEntry.objects.filter(active=True).select_related("person")}


def _week_moments():
    week = Week.of(timezone.localdate())
    now = timezone.now()
    return week, [min(now, week.start + timedelta(hours=10 + i)) for i in range(4)]


def test_plan_met_by_one_home_visit_and_three_reached_calls(roster, personas):
    worker = personas["community_worker"]
    week, moments = _week_moments()
    alone = roster["独居甲"]
    visit_record(acting_user=worker, entry=alone, kind="home", health="good", safety="safe", at=moments[0])
    for at in moments[1:3]:
        visit_record(acting_user=worker, entry=alone, kind="phone", at=at)
    visit_record(acting_user=worker, entry=alone, kind="phone", reached=False, at=moments[3])
    # The seed's figures: 1 home visit + 3 calls a week; an unanswered call does not count.
    rows = {r["area_id"]: r for r in compliance(worker, week)}
    community = rows[alone.area_id]
    assert community["people"] == 4 and community["met"] == 0
    assert (community["home_done_total"], community["home_planned"]) == (1, 4)
    assert (community["calls_done_total"], community["calls_planned"]) == (2, 12)
    visit_record(acting_user=worker, entry=alone, kind="phone", at=moments[3])
    community = {r["area_id"]: r for r in compliance(worker, week)}[alone.area_id]
    assert community["met"] == 1 and community["unreached"] == 3 and community["rate"] == 25.0
    assert {e.person.name for e in not_reached(worker, week)} == {"空巢夫", "空巢妻", "高龄乙"}


def test_plan_per_person_overrides_the_parameters(roster, personas):
    worker = personas["community_worker"]
    week, moments = _week_moments()
    old = roster["高龄乙"]
    visit_plan_set(acting_user=worker, entry=old, home_visits_per_week=2, phone_calls_per_week=0)
    visit_record(acting_user=worker, entry=old, kind="home", at=moments[0])
    assert {r["area_id"]: r for r in compliance(worker, week)}[old.area_id]["met"] == 0
    visit_record(acting_user=worker, entry=old, kind="home", at=moments[1])
    assert {r["area_id"]: r for r in compliance(worker, week)}[old.area_id]["met"] == 1
    with pytest.raises(ValidationError):
        visit_plan_set(acting_user=worker, entry=old, home_visits_per_week=99)


def test_need_found_becomes_a_community_task_with_a_deadline(roster, personas):
    worker = personas["community_worker"]
    visit = visit_record(acting_user=worker, entry=roster["独居甲"], kind="home", health="poor", safety="hazard",
                         need="medical", note="腿脚不便，燃气灶老化")
    task = Task.objects.get(source_type="carevisits.visit", source_id=visit.pk)
    assert task.handling_level == "community" and task.area_id == visit.area_id and task.kind == "visit"
    assert "就医" in task.title and "居住安全隐患" in task.title
    assert task.deadline > timezone.now()
    quiet = visit_record(acting_user=worker, entry=roster["独居甲"], kind="phone")
    assert not Task.objects.filter(source_type="carevisits.visit", source_id=quiet.pk).exists()


def test_scope_and_grants(roster, personas):
    outsider, worker = personas["outsider"], personas["community_worker"]
    with pytest.raises(PermissionDenied):
        visit_record(acting_user=outsider, entry=roster["独居甲"], kind="home")
    with pytest.raises(PermissionDenied):
        visit_record(acting_user=personas["leader"], entry=roster["独居甲"], kind="home")
    with pytest.raises(ValidationError):
        visit_record(acting_user=worker, entry=roster["独居甲"], kind="visit")
    assert {r["area_id"] for r in compliance(outsider, Week.of(TODAY))} == {roster["外镇独居"].area_id}


def test_visits_against_plan_for_a_period(roster, personas):
    worker = personas["community_worker"]
    week, moments = _week_moments()
    visit_record(acting_user=worker, entry=roster["独居甲"], kind="home", at=moments[0])
    start = week.monday - timedelta(days=7)
    rows = {r["area_id"]: r for r in visits_against_plan(personas["district_officer"], start,
                                                          week.monday + timedelta(days=6))}
    a = rows[roster["独居甲"].area_id]
    # 4 people × 1 home visit × 2 weeks; 4 × 3 calls × 2 weeks.
    assert (a["people"], a["home_planned"], a["home_done"], a["calls_planned"], a["calls_done"]) == (4, 8, 1, 24, 0)


def test_phone_page_records_a_visit_through_htmx(client, roster, personas):
    client.force_login(personas["community_worker"])
    entry = roster["独居甲"]
    page = client.get(reverse("carevisits-visit", args=[entry.pk]))
    assert page.status_code == 200 and "保存探访记录" in page.content.decode()
    answer = client.post(reverse("carevisits-visit", args=[entry.pk]),
                         {"kind": "phone", "reached": "1", "need": "none", "health": "good"}, HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert answer.status_code == 200 and "已保存：电话探访" in body and "本周电话 1/3" in body
    assert Visit.objects.filter(entry=entry, kind="phone", worker=personas["community_worker"]).count() == 1
    listing = client.get(reverse("carevisits-roster")).content.decode()
    assert "me-1\">独居</span>" in listing and ">living_alone<" not in listing
    assert client.get(reverse("carevisits-compliance")).status_code == 200
    assert "空巢夫" in client.get(reverse("carevisits-not-reached")).content.decode()
    client.logout()
    client.force_login(personas["outsider"])
    assert client.get(reverse("carevisits-visit", args=[entry.pk])).status_code == 404


def test_api_visit_compliance_and_not_reached(roster, personas):
    api = APIClient()
    api.force_authenticate(personas["community_worker"])
    entry = roster["独居甲"]
    bad = api.post("/api/care-visits/", {"entry": entry.pk, "kind": "fly"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    made = api.post("/api/care-visits/", {"entry": entry.pk, "kind": "home", "need": "repair"}, format="json")
    assert made.status_code == 201
    assert Task.objects.filter(source_type="carevisits.visit", source_id=made.json()["id"]).exists()
    report = api.get("/api/care-compliance/").json()
    assert {r["key"]: r["home_done_total"] for r in report["communities"]}[entry.area_id] == 1
    missing = api.get("/api/care-roster/not-reached/").json()["results"]
    assert entry.pk not in {r["id"] for r in missing} and len(missing) == 3
    listing = api.get("/api/care-roster/").json()["results"]
    assert {r["person_name"]: r["categories"] for r in listing}["空巢夫"] == ["空巢"]
    outsider = APIClient()
    outsider.force_authenticate(personas["outsider"])
    assert outsider.post("/api/care-visits/", {"entry": entry.pk, "kind": "home"}, format="json").status_code == 400
    assert date.fromisoformat(report["week_start"]).weekday() == 0


def test_snapshot_follows_visits_and_plans_and_matches_the_live_figures(roster, personas, client):
    from carevisits.models import ComplianceCell
    from carevisits.selectors import compliance_cells, snapshot_cells

    worker = personas["community_worker"]
    week, moments = _week_moments()
    alone = roster["独居甲"]
    assert snapshot_cells(worker, week) is not None  # the roster refresh wrote this week's cells
    visit_record(acting_user=worker, entry=alone, kind="home", at=moments[0])
    visit_plan_set(acting_user=worker, entry=roster["高龄乙"], home_visits_per_week=0, phone_calls_per_week=0)
    key = ("area_id", "worker_id", "people", "met", "unreached", "home_done_total", "home_planned")
    stored = sorted(tuple(c[k] for k in key) for c in snapshot_cells(worker, week))
    live = sorted(tuple(c[k] for k in key) for c in compliance_cells(worker, week))
    assert stored == live
    cell = ComplianceCell.objects.get(week=week.monday, area_id=alone.area_id)
    # 4 people; 高龄乙's plan is now 0 + 0, so met; 3 home visits planned; 独居甲 visited once.
    assert (cell.people, cell.met, cell.home_done_total, cell.home_planned) == (4, 1, 1, 3)
    client.force_login(personas["district_officer"])
    page = client.get("/carevisits/").content.decode()
    assert "1/3" in page
