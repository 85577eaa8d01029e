"""Fixtures for casework and assistance: the grants this work needs (to be added to accounts/roles.py), staff
beyond the personas, a movable clock, API clients, and households built through the registry services."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from rest_framework.test import APIClient

from accounts.services import user_create
from registry.services import household_create, person_create
from tests.conftest import PASSWORD, make_id


@pytest.fixture
def staff(personas, areas):
    """The personas plus a second and third town-A officer, and a town-A user holding both the town review and
    the confirmation (a district that delegates confirmation to towns) — created after the grants."""
    people = dict(personas)
    people["town_officer2"] = user_create(username="to2", password=PASSWORD, roles=["town_officer"],
                                          area_code=areas["town_a"], full_name="二号经办人", validate=False)
    people["town_officer3"] = user_create(username="to3", password=PASSWORD, roles=["town_officer"],
                                          area_code=areas["town_a"], full_name="三号经办人", validate=False)
    people["outsider2"] = user_create(username="out2", password=PASSWORD, roles=["town_officer"],
                                      area_code=areas["town_b"], validate=False)
    people["reviewer_approver"] = user_create(username="tra", password=PASSWORD,
                                              roles=["town_reviewer", "district_approver"],
                                              area_code=areas["town_a"], validate=False)
    for user in people.values():
        user.__dict__.pop("_minzheng_grants", None)  # accounts.policy caches grants on the user object
    return people


class Clock:
    def __init__(self, monkeypatch, today: date):
        self.today = today
        monkeypatch.setattr("casework.clock.today", lambda: self.today)

    def set(self, day: date) -> None:
        self.today = day

    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    """Casework's today, fixed at Monday 2026-03-02 unless a test moves it."""
    return Clock(monkeypatch, date(2026, 3, 2))


class Api:
    """JSON calls as a named staff member; `expect` is the status code the test requires."""

    def __init__(self, staff):
        self.staff = staff

    def client(self, who: str) -> APIClient:
        api = APIClient()
        api.force_authenticate(user=self.staff[who])
        return api

    def get(self, who: str, path: str, expect: int = 200):
        response = self.client(who).get(path)
        assert response.status_code == expect, response.content.decode()
        return response.json()

    def post(self, who: str, path: str, body=None, expect: int = 200):
        response = self.client(who).post(path, body if body is not None else {}, format="json")
        assert response.status_code == expect, response.content.decode()
        return response.json()

    def step(self, who: str, case_id: int, action: str, body=None, expect: int = 200):
        return self.post(who, f"/api/applications/{case_id}/{action}/", body, expect)

    def submit(self, who: str, body: dict, expect: int = 201):
        return self.post(who, "/api/applications/", body, expect)

    def to_publicised(self, case_id: int, *, investigators=("town_officer", "town_officer2"),
                      reviewer: str = "town_reviewer") -> dict:
        """The town's steps with agreeing results, accepting first if still submitted, up to 公示 (the case)."""
        if self.get("town_officer", f"/api/applications/{case_id}/")["status"] == "submitted":
            self.step("town_officer", case_id, "accept", {})
        self.step("town_officer", case_id, "investigate",
                  {"investigators": [self.staff[name].pk for name in investigators]})
        self.step("town_officer", case_id, "verify", {"sources": ["hukou"], "result": "match"})
        self.step("town_officer", case_id, "evaluate", {"participants": 5, "result": "agree"})
        self.step(reviewer, case_id, "review", {"opinion": "agree"})
        return self.step("town_officer", case_id, "publish", {})


@pytest.fixture
def api(staff):
    return Api(staff)


class Families:
    """Households built through the registry services, as an officer would enter them."""

    def __init__(self, officer, areas):
        self.officer, self.areas, self.seq = officer, areas, 300

    def person(self, name: str, birth: str = "19800101", area: str | None = None):
        self.seq += 1
        return person_create(acting_user=self.officer, name=name, area_code=area or self.areas["community_a"],
                             id_number=make_id("500106", birth, self.seq, sex_odd=self.seq % 2 == 1))

    def household(self, names: list[str], *, hukou: str = "urban", area: str | None = None,
                  births: list[str] | None = None):
        births = births or ["19800101"] * len(names)
        people = [self.person(name, birth, area) for name, birth in zip(names, births, strict=True)]
        members = [{"person": p, "relation": "head" if i == 0 else "child"} for i, p in enumerate(people)]
        household = household_create(acting_user=self.officer, area_code=area or self.areas["community_a"],
                                     hukou_type=hukou, members=members)
        return household, people


@pytest.fixture
def families(staff, areas):
    return Families(staff["district_officer"], areas)


def working_days_after(start: date, n: int) -> date:
    """The n-th working day after `start` by the chinese_calendar library alone (for expected values)."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day
