"""Fixtures for payments: a roll builder that writes persons, households, enrolments and bank accounts directly
(crafted data, including states the programme services would refuse, such as two excluded programmes)."""

from datetime import date
from decimal import Decimal

import pytest

from payments.models import BankAccount
from programs.models import Enrolment, EnrolmentChange
from registry.models import Household, HouseholdMember, Person
from tests.conftest import make_id

MAR = date(2026, 3, 1)
FEB = date(2026, 2, 1)
JAN = date(2026, 1, 1)


class Roll:
    """Builds the payroll's inputs; every person gets a valid bank account unless told otherwise."""

    def __init__(self, areas):
        self.areas, self.seq = areas, 0

    def person(self, name: str = "", *, area: str | None = None, bank: bool = True, status: str = "active",
               death_date: date | None = None) -> Person:
        self.seq += 1
        person = Person.objects.create(
            name=name or f"人员{self.seq}", area_id=area or self.areas["community_a"], status=status,
            death_date=death_date, id_number=make_id("500106", "19600101", self.seq, sex_odd=self.seq % 2 == 1))
        if bank:
            BankAccount.objects.create(person=person, area_id=person.area_id, bank_name="重庆农村商业银行",
                                       account_number=f"62210000{self.seq:010d}")
        return person

    def household(self, size: int = 1, *, area: str | None = None, hukou: str = "urban",
                  people: list[Person] | None = None) -> tuple[Household, list[Person]]:
        area = area or self.areas["community_a"]
        people = people or [self.person(area=area) for _ in range(size)]
        household = Household.objects.create(area_id=area, hukou_type=hukou)
        for index, person in enumerate(people):
            HouseholdMember.objects.create(household=household, person=person, area_id=area,
                                           relation="head" if index == 0 else "child")
        return household, people

    def enrol(self, program: str, amount: str, *, household: Household | None = None, person: Person | None = None,
              start: date = JAN, status: str = "active", end: date | None = None,
              phase_out_until: date | None = None) -> Enrolment:
        if household is not None and person is None:
            person = household.members.order_by("id").first().person
        area = household.area_id if household is not None else person.area_id
        enrolment = Enrolment.objects.create(
            program_id=program, household=household, person=person, area_id=area, status=status,
            monthly_amount=Decimal(amount), start_month=start, end_month=end, phase_out_until=phase_out_until)
        EnrolmentChange.objects.create(enrolment=enrolment, kind="start", to_amount=Decimal(amount),
                                       to_status="active", effective_month=start, area_id=area)
        return enrolment


@pytest.fixture
def roll(areas):
    return Roll(areas)


@pytest.fixture
def officer(personas):
    return personas["district_officer"]


@pytest.fixture
def approver(personas):
    return personas["district_approver"]


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Generate a cycle through the service; the job runs in-process when the transaction commits."""
    from payments.services import cycle_generate

    def run(cycle, user, chunk_size=None):
        with django_capture_on_commit_callbacks(execute=True):
            job = cycle_generate(acting_user=user, cycle=cycle, chunk_size=chunk_size)
        job.refresh_from_db()
        cycle.refresh_from_db()
        return job

    return run
