"""Recovery in instalments across approved cycles; maker ≠ checker; an approved cycle is immutable; adjustments."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.services import user_create
from payments.models import Overpayment, PaymentException, PaymentLine
from payments.services import (
    adjustment_add,
    cycle_approve,
    cycle_generate,
    cycle_open,
    exception_accept,
    overpayment_register,
)
from tests.conftest import PASSWORD
from tests.payments.conftest import FEB, JAN, MAR


def _recovery(cycle, enrolment) -> list[Decimal]:
    return list(PaymentLine.objects.filter(cycle=cycle, enrolment=enrolment, kind="recovery")
                .values_list("amount", flat=True))


def test_overpayment_recovered_in_instalments_in_decimal(roll, officer, approver, generate):
    enrolment = roll.enrol("tekun", "500.00", person=roll.person())
    small = roll.enrol("tekun", "80.00", person=roll.person())
    overpayment = overpayment_register(acting_user=officer, enrolment=enrolment, total="250.01",
                                       instalment="100.00", reason="死亡后多发两个月")
    capped = overpayment_register(acting_user=officer, enrolment=small, total="300.00", instalment="100.00",
                                  reason="收入未如实申报")
    expected = [[Decimal("-100.00")], [Decimal("-100.00")], [Decimal("-50.01")], []]
    # min(instalment, still owed, this month's amount): 80 a month, then the 60 left.
    expected_small = [[Decimal("-80.00")], [Decimal("-80.00")], [Decimal("-80.00")], [Decimal("-60.00")]]
    for month, due, due_small in zip((JAN, FEB, MAR, date(2026, 4, 1)), expected, expected_small, strict=True):
        cycle = cycle_open(acting_user=officer, month=month)
        generate(cycle, officer)
        assert _recovery(cycle, enrolment) == due
        assert _recovery(cycle, small) == due_small
        cycle_approve(acting_user=approver, cycle=cycle)
    overpayment.refresh_from_db()
    capped.refresh_from_db()
    assert (overpayment.recovered, overpayment.status) == (Decimal("250.01"), "closed")
    assert (capped.recovered, capped.status) == (Decimal("300.00"), "closed")
    line = PaymentLine.objects.filter(enrolment=enrolment, kind="recovery").order_by("month").last()
    assert line.formula["recovered_before"] == "200.00" and line.formula["deducted"] == "50.01"


def test_maker_cannot_approve(roll, officer, generate):
    both = user_create(username="both", password=PASSWORD, roles=["district_officer", "district_approver"],
                       area_code=roll.areas["district"], validate=False)
    roll.enrol("tekun", "500.00", person=roll.person())
    cycle = cycle_open(acting_user=both, month=MAR)
    generate(cycle, both)
    with pytest.raises(PermissionDenied, match="经办与复核不能为同一人"):
        cycle_approve(acting_user=both, cycle=cycle)
    assert cycle.status == "generated"


def test_approval_needs_the_grant_and_no_open_exception(roll, officer, approver, generate):
    roll.enrol("tekun", "500.00", person=roll.person(bank=False))
    cycle = cycle_open(acting_user=officer, month=MAR)
    with pytest.raises(ValidationError, match="生成完成后才能审批"):
        cycle_approve(acting_user=approver, cycle=cycle)
    generate(cycle, officer)
    reader = user_create(username="reader", password=PASSWORD, roles=["leader"], area_code=roll.areas["district"],
                         validate=False)
    with pytest.raises(PermissionDenied):
        cycle_approve(acting_user=reader, cycle=cycle)
    with pytest.raises(ValidationError, match="1 条发放异常未处理"):
        cycle_approve(acting_user=approver, cycle=cycle)
    exception_accept(acting_user=officer, exception=PaymentException.objects.get(cycle=cycle), reason="现金发放")
    cycle = cycle_approve(acting_user=approver, cycle=cycle)
    assert (cycle.status, cycle.approved_by) == ("approved", approver)


def test_approved_cycle_is_immutable(roll, officer, approver, generate):
    enrolment = roll.enrol("tekun", "500.00", person=roll.person())
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    cycle_approve(acting_user=approver, cycle=cycle)
    lines = list(PaymentLine.objects.filter(cycle=cycle).values_list("id", "amount"))
    with pytest.raises(ValidationError, match="下一批次中以调整明细办理"):
        cycle_generate(acting_user=officer, cycle=cycle)
    with pytest.raises(ValidationError, match="下一批次中以调整明细办理"):
        adjustment_add(acting_user=officer, cycle=cycle, enrolment=enrolment, amount="10.00", reason="补差")
    assert list(PaymentLine.objects.filter(cycle=cycle).values_list("id", "amount")) == lines


def test_adjustment_in_an_open_cycle(roll, officer, approver, generate):
    enrolment = roll.enrol("tekun", "500.00", person=roll.person())
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    line = adjustment_add(acting_user=officer, cycle=cycle, enrolment=enrolment, amount="-35.50",
                          reason="2月多发更正")
    assert (line.kind, line.amount, line.formula["reason"]) == ("adjustment", Decimal("-35.50"), "2月多发更正")
    cycle.refresh_from_db()
    assert cycle.total_amount == Decimal("464.50") and cycle.totals["adjustment"] == {"count": 1, "amount": "-35.50"}
    with pytest.raises(ValidationError, match="已有该对象的调整明细"):
        adjustment_add(acting_user=officer, cycle=cycle, enrolment=enrolment, amount="1.00", reason="再调")
    with pytest.raises(ValidationError):
        adjustment_add(acting_user=officer, cycle=cycle, enrolment=enrolment, amount="1.005", reason="x")
    generate(cycle, officer)  # regeneration keeps adjustments
    assert PaymentLine.objects.filter(cycle=cycle, kind="adjustment").count() == 1


def test_second_open_overpayment_refused(roll, officer):
    enrolment = roll.enrol("tekun", "500.00", person=roll.person())
    overpayment_register(acting_user=officer, enrolment=enrolment, total="100.00", instalment="50.00", reason="多发")
    with pytest.raises(ValidationError, match="已有一笔追回中"):
        overpayment_register(acting_user=officer, enrolment=enrolment, total="10.00", instalment="5.00", reason="x")
    assert Overpayment.objects.count() == 1
    assert Role.objects.filter(grants__resource="payment", grants__action="approve").count() == 1
