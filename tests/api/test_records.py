"""Incomes, assets and disabilities under their household or person, area-wide lists, income categories."""

from datetime import date

import pytest

from registry.models import Disability, Income, IncomeCategory

pytestmark = pytest.mark.django_db


def income_url(household) -> str:
    return f"/api/households/{household.pk}/incomes/"


def test_add_income(client_for, registry_data, personas):
    ha, a2 = registry_data["household_a"], registry_data["a2"]
    response = client_for("community_worker").post(income_url(ha), {
        "person": a2.pk, "category": "business", "monthly_amount": "1200.5", "start_month": "2026-01",
        "end_month": "2026-06", "note": "小吃摊"}, format="json")

    assert response.status_code == 201, response.content
    income = Income.objects.get(pk=response.json()["id"])
    assert (income.person, income.start_month, income.end_month, str(income.monthly_amount)) == (
        a2, date(2026, 1, 1), date(2026, 6, 1), "1200.50")
    assert response.json() | {"id": 0} == {
        "id": 0, "household": ha.pk, "person": a2.pk, "area": ha.area_id, "category": "business",
        "category_name": "经营净收入", "kind": "counted", "counted": True, "monthly_amount": "1200.50",
        "start_month": "2026-01", "end_month": "2026-06", "note": "小吃摊"}


def test_income_list_says_what_counts(client_for, registry_data):
    ha, a1 = registry_data["household_a"], registry_data["a1"]
    client = client_for("town_officer")
    for category in ("wage", "youfu", "illness_expense"):
        assert client.post(income_url(ha), {"person": a1.pk, "category": category, "monthly_amount": 100,
                                            "start_month": "2026-02", "end_month": None},
                           format="json").status_code == 201
    rows = client.get(income_url(ha)).json()["results"]
    assert [(r["category"], r["counted"], r["kind"], r["monthly_amount"], r["end_month"]) for r in rows] == [
        ("wage", True, "counted", "100.00", None), ("youfu", False, "excluded", "100.00", None),
        ("illness_expense", False, "deductible", "100.00", None)]


