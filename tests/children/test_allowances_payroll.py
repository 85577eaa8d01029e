"""The two allowances are paid by the existing payroll: enrolments made by recognition appear in a generated
cycle at the figure in force (computed here from RULES.md §4), a child who turned 18 is ended by the age-out
before the month's payroll and is not paid, and `/api/programs/{code}/quote/` answers for every category."""

from datetime import date
from decimal import Decimal

import pytest

from children.services import children_age_out, first_unpaid_month
from payments.models import PaymentLine
from payments.services import bank_account_register, cycle_open
from programs.calculations import quote
from programs.models import Enrolment
from programs.services import enrolment_start
from tests.payments import conftest as payment_fixtures

pytestmark = pytest.mark.django_db
generate = payment_fixtures.generate

CENTRAL_2024 = Decimal("1825")  # 集中供养孤儿, 渝民发〔2024〕9号 (RULES.md §4)
DISPERSED_PLACEHOLDER = Decimal("1277") + (Decimal("1825") - Decimal("1477"))  # 2021 figure + the same rise
DE_FACTO_PLACEHOLDER = Decimal("1225") + (Decimal("1825") - Decimal("1477"))


def _enrol(program, child, officer, start):
    result = quote(program=program, person=child, month=start)
    assert result.eligible, result.reasons
    return enrolment_start(acting_user=officer, program=result_program(program), person=child, start_month=start,
                           quote=result)


def result_program(code):
    from programs.models import Program
    return Program.objects.get(code=code)


def test_allowances_in_a_generated_payroll(kids, staff, generate, clock):
    officer = staff["district_officer"]
    start = date(2026, 3, 1)
    children = {
        "central": kids.child("集中甲", "20140510", reasons=("dead", "dead"), placement="institution")[2],
        "dispersed": kids.child("散居乙", "20120305", reasons=("dead", "declared_missing"))[2],
        "de_facto": kids.child("事实丙", "20150701", reasons=("imprisoned", "lost_contact"))[2],
        # turns 18 on 2026-04-15: paid for April (17 on 1 April), not for May
        "adult": kids.child("将满丁", "20080415", reasons=("imprisoned", "seriously_ill"))[2],
    }
    programs = {"central": "orphan", "dispersed": "orphan", "de_facto": "de_facto_unattended",
                "adult": "de_facto_unattended"}
    enrolments = {}
    for key, child in children.items():
        bank_account_register(acting_user=officer, person=child, bank_name="重庆农村商业银行",
                              account_number=f"62210000{child.pk:010d}")
        enrolments[key] = _enrol(programs[key], child, officer, start)
    expected = {"central": CENTRAL_2024, "dispersed": DISPERSED_PLACEHOLDER, "de_facto": DE_FACTO_PLACEHOLDER,
                "adult": DE_FACTO_PLACEHOLDER}

    # a recognition without cash (困境儿童) is enrolled at 0 and pays no line
    hardship = kids.child("困境戊", "20160101", categories=["hardship_child"])[2]
    _enrol("hardship_child", hardship, officer, start)

    cycle = cycle_open(acting_user=officer, month=date(2026, 4, 1))
    generate(cycle, officer)
    paid = dict(PaymentLine.objects.filter(cycle=cycle, kind="regular").values_list("enrolment_id", "amount"))
    assert paid == {enrolments[k].pk: expected[k] for k in children}

    # before May's payroll the age-out ends the child who turned 18 in April
    assert first_unpaid_month(date(2008, 4, 15)) == date(2026, 5, 1)
    ended = children_age_out(acting_user=officer, month=date(2026, 5, 1))
    assert [e.pk for e in ended] == [enrolments["adult"].pk]
    adult = Enrolment.objects.get(pk=enrolments["adult"].pk)
    assert (adult.status, adult.end_month) == ("ended", date(2026, 4, 1))
    cycle = cycle_open(acting_user=officer, month=date(2026, 5, 1))
    generate(cycle, officer)
    paid = dict(PaymentLine.objects.filter(cycle=cycle, kind="regular").values_list("enrolment_id", "amount"))
    assert paid == {enrolments[k].pk: expected[k] for k in ("central", "dispersed", "de_facto")}


def test_a_child_born_on_the_first_is_not_paid_in_the_birthday_month():
    assert first_unpaid_month(date(2008, 4, 1)) == date(2026, 4, 1)
    assert first_unpaid_month(date(2008, 2, 29)) == date(2026, 3, 1)


@pytest.mark.parametrize("code", ["orphan", "de_facto_unattended", "hardship_child", "left_behind_child",
                                  "migrant_child"])
def test_the_quote_api_answers_for_every_category(code, api, kids):
    _, _, child, _ = kids.child("测算", "20150101", reasons=("working_away", "working_away"), hukou="rural",
                                categories=["hardship_child", "migrant_child"])
    answer = api.post("town_officer", f"/api/programs/{code}/quote/", {"person": child.pk, "month": "2026-03"})
    assert answer["program"] == code
    eligible = code in ("hardship_child", "left_behind_child", "migrant_child")
    assert answer["eligible"] is eligible, answer["reasons"]
    assert answer["monthly_amount"] == "0.00"
    if not eligible:
        assert answer["reasons"]


def test_the_periodic_age_out(kids, staff, settings, monkeypatch):
    from minzheng import periodic

    officer = staff["district_officer"]
    child = kids.child("已满十八", "20080415", reasons=("imprisoned", "seriously_ill"))[2]
    enrolment = _enrol("de_facto_unattended", child, officer, date(2026, 1, 1))
    settings.MINZHENG_PAYROLL_OPENER = ""
    assert periodic.children_age_out() == "not configured"
    settings.MINZHENG_PAYROLL_OPENER = officer.username
    monkeypatch.setattr(periodic.timezone, "localdate", lambda: date(2026, 6, 2))
    assert periodic.children_age_out() == "ended 1"
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month) == ("ended", date(2026, 4, 1))  # 18 on 15 April
    assert periodic.children_age_out() == "ended 0"
