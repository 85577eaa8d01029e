"""Fixtures for the indicators: the area tree, personas, and a leader of town A (镇街领导)."""

from datetime import date

import pytest

from accounts.services import user_create
from tests.conftest import PASSWORD

MONTH = date(2026, 1, 1)


@pytest.fixture
def town_leader(areas):
    return user_create(username="tl", password=PASSWORD, roles=["leader"], area_code=areas["town_a"], validate=False)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Indicators that look at "today" (open cases, deadlines not yet passed) see 2026-03-01."""
    from datetime import datetime

    from django.utils import timezone

    moment = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: moment.date())
    monkeypatch.setattr(timezone, "now", lambda: moment)
