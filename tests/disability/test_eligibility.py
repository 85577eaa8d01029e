"""残疾人两项补贴: every condition at its boundary, the amounts by period, the exclusions and the quote API.

Expected amounts are the figures of RULES.md §4 (S14): from 2026-01-01 生活补贴 100, 护理补贴 一级 110 / 二级 100;
before it 生活补贴 90 (100 − 10) and the 护理 placeholders seeded unverified (一级 100 / 二级 90)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programs.calculations import quote
from programs.models import Enrolment, Program
from programs.services import enrolment_start
from tests.disability.conftest import FEB_2026

pytestmark = pytest.mark.django_db
D = Decimal
DEC_2025 = date(2025, 12, 1)
LIVING_2026, LIVING_BEFORE = D(100), D(100) - D(10)
CARE_2026 = {1: D(110), 2: D(100)}


def test_a_dibao_member_with_a_certificate_gets_the_living_allowance(make):
    household, people = make.household(2)
    make.dibao(household)
    make.certificate(people[1], 4)
    after = quote(program="disability_living", person=people[1], month=FEB_2026)
    before = quote(program="disability_living", person=people[1], month=DEC_2025)
    assert (after.eligible, after.monthly_amount) == (True, LIVING_2026)
    assert (before.eligible, before.monthly_amount) == (True, LIVING_BEFORE)
    assert after.unverified and any("困难残疾人生活补贴标准" in label for label, _ in after.lines)


def test_a_dibao_member_without_a_certificate_is_refused_by_the_certificate_rule(make):
    household, people = make.household(2)
    make.dibao(household)
    result = quote(program="disability_living", person=people[0], month=FEB_2026)
    assert not result.eligible
    assert result.reasons == ["未持有有效的残疾人证（无残疾人证，或证件已失效、注销）"]
    assert result.monthly_amount == D(0)


def test_a_certificate_holder_outside_dibao_is_refused_by_the_dibao_rule(make):
    person = make.person("持证人")
    make.certificate(person, 1)
    result = quote(program="disability_living", person=person, month=FEB_2026)
    assert result.reasons == ["不是正在享受最低生活保障（低保）家庭的成员"]
    # …while the care subsidy needs no 低保
    assert quote(program="disability_care", person=person, month=FEB_2026).monthly_amount == CARE_2026[1]


@pytest.mark.parametrize("grade", [1, 2])
def test_grades_one_and_two_get_the_care_subsidy_at_their_grade_amount(make, grade):
    person = make.person("重度")
    make.certificate(person, grade)
    result = quote(program="disability_care", person=person, month=FEB_2026)
    assert (result.eligible, result.monthly_amount) == (True, CARE_2026[grade])
    before = quote(program="disability_care", person=person, month=DEC_2025)
    assert before.eligible and before.monthly_amount == CARE_2026[grade] - D(10)


def test_a_grade_three_certificate_is_refused_the_care_subsidy(make):
    person = make.person("三级")
    make.certificate(person, 3)
    result = quote(program="disability_care", person=person, month=FEB_2026)
    assert result.reasons == ["残疾等级为三级，重度残疾人护理补贴限一级、二级残疾人"]


def test_an_expired_certificate_qualifies_for_neither(make):
    household, people = make.household(1)
    make.dibao(household)
    record = make.certificate(people[0], 1)
    assert quote(program="disability_care", person=people[0], month=FEB_2026).eligible
    record.is_current = False  # withdrawn by the 残联 (expired, not renewed)
    record.save(update_fields=["is_current"])
    for code in ("disability_care", "disability_living"):
        assert "未持有有效的残疾人证" in quote(program=code, person=people[0], month=FEB_2026).reasons[0]


def test_a_certificate_issued_after_the_month_does_not_count_for_it(make):
    person = make.person("新发证")
    make.certificate(person, 2, issued_on=date(2026, 3, 1))
    assert not quote(program="disability_care", person=person, month=FEB_2026).eligible
    assert quote(program="disability_care", person=person, month=date(2026, 3, 1)).eligible


def test_a_downgraded_certificate_loses_the_care_subsidy(make):
    person = make.person("降级")
    make.certificate(person, 2)
    make.certificate(person, 3)  # the new assessment replaces the old record
    assert not quote(program="disability_care", person=person, month=FEB_2026).eligible


def test_work_injury_care_excludes_the_care_subsidy(make):
    person = make.person("工伤")
    make.certificate(person, 1)
    result = quote(program="disability_care", person=person, month=FEB_2026, work_injury_care=True)
    assert result.reasons == ["已领取工伤保险生活护理费，不重复享受重度残疾人护理补贴"]


def test_both_subsidies_are_held_together(make):
    household, people = make.household(1)
    make.dibao(household)
    make.certificate(people[0], 1)
    living = make.enrol("disability_living", people[0], FEB_2026)
    care = make.enrol("disability_care", people[0], FEB_2026)
    assert (living.monthly_amount, care.monthly_amount) == (LIVING_2026, CARE_2026[1])


def test_tekun_is_excluded_both_ways_and_the_refusal_names_the_enrolment(make):
    elder = make.person("特困老人", birth="19450101")
    tekun = make.enrol("tekun", elder, FEB_2026, care_level="full", no_supporter=True)
    make.certificate(elder, 1)
    assert {p.code for p in Program.objects.get(code="tekun").excludes.all()} >= {"disability_living",
                                                                                   "disability_care"}
    refused = quote(program="disability_care", person=elder, month=FEB_2026)
    assert refused.reasons == ["已在享受特困人员救助供养，与重度残疾人护理补贴不能同时享受"]
    other = make.person("持证他人")
    make.certificate(other, 1)
    stale = quote(program="disability_care", person=other, month=FEB_2026)
    stale.person_id = elder.pk  # a stale eligible quote must still be refused by the service
    with pytest.raises(ValidationError) as refusal:
        enrolment_start(acting_user=make.approver, program=Program.objects.get(code="disability_care"), person=elder,
                        start_month=FEB_2026, quote=stale)
    assert f"特困人员救助供养 享受记录 #{tekun.pk}，2026年02月起，正常享受" in str(refusal.value)
    assert not Enrolment.objects.filter(program_id="disability_care").exists()


def test_a_deceased_person_is_refused(make, personas):
    from registry.services import person_record_death

    person = make.person("已故")
    make.certificate(person, 1)
    person_record_death(acting_user=personas["district_officer"], person=person, death_date=date(2026, 1, 5))
    person.refresh_from_db()
    assert "人员状态不是“正常”（已死亡或已迁出）" in quote(program="disability_care", person=person,
                                                        month=FEB_2026).reasons


def test_the_quote_api_answers_for_both(make, personas, client):
    household, people = make.household(1)
    make.dibao(household)
    make.certificate(people[0], 2)
    client.force_login(personas["district_officer"])
    for code, amount in (("disability_living", "100.00"), ("disability_care", "100.00")):
        response = client.post(f"/api/programs/{code}/quote/", {"person": people[0].pk, "month": "2026-02"},
                               content_type="application/json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["eligible"], body["reasons"], body["monthly_amount"]) == (True, [], amount)
        assert body["lines"] and body["parameters"][0]["verified"] is False
    refused = client.post("/api/programs/disability_care/quote/",
                          {"person": people[0].pk, "month": "2026-02", "work_injury_care": True},
                          content_type="application/json").json()
    assert refused["eligible"] is False and "工伤保险生活护理费" in refused["reasons"][0]
    bad = client.post("/api/programs/disability_care/quote/",
                      {"person": people[0].pk, "month": "2026-02", "work_injury_care": "maybe"},
                      content_type="application/json")
    assert bad.status_code == 400 and "work_injury_care" in bad.json()



def test_a_recorded_hukou_outside_chongqing_refuses_both_subsidies_and_leaves_the_coverage(make, personas):
    """渝民发〔2021〕15号: 重庆市户籍. A recorded 户籍地 outside Chongqing refuses; none recorded counts as the
    registry's; an enrolled holder whose 户籍 moves out is listed as no longer eligible, with the reason."""
    from disability.coverage import eligible, ineligible_enrolled, ineligible_reason
    from registry.facts import person_fact_record

    household, people = make.household(2)
    make.dibao(household)
    moved, stays = people
    for person in people:
        make.certificate(person, 1)
    make.enrol("disability_care", moved, date(2026, 1, 1))
    assert quote(program="disability_care", person=stays, month=FEB_2026).eligible  # nothing recorded: eligible
    person_fact_record(acting_user=personas["district_officer"], person=moved, kind="hukou_place",
                       value="510104000000", valid_from=date(2026, 2, 10), source="户籍迁出")  # 成都市锦江区
    person_fact_record(acting_user=personas["district_officer"], person=stays, kind="hukou_place",
                       value="500106001001", valid_from=date(2026, 2, 10))
    for program in ("disability_care", "disability_living"):
        refused = quote(program=program, person=moved, month=FEB_2026)
        assert not refused.eligible and any("户籍地（四川省成都市锦江区）不在重庆市" in r for r in refused.reasons)
        assert quote(program=program, person=stays, month=FEB_2026).eligible
        assert quote(program=program, person=moved, month=date(2026, 1, 1)).eligible  # before the move
    care = set(eligible("disability_care", FEB_2026).values_list("pk", flat=True))
    assert stays.pk in care and moved.pk not in care
    (row,) = ineligible_enrolled("disability_care", FEB_2026)
    assert row.person_id == moved.pk and ineligible_reason("disability_care", row) == "户籍已迁出重庆市"
