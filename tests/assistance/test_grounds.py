"""Grounds issue 12 adds, each with the amount worked from the official formula in the test: three refusals of
suitable work reduce that member's share of 低保 (and stop it when every member refused); 刚性支出困难 recognition
is valid 12 months, so its re-check falls 12 months on; 高龄津贴 is not income for 特困."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.grounds import work_refusal_record
from assistance.rechecks import recheck_schedule
from programs.calculations import quote
from programs.models import Enrolment
from registry.facts import person_fact_record
from registry.services import income_add

pytestmark = pytest.mark.django_db
URBAN = Decimal("770")  # 城市低保标准 渝民规〔2025〕6号, in force 2026 (seeded)
MONTH = date(2026, 3, 1)


def fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _refuse(staff, person, times: int, *, justified: bool = False, start_day: int = 2):
    for i in range(times):
        work_refusal_record(acting_user=staff["town_officer"], person=person, refused_on=date(2026, 2, start_day + i),
                            job=f"保洁员岗位{i + 1}", reason_given="不想去", justified=justified)


def test_three_refusals_without_reason_reduce_that_members_share(staff, families, clock):
    household, (head, son, daughter) = families.household(["拒一", "拒二", "拒三"])
    income_add(acting_user=staff["district_officer"], household=household, person=head, category="wage",
               monthly_amount=Decimal("900"), start_month=date(2026, 1, 1))
    person_fact_record(acting_user=staff["district_officer"], person=son, kind="labour", value="有劳动能力",
                       valid_from=date(2026, 1, 1))
    _refuse(staff, son, 2)
    _refuse(staff, son, 1, justified=True, start_day=10)  # a proper reason does not count
    before = quote(program="dibao", household=household, month=MONTH)
    assert before.monthly_amount == fen((URBAN - fen(Decimal(900) / 3)) * 3) == Decimal("1410.00")
    _refuse(staff, son, 1, start_day=20)  # the third without reason
    after = quote(program="dibao", household=household, month=MONTH)
    # per-capita income still over all three; the son's share is no longer paid
    assert after.eligible and after.monthly_amount == fen((URBAN - fen(Decimal(900) / 3)) * 2) == Decimal("940.00")
    assert after.flags["paid_members"] == 2 and after.household_size == 3
    assert any("减发：拒二" in label for label, _ in after.lines)


def test_refusals_outside_the_window_do_not_count(staff, families, clock):
    household, (alone,) = families.household(["旧拒"])
    for day in (date(2024, 12, 1), date(2024, 12, 2), date(2026, 2, 1)):
        work_refusal_record(acting_user=staff["town_officer"], person=alone, refused_on=day, job="门卫")
    result = quote(program="dibao", household=household, month=MONTH)
    assert result.eligible and result.monthly_amount == URBAN  # 12 months back from March 2026: one refusal


def test_every_member_refusing_stops_the_household(staff, families, clock):
    household, (alone,) = families.household(["全拒"])
    _refuse(staff, alone, 3)
    result = quote(program="dibao", household=household, month=MONTH)
    assert not result.eligible and "停发低保金" in "".join(result.reasons)


def test_a_member_unable_to_work_cannot_refuse_work(staff, families, clock):
    household, (elder,) = families.household(["无能力"])
    person_fact_record(acting_user=staff["district_officer"], person=elder, kind="labour", value="无劳动能力",
                       valid_from=date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        work_refusal_record(acting_user=staff["town_officer"], person=elder, refused_on=date(2026, 2, 2), job="保洁")
    assert "person" in exc.value.message_dict


def test_gangxing_recognition_is_rechecked_12_months_on(staff, families, areas):
    household, _ = families.household(["刚性甲"])
    enrolment = Enrolment.objects.create(program_id="gangxing_zhichu", household=household,
                                         area_id=areas["community_a"], monthly_amount=Decimal("0"),
                                         start_month=date(2026, 3, 1))
    # an unstable household is otherwise re-checked every 6 months; the recognition is valid 12
    recheck = recheck_schedule(enrolment=enrolment, household_kind="unstable")
    assert recheck.due_on == date(2027, 3, 1) and recheck.basis["months"] == 12
    assert "民发〔2024〕57号" in recheck.basis["source"]


def test_gaoling_allowance_is_not_income_for_tekun(staff, families, clock):
    household, (elder,) = families.household(["高龄老人"], births=["19400101"])
    for category, amount in (("wage", "500"), ("gaoling_allowance", "800")):
        income_add(acting_user=staff["district_officer"], household=household, person=elder, category=category,
                   monthly_amount=Decimal(amount), start_month=date(2026, 1, 1))
    result = quote(program="tekun", person=elder, month=MONTH, care_level="self", no_supporter=True)
    # counted income 500 (< 770, the local 低保 standard) — with 高龄津贴 it would be 1 300 and refused
    assert result.eligible, result.reasons
    assert result.total_income == Decimal("500")
    assert any("不计入" in label and "高龄津贴" in label for label, _ in result.lines)


def test_a_farming_household_income_is_the_12_month_average(staff, families, clock):
    household, (head, wife) = families.household(["务农甲", "务农乙"], hukou="rural")
    officer = staff["district_officer"]
    # harvest income: 2 400 a month from April to September 2025, nothing since
    income_add(acting_user=officer, household=household, person=head, category="business",
               monthly_amount=Decimal("2400"), start_month=date(2025, 4, 1), end_month=date(2025, 9, 1))
    plain = quote(program="dibao", household=household, month=MONTH)
    rural = Decimal("630")  # 农村低保标准 渝民规〔2025〕6号
    assert plain.monthly_amount == rural * 2  # March 2026 alone has no income
    person_fact_record(acting_user=officer, person=head, kind="employment", value="务农", valid_from=date(2025, 1, 1))
    farming = quote(program="dibao", household=household, month=MONTH)
    # March 2025 … February 2026: six months of 2 400, averaged over 12, per head over 2
    average = fen(Decimal(2400) * 6 / 12)
    assert farming.total_income == average == Decimal("1200.00")
    assert farming.monthly_amount == fen((rural - fen(average / 2)) * 2) == Decimal("60.00")
