"""Re-rating contract: a standard set through the API creates a pending re-rating with its preview; a district
officer (or approver) sets it, never a town role; a district officer confirms it.

Figures: two-person urban 低保 households with no income, decided in 2025-12 at (750 − 0) × 2 = 1,500.00; a
one-person household with 300.00 income at (750 − 300) × 1 = 450.00. A standard of 800 from 2026-01 gives
(800 − 0) × 2 = 1,600.00 (+100.00) and (800 − 300) × 1 = 500.00 (+50.00)."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from programs.calculations import quote
from programs.models import Enrolment, Program, Rerate
from programs.services import enrolment_start

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.programs.urls")]
DEC_2025 = date(2025, 12, 1)
BODY = {"key": "standard_urban", "value": "800", "valid_from": "2026-01-01", "area": "500000000000",
        "source": "测试用文件〔2026〕1号"}


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user=user)
    return api


def enrol(make, size: int, *, area: str | None = None, income: str | None = None) -> Enrolment:
    household, people = make.household(size, area=area)
    if income:
        make.income(household, people[0], "wage", income)
    result = quote(program="dibao", household=household, month=DEC_2025)
    return enrolment_start(acting_user=make.officer, program=Program.objects.get(code="dibao"), household=household,
                           start_month=DEC_2025, quote=result)


@pytest.fixture
def roll(make, areas):
    two_a = enrol(make, 2)
    one_a = enrol(make, 1, income="300")
    two_b = enrol(make, 2, area=areas["community_b"])
    assert [e.monthly_amount for e in (two_a, one_a, two_b)] == [Decimal("1500.00"), Decimal("450.00"),
                                                                 Decimal("1500.00")]
    return two_a, one_a, two_b


@pytest.mark.parametrize("role", ["district_officer", "district_approver"])
def test_district_roles_set_a_standard_and_a_pending_rerate_appears(grants, roll, areas, role):
    response = client_for(grants[role]).post("/api/programs/dibao/parameters/", BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["key"], body["value"], body["valid_from"], body["area_code"]) == (
        "standard_urban", "800.0000", "2026-01-01", "500000000000")
    rerate = Rerate.objects.get(status=Rerate.Status.PENDING)
    assert body["rerates"] == [rerate.pk]

    listed = client_for(grants["district_officer"]).get("/api/rerates/", {"status": "pending"}).json()
    # 100.00 + 50.00 + 100.00 = 250.00 a month, three enrolments.
    assert listed == [{"id": rerate.pk, "program": "dibao", "valid_from": "2026-01-01", "enrolments": 3,
                       "monthly_difference": "250.00"}]
    town_a, town_b = areas["town_a"], areas["town_b"]
    assert rerate.preview["by_town"] == {town_a: {"enrolments": 2, "difference": "150.00"},
                                         town_b: {"enrolments": 1, "difference": "100.00"}}
    assert rerate.preview["by_program"] == {"dibao": {"name": Program.objects.get(code="dibao").name,
                                                      "enrolments": 3, "difference": "250.00"}}


@pytest.mark.parametrize("role", ["town_officer", "town_reviewer", "community_worker", "leader"])
def test_town_and_other_roles_may_not_set_a_standard(grants, roll, role):
    response = client_for(grants[role]).post("/api/programs/dibao/parameters/", BODY, format="json")
    assert response.status_code == 403
    assert not Rerate.objects.exists()


def test_confirm_applies_and_empties_the_pending_list(grants, roll):
    officer = client_for(grants["district_officer"])
    officer.post("/api/programs/dibao/parameters/", BODY, format="json")
    rerate = Rerate.objects.get()
    town = client_for(grants["town_officer"])
    assert town.post(f"/api/rerates/{rerate.pk}/confirm/").status_code == 403
    response = officer.post(f"/api/rerates/{rerate.pk}/confirm/")
    assert response.status_code == 200, response.json()
    assert response.json()["monthly_difference"] == "250.00"
    assert officer.get("/api/rerates/", {"status": "pending"}).json() == []
    assert sorted(Enrolment.objects.values_list("monthly_amount", flat=True)) == [
        Decimal("500.00"), Decimal("1600.00"), Decimal("1600.00")]
    again = officer.post(f"/api/rerates/{rerate.pk}/confirm/")
    assert again.status_code == 400
    assert officer.post("/api/rerates/999999/confirm/").status_code == 404


def test_bad_request_is_400_by_field(grants, roll):
    response = client_for(grants["district_officer"]).post(
        "/api/programs/dibao/parameters/", {**BODY, "area": "5001", "value": "-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"area", "value"}
    status = client_for(grants["district_officer"]).get("/api/rerates/", {"status": "nonsense"})
    assert status.status_code == 400


def test_a_parameter_no_amount_reads_creates_no_rerate(grants, roll):
    body = {**BODY, "key": "deadline_confirm_wd", "value": "10"}
    response = client_for(grants["district_officer"]).post("/api/programs/dibao/parameters/", body, format="json")
    assert response.status_code == 201 and response.json()["rerates"] == []
    assert not Rerate.objects.exists()


def test_a_town_officer_sees_the_rerate_but_a_user_without_policy_grant_does_not(grants, roll, personas):
    client_for(grants["district_officer"]).post("/api/programs/dibao/parameters/", BODY, format="json")
    assert len(client_for(grants["town_officer"]).get("/api/rerates/").json()) == 1
