"""The rules of the added feeds, each on crafted data: who it flags, who it leaves alone, what it does."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.models import Recheck
from monitoring.conditions import ConditionError, condition_check
from monitoring.models import Rule, Warning
from monitoring.services import rule_preview, rules_run
from programs.models import Enrolment
from registry.models import Person
from registry.services import income_add
from tasks.models import Task
from tests.monitoring.conftest import enrol


def warned(rule_code: str) -> set[str]:
    return set(Warning.objects.filter(rule__code=rule_code).values_list("person__name", flat=True))


def row(person, event_date="2026-10-01", **payload):
    return {"id_number": person.id_number, "name": person.name, "event_date": event_date, **payload}


# ---- 火化（殡葬）: same as a 公安 death ---------------------------------------------------------------------------

def test_funeral_of_an_enrolled_person_records_the_death_and_ends_the_enrolment(people, upload, areas):
    upload("funeral", [row(people["a1"], event_date="2026-09-28", cremated_on="2026-10-01", certificate="H1"),
                       row(people["b1"], event_date="2026-09-20", cremated_on="2026-09-22", certificate="H2")])
    assert warned("funeral_enrolled") == {"张三"}
    warning = Warning.objects.get(rule__code="funeral_enrolled")
    assert warning.warning_type == "death_stop" and warning.severity == 1
    a1 = Person.objects.get(pk=people["a1"].pk)
    assert a1.status == Person.Status.DECEASED and a1.death_date == date(2026, 9, 28)  # the death date, not 火化
    assert Person.objects.get(pk=people["b1"].pk).status == Person.Status.ACTIVE  # not enrolled: not this rule's
    assert Task.objects.get(source_id=warning.pk, source_type="monitoring.warning").assigned_area_id == areas["town_a"]


def test_funeral_after_the_police_death_raises_nothing_more(people, upload):
    upload("death", [row(people["a1"], event_date="2026-09-28")])
    assert warned("death_enrolled") == {"张三"}
    upload("funeral", [row(people["a1"], event_date="2026-09-28", cremated_on="2026-10-01", certificate="H1")])
    assert warned("funeral_enrolled") == set()  # the enrolment has ended: nobody enrolled is left to stop


# ---- 重特大疾病: households near the line, not receiving assistance ------------------------------------------------

def test_serious_illness_flags_households_near_the_line_only(people, upload, personas):
    officer = personas["district_officer"]
    # 王五 (rural, alone): 1000 > 630 × 1.5 = 945 — above the near-the-line mark
    income_add(acting_user=officer, household=people["household_b"], person=people["b1"], category="wage",
               monthly_amount=Decimal("1000"), start_month=date(2025, 1, 1))
    upload("serious_illness", [row(people["c1"], disease="恶性肿瘤"),      # alone, no income: flagged
                               row(people["b1"], disease="尿毒症"),        # income above the mark
                               row(people["a2"], disease="白血病")])       # household in 低保 already
    assert warned("serious_illness_near_line") == {"赵六"}
    warning = Warning.objects.get(rule__code="serious_illness_near_line")
    task = Task.objects.get(source_id=warning.pk, source_type="monitoring.warning")
    assert warning.warning_type == "possibly_eligible" and task.handling_level == "community"
    assert "临时救助" in task.detail["advice"]


def test_serious_illness_threshold_is_the_policy_parameter(people, upload, personas):
    from programs.models import PolicyParameter

    officer = personas["district_officer"]
    income_add(acting_user=officer, household=people["household_b"], person=people["b1"], category="wage",
               monthly_amount=Decimal("1000"), start_month=date(2025, 1, 1))
    # a higher 低保边缘 multiplier in force moves the mark to 630 × 2 = 1260: 王五 is now near the line
    PolicyParameter.objects.filter(program_id="dibao_bianyuan", key="bianyuan_multiplier").update(value=Decimal(2))
    upload("serious_illness", [row(people["b1"], disease="尿毒症")])
    assert warned("serious_illness_near_line") == {"王五"}


# ---- 防止返贫监测对象 ------------------------------------------------------------------------------------------

def test_relapse_watch_flags_members_at_risk_without_assistance(people, upload):
    upload("relapse_watch", [row(people["b1"], monitor_kind="边缘易致贫户", risk_status="风险未消除"),
                             row(people["c1"], monitor_kind="脱贫不稳定户", risk_status="风险已消除"),
                             row(people["a1"], monitor_kind="突发严重困难户", risk_status="风险未消除")])
    assert warned("relapse_watch_not_enrolled") == {"王五"}
    assert Warning.objects.get(rule__code="relapse_watch_not_enrolled").area_id == people["b1"].area_id


# ---- 户籍迁出本区 --------------------------------------------------------------------------------------------

def test_moving_out_of_the_district_asks_for_a_recheck(people, upload, areas, personas):
    from registry.services import person_create
    from tests.conftest import make_id

    enrol(household=people["household_c"], person=people["c1"], area=areas["community_a2"])
    d1 = person_create(acting_user=personas["district_officer"], name="孙七", area_code=areas["community_a"],
                       id_number=make_id("500106", "19550505", 7))
    enrol(person=d1, program="tekun", area=areas["community_a"])
    upload("hukou", [row(people["a1"], change_type="迁出", destination_code="500103"),        # out: flagged
                     row(people["a2"], change_type="迁出", destination_code="500106002"),     # within: no
                     row(people["b1"], change_type="迁出", destination_code="500103"),        # not enrolled
                     row(people["c1"], change_type="迁出"),                                   # unknown: check
                     row(people["a2"], event_date="2026-10-02", change_type="分户"),          # not a move out
                     row(d1, change_type="户口注销", reason="出国定居")])                     # cancelled: check
    assert warned("hukou_moved_out_enrolled") == {"张三", "赵六", "孙七"}
    assert Recheck.objects.filter(enrolment__household=people["household_a"], status="due", trigger="data").exists()
    assert Recheck.objects.filter(enrolment__household=people["household_c"], status="due").exists()


# ---- 婚姻登记 -----------------------------------------------------------------------------------------------

def test_marriage_in_an_assisted_household_asks_for_a_composition_recheck(people, upload):
    upload("marriage", [row(people["a2"], kind="离婚登记"), row(people["b1"], kind="结婚登记")])
    assert warned("marriage_enrolled") == {"李四"}
    warning = Warning.objects.get(rule__code="marriage_enrolled")
    assert warning.household == people["household_a"] and warning.warning_type == "no_longer_eligible"
    enrolment = Enrolment.objects.get(household=people["household_a"])
    recheck = Recheck.objects.get(enrolment=enrolment, status="due")
    assert recheck.basis["rule"] == "marriage_enrolled"


# ---- every new rule: preview before it is switched on -----------------------------------------------------------

PREVIEW = [
    ("funeral_enrolled", "funeral", lambda p: [row(p["a1"], cremated_on="2026-10-02", certificate="H9"),
                                                row(p["b1"], cremated_on="2026-10-02", certificate="H8")]),
    ("serious_illness_near_line", "serious_illness", lambda p: [row(p["c1"], disease="肿瘤"),
                                                                 row(p["a1"], disease="肿瘤")]),
    ("relapse_watch_not_enrolled", "relapse_watch",
     lambda p: [row(p["b1"], monitor_kind="unstable", risk_status="at_risk"),
                row(p["a1"], monitor_kind="unstable", risk_status="at_risk")]),
    ("hukou_moved_out_enrolled", "hukou", lambda p: [row(p["a1"], change_type="move_out", destination_code="500103"),
                                                      row(p["b1"], change_type="move_out",
                                                          destination_code="500103")]),
    ("marriage_enrolled", "marriage", lambda p: [row(p["a2"], kind="marriage"), row(p["b1"], kind="marriage")]),
]


@pytest.mark.parametrize(("code", "feed", "rows"), PREVIEW, ids=[p[0] for p in PREVIEW])
def test_preview_counts_who_the_rule_would_flag(code, feed, rows, people, upload, personas):
    rule = Rule.objects.get(code=code)
    Rule.objects.filter(feed_type=feed).update(active=False)
    assert rule_preview(rule) == {"count": 0, "error": ""}
    upload(feed, rows(people))
    assert rule_preview(rule) == {"count": 1, "error": ""}
    Rule.objects.filter(pk=rule.pk).update(active=True)
    assert rules_run(acting_user=personas["district_officer"])["warnings"] == 1
    assert rule_preview(rule) == {"count": 0, "error": ""}  # flagged once: nothing new to flag


def test_preview_names_a_missing_parameter(people):
    from programs.models import PolicyParameter

    PolicyParameter.objects.filter(program_id="dibao_bianyuan", key="bianyuan_multiplier").delete()
    result = rule_preview(Rule.objects.get(code="serious_illness_near_line"))
    assert result["count"] is None and "bianyuan_multiplier" in result["error"]


def test_the_prefix_comparison_is_checked():
    condition_check({"field": "payload.destination_code", "op": "prefix", "value": "500106"})
    for bad in ({"field": "payload.destination_code", "op": "prefix", "value": 500106},
                {"field": "payload.destination_code", "op": "prefix", "value": "50%"},
                {"field": "event_date", "op": "prefix", "value": "2026"},
                {"field": "payload.destination_code", "op": "prefix", "param": "medical_warning_threshold"}):
        with pytest.raises(ConditionError):
            condition_check(bad)
