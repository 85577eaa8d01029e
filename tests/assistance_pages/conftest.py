"""Fixtures of the assistance pages: the assistance fixtures (staff, families, clock, api), a logged-in client per
staff member, and `cases` — applications taken to a given state through the services, as officers would."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.services import user_create
from assistance import services
from casework.models import Case
from registry.services import income_add
from tests.assistance.conftest import api, clock, families, staff  # noqa: F401
from tests.conftest import PASSWORD

# The legal order of the Chongqing 低保 workflow, as (state reached, step taken to reach it).
ORDER = ["submitted", "accepted", "investigated", "verified", "evaluated", "reviewed", "publicised", "confirmed"]


@pytest.fixture
def login(client):
    """`login(user)` → the test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


class Cases:
    """Applications moved through their steps by the right people (town officer, reviewer, district approver)."""

    def __init__(self, people, builder, moving_clock):
        self.staff, self.families, self.clock = people, builder, moving_clock

    def household(self, names=("赵一", "钱二"), *, wage: str | None = "1000.00", area: str | None = None,
                  hukou: str = "urban"):
        household, people = self.families.household(list(names), area=area, hukou=hukou)
        if wage is not None:
            income_add(acting_user=self.staff["district_officer"], household=household, person=people[0],
                       category="wage", monthly_amount=Decimal(wage), start_month=date(2026, 1, 1))
        return household, people

    def make(self, state: str = "submitted", *, names=("赵一", "钱二"), wage: str | None = "1000.00",
             area: str | None = None, program: str = "dibao") -> Case:
        household, _ = self.household(names, wage=wage, area=area)
        officer = self.staff["town_officer"] if area is None else self.staff["outsider"]
        case = services.application_submit(acting_user=officer, program=program, household=household,
                                           authorised_data_check=True)
        return self.advance(case, state)

    def advance(self, case: Case, state: str) -> Case:
        s = self.staff
        in_a = case.area_id.startswith(s["town_officer"].area_id[:9])
        town, second = (s["town_officer"], s["town_officer2"]) if in_a else (s["outsider"], s["outsider2"])
        reviewer = s["town_reviewer"] if in_a else self.reviewer_b()
        steps = {
            "accepted": lambda c: services.application_accept(acting_user=town, case=c),
            "investigated": lambda c: services.application_investigate(acting_user=town, case=c,
                                                                       investigators=[town.pk, second.pk]),
            "verified": lambda c: services.application_verify(acting_user=town, case=c, sources=["hukou", "tax"],
                                                              result="match"),
            "evaluated": lambda c: services.application_evaluate(acting_user=town, case=c, participants=7,
                                                                 result="agree"),
            "reviewed": lambda c: services.application_review(acting_user=reviewer, case=c,
                                                              opinion="agree"),
            "publicised": lambda c: services.application_publish(acting_user=town, case=c),
            "confirmed": self._confirm,
        }
        for target in ORDER[ORDER.index(case.state) + 1: ORDER.index(state) + 1]:
            steps[target](case)
            case.refresh_from_db()
        return case

    def reviewer_b(self):
        """A town reviewer of town B, made the first time a town-B case needs its review."""
        if "town_reviewer_b" not in self.staff:
            self.staff["town_reviewer_b"] = user_create(username="trb", password=PASSWORD, roles=["town_reviewer"],
                                                        area_code=self.families.areas["town_b"], validate=False)
        return self.staff["town_reviewer_b"]

    def _confirm(self, case: Case) -> None:
        notice = case.notices.get()
        self.clock.set(date.fromordinal(notice.ends_on.toordinal() + 1))
        # The confirmation schedules the first re-check itself (six-monthly "unstable" by default).
        services.application_confirm(acting_user=self.staff["district_approver"], case=case)
        case.refresh_from_db()


@pytest.fixture
def cases(staff, families, clock):  # noqa: F811
    return Cases(staff, families, clock)
