"""Payroll demo data (demo.payments via load_demo): bank accounts for the roll, last month approved by another
user, exported and answered by the bank, this month generated with its exceptions open; all through the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from payments.models import BankAccount, BankFile, BankPayment, PaymentCycle, PaymentException, PaymentLine
from payments.reconciliation import reconciliation
from programs.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One load of 3,000 people for the module, rolled back after it."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=30, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_payees_have_accounts_except_the_few_left_for_the_check(demo):
    payees = set(Enrolment.objects.filter(status="active").values_list("person_id", flat=True))
    with_account = set(BankAccount.objects.filter(valid=True, person__isnull=False).values_list("person_id", flat=True))
    assert with_account <= payees and 0 < len(payees - with_account) < len(payees) // 20
    assert "资金发放演示" in demo


def test_last_month_went_through_approval_the_bank_and_its_return(demo):
    last, this = PaymentCycle.objects.order_by("month")
    assert last.status == PaymentCycle.Status.EXPORTED and last.approved_by.username == "district_approver"
    assert last.created_by.username == "district_officer" and last.approved_by_id != last.generated_by_id
    assert not last.exceptions.filter(status=PaymentException.Status.OPEN).exists()
    assert last.exceptions.filter(status=PaymentException.Status.ACCEPTED).exists()  # the missing accounts
    assert BankFile.objects.filter(cycle=last).count() >= 2  # one file per bank
    statuses = set(BankPayment.objects.filter(cycle=last).values_list("status", flat=True))
    assert statuses == {BankPayment.Status.PAID, BankPayment.Status.FAILED}
    assert PaymentLine.objects.filter(cycle=last, status=PaymentLine.Status.FAILED).exists()
    assert this.status == PaymentCycle.Status.GENERATED and this.line_count > 0
    assert this.exceptions.filter(status=PaymentException.Status.OPEN).exists()


def test_the_reconciliation_of_last_month_adds_up(demo):
    from accounts.models import User

    last = PaymentCycle.objects.order_by("month").first()
    report = reconciliation(user=User.objects.get(username="district_officer"), cycle=last)
    assert report["total"]["total"]["amount"] == last.total_amount


def test_a_few_cards_are_in_custody_with_checks_and_last_months_tasks(demo):
    """卡折代管演示: custodies on the payees' own accounts, past checks recorded (one problem), and the monthly
    job's tasks for those whose last month is unchecked."""
    from payments.custody.services import TASK_SOURCE
    from payments.models import BankCardCustody, CustodyCheck
    from tasks.models import Task

    custodies = list(BankCardCustody.objects.select_related("bank_account"))
    assert len(custodies) >= 3 and all(c.bank_account.person_id == c.person_id for c in custodies)
    assert CustodyCheck.objects.filter(result="issue").count() == 1
    assert CustodyCheck.objects.filter(result="proper").exists()
    waiting = CustodyCheck.objects.filter(result="pending")
    assert waiting.exists() and Task.objects.filter(source_type=TASK_SOURCE).count() == waiting.count()
    assert "卡折代管演示数据" in demo
