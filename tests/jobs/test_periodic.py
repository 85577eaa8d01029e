"""The platform's schedule (CELERY_BEAT_SCHEDULE): every entry names a registered task, and each task runs
(eagerly, as the worker would run it) on a small database, twice without doing the work twice."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from minzheng.celery import app
from payments.models import PaymentCycle
from tasks.models import Task

pytestmark = pytest.mark.django_db


def _registered() -> set[str]:
    app.loader.import_default_modules()  # what the worker does at start: autodiscovery included
    return set(app.tasks)


def test_every_scheduled_entry_names_a_registered_task():
    registered = _registered()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, name
        assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1), name


def test_the_schedule_covers_the_deadline_jobs():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"periodic.escalate_tasks", "periodic.schedule_rechecks", "periodic.auto_enrol_old_age",
            "periodic.open_payment_cycle"} <= tasks


def _run(name: str):
    return app.tasks[name].apply().get()


def test_escalation_moves_an_overdue_task_once(personas, areas):
    _registered()
    task = Task.objects.create(kind="visit", title="入户走访", area_id=areas["community_a"],
                               handling_level=Task.Level.COMMUNITY, assigned_area_id=areas["community_a"],
                               deadline=timezone.now() - timedelta(days=1))
    assert _run("periodic.escalate_tasks") == 1
    task.refresh_from_db()
    assert task.handling_level == Task.Level.TOWN and task.deadline > timezone.now()
    assert _run("periodic.escalate_tasks") == 0


def test_recheck_scheduling_and_old_age_enrolment_run_on_an_empty_register(areas):
    _registered()
    assert _run("periodic.schedule_rechecks") == 0
    result = _run("periodic.auto_enrol_old_age")
    assert result["enrolled"] == 0 and result["month"] == timezone.localdate().replace(day=1).isoformat()


def test_old_age_enrolment_enrols_a_new_eighty_year_old_once(personas, areas):
    from registry.services import person_create
    from tests.conftest import make_id

    _registered()
    today = timezone.localdate()
    birth = date(today.year - 81, 3, 1)
    person_create(acting_user=personas["district_officer"], name="王老", area_code=areas["community_a"],
                  id_number=make_id("500106", birth.strftime("%Y%m%d"), 7))
    assert _run("periodic.auto_enrol_old_age")["enrolled"] == 1
    assert _run("periodic.auto_enrol_old_age")["enrolled"] == 0


def test_payment_cycle_opens_in_the_configured_officers_name_once(personas, settings):
    _registered()
    settings.MINZHENG_PAYROLL_OPENER = ""
    assert _run("periodic.open_payment_cycle") == "not configured"
    settings.MINZHENG_PAYROLL_OPENER = personas["district_officer"].username
    assert _run("periodic.open_payment_cycle") == "opened"
    assert _run("periodic.open_payment_cycle") == "exists"
    cycle = PaymentCycle.objects.get()
    assert cycle.month == timezone.localdate().replace(day=1) and cycle.created_by == personas["district_officer"]


def test_payment_cycle_is_not_opened_by_someone_without_the_right(personas, settings):
    from django.core.exceptions import PermissionDenied

    _registered()
    settings.MINZHENG_PAYROLL_OPENER = personas["community_worker"].username
    with pytest.raises(PermissionDenied):
        _run("periodic.open_payment_cycle")
    assert not PaymentCycle.objects.exists()
