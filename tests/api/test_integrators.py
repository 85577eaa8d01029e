"""For integrators: the user lookup and the enrolment list, both inside the caller's area only."""

import pytest
from rest_framework.test import APIClient

from tests.payments.conftest import Roll


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_user_lookup_is_scoped_and_filters_by_what_users_may_do(personas):
    town = _client(personas["town_officer"]).get("/api/users/").json()["results"]
    # town A's staff and its communities' — never town B's officer, never the district's
    assert {u["username"] for u in town} == {"cw", "to", "tr"}
    district = _client(personas["district_officer"]).get("/api/users/").json()["results"]
    assert {"out", "do", "cw"} <= {u["username"] for u in district}
    reviewers = _client(personas["district_officer"]).get("/api/users/?role=town_reviewer").json()["results"]
    assert [(u["username"], u["roles"][0]["name"]) for u in reviewers] == [("tr", "镇街审核人")]
    investigators = _client(personas["town_officer"]).get("/api/users/?can=application.investigate").json()
    assert "cw" not in {u["username"] for u in investigators["results"]} and investigators["results"]
    bad = _client(personas["town_officer"]).get("/api/users/?can=investigate")
    assert bad.status_code == 400 and "can" in bad.json()
    assert APIClient().get("/api/users/").status_code in (401, 403)


@pytest.fixture
def enrolled(areas):
    roll = Roll(areas)
    a = roll.enrol("tekun", "1000.00", person=roll.person("甲"))
    household, _ = roll.household(2)
    b = roll.enrol("dibao", "800.00", household=household)
    c = roll.enrol("tekun", "900.00", person=roll.person("丙", area=areas["community_b"]))
    return {"a": a, "b": b, "c": c}


def test_enrolment_list_is_scoped_filtered_and_masked(personas, enrolled):
    town = _client(personas["town_officer"])
    rows = town.get("/api/enrolments/").json()["results"]
    assert {r["id"] for r in rows} == {enrolled["a"].pk, enrolled["b"].pk}  # not town B's 丙
    first = next(r for r in rows if r["id"] == enrolled["a"].pk)
    assert (first["program_name"], first["status_display"], first["monthly_amount"]) == ("特困人员救助供养",
                                                                                        "正常享受", "1000.00")
    assert "*" in first["person_id_number"] and first["start_month"] == "2026-01"
    by_program = town.get("/api/enrolments/?program=dibao").json()["results"]
    assert [r["id"] for r in by_program] == [enrolled["b"].pk]
    by_household = town.get(f"/api/enrolments/?household={enrolled['b'].household_id}").json()["results"]
    assert [r["household"] for r in by_household] == [enrolled["b"].household_id]
    assert town.get("/api/enrolments/?status=ended").json()["results"] == []
    bad = town.get("/api/enrolments/?status=nope")
    assert bad.status_code == 400 and "status" in bad.json()
    assert _client(personas["district_officer"]).get(
        f"/api/enrolments/?person={enrolled['c'].person_id}").json()["results"][0]["id"] == enrolled["c"].pk
