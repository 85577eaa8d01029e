"""Fixtures for the disability subsidies: households built through the registry services, 低保 enrolled through the
programme services, certificates recorded as the 残联 feed or an officer would."""

from datetime import date

import pytest

from programs.calculations import quote
from programs.models import Program
from programs.services import enrolment_start
from registry.services import disability_record
from tests.programs.conftest import HouseholdMaker, death_without_receivers  # noqa: F401 — fixture re-used

FEB_2026 = date(2026, 2, 1)


class DisabilityMaker(HouseholdMaker):
    def certificate(self, person, grade: int, *, category: str = "physical", issued_on: date | None = None):
        return disability_record(acting_user=self.officer, person=person, category=category, grade=grade,
                                 certificate_number=f"{person.id_number}4{grade}", issued_on=issued_on)

    def dibao(self, household, start: date = date(2025, 1, 1)):
        program = Program.objects.get(code="dibao")
        result = quote(program=program, household=household, month=start)
        assert result.eligible, result.reasons
        return enrolment_start(acting_user=self.approver, program=program, household=household, start_month=start,
                               quote=result)

    def enrol(self, code: str, person, start: date, **inputs):
        program = Program.objects.get(code=code)
        result = quote(program=program, person=person, month=start, **inputs)
        assert result.eligible, result.reasons
        return enrolment_start(acting_user=self.approver, program=program, person=person, start_month=start,
                               quote=result)


@pytest.fixture
def make(personas, areas):
    maker = DisabilityMaker(personas["district_officer"], areas)
    maker.approver = personas["district_approver"]
    return maker
