"""The work queue per user (what is due at my level, by deadline), overdue cases per town and per officer, and
the scoped list with its filters and keyset pages."""

from datetime import date

import pytest

from assistance.api import DueKeyset
from tests.conftest import TOWN_A, TOWN_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(api, staff, families, areas, clock):
    """Town A: two cases accepted in early February (investigation overdue by 2 March) by two officers, one
    accepted today, one just submitted, one at 群众评议 done; town B: one overdue case."""
    made = {}

    def new(key, area, officer, accepted_on=None):
        household, _ = families.household([f"{key}户"], area=area)
        cid = api.submit(officer, {"program": "dibao", "household": household.pk, "authorised_data_check": True})["id"]
        if accepted_on is not None:
            api.step(officer, cid, "accept", {"date": accepted_on})
        made[key] = cid

    new("a_late", areas["community_a"], "town_officer", "2026-02-02")
    new("a_late2", areas["community_a2"], "town_officer2", "2026-02-03")
    new("a_today", areas["community_a"], "town_officer", "2026-03-02")
    new("a_new", areas["community_a"], "town_officer")
    new("a_evaluated", areas["community_a"], "town_officer", "2026-02-24")
    new("b_late", areas["community_b"], "outsider", "2026-02-02")
    cid = made["a_evaluated"]
    api.step("town_officer", cid, "investigate", {"investigators": [staff["town_officer"].pk,
                                                                    staff["town_officer2"].pk]})
    api.step("town_officer", cid, "verify", {"sources": ["hukou"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"})
    return made


def _ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def test_work_queue_is_what_is_due_at_my_level_by_deadline(api, cases):
    queue = api.get("town_officer", "/api/work-queue/")
    # the new application to accept (no deadline yet) first, then investigation deadlines 5 Feb, 6 Feb, then
    # today's acceptance (5 Mar)
    assert _ids(queue["results"]) == [cases["a_new"], cases["a_late"], cases["a_late2"], cases["a_today"]]
    assert queue["results"][1]["overdue"] is True and queue["results"][1]["working_days_left"] < 0
    assert queue["results"][0]["deadline"] is None
    assert _ids(api.get("town_reviewer", "/api/work-queue/")["results"]) == [cases["a_evaluated"]]
    assert api.get("district_approver", "/api/work-queue/")["results"] == []
    assert api.get("community_worker", "/api/work-queue/")["results"] == []
    assert _ids(api.get("outsider", "/api/work-queue/")["results"]) == [cases["b_late"]]


def test_work_queue_pages_by_deadline_keyset(api, cases, monkeypatch):
    monkeypatch.setattr(DueKeyset, "size", 3)
    first = api.get("town_officer", "/api/work-queue/")
    assert len(first["results"]) == 3 and first["next"].endswith(f"after={first['results'][-1]['deadline']}."
                                                                  f"{first['results'][-1]['id']}")
    second = api.get("town_officer", first["next"].split("testserver")[1])
    assert _ids(second["results"]) == [cases["a_today"]] and second["next"] is None
    monkeypatch.setattr(DueKeyset, "size", 1)
    after_new = api.get("town_officer", api.get("town_officer", "/api/work-queue/")["next"].split("testserver")[1])
    assert after_new["next"].endswith(f".{cases['a_late']}") and _ids(after_new["results"]) == [cases["a_late"]]
    bad = api.get("town_officer", "/api/work-queue/?after=yesterday.1", expect=400)
    assert "after" in bad


def test_overdue_per_town_and_per_officer(api, staff, cases):
    district = api.get("district_officer", "/api/applications/overdue/")
    assert district["today"] == "2026-03-02"
    assert district["by_town"] == [{"town": TOWN_A, "name": "小龙坎街道", "count": 2},
                                   {"town": TOWN_B, "name": "沙坪坝街道", "count": 1}]
    by_officer = {row["officer"]: row["count"] for row in district["by_officer"]}
    assert by_officer == {staff["town_officer"].pk: 1, staff["town_officer2"].pk: 1, staff["outsider"].pk: 1}
    town = api.get("town_officer", "/api/applications/overdue/")
    assert town["by_town"] == [{"town": TOWN_A, "name": "小龙坎街道", "count": 2}]
    assert {row["name"] for row in town["by_officer"]} == {"to", "二号经办人"}


def test_list_is_scoped_and_filtered(api, areas, cases):
    everything = _ids(api.get("leader", "/api/applications/")["results"])
    assert sorted(everything) == sorted(cases.values())
    assert _ids(api.get("outsider", "/api/applications/")["results"]) == [cases["b_late"]]
    accepted = _ids(api.get("district_officer", f"/api/applications/?status=accepted&area={TOWN_A[:9]}")["results"])
    assert accepted == sorted([cases["a_late"], cases["a_late2"], cases["a_today"]])
    assert api.get("leader", "/api/applications/?program=tekun")["results"] == []
    assert "status" in api.get("leader", "/api/applications/?status=nonsense", expect=400)
    assert "area" in api.get("leader", "/api/applications/?area=50A", expect=400)
    page = api.get("leader", "/api/applications/?page_size=2")
    assert len(page["results"]) == 2 and "after=" in page["next"]


def test_case_page_data_is_served_by_selectors(staff, cases, clock):
    from assistance.selectors import application_detail, application_view, overdue_summary

    case = application_detail(user=staff["town_officer"], pk=cases["a_late"])
    view = application_view(case, user=staff["town_officer"], today=date(2026, 3, 2))
    assert view["status_label"] == "已受理（待入户调查）" and view["deadline"].overdue is True
    assert [a["action"] for a in view["actions"]] == ["investigate", "withdraw", "extend"]
    assert [s["label"] for s in view["steps"]] == ["申请", "受理"]
    assert overdue_summary(staff["leader"])["by_town"][0]["count"] == 2
