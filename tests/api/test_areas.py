"""GET /api/areas/: the user's area subtree, filtered by level and parent, paged by code (a string key)."""

import pytest

from areas.models import Area
from tests.conftest import DISTRICT, TOWN_A, TOWN_B

pytestmark = pytest.mark.django_db


def all_pages(client, url: str, params: dict) -> list[dict]:
    """Follow `next` links to the end; fail on a repeated row (a cursor that does not advance)."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])
    assert len({row["code"] for row in rows}) == len(rows)
    return rows


def test_towns_of_the_district(client_for):
    response = client_for("district_officer").get("/api/areas/", {"level": "town", "parent": DISTRICT})
    assert response.status_code == 200
    expected = list(Area.objects.filter(level="town", parent_id=DISTRICT).order_by("code").values_list("code", "name"))
    assert [(row["code"], row["name"]) for row in response.json()["results"]] == expected
    assert {row["level"] for row in response.json()["results"]} == {"town"}
    assert {row["parent"] for row in response.json()["results"]} == {DISTRICT}


def test_town_officer_sees_only_own_town(client_for):
    client = client_for("town_officer")
    own = client.get("/api/areas/", {"level": "community", "parent": TOWN_A}).json()["results"]
    other = client.get("/api/areas/", {"level": "community", "parent": TOWN_B}).json()["results"]
    assert [row["code"] for row in own] == list(
        Area.objects.filter(parent_id=TOWN_A).order_by("code").values_list("code", flat=True))
    assert len(own) > 1
    assert other == []


def test_community_worker_sees_only_own_community(client_for, areas):
    rows = client_for("community_worker").get("/api/areas/").json()["results"]
    assert rows == [{"code": areas["community_a"], "name": Area.objects.get(pk=areas["community_a"]).name,
                     "level": "community", "parent": TOWN_A}]


def test_outsider_sees_only_town_b_subtree(client_for):
    rows = all_pages(client_for("outsider"), "/api/areas/", {})
    assert {row["code"] for row in rows} == set(
        Area.objects.filter(code__startswith=TOWN_B[:9]).values_list("code", flat=True))


def test_keyset_paging_walks_string_codes_without_gaps(client_for):
    # given pages of 7 over the whole district (more than 200 areas)
    rows = all_pages(client_for("district_officer"), "/api/areas/", {"page_size": 7})
    # then every area under the district comes exactly once, in code order
    expected = list(Area.objects.filter(code__startswith=DISTRICT[:6]).order_by("code").values_list("code", flat=True))
    assert [row["code"] for row in rows] == expected
    assert len(expected) > 7 * 3


def test_next_link_keeps_the_filters(client_for):
    response = client_for("district_officer").get("/api/areas/", {"level": "community", "page_size": 2})
    next_url = response.json()["next"]
    assert "level=community" in next_url
    assert f"after={response.json()['results'][-1]['code']}" in next_url


def test_detail_in_scope_and_out_of_scope(client_for, areas):
    client = client_for("town_officer")
    assert client.get(f"/api/areas/{areas['community_a']}/").json()["parent"] == TOWN_A
    assert client.get(f"/api/areas/{areas['community_b']}/").status_code == 404


@pytest.mark.parametrize("params, field", [({"level": "province"}, "level"), ({"page_size": "x"}, "page_size")])
def test_bad_filters_are_400(client_for, params, field):
    response = client_for("district_officer").get("/api/areas/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_calendar_routes_are_included(client_for):
    # the working-day calendar is part of the same API under /api/calendar/
    response = client_for("leader").get("/api/calendar/add-working-days/", {"start": "2025-09-30", "days": "1"})
    assert response.status_code == 200
    assert response.json()["date"] == "2025-10-09"
