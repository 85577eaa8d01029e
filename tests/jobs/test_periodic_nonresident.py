"""The scheduled jobs with a non-resident 急难发生地救助 present (assistance.nonresident): a case and a one-off
临时救助 enrolment held by a person with no household in the district, one approved and paid, one still waiting.
Every beat task runs over them as the worker would, without failing on the missing household, and each does what
is right for such a case: no periodic re-check of a one-off payment, no 高龄津贴 for someone whose 户籍 is outside
Chongqing, no 探访关爱 roster entry for someone known here only through the emergency, one payment only."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import Recheck
from assistance.nonresident import nonresident_urgent_submit
from carevisits.models import RosterEntry
from casework.models import Case
from minzheng.celery import app
from payments.models import PaymentLine
from payments.services import cycle_open
from programs.models import Enrolment
from registry.services import household_create
from tests.assistance.conftest import Clock, staff  # noqa: F401
from tests.conftest import make_id
from tests.payments.conftest import generate  # noqa: F401

pytestmark = pytest.mark.django_db
JINJIANG = "510104"  # 四川省成都市锦江区
YUZHONG = "500103"  # 重庆市渝中区: 重庆户籍, another district


def _run(name: str):
    return app.tasks[name].apply(throw=True).get()


@pytest.fixture
def nonresidents(staff, areas, monkeypatch):  # noqa: F811
    """Approved and paid this month (a young man); waiting since 40 days ago, an 85-year-old woman from Sichuan
    and an 82-year-old man whose 户籍 is in another Chongqing district."""
    today = timezone.localdate()
    clock = Clock(monkeypatch, today - timedelta(days=40))
    officer = staff["town_officer"]
    waiting = nonresident_urgent_submit(
        acting_user=officer, name="外地老人", id_number=make_id(JINJIANG, f"{today.year - 85}0301", 52, False),
        hukou_place=JINJIANG, area_code=areas["community_a"], amount="500", note="走失后在本区求助")
    chongqing = nonresident_urgent_submit(
        acting_user=officer, name="渝中老人", id_number=make_id(YUZHONG, f"{today.year - 82}0601", 63),
        hukou_place=YUZHONG, area_code=areas["community_a"], amount="300")
    clock.set(today)
    helped = nonresident_urgent_submit(
        acting_user=officer, name="外地急难", id_number=make_id(JINJIANG, "19900505", 41),
        hukou_place=JINJIANG, area_code=areas["community_a"], amount="800")
    services.application_accept(acting_user=officer, case=helped)
    services.application_urgent_approve(acting_user=officer, case=helped, amount="800")
    helped.refresh_from_db()
    return {"helped": helped, "waiting": waiting, "chongqing": chongqing,
            "enrolment": Enrolment.objects.get(pk=helped.enrolment_id)}


def test_every_beat_task_runs_with_a_household_less_case_and_enrolment(nonresidents, staff, settings):  # noqa: F811
    app.loader.import_default_modules()
    settings.MINZHENG_PAYROLL_OPENER = staff["district_officer"].username
    enrolment = nonresidents["enrolment"]
    assert (enrolment.household_id, enrolment.person_id) == (None, nonresidents["helped"].person_id)
    assert Case.objects.filter(household__isnull=True).count() == 3
    results = {name: _run(entry["task"]) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert results["open-payment-cycle"] == "opened"

    # 复核: a one-off 临时救助 is not re-checked periodically
    assert results["schedule-rechecks"] == 0 and not Recheck.objects.filter(enrolment=enrolment).exists()
    # 高龄津贴 (免申即享): her 户籍 is in Sichuan; his is in Chongqing but another district, which pays it
    assert results["auto-enrol-old-age"]["enrolled"] == 0
    assert not Enrolment.objects.filter(program_id="gaoling").exists()
    # 探访关爱: neither is put on the district's roster of special-difficulty elderly by age alone
    assert not RosterEntry.objects.exists()
    # once he is registered in a household here he is a resident like any other, and both jobs take him in
    household_create(acting_user=staff["district_officer"], area_code=nonresidents["chongqing"].area_id,
                     hukou_type="urban", members=[{"person": nonresidents["chongqing"].person, "relation": "head"}])
    assert _run("periodic.auto_enrol_old_age")["enrolled"] == 1
    _run("periodic.refresh_care_roster")
    assert list(RosterEntry.objects.values_list("person__name", flat=True)) == ["渝中老人"]
    # a second run does nothing more
    assert _run("periodic.schedule_rechecks") == 0 and _run("periodic.auto_enrol_old_age")["enrolled"] == 0


def test_the_one_off_payment_is_paid_once_by_the_payroll(nonresidents, staff, generate):  # noqa: F811
    enrolment = nonresidents["enrolment"]
    month = enrolment.start_month
    cycle = cycle_open(acting_user=staff["district_officer"], month=month)
    generate(cycle, staff["district_officer"])
    assert [line.amount for line in PaymentLine.objects.filter(enrolment=enrolment)] == [enrolment.monthly_amount]
    following = cycle_open(acting_user=staff["district_officer"],
                           month=date(month.year + month.month // 12, month.month % 12 + 1, 1))
    generate(following, staff["district_officer"])
    assert PaymentLine.objects.filter(enrolment=enrolment).count() == 1
