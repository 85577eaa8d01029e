"""The children's API: a file with the parents' situations, the child's page data listing every allowance,
case and visit; care records (a screening past the line opens a task); the network's coverage with its gaps;
adoption by API with the certificate PDF (logged as an export); another town's child is a 404."""

from datetime import date

import pytest

from audit.models import AccessLog
from children.network import network_role_appoint, station_open
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_a_child_file_and_its_page_data(api, families, clock, staff):
    household, (guardian, child) = families.household(["祖母", "小华"], births=["19550101", "20150601"])
    created = api.post("community_worker", "/api/children/", {"person": child.pk, "guardian": guardian.pk,
                                                               "categories": ["hardship_child"]}, expect=201)
    fid = created["id"]
    assert created["category_names"] == ["困境儿童"] and "*" in created["id_number"]
    api.post("community_worker", f"/api/children/{fid}/situations/", {
        "role": "father", "reason": "imprisoned", "evidence": "服刑证明", "since": "2024-01-01"})
    api.post("community_worker", f"/api/children/{fid}/situations/", {
        "role": "mother", "reason": "lost_contact", "evidence": "失联报案回执", "since": "2023-05-01"})
    bad = api.post("community_worker", f"/api/children/{fid}/situations/", {
        "role": "mother", "reason": "nothing", "evidence": "x", "since": "2023-05-01"}, expect=400)
    assert "reason" in bad
    case = api.submit("community_worker", {"program": "de_facto_unattended", "person": child.pk})
    api.post("community_worker", f"/api/children/{fid}/visits/", {"visited_on": "2026-03-01",
                                                                  "findings": "生活正常"})
    screened = api.post("community_worker", f"/api/children/{fid}/assessments/", {
        "kind": "mental_health", "score": "18", "assessed_on": "2026-03-01"})
    assert screened["assessments"][0]["detail"] == "18.0分，需跟进"
    task = Task.objects.get(source_type="children.assessment")
    assert (task.person_id, task.area_id) == (child.pk, child.area_id)
    calm = api.post("community_worker", f"/api/children/{fid}/assessments/", {
        "kind": "mental_health", "score": "16", "assessed_on": "2026-03-02"})
    assert Task.objects.filter(source_type="children.assessment").count() == 1
    page = api.get("town_officer", f"/api/children/{fid}/")
    assert [c["id"] for c in page["cases"]] == [case["id"]]
    assert len(page["visits"]) == 1 and len(calm["assessments"]) == 2
    assert {s["reason"] for s in page["situations"]} == {"imprisoned", "lost_contact"}
    api.get("outsider", f"/api/children/{fid}/", expect=404)


def test_coverage_lists_the_gaps(api, staff, areas, clock):
    officer = staff["district_officer"]
    from areas.models import Area
    communities = list(Area.objects.filter(parent_id=areas["town_a"]).order_by("code"))
    for community in communities[:-1]:
        network_role_appoint(acting_user=officer, kind="director", area_code=community.code, name="主任",
                             appointed_on=date(2025, 1, 1))
    network_role_appoint(acting_user=officer, kind="supervisor", area_code=areas["town_a"], name="督导",
                         appointed_on=date(2025, 1, 1))
    station_open(acting_user=officer, area_code=areas["town_a"], name="未保站", opened_on=date(2025, 6, 1))
    rows = api.get("district_officer", "/api/children/coverage/")
    town_a = next(r for r in rows if r["code"] == areas["town_a"])
    n = len(communities)
    assert town_a["communities"] == n and town_a["with_director"] == n - 1
    assert town_a["rate"] == f"{(n - 1) / n:.4f}"
    assert town_a["missing_directors"] == [[communities[-1].code, communities[-1].name]]
    assert town_a["supervisor"] == "督导" and town_a["station"] == "未保站"
    town_b = next(r for r in rows if r["code"] == areas["town_b"])
    assert (town_b["with_director"], town_b["supervisor"], town_b["station"]) == (0, "", "")
    # a town officer sees only their town
    assert [r["code"] for r in api.get("town_officer", "/api/children/coverage/")] == [areas["town_a"]]


def test_adoption_by_api_and_its_certificate(api, families, kids, staff):
    _, _, child, _ = kids.child("待收养", "20200101")
    adopter = None
    for _ in range(3):
        _, (head,) = families.household(["收养人甲"], births=["19800101"])
        if head.sex == child.sex:
            adopter = head
            break
    body = {"child": child.pk, "adopter": adopter.pk, "attestations": {
        "basis": "parents_unable", "children_count": 0, "able_to_raise": True, "no_disqualifying_illness": True,
        "no_criminal_record": True, "married": False}}
    done = api.post("district_officer", "/api/adoptions/", body, expect=201)
    assert done["status"] == "registered" and done["certificate_number"]
    response = api.client("district_officer").get(f"/api/adoptions/{done['id']}/certificate/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert AccessLog.objects.filter(kind="export", person=child).exists()
    api.post("town_officer", "/api/adoptions/", body, expect=403)
    bad = api.post("district_officer", "/api/adoptions/", {**body, "attestations": {"basis": "x"}}, expect=400)
    assert "basis" in bad
