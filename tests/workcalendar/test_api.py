"""API of the working-day calendar (工作日历): answers, field errors, unpublished years, and the schema."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from workcalendar.api import MAX_DAYS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.workcalendar.urls")]

ADD_URL = "/api/calendar/add-working-days/"
BETWEEN_URL = "/api/calendar/working-days-between/"


@pytest.fixture
def api_client() -> APIClient:
    user = get_user_model().objects.create_user(username="u1", password="x-Very-long-pass-123")
    api = APIClient()
    api.force_authenticate(user=user)
    return api


def test_routes_have_the_published_names():
    assert reverse("calendar-add-working-days") == ADD_URL
    assert reverse("calendar-working-days-between") == BETWEEN_URL


def test_anonymous_is_refused():
    response = APIClient().get(ADD_URL, {"start": "2025-09-30", "days": "1"})
    assert response.status_code in (401, 403)


def test_adds_working_days_across_national_day(api_client):
    # given 2025年9月30日, when asking for one working day, then 10月1日–8日 are skipped
    response = api_client.get(ADD_URL, {"start": "2025-09-30", "days": "1"})
    assert response.status_code == 200
    assert response.json() == {"start": "2025-09-30", "days": 1, "date": "2025-10-09"}


@pytest.mark.parametrize("start", ["2025-13-01", "2025/09/30", "tomorrow", "", "2025-09-30T08:00:00"])
def test_bad_start_is_a_field_error(api_client, start):
    response = api_client.get(ADD_URL, {"start": start, "days": "1"})
    assert response.status_code == 400
    assert list(response.json()) == ["start"]
    assert "YYYY-MM-DD" in response.json()["start"][0]


def test_missing_start_is_a_field_error(api_client):
    response = api_client.get(ADD_URL, {"days": "1"})
    assert response.status_code == 400
    assert "start" in response.json()["start"][0]


def test_missing_days_is_a_field_error(api_client):
    response = api_client.get(ADD_URL, {"start": "2025-09-30"})
    assert response.status_code == 400
    assert list(response.json()) == ["days"]
    assert "days" in response.json()["days"][0]


@pytest.mark.parametrize("days", ["-1", "abc", "1.5", "999999"])
def test_bad_days_is_a_field_error(api_client, days):
    response = api_client.get(ADD_URL, {"start": "2025-09-30", "days": days})
    assert response.status_code == 400
    assert list(response.json()) == ["days"]


def test_unpublished_year_is_a_client_error_not_a_crash(api_client):
    # given 2028, which neither the library nor an administrator covers
    response = api_client.get(ADD_URL, {"start": "2028-03-01", "days": "5"})
    # then the user is told which year is missing
    assert response.status_code == 400
    assert response.json()["detail"] == "2028年的法定节假日安排尚未发布，请管理员先录入该年度日历"


def test_working_days_between_across_national_day(api_client):
    # given (2025年9月26日, 10月13日]: 28, 29, 30, 10月9, 10, 11, 13
    response = api_client.get(BETWEEN_URL, {"start": "2025-09-26", "end": "2025-10-13"})
    assert response.status_code == 200
    assert response.json() == {"start": "2025-09-26", "end": "2025-10-13", "days": 7}


def test_working_days_between_backwards_is_negative(api_client):
    response = api_client.get(BETWEEN_URL, {"start": "2025-10-13", "end": "2025-09-26"})
    assert response.json()["days"] == -7


def test_working_days_between_bad_end_is_a_field_error(api_client):
    response = api_client.get(BETWEEN_URL, {"start": "2025-09-26", "end": "2025-10-32"})
    assert response.status_code == 400
    assert list(response.json()) == ["end"]


def test_working_days_between_unpublished_year_is_a_client_error(api_client):
    response = api_client.get(BETWEEN_URL, {"start": "2026-12-01", "end": str(date(2027, 1, 15))})
    assert response.status_code == 400
    assert "2027年" in response.json()["detail"]


def test_schema_documents_both_query_parameters_and_the_result():
    # given the OpenAPI schema generated from the calendar routes
    schema = SchemaGenerator(urlconf="tests.workcalendar.urls").get_schema(request=None, public=True)
    operation = schema["paths"][ADD_URL]["get"]
    # then both query parameters are required and typed
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["start"]["in"] == "query" and params["start"]["required"] is True
    assert params["start"]["schema"] == {"type": "string", "format": "date"}
    assert params["days"]["schema"] == {"type": "integer", "minimum": 0, "maximum": MAX_DAYS}
    # and the 200 body has start, days and date
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(body["properties"]) == {"start", "days", "date"}
    assert body["properties"]["date"] == {"type": "string", "format": "date", "description": "第 N 个工作日的日期"}
    assert "400" in operation["responses"]


def test_schema_documents_the_between_parameters():
    schema = SchemaGenerator(urlconf="tests.workcalendar.urls").get_schema(request=None, public=True)
    params = {p["name"] for p in schema["paths"][BETWEEN_URL]["get"]["parameters"]}
    assert params == {"start", "end"}