@pytest.mark.parametrize("field, value", [
    ("start_month", "2026-13"), ("start_month", "2026/01"), ("start_month", "2026-01-01"), ("start_month", 202601),
    ("end_month", "26-01"),
])
def test_month_format_message_names_the_field(client_for, registry_data, field, value):
    body = {"person": registry_data["a1"].pk, "category": "wage", "monthly_amount": "1.00", "start_month": "2026-01",
            field: value}
    response = client_for("town_officer").post(income_url(registry_data["household_a"]), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    message = response.json()[field][0]
    assert field in message and "YYYY-MM" in message


@pytest.mark.parametrize("body, field", [
    ({"category": "lottery"}, "category"),
    ({"monthly_amount": "-1"}, "monthly_amount"),
    ({"monthly_amount": "12.345"}, "monthly_amount"),
    ({"monthly_amount": "abc"}, "monthly_amount"),
    ({"end_month": "2025-12"}, "end_month"),
])
def test_income_field_errors(client_for, registry_data, body, field):
    data = {"person": registry_data["a1"].pk, "category": "wage", "monthly_amount": "1.00", "start_month": "2026-01",
            **body}
    response = client_for("town_officer").post(income_url(registry_data["household_a"]), data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_income_of_a_non_member_or_unseen_person(client_for, registry_data):
    client = client_for("district_officer")
    ha = registry_data["household_a"]
    base = {"category": "wage", "monthly_amount": "1.00", "start_month": "2026-01"}
    not_member = client.post(income_url(ha), {**base, "person": registry_data["b1"].pk}, format="json")
    assert not_member.status_code == 400
    assert not_member.json() == {"person": ["该人员不是本家庭的在户成员"]}
    unseen = client_for("town_officer").post(income_url(ha), {**base, "person": registry_data["b1"].pk},
                                             format="json")
    assert unseen.status_code == 400
    assert "不存在或不在您的管辖范围内" in unseen.json()["person"][0]


def test_income_categories(client_for, personas):
    rows = client_for("leader").get("/api/income-categories/").json()["results"]
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) == set(IncomeCategory.objects.values_list("code", flat=True))
    assert {c for c, r in by_code.items() if r["counted"]} == {"wage", "business", "property", "transfer"}
    assert {c for c, r in by_code.items() if r["kind"] == "deductible"} == {
        "disability_expense", "illness_expense", "employment_cost"}
    assert {c for c, r in by_code.items() if r["kind"] == "excluded"} == {
        "youfu", "family_planning", "scholarship", "heroic_award", "assistance", "basic_pension",
        "gaoling_allowance", "medical_insurance"}  # the last two: 《特困人员认定办法》 (registry migration 0007)


def test_add_and_list_assets(client_for, registry_data):
    ha = registry_data["household_a"]
    client = client_for("town_officer")
    response = client.post(f"/api/households/{ha.pk}/assets/", {
        "kind": "vehicle", "value": "35000", "description": "五菱面包车", "exempt": True,
        "person": registry_data["a1"].pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0} == {"id": 0, "household": ha.pk, "person": registry_data["a1"].pk,
                                           "area": ha.area_id, "kind": "vehicle", "description": "五菱面包车",
                                           "value": "35000.00", "exempt": True}
    without_owner = client.post(f"/api/households/{ha.pk}/assets/", {"kind": "deposit", "value": 10},
                                format="json")
    assert without_owner.status_code == 201
    assert without_owner.json()["person"] is None
    rows = client.get(f"/api/households/{ha.pk}/assets/").json()["results"]
    assert [(r["kind"], r["value"]) for r in rows] == [("vehicle", "35000.00"), ("deposit", "10.00")]


def test_add_disability_replaces_the_current_one(client_for, registry_data):
    a1 = registry_data["a1"]
    client = client_for("community_worker")
    first = client.post(f"/api/persons/{a1.pk}/disabilities/", {"category": "physical", "grade": 3}, format="json")
    second = client.post(f"/api/persons/{a1.pk}/disabilities/", {
        "category": "physical", "grade": "2", "certificate_number": "50010619800101001X42", "issued_on": "2025-03-01"},
        format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["is_severe"] is True
    rows = client.get(f"/api/persons/{a1.pk}/disabilities/").json()["results"]
    assert [(r["grade"], r["is_current"]) for r in rows] == [(3, False), (2, True)]
    assert Disability.objects.get(pk=second.json()["id"]).issued_on == date(2025, 3, 1)


def test_area_wide_lists_and_filters(client_for, records):
    client = client_for("district_officer")
    incomes = client.get("/api/incomes/", {"household": records["household_b"].pk}).json()["results"]
    assert [row["id"] for row in incomes] == [records["income_b"].pk]
    assets = client.get("/api/assets/", {"kind": "deposit"}).json()["results"]
    assert {row["id"] for row in assets} == {records["asset_a"].pk, records["asset_b"].pk}
    disabilities = client.get("/api/disabilities/", {"person": records["a1"].pk}).json()["results"]
    assert [row["id"] for row in disabilities] == [records["disability_a"].pk]
    assert client.get("/api/disabilities/", {"is_current": "false"}).json()["results"] == []
    assert len(client.get("/api/disabilities/", {"is_current": "true"}).json()["results"]) == 2
    assert client.get(f"/api/incomes/{records['income_a'].pk}/").json()["monthly_amount"] == "1200.00"
    assert client.get(f"/api/assets/{records['asset_a'].pk}/").json()["value"] == "5000.50"


def test_records_under_an_unseen_parent_are_404(client_for, records):
    client = client_for("outsider")
    hb, ha, a1 = records["household_b"], records["household_a"], records["a1"]
    assert client.get(income_url(hb)).status_code == 200
    assert client.get(income_url(ha)).status_code == 404
    assert client.get(f"/api/households/{ha.pk}/assets/").status_code == 404
    assert client.get(f"/api/persons/{a1.pk}/disabilities/").status_code == 404
    assert client.post(income_url(ha), {}, format="json").status_code == 404
