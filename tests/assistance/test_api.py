"""The API contract: creation answers, bad input as 400 naming the field (never a 500), and the OpenAPI schema
of the new endpoints generated without a warning."""

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(families):
    return families.household(["陈接口", "陈二"])[0]


def test_create_answers_201_with_the_case(api, household):
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk, "channel": "online",
                                           "authorised_data_check": True})
    assert (case["status"], case["program"], case["channel"], case["authorised_data_check"]) == (
        "submitted", "dibao", "online", True)
    assert case["authorised_at"] is not None and case["monthly_amount"] is None
    assert case["actions"] == [{"action": "withdraw", "label": "撤回申请"}]


@pytest.mark.parametrize(("body", "field"), [
    ({"household": 1}, "program"),
    ({"program": "gaoling", "household": 1}, "program"),
    ({"program": "dibao"}, "household"),
    ({"program": "tekun"}, "person"),
    ({"program": "dibao", "household": "abc"}, "household"),
    ({"program": "dibao", "household": 10**30}, "household"),
    ({"program": "dibao", "household": 999999}, "household"),
    ({"program": "dibao", "household": None}, "household"),
    ({"program": "dibao", "channel": "fax"}, "channel"),
    ({"program": "linshi"}, "linshi_kind"),
    ({"program": "tekun", "care_level": "extreme"}, "care_level"),
    ({"program": "linshi", "amount": "-5", "linshi_kind": "jinan"}, "amount"),
])
def test_bad_creation_input_names_the_field(api, household, body, field):
    if body.get("household") == 1:
        body = {**body, "household": household.pk}
    if body.get("program") == "linshi" and "household" not in body:
        body = {**body, "household": household.pk}
    answer = api.submit("town_officer", body, expect=400)
    assert field in answer, answer


def test_duplicate_open_application_is_refused(api, household):
    api.submit("town_officer", {"program": "dibao", "household": household.pk})
    again = api.submit("town_officer", {"program": "dibao", "household": household.pk}, expect=400)
    assert "已有办理中的最低生活保障（低保）申请" in again["program"][0]


@pytest.mark.parametrize("body", [
    [], "text", {"investigators": "1,2"}, {"investigators": [1, "x"]}, {"investigators": [1, 2], "incomes": {}},
    {"investigators": [1, 2], "incomes": [{"person": "a"}]}, {"investigators": [1, 2], "visited_on": "2026/03/01"},
    {"investigators": [1, 2], "self_care_failed": ["flying"]}, {"investigators": [1, 2], "assets": [{"kind": "yacht"}]},
])
def test_malformed_step_bodies_are_400(api, staff, household, body):
    cid = api.submit("town_officer", {"program": "dibao", "household": household.pk})["id"]
    api.step("town_officer", cid, "accept", {})
    response = api.client("town_officer").post(f"/api/applications/{cid}/investigate/", body, format="json")
    assert response.status_code == 400, response.content.decode()


def test_income_differing_from_the_registry_is_refused_not_doubled(api, staff, household):
    from datetime import date
    from decimal import Decimal

    from registry.services import income_add

    head = household.members.get(relation="head").person
    income_add(acting_user=staff["district_officer"], household=household, person=head, category="wage",
               monthly_amount=Decimal("900"), start_month=date(2026, 1, 1))
    cid = api.submit("town_officer", {"program": "dibao", "household": household.pk})["id"]
    api.step("town_officer", cid, "accept", {})
    body = {"investigators": [staff["town_officer"].pk, staff["town_officer2"].pk],
            "incomes": [{"person": head.pk, "category": "wage", "monthly_amount": "1200"}]}
    refused = api.step("town_officer", cid, "investigate", body, expect=400)
    assert "每月 900.00 元" in refused["incomes"][0] and "不一致" in refused["incomes"][0]
    body["incomes"][0]["monthly_amount"] = "900.00"
    case = api.step("town_officer", cid, "investigate", body)
    assert household.incomes.count() == 1  # confirmed, not added twice
    assert case["investigations"][0]["findings"]["incomes"][0]["income"] == household.incomes.get().pk


def test_schema_of_the_new_endpoints_has_no_warnings(tmp_path):
    reset_generator_stats()
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    paths = yaml.safe_load(out.read_text(encoding="utf-8"))["paths"]
    for action in ("accept", "investigate", "verify", "evaluate", "review", "publish", "confirm", "reject", "extend",
                   "withdraw", "objection", "urgent_approve"):
        assert set(paths[f"/api/applications/{{id}}/{action}/"]) == {"post"}
    assert {"get", "post"} <= set(paths["/api/applications/"])
    assert "get" in paths["/api/applications/{id}/"] and "get" in paths["/api/work-queue/"]
