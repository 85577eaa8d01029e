"""Smart water meters: readings in (duplicates ignored, late ones accepted), a silent meter is an offline-device
warning while a person who stops using water (readings keep coming, unchanged) is a no-use alarm; continuous use;
tasks with a deadline in hours, never twice on a re-run."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from carevisits.detection import ALERT_SOURCE, meters_detect
from carevisits.meters import meter_bind, readings_ingest
from carevisits.models import MeterAlert, MeterReading
from carevisits.roster import roster_refresh
from tasks.models import Task
from tests.carevisits.conftest import TODAY

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(minute=0, second=0, microsecond=0)


def _at(hours_ago: int) -> str:
    return timezone.localtime(NOW - timedelta(hours=hours_ago)).isoformat()


@pytest.fixture
def meters(elders, personas):
    roster_refresh(today=TODAY)
    officer = personas["district_officer"]
    installed = NOW - timedelta(days=3)
    made = {key: meter_bind(acting_user=officer, code=f"WM-{key}", person=elders[person], installed_at=installed)
            for key, person in (("stops", "alone"), ("silent", "husband"), ("normal", "wife"), ("runs", "old"))}
    rows = []
    for hours_ago in range(48, -1, -1):
        used = 48 - hours_ago
        # Stops using water 30 hours ago; the meter keeps reporting the same value every hour.
        rows.append({"meter": "WM-stops", "time": _at(hours_ago), "reading": f"{min(used, 18) * 0.01:.3f}"})
        if hours_ago >= 10:  # the device falls silent 10 hours ago (the person may be fine)
            rows.append({"meter": "WM-silent", "time": _at(hours_ago), "reading": f"{used * 0.01:.3f}"})
        # Ordinary use: water at some hours, none at others.
        rows.append({"meter": "WM-normal", "time": _at(hours_ago), "reading": f"{(used // 5) * 0.02:.3f}"})
        # Runs without a break for the last 12 hours.
        rows.append({"meter": "WM-runs", "time": _at(hours_ago), "reading": f"{max(0, 12 - hours_ago) * 0.05:.3f}"})
    readings_ingest(acting_user=officer, rows=rows)
    return made


def _open(kind: str) -> set[str]:
    return set(MeterAlert.objects.filter(kind=kind, resolved_at__isnull=True).values_list("meter__code", flat=True))


def test_readings_duplicates_ignored_and_late_ones_accepted(meters, personas):
    officer = personas["district_officer"]
    before = MeterReading.objects.count()
    result = readings_ingest(acting_user=officer, rows=[
        {"meter": "WM-normal", "time": _at(5), "reading": "9.999"},  # already there: ignored, not overwritten
        {"meter": "WM-normal", "time": _at(200), "reading": 0},  # late, out of order
        {"meter": "WM-normal", "time": _at(200), "reading": 0}])  # twice in one batch
    assert result == {"received": 3, "stored": 1, "duplicates": 2}
    assert MeterReading.objects.count() == before + 1
    kept = MeterReading.objects.get(meter=meters["normal"], time=NOW - timedelta(hours=5))
    assert kept.litres == (43 // 5) * 20


def test_bad_rows_are_named_and_nothing_is_stored(meters, personas):
    officer = personas["district_officer"]
    before = MeterReading.objects.count()
    with pytest.raises(ValidationError) as refused:
        readings_ingest(acting_user=officer, rows=[
            {"meter": "WM-normal", "time": _at(0), "reading": "1"},
            {"meter": "WM nope\t", "time": _at(0), "reading": "1"},
            {"meter": "WM-normal", "time": "yesterday", "reading": "1"},
            {"meter": "WM-normal", "time": _at(1), "reading": "-2"},
            {"meter": "WM-normal", "time": _at(1)}])
    messages = refused.value.message_dict["readings"]
    assert messages[0].startswith("第2条 meter") and messages[1].startswith("第3条 time")
    assert messages[2].startswith("第4条 reading") and messages[3].startswith("第5条")
    with pytest.raises(ValidationError) as unknown:  # well-formed, but no such meter: the whole batch refused
        readings_ingest(acting_user=officer, rows=[{"meter": "WM-normal", "time": _at(-2), "reading": "9"},
                                                   {"meter": "WM-nope", "time": _at(0), "reading": "1"}])
    assert unknown.value.message_dict["readings"] == ["第2条 meter：未登记或已停用的水表编号 WM-nope"]
    assert MeterReading.objects.count() == before
    with pytest.raises(PermissionDenied):
        readings_ingest(acting_user=personas["community_worker"], rows=[{"meter": "WM-normal", "time": _at(0),
                                                                         "reading": 1}])


def test_silent_meter_is_offline_but_stopped_use_is_an_alarm(meters, settings):
    result = meters_detect(now=NOW)
    # Parameters: no use 24 h, continuous 6 h, offline 6 h (migration 0002).
    assert _open("offline") == {"WM-silent"}
    assert _open("no_use") == {"WM-stops"}
    assert _open("continuous") == {"WM-runs"}
    assert result.raised == 3 and result.tasks == 3
    tasks = {t.detail["设备编号"]: t for t in Task.objects.filter(source_type=ALERT_SOURCE)}
    assert tasks["WM-stops"].kind == "meter_alarm" and tasks["WM-silent"].kind == "meter_offline"
    assert tasks["WM-stops"].handling_level == "community" and tasks["WM-stops"].area_id == meters["stops"].area_id
    # Deadlines in hours (4 for an alarm, 48 for a device).
    assert tasks["WM-stops"].deadline == NOW + timedelta(hours=4)
    assert tasks["WM-silent"].deadline == NOW + timedelta(hours=48)
    assert "长时间未用水" in tasks["WM-stops"].title and "离线" in tasks["WM-silent"].title


def test_rerun_never_duplicates_and_resolution_then_new_episode(meters, personas):
    meters_detect(now=NOW)
    again = meters_detect(now=NOW + timedelta(minutes=30))
    assert again.raised == 0 and again.tasks == 0
    assert Task.objects.filter(source_type=ALERT_SOURCE).count() == 3
    officer = personas["district_officer"]
    # The silent meter reports again (with use): its offline alert ends; the person who stopped uses water again.
    readings_ingest(acting_user=officer, rows=[
        {"meter": "WM-silent", "time": _at(-1), "reading": "0.60"},
        {"meter": "WM-stops", "time": _at(-1), "reading": "0.30"}])
    later = meters_detect(now=NOW + timedelta(hours=1))
    assert "WM-silent" not in _open("offline") and "WM-stops" not in _open("no_use")
    assert later.resolved >= 2
    assert Task.objects.filter(source_type=ALERT_SOURCE).count() == 3  # the tasks stay for the worker to close


def test_escalation_of_an_overdue_alarm(meters):
    from tasks.services import tasks_escalate_overdue

    meters_detect(now=NOW)
    moved = tasks_escalate_overdue(now=NOW + timedelta(hours=5))
    task = Task.objects.get(source_type=ALERT_SOURCE, detail__设备编号="WM-stops")
    assert moved >= 1 and task.handling_level == "town"


def test_api_readings_and_alerts(meters, personas):
    api = APIClient()
    api.force_authenticate(personas["district_officer"])
    ok = api.post("/api/meter-readings/", [{"meter": "WM-normal", "time": _at(-1), "reading": 1.5}], format="json")
    assert ok.status_code == 200 and ok.json() == {"received": 1, "stored": 1, "duplicates": 0}
    bad = api.post("/api/meter-readings/", [{"meter": "WM-x", "time": _at(0), "reading": 1}], format="json")
    assert bad.status_code == 400 and "第1条 meter" in bad.json()["readings"][0]
    assert api.post("/api/meter-readings/", {"meter": "WM-normal"}, format="json").status_code == 400
    meters_detect(now=NOW)
    worker = APIClient()
    worker.force_authenticate(personas["community_worker"])
    codes = {a["meter_code"]: a["kind_label"] for a in worker.get("/api/meter-alerts/?open=1").json()["results"]}
    assert codes == {"WM-stops": "长时间未用水", "WM-silent": "设备离线（无读数上报）", "WM-runs": "持续异常用水"}
    outsider = APIClient()
    outsider.force_authenticate(personas["outsider"])
    assert outsider.get("/api/meter-alerts/").json()["results"] == []


def test_readings_from_a_file_through_the_staged_import(meters, personas, django_capture_on_commit_callbacks):
    from imports.services import import_batch_commit, import_batch_stage

    officer = personas["district_officer"]
    content = ("设备编号,读数时间,累计读数（立方米）\n"
               f"WM-normal,{timezone.localtime(NOW + timedelta(hours=1)):%Y-%m-%d %H:%M},2.5\n"
               f"WM-normal,{timezone.localtime(NOW - timedelta(hours=3)):%Y-%m-%d %H:%M},0.16\n"  # already stored
               "WM-unknown,2026-12-07 08:00,1\n"
               "WM-normal,明天,1\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_stage(acting_user=officer, schema="meter_readings", filename="水表.csv", content=content)
    batch.refresh_from_db()
    assert (batch.good_rows, batch.bad_rows) == (2, 2)
    errors = sorted(e for r in batch.rows.all() for e in r.errors)
    assert any("WM-unknown" in e for e in errors) and any("读数时间" in e for e in errors)
    before = MeterReading.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_commit(acting_user=officer, batch=batch)
    assert MeterReading.objects.count() == before + 1
    assert MeterReading.objects.get(meter=meters["normal"], time=NOW + timedelta(hours=1)).litres == 2500
