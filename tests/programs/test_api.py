"""API: the quote contract, errors as 400/404 (never 500), the programme list, parameters, and the schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from accounts.services import user_create
from registry.services import disability_record
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.programs.urls")]


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user=user)
    return api


@pytest.fixture
def household(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000")
    return household


def post_quote(user, code, body):
    return client_for(user).post(f"/api/programs/{code}/quote/", body, format="json")


def test_quote_happy_path(grants, household):
    response = post_quote(grants["town_officer"], "dibao", {"household": household.pk, "month": "2026-02"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("eligible", "reasons", "standard", "household_size", "per_capita_income",
                                 "monthly_amount")} == {
        "eligible": True, "reasons": [], "standard": "770.00", "household_size": 2, "per_capita_income": "500.00",
        "monthly_amount": "540.00"}
    assert body["lines"][-1] == {"label": "低保金 = 270.00 × 2", "value": "540.00"}
    assert body["parameters"][0]["source"] == "渝民规〔2025〕6号" and body["unverified"] is False


def test_quote_not_eligible_is_still_200_with_reasons(grants, make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1540")
    body = post_quote(grants["district_officer"], "dibao", {"household": household.pk, "month": "2026-02"}).json()
    assert body["eligible"] is False and body["monthly_amount"] == "0.00"
    assert body["reasons"] == ["家庭月人均收入不低于低保标准"]


def test_quote_tekun_by_person(grants, make):
    elder = make.person("孤老", birth="19500101")
    disability_record(acting_user=make.officer, person=elder, category="physical", grade=1)
    body = post_quote(grants["district_officer"], "tekun", {"person": elder.pk, "month": "2026-02",
                                                            "care_level": "full", "no_supporter": True}).json()
    assert (body["eligible"], body["standard"], body["monthly_amount"]) == (True, "1001.00", "1501.00")
    assert body["inputs"] == {"care_level": "full", "no_supporter": True}


def test_quote_linshi_with_amount(grants, household):
    body = post_quote(grants["district_officer"], "linshi", {"household": household.pk, "month": "2026-02",
                                                             "linshi_kind": "jinan", "amount": "1200.50"}).json()
    assert body["monthly_amount"] == "1200.50" and body["flags"] == {"town_first_approval": False}
    assert body["unverified"] is True


def test_household_outside_the_users_area_is_404(grants, household):
    response = post_quote(grants["outsider"], "dibao", {"household": household.pk, "month": "2026-02"})
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该记录，或不在您的管辖范围内"
    assert post_quote(grants["district_officer"], "dibao", {"household": 999999, "month": "2026-02"}
                      ).status_code == 404


def test_unknown_or_inactive_programme_is_404(grants, household):
    assert post_quote(grants["district_officer"], "nosuch", {"household": household.pk, "month": "2026-02"}
                      ).status_code == 404
    from programs.models import Program

    Program.objects.filter(code="linshi").update(active=False)
    assert post_quote(grants["district_officer"], "linshi", {"household": household.pk, "month": "2026-02"}
                      ).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "2026/02", "2026-2", "202602", "", "2026-02-01", "0000-01", None, 7,
                                   "２０２６-02"])
def test_bad_month_is_400_naming_month(grants, household, month):
    response = post_quote(grants["district_officer"], "dibao", {"household": household.pk, "month": month})
    assert response.status_code == 400
    assert list(response.json()) == ["month"]
    assert "YYYY-MM" in response.json()["month"][0] or "month" in response.json()["month"][0]


def test_missing_month_is_400(grants, household):
    response = post_quote(grants["district_officer"], "dibao", {"household": household.pk})
    assert response.status_code == 400 and "month" in response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"household": "abc"}, "household"),
    ({"household": -1}, "household"),
    ({"household": 10**30}, "household"),
    ({"household": 1, "care_level": "bedridden"}, "care_level"),
    ({"household": 1, "amount": "1.234"}, "amount"),
    ({"household": 1, "no_supporter": "maybe"}, "no_supporter"),
])
def test_bad_fields_are_400_naming_the_field(grants, body, field):
    response = post_quote(grants["district_officer"], "dibao", {"month": "2026-02", **body})
    assert response.status_code == 400 and field in response.json()


def test_missing_subject_and_missing_inputs_are_400_by_field(grants, household, make):
    response = post_quote(grants["district_officer"], "dibao", {"month": "2026-02"})
    assert response.status_code == 400 and "household" in response.json()
    elder = make.person("老人", birth="19500101")
    response = post_quote(grants["district_officer"], "tekun", {"person": elder.pk, "month": "2026-02"})
    assert response.status_code == 400 and "care_level" in response.json()
    response = post_quote(grants["district_officer"], "gangxing_zhichu", {"household": household.pk,
                                                                          "month": "2026-02"})
    assert response.status_code == 400 and "rigid_expenditure" in response.json()


def test_a_month_without_parameters_is_400_not_500(grants, household):
    response = post_quote(grants["district_officer"], "dibao", {"household": household.pk, "month": "2019-01"})
    assert response.status_code == 400
    assert "standard_urban" in response.json()["detail"][0]


def test_a_body_that_is_not_an_object_is_400(grants):
    api = client_for(grants["district_officer"])
    assert api.post("/api/programs/dibao/quote/", [1, 2], format="json").status_code == 400
    response = api.post("/api/programs/dibao/quote/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_anonymous_is_refused():
    response = APIClient().post("/api/programs/dibao/quote/", {"household": 1, "month": "2026-02"}, format="json")
    assert response.status_code in (401, 403)


def test_programme_list(grants):
    response = client_for(grants["community_worker"]).get("/api/programs/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    # the five assistance programmes first, in order; later capabilities add theirs (e.g. gaoling)
    assert list(rows)[:5] == ["dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu", "linshi"]
    # among the assistance programmes (later capabilities add their own exclusions, e.g. the disability subsidies)
    assistance = {"dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu", "linshi"}
    assert set(rows["tekun"]["excludes"]) & assistance == {"dibao", "dibao_bianyuan", "gangxing_zhichu"}
    assert rows["tekun"]["unit"] == "person" and rows["linshi"]["recurring"] is False


def test_parameters_with_history_and_filters(grants):
    api = client_for(grants["town_officer"])
    rows = api.get("/api/programs/dibao/parameters/").json()
    assert [(r["key"], r["value"], r["valid_to"]) for r in rows if r["key"] == "standard_urban"] == [
        ("standard_urban", "735.0000", "2024-08-31"), ("standard_urban", "750.0000", "2025-12-31"),
        ("standard_urban", "770.0000", None)]
    assert next(r for r in rows if r["key"] == "standard_urban")["label"] in ("城市低保标准", "农村低保标准")
    in_force = api.get("/api/programs/dibao/parameters/", {"month": "2024-10", "key": "standard_rural"}).json()
    assert [(r["value"], r["source"]) for r in in_force] == [("610.0000", "渝民发〔2024〕9号")]
    bianyuan = api.get("/api/programs/dibao_bianyuan/parameters/").json()
    assert bianyuan[0]["verified"] is False


def test_parameters_need_the_policy_view_grant_and_a_known_programme(grants, areas):
    nobody = user_create(username="noroles", password=PASSWORD, roles=[], area_code=areas["district"],
                         validate=False)
    assert client_for(nobody).get("/api/programs/dibao/parameters/").status_code == 403
    api = client_for(grants["district_officer"])
    assert api.get("/api/programs/nosuch/parameters/").status_code == 404
    response = api.get("/api/programs/dibao/parameters/", {"month": "2024-13"})
    assert response.status_code == 400 and "month" in response.json()


def test_schema_validates_and_documents_the_quote():
    schema = SchemaGenerator(urlconf="tests.programs.urls").get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/programs/{code}/quote/"]["post"]
    assert {"200", "400", "404"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"eligible", "reasons", "standard", "household_size", "per_capita_income", "monthly_amount",
            "lines"} <= set(body["properties"])
    assert "/api/programs/{code}/parameters/" in schema["paths"]
