"""/api/persons/: register, masked detail, logged reveal, correct, death, search within the user's area."""

from datetime import date, timedelta

import pytest

from audit.models import AccessLog, ChangeLog, DomainEvent
from registry.models import Person
from tests.api.conftest import has_chinese
from tests.conftest import make_id

pytestmark = pytest.mark.django_db


def test_register_person(client_for, areas, personas):
    # given a valid ID number of a woman born 1990-05-17
    number = make_id("500106", "19900517", 7, sex_odd=False)

    # when the community worker registers her in her community
    response = client_for("community_worker").post("/api/persons/", {
        "id_number": number, "name": "赵六", "area": areas["community_a"], "phone": "13800000000"}, format="json")

    # then the person exists with sex and birth date from the number, and the answer masks the number
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.id_number, person.sex, person.birth_date) == (number, "F", date(1990, 5, 17))
    assert body["id_number"] == number[:6] + "********" + number[-4:]
    assert body | {"id": 0} == {"id": 0, "id_number": body["id_number"], "no_id_reason": "", "name": "赵六",
                                 "sex": "F", "birth_date": "1990-05-17", "area": areas["community_a"],
                                 "phone": "138****0000", "status": "active", "death_date": None, "household": None}
    # and the service wrote the audit trail with the acting user, marked as coming from the API
    log = ChangeLog.objects.get(model="registry.person", object_id=str(person.pk))
    assert (log.user, log.action, log.source) == (personas["community_worker"], "create", "api")
    assert DomainEvent.objects.filter(type="person_registered", person=person,
                                      user=personas["community_worker"]).exists()


