"""Fixtures for monitoring: enrolled households and a feed-file uploader (grants come from accounts migrations)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from monitoring.feeds import FEED_TYPES
from programs.models import Enrolment
from registry.services import household_create, person_create
from tests.conftest import make_id


def enrol(*, household=None, person=None, program: str = "dibao", area: str) -> Enrolment:
    return Enrolment.objects.create(program_id=program, household=household, person=person, area_id=area,
                                    monthly_amount=Decimal("500.00"), start_month=date(2025, 1, 1))


@pytest.fixture
def people(registry_data, personas, areas):
    """household_a (community A: 张三 a1, 李四 a2) enrolled in 低保; household_b (community B: 王五 b1) not;
    c1 赵六 (community A2) alone, not enrolled."""
    officer = personas["district_officer"]
    c1 = person_create(acting_user=officer, name="赵六", area_code=areas["community_a2"],
                       id_number=make_id("500106", "19600606", 6), birth_date=date(1960, 6, 6))
    hc = household_create(acting_user=officer, area_code=areas["community_a2"], hukou_type="urban",
                          members=[{"person": c1, "relation": "head"}])
    enrol(household=registry_data["household_a"], person=registry_data["a1"], area=areas["community_a"])
    return {**registry_data, "c1": c1, "household_c": hc}


def feed_csv(feed_type: str, rows: list[dict]) -> bytes:
    """A CSV file with the feed's Chinese headers; rows are {column key: value}."""
    feed = FEED_TYPES[feed_type]
    from imports.schemas import schema_get

    columns = schema_get(feed.schema_key).columns
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in columns])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def upload(personas, django_capture_on_commit_callbacks):
    """Upload a feed file as the district officer, running the jobs as a worker would after the commit."""
    from monitoring.services import feed_batch_upload

    def run(feed_type: str, rows: list[dict], *, user=None, period: str = "2026-01", filename: str = "feed.csv"):
        content = feed_csv(feed_type, rows)
        with django_capture_on_commit_callbacks(execute=True):
            batch = feed_batch_upload(acting_user=user or personas["district_officer"], feed_type=feed_type,
                                      filename=filename, content=content, period=period)
        batch.refresh_from_db()
        return batch

    return run


@pytest.fixture
def api(personas):
    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(personas[role])
        return client

    return client_for
