"""Re-rating through the payroll: a two-person urban 低保 household with no income, confirmed in 2025-12 under
the 2024 standard (750 元/人/月, 渝民发〔2024〕9号): (750.00 − 0.00) × 2 = 1,500.00. The 2026 standard
(770, 渝民规〔2025〕6号, seeded from 2026-01-01) gives (770.00 − 0.00) × 2 = 1,540.00 from 2026-01."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from payments.generation import BACKPAY_REASON
from payments.models import PaymentException, PaymentLine
from payments.services import cycle_open
from programs.calculations import quote
from programs.models import Enrolment, EnrolmentChange, Rerate, RerateItem
from programs.rerate import rerate_confirm
from programs.services import enrolment_start, policy_parameter_set
from tests.payments.conftest import FEB, JAN, MAR

DEC_2025 = date(2025, 12, 1)
DOC_2025 = "渝民规〔2025〕6号"


@pytest.fixture
def dibao_1500(roll, officer):
    household, _ = roll.household(2)
    result = quote(program="dibao", household=household, month=DEC_2025)
    assert result.monthly_amount == Decimal("1500.00")
    return enrolment_start(acting_user=officer, program=result_program(), household=household, start_month=DEC_2025,
                           quote=result)


def result_program():
    from programs.models import Program

    return Program.objects.get(code="dibao")


def _lines(cycle) -> list[tuple]:
    return sorted(PaymentLine.objects.filter(cycle=cycle).values_list("kind", "covered_month", "amount", "reason"))


def _set_2026_standard(user):
    """The officer enters the 2026 standard (a same-day correction of the seeded row, same figure)."""
    return policy_parameter_set(acting_user=user, program="dibao", key="standard_urban", area_code="500000000000",
                                value="770", valid_from=JAN, source=DOC_2025)


def test_new_standard_is_paid_from_its_month_with_back_pay(dibao_1500, officer, generate):
    january = cycle_open(acting_user=officer, month=JAN)
    job = generate(january, officer)
    assert job.status == "done", job.error
    # The defect, visible: January pays the stored 1,500.00, and the new check says so.
    assert _lines(january) == [("regular", JAN, Decimal("1500.00"), "")]
    stale = PaymentException.objects.get(cycle=january, kind=PaymentException.Kind.AMOUNT_NOT_CURRENT_QUOTE)
    assert "1540.00" in stale.detail and "1500.00" in stale.detail

    _set_2026_standard(officer)
    rerate = Rerate.objects.get(status=Rerate.Status.PENDING)
    assert (rerate.program_id, rerate.valid_from, rerate.enrolments) == ("dibao", JAN, 1)
    assert rerate.monthly_difference == Decimal("40.00")
    dibao_1500.refresh_from_db()
    assert dibao_1500.monthly_amount == Decimal("1500.00")  # nothing changes before confirmation

    rerate_confirm(rerate=rerate, acting_user=officer)
    rerate.refresh_from_db()
    assert rerate.status == Rerate.Status.APPLIED
    dibao_1500.refresh_from_db()
    assert dibao_1500.monthly_amount == Decimal("1540.00")
    assert dibao_1500.calculation["rerated"]["to_amount"] == "1540.00"
    change = EnrolmentChange.objects.get(enrolment=dibao_1500, kind="change")
    assert (change.from_amount, change.to_amount, change.effective_month) == (Decimal("1500.00"),
                                                                            Decimal("1540.00"), JAN)
    assert "城市低保标准" in change.reason and DOC_2025 in change.reason

    february = cycle_open(acting_user=officer, month=FEB)
    generate(february, officer)
    # February pays the new amount and, for January (already generated at 1,500.00), 1,540.00 − 1,500.00 = 40.00.
    assert _lines(february) == [("arrears", JAN, Decimal("40.00"), BACKPAY_REASON),
                                ("regular", FEB, Decimal("1540.00"), "")]
    assert not PaymentException.objects.filter(cycle=february, kind=PaymentException.Kind.AMOUNT_NOT_CURRENT_QUOTE)
    backpay = PaymentLine.objects.get(cycle=february, kind="arrears")
    assert backpay.formula["difference"] == "40.00" and backpay.formula["covered_month"] == "2026-01"

    # Regenerating February, and generating March, pay the back pay once only.
    february.chunks.all().delete()
    generate(february, officer)
    assert _lines(february) == [("arrears", JAN, Decimal("40.00"), BACKPAY_REASON),
                                ("regular", FEB, Decimal("1540.00"), "")]
    march = cycle_open(acting_user=officer, month=MAR)
    generate(march, officer)
    assert _lines(march) == [("regular", MAR, Decimal("1540.00"), "")]


def test_regenerating_the_month_itself_pays_the_new_amount_without_back_pay(dibao_1500, officer, generate):
    january = cycle_open(acting_user=officer, month=JAN)
    generate(january, officer)
    _set_2026_standard(officer)
    rerate_confirm(rerate=Rerate.objects.get(status=Rerate.Status.PENDING), acting_user=officer)
    january.chunks.all().delete()
    generate(january, officer)
    assert _lines(january) == [("regular", JAN, Decimal("1540.00"), "")]
    assert PaymentException.objects.get(cycle=january, kind=PaymentException.Kind.AMOUNT_NOT_CURRENT_QUOTE).status \
        == PaymentException.Status.RESOLVED
    february = cycle_open(acting_user=officer, month=FEB)
    generate(february, officer)
    assert _lines(february) == [("regular", FEB, Decimal("1540.00"), "")]


def test_a_second_rerating_of_the_same_month_pays_only_the_rest(dibao_1500, officer, generate):
    january = cycle_open(acting_user=officer, month=JAN)
    generate(january, officer)
    _set_2026_standard(officer)
    rerate_confirm(rerate=Rerate.objects.get(status=Rerate.Status.PENDING), acting_user=officer)
    february = cycle_open(acting_user=officer, month=FEB)
    generate(february, officer)
    # A further correction, again from January: 780 → (780 − 0) × 2 = 1,560.00; January was paid 1,500 + 40.
    policy_parameter_set(acting_user=officer, program="dibao", key="standard_urban", area_code="500000000000",
                         value="780", valid_from=JAN, source=DOC_2025)
    second = Rerate.objects.get(status=Rerate.Status.PENDING)
    assert second.monthly_difference == Decimal("20.00")
    rerate_confirm(rerate=second, acting_user=officer)
    march = cycle_open(acting_user=officer, month=MAR)
    generate(march, officer)
    # January: 1,560 − 1,500 − 40 = 20; February (generated at 1,540): 1,560 − 1,540 = 20.
    assert _lines(march) == [("arrears", JAN, Decimal("20.00"), BACKPAY_REASON),
                             ("arrears", FEB, Decimal("20.00"), BACKPAY_REASON),
                             ("regular", MAR, Decimal("1560.00"), "")]


def test_confirming_twice_is_refused_and_changes_nothing(dibao_1500, officer):
    _set_2026_standard(officer)
    rerate = Rerate.objects.get(status=Rerate.Status.PENDING)
    rerate_confirm(rerate=rerate, acting_user=officer)
    with pytest.raises(Exception, match="不能确认"):
        rerate_confirm(rerate=rerate, acting_user=officer)
    assert EnrolmentChange.objects.filter(kind="change").count() == 1
    # Re-running the computation itself on an applied re-rating is a no-op.
    from programs.rerate import enrolments_rerate

    enrolments_rerate(rerate=rerate, apply=True)
    assert EnrolmentChange.objects.filter(kind="change").count() == 1
    assert RerateItem.objects.filter(rerate=rerate).count() == 1
    assert Enrolment.objects.get(pk=dibao_1500.pk).monthly_amount == Decimal("1540.00")


def test_a_town_officer_cannot_confirm(dibao_1500, officer, personas):
    _set_2026_standard(officer)
    rerate = Rerate.objects.get(status=Rerate.Status.PENDING)
    with pytest.raises(PermissionDenied):
        rerate_confirm(rerate=rerate, acting_user=personas["town_officer"])
    rerate.refresh_from_db()
    assert rerate.status == Rerate.Status.PENDING