def test_register_without_id_number_needs_a_reason(client_for, areas):
    client = client_for("town_officer")
    refused = client.post("/api/persons/", {"name": "无名氏", "area": areas["community_a"]}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["id_number"]

    accepted = client.post("/api/persons/", {"name": "无名氏", "area": areas["community_a"], "id_number": None,
                                             "no_id_reason": "unidentified", "other_document": "E1234567"},
                           format="json")
    assert accepted.status_code == 201
    assert accepted.json()["id_number"] == ""
    assert Person.objects.get(pk=accepted.json()["id"]).other_document == "E1234567"


def test_bad_check_digit_is_a_chinese_field_error(client_for, areas):
    # given a valid number with its last (check) digit changed
    good = make_id("500106", "19800101", 9)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client_for("town_officer").post("/api/persons/", {"id_number": bad, "name": "钱七",
                                                                 "area": areas["community_a"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["身份证号校验码不正确"]}
    assert not Person.objects.filter(name="钱七").exists()


def test_duplicate_id_number_is_refused(client_for, registry_data, areas):
    response = client_for("town_officer").post("/api/persons/", {
        "id_number": registry_data["a1"].id_number, "name": "张三", "area": areas["community_a"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["该身份证号已登记"]}


def test_area_outside_scope_is_403(client_for, areas):
    response = client_for("town_officer").post("/api/persons/", {
        "id_number": make_id("500106", "19900101", 11), "name": "孙八", "area": areas["community_b"]}, format="json")
    assert response.status_code == 403
    assert has_chinese(response)
    assert not Person.objects.filter(name="孙八").exists()


def test_area_must_be_a_community(client_for, areas):
    response = client_for("town_officer").post("/api/persons/", {
        "id_number": make_id("500106", "19900101", 12), "name": "孙八", "area": areas["town_a"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["area"]


def test_detail_masks_id_number_and_names_household(client_for, registry_data):
    a1 = registry_data["a1"]
    body = client_for("leader").get(f"/api/persons/{a1.pk}/").json()
    assert body["id_number"] == a1.id_number[:6] + "********" + a1.id_number[-4:]
    assert a1.id_number not in str(body)
    assert body["household"] == registry_data["household_a"].pk
    assert (body["name"], body["sex"], body["birth_date"], body["status"]) == ("张三", "M", "1980-01-01", "active")


def test_list_masks_id_numbers(client_for, registry_data):
    response = client_for("town_reviewer").get("/api/persons/")
    numbers = {registry_data["a1"].id_number, registry_data["a2"].id_number}
    assert response.status_code == 200
    assert not any(n in response.content.decode() for n in numbers)
    assert {row["household"] for row in response.json()["results"]} == {registry_data["household_a"].pk}


@pytest.mark.parametrize("persona", ["community_worker", "town_officer", "district_officer", "district_approver",
                                     "admin"])
def test_reveal_returns_full_number_and_logs(client_for, registry_data, personas, persona):
    a1 = registry_data["a1"]
    response = client_for(persona).post(f"/api/persons/{a1.pk}/reveal-id/")
    assert response.status_code == 200
    assert response.json() == {"id_number": a1.id_number}
    log = AccessLog.objects.get()
    assert (log.user, log.person, log.kind) == (personas[persona], a1, AccessLog.Kind.REVEAL_ID)


@pytest.mark.parametrize("persona", ["leader", "town_reviewer"])
def test_reveal_refused_without_the_grant(client_for, registry_data, persona):
    response = client_for(persona).post(f"/api/persons/{registry_data['a1'].pk}/reveal-id/")
    assert response.status_code == 403
    assert response.json() == {"detail": "无权查看完整身份证号"}
    assert list(AccessLog.objects.values_list("kind", flat=True)) == ["denied"]  # refusals are logged too


def test_reveal_outside_scope_is_404(client_for, registry_data):
    response = client_for("outsider").post(f"/api/persons/{registry_data['a1'].pk}/reveal-id/")
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_reveal_is_post_only(client_for, registry_data):
    assert client_for("town_officer").get(f"/api/persons/{registry_data['a1'].pk}/reveal-id/").status_code == 405


def test_patch_name_phone_area(client_for, registry_data, areas, personas):
    a2 = registry_data["a2"]
    response = client_for("town_officer").patch(f"/api/persons/{a2.pk}/", {
        "name": "李思", "phone": "023-12345678", "area": areas["community_a2"]}, format="json")
    assert response.status_code == 200, response.content
    a2.refresh_from_db()
    assert (a2.name, a2.phone, a2.area_id, a2.name_pinyin) == ("李思", "023-12345678", areas["community_a2"], "lisi")
    assert response.json()["area"] == areas["community_a2"]
    assert ChangeLog.objects.filter(object_id=str(a2.pk), action="update", user=personas["town_officer"]).exists()


def test_patch_refuses_identity_fields(client_for, registry_data):
    response = client_for("town_officer").patch(f"/api/persons/{registry_data['a2'].pk}/",
                                                {"id_number": make_id("500106", "19900101", 13)}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]


def test_patch_area_outside_scope_is_403(client_for, registry_data, areas):
    response = client_for("town_officer").patch(f"/api/persons/{registry_data['a2'].pk}/",
                                                {"area": areas["community_b"]}, format="json")
    assert response.status_code == 403
    registry_data["a2"].refresh_from_db()
    assert registry_data["a2"].area_id == areas["community_a"]


def test_put_is_not_offered(client_for, registry_data):
    response = client_for("admin").put(f"/api/persons/{registry_data['a2'].pk}/", {"name": "x"}, format="json")
    assert response.status_code == 405


def test_record_death(client_for, registry_data):
    a1 = registry_data["a1"]
    day = date.today() - timedelta(days=3)
    response = client_for("community_worker").post(f"/api/persons/{a1.pk}/death/", {"death_date": day.isoformat()},
                                                   format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["death_date"], response.json()["household"]) == (
        "deceased", day.isoformat(), None)
    assert not a1.memberships.filter(is_active=True).exists()


def test_death_in_the_future_is_refused(client_for, registry_data):
    response = client_for("community_worker").post(f"/api/persons/{registry_data['a1'].pk}/death/",
                                                   {"death_date": (date.today() + timedelta(days=1)).isoformat()},
                                                   format="json")
    assert response.status_code == 400
    assert response.json() == {"death_date": ["死亡日期不能晚于今天"]}


def test_delete_is_405_even_for_admin(client_for, registry_data):
    response = client_for("admin").delete(f"/api/persons/{registry_data['a1'].pk}/")
    assert response.status_code == 405
    assert Person.objects.filter(pk=registry_data["a1"].pk).exists()


# ---------------------------------------------------------------- search and filters


@pytest.fixture
def namesakes(registry_data, personas, areas):
    """A second 张三 in town B and a 张珊 in town A, so the search has near-misses and out-of-scope matches."""
    from registry.services import person_create

    officer = personas["district_officer"]
    return {
        "b_zhangsan": person_create(acting_user=officer, name="张三", area_code=areas["community_b"],
                                    id_number=make_id("500106", "19800105", 21)),
        "a_zhangshan": person_create(acting_user=officer, name="张珊", area_code=areas["community_a2"],
                                     id_number=make_id("500106", "19950101", 22, sex_odd=False)),
        **registry_data,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("query", ["张三", "zhangsan", "ZhangSan", "zs"])
def test_search_by_name_pinyin_initials_stays_in_scope(client_for, namesakes, query):
    town_a = ids(client_for("town_officer").get("/api/persons/", {"search": query}))
    town_b = ids(client_for("outsider").get("/api/persons/", {"search": query}))
    district = ids(client_for("district_officer").get("/api/persons/", {"search": query}))
    expected_a = {namesakes["a1"].pk} | ({namesakes["a_zhangshan"].pk} if query == "zs" else set())
    assert town_a == expected_a
    assert town_b == {namesakes["b_zhangsan"].pk}
    assert district == expected_a | town_b


def test_search_by_id_prefix_and_full_number(client_for, namesakes):
    client = client_for("town_officer")
    a1 = namesakes["a1"]
    # "50010619800" starts both 张三s' numbers; only town A's comes back
    assert ids(client.get("/api/persons/", {"search": a1.id_number[:11]})) == {a1.pk}
    assert ids(client.get("/api/persons/", {"search": a1.id_number})) == {a1.pk}
    assert ids(client.get("/api/persons/", {"search": namesakes["b_zhangsan"].id_number})) == set()


def test_search_by_last_digits_of_id_number_stays_in_scope(client_for, namesakes):
    a1, b_zhangsan = namesakes["a1"], namesakes["b_zhangsan"]
    town_a = client_for("town_officer")
    assert ids(town_a.get("/api/persons/", {"search": a1.id_number[-4:]})) == {a1.pk}
    assert ids(town_a.get("/api/persons/", {"search": a1.id_number[-6:]})) == {a1.pk}
    assert ids(town_a.get("/api/persons/", {"search": b_zhangsan.id_number[-6:]})) == set()
    assert ids(client_for("outsider").get("/api/persons/", {"search": b_zhangsan.id_number[-6:]})) == {b_zhangsan.pk}


def test_filter_by_area_prefix_and_status(client_for, namesakes, areas):
    client = client_for("district_officer")
    assert ids(client.get("/api/persons/", {"area": areas["community_a2"]})) == {namesakes["a_zhangshan"].pk}
    assert ids(client.get("/api/persons/", {"area": areas["town_b"][:9]})) == {namesakes["b1"].pk,
                                                                               namesakes["b_zhangsan"].pk}
    assert ids(client.get("/api/persons/", {"status": "deceased"})) == set()
    # an area outside the user's scope narrows to nothing rather than widening
    assert ids(client_for("town_officer").get("/api/persons/", {"area": areas["town_b"][:9]})) == set()


def test_search_combines_with_filters(client_for, namesakes, areas):
    response = client_for("district_officer").get("/api/persons/", {"search": "zs", "area": areas["community_a2"]})
    assert ids(response) == {namesakes["a_zhangshan"].pk}


# ---------------------------------------------------------------- query counts


def _queries_for(client, url: str, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url, params", [("/api/persons/", {}), ("/api/persons/", {"search": "z"}),
                                         ("/api/households/", {})])
def test_list_queries_do_not_grow_with_rows(client_for, registry_data, personas, areas, url, params):
    from registry.services import household_create, person_create

    client = client_for("district_officer")
    few = _queries_for(client, url, params)
    officer = personas["district_officer"]
    for seq, given_name in enumerate("一二三四五六", start=50):
        person = person_create(acting_user=officer, name="赵" + given_name, area_code=areas["community_a"],
                               id_number=make_id("500106", "19700101", seq))
        household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                         members=[{"person": person, "relation": "head"}])
    client = client_for("district_officer")  # a fresh client: no user object cached between the two counts
    assert _queries_for(client, url, params) == few
