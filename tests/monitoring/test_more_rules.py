"""The rules added after the core: pension income above the 低保 standard (with a re-check), large medical
spending near the line, and 免申即享 高龄津贴 auto-enrolment."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.models import Recheck
from audit.models import DomainEvent
from monitoring.conditions import ConditionError, condition_check
from monitoring.models import Warning
from monitoring.services import auto_enrol_old_age, old_age_candidates
from programs.models import Enrolment, EnrolmentChange, PolicyParameter
from registry.models import Person
from registry.services import household_create, income_add, person_create, person_record_death
from tasks.models import Task
from tests.conftest import make_id

MONTH = date(2025, 1, 1)  # incomes cover every month from here on


def warned(rule_code: str) -> set[str]:
    return set(Warning.objects.filter(rule__code=rule_code).values_list("person__name", flat=True))


def row(person, event_date="2026-10-01", **payload):
    return {"id_number": person.id_number, "name": person.name, "event_date": event_date, **payload}


def add_income(officer, household, person, category: str, amount: str, **kwargs):
    return income_add(acting_user=officer, household=household, person=person, category=category,
                      monthly_amount=Decimal(amount), start_month=MONTH, **kwargs)


# ---- 养老金/工资使人均收入达到低保标准 ------------------------------------------------------------------------------

@pytest.fixture
def household_a_income(people, personas):
    """household_a (urban, 2 members, 低保): wage 600 − illness expense 100 = 500; the line is 770 × 2 = 1540."""
    officer = personas["district_officer"]
    add_income(officer, people["household_a"], people["a1"], "wage", "600")
    add_income(officer, people["household_a"], people["a2"], "illness_expense", "100")
    # an income that ended before this month and an excluded one do not count
    add_income(officer, people["household_a"], people["a1"], "wage", "5000", end_month=date(2025, 6, 1))
    add_income(officer, people["household_a"], people["a2"], "basic_pension", "900")
    return people


def test_pension_lifting_income_to_the_standard_asks_for_a_recheck(household_a_income, upload, areas):
    people = household_a_income
    upload("pension", [row(people["a2"], monthly_amount="1040"),   # 500 + 1040 = 1540 ≥ 1540: flagged
                       row(people["b1"], monthly_amount="9000")])  # not enrolled: not this rule's business
    assert warned("pension_income_above_standard") == {"李四"}
    warning = Warning.objects.get(rule__code="pension_income_above_standard")
    assert warning.warning_type == "no_longer_eligible" and warning.household == people["household_a"]
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    assert task.assigned_area_id == areas["town_a"]
    recheck = Recheck.objects.get(enrolment__household=people["household_a"], status="due")
    assert recheck.kind == "unstable" and recheck.trigger == "data"
    assert recheck.due_on == task.deadline.astimezone().date()
    assert recheck.basis["warning"] == warning.pk


def test_a_pension_warning_rechecks_only_means_tested_enrolments(household_a_income, upload, areas):
    """李四 (低保 household_a) also receives 高龄津贴: the warning re-checks the 低保, never the 高龄津贴."""
    from tests.monitoring.conftest import enrol

    people = household_a_income
    gaoling = enrol(person=people["a2"], program="gaoling", area=areas["community_a"])
    upload("pension", [row(people["a2"], monthly_amount="1040")])
    assert warned("pension_income_above_standard") == {"李四"}
    assert set(Recheck.objects.values_list("enrolment__program_id", flat=True)) == {"dibao"}
    assert not Recheck.objects.filter(enrolment=gaoling).exists()


def test_pension_that_leaves_income_below_the_standard_is_not_flagged(household_a_income, upload):
    people = household_a_income
    upload("pension", [row(people["a2"], monthly_amount="1039.99")])  # 1539.99 < 1540
    assert warned("pension_income_above_standard") == set()
    assert not Recheck.objects.exists()


def test_a_due_recheck_is_brought_forward_not_duplicated(household_a_income, upload):
    people = household_a_income
    enrolment = Enrolment.objects.get(household=people["household_a"])
    far = Recheck.objects.create(enrolment=enrolment, area_id=enrolment.area_id, kind="stable",
                                 due_on=date(2027, 9, 1))
    upload("pension", [row(people["a1"], monthly_amount="3000")])
    far.refresh_from_db()
    assert Recheck.objects.filter(enrolment=enrolment).count() == 1
    assert far.trigger == "data" and far.due_on < date(2027, 1, 1)


def test_a_rural_household_is_held_to_the_rural_standard(people, upload, personas, areas):
    from tests.monitoring.conftest import enrol

    officer = personas["district_officer"]
    enrol(household=people["household_b"], person=people["b1"], area=areas["community_b"])
    add_income(officer, people["household_b"], people["b1"], "wage", "100")
    upload("pension", [row(people["b1"], monthly_amount="530")])  # 630 rural (770 urban would not flag)
    assert warned("pension_income_above_standard") == {"王五"}


# ---- 大额医疗自付且收入接近低保标准 ---------------------------------------------------------------------------------

def test_medical_spending_flags_only_households_near_the_line(people, upload, personas, areas):
    officer = personas["district_officer"]
    # 赵六 lives alone (urban): 1155 = 770 × 1.5 is the line; 1200 is above it
    add_income(officer, people["household_c"], people["c1"], "wage", "1200")
    d1 = person_create(acting_user=officer, name="孙七", area_code=areas["community_a"],
                       id_number=make_id("500106", "19550505", 7))  # in no household: alone, no income
    e1 = person_create(acting_user=officer, name="周八", area_code=areas["community_a2"],
                       id_number=make_id("500106", "19660606", 8))
    he = household_create(acting_user=officer, area_code=areas["community_a2"], hukou_type="urban",
                          members=[{"person": e1, "relation": "head"}])
    add_income(officer, he, e1, "wage", "1154.99")  # just below the line
    upload("medical", [row(people["b1"], settlement_no="S1", out_of_pocket="12000"),
                       row(people["c1"], settlement_no="S2", out_of_pocket="30000"),
                       row(d1, settlement_no="S3", out_of_pocket="15000"),
                       row(e1, settlement_no="S4", out_of_pocket="15000"),
                       row(people["a2"], settlement_no="S5", out_of_pocket="30000")])  # enrolled in 低保
    assert warned("medical_not_enrolled") == {"王五", "孙七", "周八"}
    assert set(Warning.objects.values_list("warning_type", flat=True)) == {"possibly_eligible"}


def test_the_household_income_condition_is_checked(people):
    condition_check({"household_income": {"op": "<", "times": "dibao_bianyuan:bianyuan_multiplier"}})
    for bad in ({"household_income": {"op": "="}}, {"household_income": {"op": "<", "add": "event_date"}},
                {"household_income": {"op": "<", "times": "bianyuan_multiplier"}},
                {"household_income": {"op": "<", "sql": "1"}}, {"household_income": "<"}):
        with pytest.raises(ConditionError):
            condition_check(bad)


# ---- 免申即享：高龄津贴 -----------------------------------------------------------------------------------------

TODAY = date(2026, 11, 26)


@pytest.fixture
def elders(personas, areas, registry_data):
    officer = personas["district_officer"]

    def person(name, birth, seq, area="community_a"):
        return person_create(acting_user=officer, name=name, area_code=areas[area],
                             id_number=make_id("500106", birth.strftime("%Y%m%d"), seq), birth_date=birth)

    return {
        "turns_80_today": person("钱一", date(1946, 11, 26), 11),
        "turns_80_tomorrow": person("钱二", date(1946, 11, 27), 12),
        "aged_95": person("钱三", date(1931, 3, 1), 13, "community_b"),
        "aged_100": person("钱四", date(1926, 1, 1), 14),
        "dead": person("钱五", date(1930, 1, 1), 15),
        "moved_out": person("钱六", date(1930, 2, 2), 16),
        "enrolled": person("钱七", date(1935, 5, 5), 17),
    }


def test_old_age_allowance_is_enrolled_automatically_once(elders, personas, areas):
    officer = personas["district_officer"]
    person_record_death(acting_user=officer, person=elders["dead"], death_date=date(2026, 10, 1))
    Person.objects.filter(pk=elders["moved_out"].pk).update(status="moved_out")
    Enrolment.objects.create(program_id="gaoling", person=elders["enrolled"], area_id=areas["community_a"],
                             monthly_amount=Decimal("25.00"), start_month=date(2025, 1, 1))

    result = auto_enrol_old_age(today=TODAY)
    assert result["enrolled"] == 3
    rows = {e.person.name: e for e in Enrolment.objects.filter(program_id="gaoling").select_related("person")}
    assert set(rows) == {"钱一", "钱三", "钱四", "钱七"}
    assert rows["钱一"].monthly_amount == Decimal("25.00") and rows["钱一"].start_month == date(2026, 11, 1)
    assert rows["钱三"].monthly_amount == Decimal("100.00") and rows["钱三"].area_id == areas["community_b"]
    assert rows["钱四"].monthly_amount == Decimal("500.00")
    assert rows["钱四"].start_month == date(2026, 11, 1)  # no automatic arrears
    assert rows["钱一"].calculation["unverified"] is True  # placeholder amounts say so
    assert {"label": "年龄（周岁）", "value": "80"} in rows["钱一"].calculation["lines"]
    assert EnrolmentChange.objects.filter(enrolment__program_id="gaoling", kind="start").count() == 3
    notices = DomainEvent.objects.filter(type="auto_enrol_notice")
    assert notices.count() == 3 and "免申即享" in notices.get(person=elders["turns_80_today"]).message

    assert auto_enrol_old_age(today=TODAY) == {"enrolled": 0, "month": "2026-11-01"}
    assert Enrolment.objects.filter(program_id="gaoling").count() == 4 and notices.count() == 3
    # the next day the next birthday is picked up, nobody else
    assert auto_enrol_old_age(today=date(2026, 11, 27))["enrolled"] == 1


def test_old_age_candidates_outside_the_district_or_without_birth_date(elders, personas, areas):
    Person.objects.filter(pk=elders["aged_95"].pk).update(birth_date=None)
    names = set(old_age_candidates(today=TODAY).values_list("name", flat=True))
    assert "钱三" not in names and "钱一" in names and "钱二" not in names


def test_old_age_enrolment_needs_the_band_amounts(elders):
    from programs.selectors import ParameterNotFound

    PolicyParameter.objects.filter(program_id="gaoling", key="gaoling_100").delete()
    with pytest.raises(ParameterNotFound):
        auto_enrol_old_age(today=TODAY)
    assert not Enrolment.objects.filter(program_id="gaoling").exists()


def test_gaoling_quote_uses_the_band(elders):
    from programs.calculations import quote
    from programs.models import Program

    result = quote(program=Program.objects.get(code="gaoling"), month=TODAY, person=elders["aged_95"])
    assert result.monthly_amount == Decimal("100") and result.eligible
    under = quote(program=Program.objects.get(code="gaoling"), month=TODAY, person=elders["turns_80_tomorrow"])
    assert not under.eligible


def test_auto_enrol_command(elders):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("auto_enrol_old_age", "--today", "2026-11-26", stdout=out)
    assert "已自动纳入 6 人" in out.getvalue()  # all 80+ here: nobody is dead, moved out or enrolled yet


def test_old_age_allowance_leaves_out_a_hukou_outside_chongqing_in_one_query(elders, personas):
    """重庆户籍 (《重庆市高龄津贴免申即享发放管理办法》): a recorded 户籍地 outside Chongqing keeps a person out of the
    bulk enrolment; one moved back in (a later Chongqing 户籍地) and one with none recorded are enrolled."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs.calculations import quote
    from programs.models import Program
    from registry.facts import person_fact_record
    from registry.models import PersonFact

    officer = personas["district_officer"]
    hukou = PersonFact.Kind.HUKOU_PLACE
    person_fact_record(acting_user=officer, person=elders["aged_95"], kind=hukou, value="510104",
                       valid_from=date(2020, 1, 1))  # 成都市锦江区
    person_fact_record(acting_user=officer, person=elders["aged_100"], kind=hukou, value="510104",
                       valid_from=date(2020, 1, 1))
    person_fact_record(acting_user=officer, person=elders["aged_100"], kind=hukou, value="500106001",
                       valid_from=date(2026, 1, 1))  # moved back to 沙坪坝 before TODAY

    with CaptureQueriesContext(connection) as captured:
        names = set(old_age_candidates(today=TODAY).values_list("name", flat=True))
    assert len(captured) == 1  # the 户籍 check is a subquery, not a query per person
    assert "钱三" not in names and {"钱一", "钱四"} <= names

    auto_enrol_old_age(today=TODAY)
    enrolled = set(Enrolment.objects.filter(program_id="gaoling").values_list("person__name", flat=True))
    assert "钱三" not in enrolled and {"钱一", "钱四"} <= enrolled
    single = quote(program=Program.objects.get(code="gaoling"), month=TODAY, person=elders["aged_95"])
    assert not single.eligible and any("不在重庆市" in reason for reason in single.reasons)
