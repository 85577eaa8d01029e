"""Re-rating by a person's own facts: a test-only programme (one row + two functions, plus its facts-due
function) pays by age band, 100.00 under 90 and 300.00 from 90 (parameters `band_under_90`, `band_90`). A
person born 1936-02-15 is 89 on 2026-02-01 and 90 on 2026-03-01: the March payroll re-rates them by itself."""

from datetime import date
from decimal import Decimal

import pytest

from payments.models import PaymentLine
from payments.services import cycle_open
from programs.calculations import quote, rated_month, register_calculator, register_eligibility, register_facts_due
from programs.calculations.money import age_on, round_money
from programs.models import Enrolment, EnrolmentChange, PolicyParameter, Program, Rerate
from programs.services import enrolment_start
from tests.payments.conftest import FEB, JAN, MAR

KEY = "test_age_band"


def _band(age: int) -> str:
    return "band_90" if age >= 90 else "band_under_90"


@register_eligibility(KEY)
def _eligible(ctx) -> None:
    if ctx.person_facts.birth_date is None or age_on(ctx.person_facts.birth_date, ctx.month) < 80:
        ctx.refuse("未满80周岁")


@register_calculator(KEY)
def _amount(ctx) -> Decimal:
    ref = ctx.param(_band(age_on(ctx.person_facts.birth_date, ctx.month)))
    ctx.line(ref.cite("高龄津贴"), str(ref.value))
    return round_money(ref.value)


@register_facts_due(KEY, cause=Rerate.Cause.AGE_BAND)
def _band_crossed(program, month, area_prefix) -> list[int]:
    """Enrolments whose age band in `month` is not the band of the month their amount was quoted for."""
    due = []
    for enrolment in Enrolment.objects.filter(program=program, status="active").select_related("person"):
        quoted = rated_month(enrolment.calculation)
        birth = enrolment.person.birth_date
        if _band(age_on(birth, quoted)) != _band(age_on(birth, month)):
            due.append(enrolment.pk)
    return due


@pytest.fixture
def program(db):
    program = Program.objects.create(code="test_gaoling", name="测试高龄津贴", unit="person", calculator=KEY,
                                     eligibility=KEY)
    for key, value in (("band_under_90", "100"), ("band_90", "300")):
        PolicyParameter.objects.create(program=program, key=key, area_code="500000000000", value=Decimal(value),
                                       valid_from=date(2025, 1, 1), source="测试用文件")
    return program


def test_crossing_an_age_band_is_re_rated_before_the_payroll(program, roll, officer, generate):
    person = roll.person("高龄老人")
    person.birth_date = date(1936, 2, 15)
    person.save(update_fields=["birth_date"])
    result = quote(program=program, person=person, month=JAN)
    assert result.monthly_amount == Decimal("100.00")
    enrolment = enrolment_start(acting_user=officer, program=program, person=person, start_month=JAN, quote=result)

    february = cycle_open(acting_user=officer, month=FEB)
    generate(february, officer)
    assert list(PaymentLine.objects.filter(cycle=february).values_list("amount", flat=True)) == [Decimal("100.00")]
    assert not Rerate.objects.exists()  # 89 on 2026-02-01: same band

    march = cycle_open(acting_user=officer, month=MAR)
    generate(march, officer)
    assert list(PaymentLine.objects.filter(cycle=march).values_list("amount", flat=True)) == [Decimal("300.00")]
    rerate = Rerate.objects.get()
    assert (rerate.cause, rerate.status, rerate.valid_from, rerate.enrolments) == (
        Rerate.Cause.AGE_BAND, Rerate.Status.APPLIED, MAR, 1)
    change = EnrolmentChange.objects.get(enrolment=enrolment, kind="change")
    assert (change.from_amount, change.to_amount, change.effective_month) == (Decimal("100.00"),
                                                                            Decimal("300.00"), MAR)
    assert "年龄段变化" in change.reason

    # Generating March again does not re-rate again: the stored amount is now rated for March.
    enrolment.refresh_from_db()
    assert rated_month(enrolment.calculation) == MAR
    march.chunks.all().delete()
    generate(march, officer)
    assert Rerate.objects.count() == 1
    assert EnrolmentChange.objects.filter(enrolment=enrolment, kind="change").count() == 1
