"""The audit trail is written the same way from pages, API and commands, with who, request and source."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.context import acting
from audit.models import AccessLog, ChangeLog
from registry.models import Person
from registry.services import person_update
from tests.conftest import make_id

pytestmark = pytest.mark.django_db


def test_api_write_is_logged_with_source_api_and_request_id(personas, areas):
    client = APIClient()
    client.force_authenticate(personas["town_officer"])
    response = client.post("/api/persons/", {"name": "赵六", "area": areas["community_a"],
                                             "id_number": make_id("500106", "19900101", 5)}, format="json",
                           HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 201
    entry = ChangeLog.objects.get(model="registry.person", object_id=str(response.json()["id"]))
    assert (entry.source, entry.request_id, entry.user) == ("api", "req-123", personas["town_officer"])


def test_page_write_is_logged_with_source_page(client, personas, registry_data):
    client.force_login(personas["town_officer"])
    person = registry_data["a1"]
    response = client.post(reverse("person-edit", args=[person.pk]),
                           {"name": person.name, "phone": "13900000000", "area": person.area_id})
    assert response.status_code in (200, 302)
    entry = ChangeLog.objects.filter(model="registry.person", object_id=str(person.pk), action="update").get()
    assert entry.source == "page" and entry.after["phone"] == "13900000000"


def test_job_context_marks_the_source(registry_data, personas):
    with acting(user=personas["district_officer"], source="job"):
        person_update(acting_user=personas["district_officer"], person=registry_data["a1"], phone="13800000001")
    entry = ChangeLog.objects.filter(model="registry.person", action="update").get()
    assert entry.source == "job" and entry.request_id


def test_reveal_through_api_is_logged_once_per_view(personas, registry_data):
    client = APIClient()
    client.force_authenticate(personas["town_officer"])
    person = registry_data["a1"]
    for _ in range(2):
        response = client.post(f"/api/persons/{person.pk}/reveal-id/")
        assert response.json()["id_number"] == Person.objects.get(pk=person.pk).id_number
    logs = AccessLog.objects.filter(kind="reveal_id", person=person, user=personas["town_officer"])
    assert logs.count() == 2
