"""Each starting rule on crafted data: it flags who it should and not who it should not; re-runs add nothing."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from monitoring.models import Rule, RuleFailure, Warning
from monitoring.services import rule_preview, rule_update, rules_run
from programs.models import Enrolment
from registry.models import Person
from tasks.models import Task
from workcalendar.services import add_working_days


def warned(rule_code: str) -> set[str]:
    return set(Warning.objects.filter(rule__code=rule_code).values_list("person__name", flat=True))


def row(person, event_date="2025-12-01", **payload):
    return {"id_number": person.id_number, "name": person.name, "event_date": event_date, **payload}


def test_death_of_an_enrolled_person_stops_payment(people, upload, areas):
    batch = upload("death", [row(people["a1"], "2025-12-10"), row(people["b1"], "2025-12-11")])
    assert warned("death_enrolled") == {"张三"}
    assert batch.warnings_created == 1
    a1 = Person.objects.get(pk=people["a1"].pk)
    assert a1.status == Person.Status.DECEASED and a1.death_date == date(2025, 12, 10)
    # 王五 is not enrolled: recorded as a department fact only, not applied to the registry by the rule
    assert Person.objects.get(pk=people["b1"].pk).status == Person.Status.ACTIVE
    warning = Warning.objects.get()
    assert warning.severity == 1 and warning.warning_type == "death_stop"
    assert warning.household == people["household_a"]
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    assert task.handling_level == "town" and task.assigned_area_id == areas["town_a"]
    assert task.area_id == areas["community_a"]


def test_death_of_the_only_member_ends_the_enrolment(people, upload, areas):
    from tests.monitoring.conftest import enrol

    enrolment = enrol(household=people["household_c"], person=people["c1"], area=areas["community_a2"])
    upload("death", [row(people["c1"], "2025-12-10")])
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED and enrolment.end_month == date(2025, 12, 1)


def test_death_that_cannot_be_applied_is_a_reviewable_failure(people, upload, personas):
    from tests.monitoring.conftest import enrol

    enrol(household=people["household_c"], person=people["c1"], area=people["c1"].area_id)
    # born 1960-06-06: a death date before the birth date is refused by the registry
    upload("death", [row(people["c1"], "1950-01-01")])
    assert warned("death_enrolled") == {"赵六"}
    failure = RuleFailure.objects.get()
    assert "自动登记死亡失败" in failure.error and failure.dept_record.person == people["c1"]
    assert Person.objects.get(pk=people["c1"].pk).status == Person.Status.ACTIVE


@pytest.mark.parametrize(("feed", "rule", "payload"), [
    ("vehicle", "vehicle_enrolled", {"plate": "渝A12345"}),
    ("real_estate", "real_estate_enrolled", {"certificate": "渝(2025)沙坪坝区不动产权第1号"}),
    ("business", "business_enrolled", {"credit_code": "92500106MA5U123456", "entity_name": "某某便利店"}),
])
def test_assets_of_an_enrolled_household_member_ask_for_a_recheck(people, upload, areas, feed, rule, payload):
    upload(feed, [row(people["a2"], **payload), row(people["b1"], **payload), row(people["c1"], **payload)])
    assert warned(rule) == {"李四"}  # a member of the 低保 household, though not its applicant
    warning = Warning.objects.get(rule__code=rule)
    assert warning.warning_type == "no_longer_eligible"
    assert Task.objects.get(source_id=warning.pk).assigned_area_id == areas["town_a"]


def test_large_medical_spending_of_a_non_enrolled_person(people, upload, areas):
    upload("medical", [
        row(people["b1"], settlement_no="S1", out_of_pocket="12000"),
        row(people["c1"], settlement_no="S2", out_of_pocket="10000.00"),  # 超过1万元: exactly 10,000 is not
        row(people["a2"], settlement_no="S3", out_of_pocket="30000"),
    ])
    assert warned("medical_not_enrolled") == {"王五"}
    warning = Warning.objects.get()
    task = Task.objects.get(source_id=warning.pk)
    # proactive discovery goes to the community worker's queue, with the suggested application
    assert task.handling_level == "community" and task.assigned_area_id == areas["community_b"]
    assert "临时救助" in task.detail["advice"]
    due = add_working_days(timezone.localdate(), 10)
    assert timezone.localtime(task.deadline) == timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


def test_threshold_is_the_policy_parameter(people, upload, personas):
    from programs.services import policy_parameter_set

    policy_parameter_set(acting_user=personas["district_officer"], program=None, key="medical_warning_threshold",
                         area_code="500000000000", value="5000", valid_from=date(2024, 1, 1),
                         source="测试：本地调整", verified=False)
    upload("medical", [row(people["c1"], settlement_no="S2", out_of_pocket="6000")])
    assert warned("medical_not_enrolled") == {"赵六"}


def test_unemployment_and_severe_disability_not_enrolled(people, upload):
    upload("unemployment", [row(people["c1"]), row(people["a2"])])
    assert warned("unemployment_not_enrolled") == {"赵六"}
    upload("disability", [row(people["c1"], certificate="C1", category="肢体残疾", grade="二级"),
                          row(people["b1"], certificate="C2", category="视力残疾", grade="3"),
                          row(people["a2"], certificate="C3", category="智力残疾", grade="1")])
    assert warned("disability_severe_not_enrolled") == {"赵六"}
    assert warned("disability_care_not_applied") == set()  # seeded switched off


def test_policy_not_applied_once_switched_on(people, upload, personas):
    upload("disability", [row(people["a2"], certificate="C3", category="智力残疾", grade="1"),
                          row(people["c1"], certificate="C1", category="肢体残疾", grade="2")])
    rule = Rule.objects.get(code="disability_care_not_applied")
    assert rule_preview(rule) == {"count": 1, "error": ""}  # shown before switching it on
    # Switching it on runs it over the records already stored: the count the preview promised comes true.
    rule = rule_update(acting_user=personas["district_officer"], rule=rule, active=True)
    assert rule.run_result["warnings"] == 1 and warned("disability_care_not_applied") == {"李四"}
    assert rule_preview(rule)["count"] == 0  # nothing new to flag
    assert rules_run(acting_user=personas["district_officer"])["warnings"] == 0


def test_rerunning_the_rules_creates_nothing_new(people, upload):
    upload("unemployment", [row(people["c1"]), row(people["b1"])])
    assert Warning.objects.count() == 2 and Task.objects.count() == 2
    assert rules_run()["warnings"] == 0
    assert Warning.objects.count() == 2 and Task.objects.count() == 2
    # a second record for the same person while the warning is open: no second warning
    upload("unemployment", [row(people["c1"], "2026-01-05")], period="2026-02")
    assert Warning.objects.count() == 2


def test_a_failing_rule_is_recorded_and_the_others_still_run(people, upload, personas):
    Rule.objects.filter(code="medical_not_enrolled").update(
        condition={"field": "payload.out_of_pocket", "op": ">=", "param": "no_such_parameter"})
    batch = upload("medical", [row(people["b1"], settlement_no="S1", out_of_pocket="12000")])
    Rule.objects.create(code="medical_any", name="任一住院", feed_type="medical", condition={},
                        warning_type="possibly_eligible", handling_level="community", deadline_hours=48,
                        active=True)
    result = rules_run(feed_batch=batch)
    assert result == {"warnings": 1, "rule_failures": 1, "deaths_recorded": 0, "rechecks": 0}
    assert warned("medical_any") == {"王五"}
    failure = RuleFailure.objects.filter(rule__code="medical_not_enrolled").latest("id")
    assert "no_such_parameter" in failure.error
    assert rule_preview(Rule.objects.get(code="medical_not_enrolled"))["count"] is None


def test_rule_update_refuses_conditions_outside_the_vocabulary(personas):
    from django.core.exceptions import PermissionDenied, ValidationError

    rule = Rule.objects.get(code="vehicle_enrolled")
    for bad in ({"eval": "1"}, {"field": "payload.x; drop", "op": "=", "value": "1"},
                {"field": "payload.x", "op": "~", "value": "1"}, {"all": []}, {"enrolled_in": "dibao"}):
        with pytest.raises(ValidationError):
            rule_update(acting_user=personas["district_officer"], rule=rule, condition=bad)
    with pytest.raises(PermissionDenied):
        rule_update(acting_user=personas["town_officer"], rule=rule, active=False)


def test_condition_vocabulary_any_not_and_text(people, upload):
    upload("vehicle", [row(people["b1"], plate="渝A1", vehicle_type="小型轿车"),
                       row(people["c1"], plate="渝A2", vehicle_type="摩托车"),
                       row(people["a2"], plate="渝A3")])
    rule = Rule.objects.create(
        code="car_text", name="文本条件", feed_type="vehicle", warning_type="no_longer_eligible",
        handling_level="town", deadline_working_days=5, active=True,
        condition={"any": [{"field": "payload.vehicle_type", "op": "in", "value": ["小型轿车"]},
                           {"not": {"field": "payload.vehicle_type", "op": "!=", "value": "摩托车"}}]})
    rules_run()
    # a comparison is false where the value is missing, so its negation is true there: 李四 has no type
    assert warned(rule.code) == {"王五", "赵六", "李四"}
    rule2 = Rule.objects.create(
        code="car_text2", name="文本条件", feed_type="vehicle", warning_type="no_longer_eligible",
        handling_level="town", deadline_working_days=5, active=True,
        condition={"field": "payload.vehicle_type", "op": "!=", "value": "摩托车"})
    rules_run()
    assert warned(rule2.code) == {"王五"}


def test_closing_a_death_warning_as_confirmed_registers_the_death_and_stops_payment(people, upload, personas):
    """The rule only warns (no automatic registration): confirming the warning is what stops the money."""
    from tasks.services import task_close
    from tests.monitoring.conftest import enrol

    enrolment = enrol(household=people["household_c"], person=people["c1"], area=people["c1"].area_id)
    Rule.objects.filter(code="death_enrolled").update(action="")
    upload("death", [row(people["c1"], "2025-12-10")])
    assert Person.objects.get(pk=people["c1"].pk).status == Person.Status.ACTIVE
    warning = Warning.objects.get(rule__code="death_enrolled")
    task_close(acting_user=personas["district_officer"], task=Task.objects.get(source_id=warning.pk),
               outcome="confirmed", note="经核实已死亡")
    c1 = Person.objects.get(pk=people["c1"].pk)
    assert (c1.status, c1.death_date) == (Person.Status.DECEASED, date(2025, 12, 10))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED and enrolment.end_month == date(2025, 12, 1)
    warning.refresh_from_db()
    assert (warning.status, warning.outcome) == ("closed", "confirmed")


def test_a_death_warning_found_untrue_changes_nothing(people, upload, personas):
    from tasks.services import task_close

    Rule.objects.filter(code="death_enrolled").update(action="")
    upload("death", [row(people["a1"], "2025-12-10")])
    warning = Warning.objects.get(rule__code="death_enrolled")
    task_close(acting_user=personas["district_officer"], task=Task.objects.get(source_id=warning.pk),
               outcome="not_confirmed", note="本人健在，公安数据有误")
    assert Person.objects.get(pk=people["a1"].pk).status == Person.Status.ACTIVE


def test_closing_a_no_longer_eligible_warning_as_confirmed_opens_the_recheck_now(people, upload, personas):
    """The vehicle rule warns only (no action): confirming it brings the household's 低保 re-check to today."""
    from django.utils import timezone

    from assistance.models import Recheck
    from tasks.services import task_close

    Rule.objects.filter(code="vehicle_enrolled").update(action="")
    upload("vehicle", [row(people["a2"], plate="渝A12345")])
    assert not Recheck.objects.filter(status="due").exists()
    warning = Warning.objects.get(rule__code="vehicle_enrolled")
    task_close(acting_user=personas["district_officer"], task=Task.objects.get(source_id=warning.pk),
               outcome="confirmed", note="已核实名下有车辆")
    recheck = Recheck.objects.get(status="due")
    assert recheck.enrolment.household == people["household_a"] and recheck.due_on == timezone.localdate()
