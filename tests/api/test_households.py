"""/api/households/: create with members, detail with masked members, keyset list, change address."""

import pytest

from audit.models import DomainEvent
from registry.models import Household, HouseholdMember
from tests.conftest import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomers(personas, areas):
    """Two people in community A who are in no household yet."""
    from registry.services import person_create

    officer = personas["district_officer"]
    return [person_create(acting_user=officer, name=name, area_code=areas["community_a"],
                          id_number=make_id("500106", birth, seq)) for name, birth, seq in
            (("周一", "19850101", 31), ("吴二", "20100101", 32))]


def test_create_household_with_members(client_for, newcomers, areas, personas):
    head, child = newcomers
    response = client_for("community_worker").post("/api/households/", {
        "area": areas["community_a"], "hukou_type": "rural", "address": "小龙坎正街1号",
        "members": [{"person": head.pk, "relation": "head"}, {"person": child.pk, "relation": "child"}]},
        format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert (household.area_id, household.hukou_type, household.address) == (areas["community_a"], "rural",
                                                                             "小龙坎正街1号")
    assert [(m["person"], m["name"], m["relation"], m["is_active"]) for m in body["members"]] == [
        (head.pk, "周一", "head", True), (child.pk, "吴二", "child", True)]
    assert body["members"][0]["id_number"] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert DomainEvent.objects.filter(type="household_created", household=household,
                                      user=personas["community_worker"]).exists()


def test_member_outside_scope_is_400_at_its_index(client_for, newcomers, registry_data, areas):
    # given a town-B person the town-A officer cannot see, as the second member
    response = client_for("town_officer").post("/api/households/", {
        "area": areas["community_a"], "hukou_type": "urban",
        "members": [{"person": newcomers[0].pk, "relation": "head"},
                    {"person": registry_data["b1"].pk, "relation": "spouse"}]}, format="json")

    assert response.status_code == 400
    errors = response.json()["members"]
    assert errors[0] == {}
    assert errors[1]["person"][0].startswith("第 2 名成员")
    # the message says "not found or not yours" and tells nothing about the person
    assert registry_data["b1"].name not in response.content.decode()
    assert not Household.objects.filter(hukou_type="urban", area_id=areas["community_a"]).exclude(
        pk=registry_data["household_a"].pk).exists()


def test_member_already_in_another_household_is_refused(client_for, registry_data, areas):
    response = client_for("town_officer").post("/api/households/", {
        "area": areas["community_a"], "hukou_type": "urban",
        "members": [{"person": registry_data["a1"].pk, "relation": "head"}]}, format="json")
    assert response.status_code == 400
    assert "另一家庭" in response.json()["members"][0]
    assert Household.objects.count() == 2


def test_two_heads_are_refused(client_for, newcomers, areas):
    response = client_for("town_officer").post("/api/households/", {
        "area": areas["community_a"], "hukou_type": "urban",
        "members": [{"person": p.pk, "relation": "head"} for p in newcomers]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"members": ["家庭应有且只有一名户主"]}


def test_household_into_other_town_is_403(client_for, personas, areas):
    from registry.services import person_create

    # the outsider's own (visible) person, put into a household in town A
    own = person_create(acting_user=personas["outsider"], name="郑九", area_code=areas["community_b"],
                        id_number=make_id("500106", "19880101", 33))
    response = client_for("outsider").post("/api/households/", {
        "area": areas["community_a"], "hukou_type": "urban", "members": [{"person": own.pk, "relation": "head"}]},
        format="json")
    assert response.status_code == 403
    assert not HouseholdMember.objects.filter(person=own).exists()


def test_detail_lists_members_with_masked_numbers(client_for, registry_data, areas):
    ha = registry_data["household_a"]
    body = client_for("leader").get(f"/api/households/{ha.pk}/").json()
    assert {k: body[k] for k in ("id", "area", "hukou_type", "address", "status")} == {
        "id": ha.pk, "area": areas["community_a"], "hukou_type": "urban", "address": "", "status": "active"}
    a1, a2 = registry_data["a1"], registry_data["a2"]
    assert [(m["person"], m["name"], m["relation"], m["is_active"], m["id_number"]) for m in body["members"]] == [
        (a1.pk, "张三", "head", True, a1.masked_id_number), (a2.pk, "李四", "spouse", True, a2.masked_id_number)]
    assert a1.id_number not in str(body)


def test_list_pages_by_id(client_for, registry_data):
    client = client_for("district_officer")
    first = client.get("/api/households/", {"page_size": 1}).json()
    assert [row["id"] for row in first["results"]] == [registry_data["household_a"].pk]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [registry_data["household_b"].pk]
    assert second["next"] is None


def test_list_filters(client_for, registry_data, areas):
    client = client_for("district_officer")
    rural = client.get("/api/households/", {"hukou_type": "rural"}).json()["results"]
    in_b = client.get("/api/households/", {"area": areas["town_b"][:9]}).json()["results"]
    assert [row["id"] for row in rural] == [registry_data["household_b"].pk]
    assert [row["id"] for row in in_b] == [registry_data["household_b"].pk]


def test_patch_address_and_hukou(client_for, registry_data):
    ha = registry_data["household_a"]
    response = client_for("town_officer").patch(f"/api/households/{ha.pk}/",
                                                {"address": "新地址8号", "hukou_type": "rural"}, format="json")
    assert response.status_code == 200
    ha.refresh_from_db()
    assert (ha.address, ha.hukou_type) == ("新地址8号", "rural")


def test_patch_refuses_area_and_members(client_for, registry_data, areas):
    response = client_for("town_officer").patch(f"/api/households/{registry_data['household_a'].pk}/",
                                                {"area": areas["community_a2"], "members": []}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"area", "members"}
