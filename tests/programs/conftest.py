"""Fixtures for programmes: the grants this app needs (not yet in accounts/roles.py) and household builders."""

from datetime import date
from decimal import Decimal

import pytest

from registry.services import household_create, income_add, person_create
from tests.conftest import make_id

FEB_2026 = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def death_without_receivers():
    """Programme tests call enrolment_end_on_death themselves; the assistance app's reaction to person_died (which
    calls it too) is tested in tests/assistance_pages."""
    from registry.signals import person_died

    receivers = person_died.receivers[:]
    person_died.receivers.clear()
    person_died.sender_receivers_cache.clear()
    yield
    person_died.receivers[:] = receivers
    person_died.sender_receivers_cache.clear()


@pytest.fixture
def grants(personas):
    """The personas; the programme grants come from the accounts migrations (accounts/roles.py)."""
    return personas


class HouseholdMaker:
    """Builds households through the registry services, as an officer would enter them."""

    def __init__(self, officer, areas):
        self.officer, self.areas, self.seq = officer, areas, 100

    def person(self, name: str, birth: str = "19800101", area: str | None = None):
        self.seq += 1
        return person_create(acting_user=self.officer, name=name, area_code=area or self.areas["community_a"],
                             id_number=make_id("500106", birth, self.seq, sex_odd=self.seq % 2 == 1))

    def household(self, size: int, *, hukou: str = "urban", area: str | None = None, births: list[str] | None = None):
        births = births or ["19800101"] * size
        people = [self.person(f"成员{self.seq + 1}", births[i], area) for i in range(size)]
        members = [{"person": p, "relation": "head" if i == 0 else "child"} for i, p in enumerate(people)]
        household = household_create(acting_user=self.officer, area_code=area or self.areas["community_a"],
                                     hukou_type=hukou, members=members)
        return household, people

    def income(self, household, person, category: str, amount: str, start: date = date(2023, 1, 1),
               end: date | None = None):
        return income_add(acting_user=self.officer, household=household, person=person, category=category,
                          monthly_amount=Decimal(amount), start_month=start, end_month=end)


@pytest.fixture
def make(grants, areas):
    return HouseholdMaker(grants["district_officer"], areas)
