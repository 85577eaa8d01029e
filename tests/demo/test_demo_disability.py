"""Disability demo data (demo.disability via load_demo): certificate holders, most enrolled in their subsidies and
some not yet (found by the coverage check as 政策找人 warnings), 精康融合 participants, device applications."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from casework import clock
from demo.disability import demo_disability_load
from disability.coverage import coverage, missing
from disability.models import DeviceApplication, RehabParticipant, RehabSession
from monitoring.models import Warning
from programs.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=30, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_holders_enrolled_and_some_not_yet(demo):
    month = clock.today().replace(day=1)
    assert "残疾人福利演示数据" in demo
    assert Enrolment.objects.filter(program_id="disability_care").exists()
    figures = coverage("disability_care", month)
    assert 0 < figures.enrolled < figures.eligible  # some are still to be found
    left = set(missing("disability_care", month).values_list("pk", flat=True))
    warned = set(Warning.objects.filter(rule__code="disability_care_missing").values_list("person_id", flat=True))
    assert left and left == warned


def test_services_recorded_and_a_rerun_adds_nothing(demo):
    assert RehabParticipant.objects.exists() and RehabSession.objects.filter(attended=True).exists()
    assert {DeviceApplication.Status.APPLIED, DeviceApplication.Status.ISSUED} <= set(
        DeviceApplication.objects.values_list("status", flat=True))
    before = Enrolment.objects.count()
    again = demo_disability_load(today=clock.today(), seed=1)
    assert (again.enrolled, Enrolment.objects.count()) == (0, before)
