"""The set-based writes of a rule run (monitoring.rule_writes): each warning, its task and the task's first event
carry what the per-object path gave them — title, detail, queue, household, deadline — and re-runs add nothing."""

from django.utils import timezone

from monitoring.models import DeptRecord, Rule, Warning
from monitoring.services import rule_update, rules_run
from registry.services import person_create
from tasks.models import Task, TaskEvent
from tests.conftest import make_id
from tests.monitoring.conftest import enrol


def test_warning_task_and_event_carry_everything(people, upload, personas, areas):
    rule = Rule.objects.get(code="vehicle_enrolled")
    a2 = people["a2"]
    upload("vehicle", [{"id_number": a2.id_number, "name": a2.name, "event_date": "2025-12-01", "plate": "渝A1"}])
    record = DeptRecord.objects.get()
    warning = Warning.objects.get()
    assert warning.dedup_key == f"vehicle_enrolled:{record.pk}" and warning.dept_record == record
    assert warning.household == people["household_a"] and warning.area_id == a2.area_id
    assert (warning.status, warning.outcome, warning.severity) == ("open", "", rule.severity)
    assert warning.created_at is not None and warning.warning_type == rule.warning_type
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    assert task.title == f"{rule.name}：{a2.name}" and task.kind == "warning"
    assert task.detail == {"warning_type": rule.warning_type, "rule": rule.code, "advice": rule.advice,
                           "severity": rule.severity, "dept_record": record.pk}
    assert (task.person, task.household, task.area_id) == (a2, people["household_a"], a2.area_id)
    assert task.assigned_area_id == areas["town_a"] and task.handling_level == "town"
    assert (task.status, task.outcome, task.evidence, task.escalation_level) == ("open", "", {}, 0)
    assert task.created_by == personas["district_officer"] and task.created_at is not None
    event = TaskEvent.objects.get(task=task)
    assert event.kind == "created" and event.by == personas["district_officer"]
    assert event.message == f"创建任务，乡镇（街道）办理，期限 {timezone.localtime(task.deadline):%Y-%m-%d %H:%M}"
    assert rules_run(acting_user=personas["district_officer"])["warnings"] == 0
    assert (Warning.objects.count(), Task.objects.count(), TaskEvent.objects.count()) == (1, 1, 1)


def test_district_level_rule_lands_in_the_district_queue(people, upload, personas, areas):
    officer = personas["district_officer"]
    rule_update(acting_user=officer, rule=Rule.objects.get(code="vehicle_enrolled"), handling_level="district")
    a1 = people["a1"]
    upload("vehicle", [{"id_number": a1.id_number, "name": a1.name, "event_date": "2025-12-01", "plate": "渝A1"}])
    task = Task.objects.get()
    assert task.assigned_area_id == areas["district"] and task.area_id == a1.area_id


def test_person_without_household_gets_a_task_without_one(people, upload, personas, areas):
    officer = personas["district_officer"]
    alone = person_create(acting_user=officer, name="孤身", area_code=areas["community_b"],
                          id_number=make_id("500106", "19500101", 7))
    enrol(person=alone, area=areas["community_b"], program="tekun")
    upload("vehicle", [{"id_number": alone.id_number, "name": "孤身", "event_date": "2025-12-01", "plate": "渝A2"}])
    warning = Warning.objects.get()
    assert warning.household is None and warning.person == alone
    assert Task.objects.get(source_id=warning.pk).household is None
