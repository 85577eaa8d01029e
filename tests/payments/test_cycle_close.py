"""Closing a cycle (结束发放批次): only once the bank has answered every transfer; lines never received need a
reason; a closed cycle takes no more returns or reissues."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from audit.models import ChangeLog, DomainEvent
from payments.models import PaymentCycle
from payments.services_bank import (
    bank_files_generate,
    bank_return_commit,
    bank_return_upload,
    cycle_close,
    payments_reissue,
)
from tests.payments.bankkit import ICBC, RCB, approved_cycle, return_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(roll, officer, approver, generate):
    cycle, enrolments = approved_cycle(roll, officer, approver, generate)
    files = {f.bank_name: f for f in bank_files_generate(acting_user=officer, cycle=cycle)}
    return cycle, enrolments, files


def _answer(officer, bank_file, rows, capture):
    with capture(execute=True):
        bank_return = bank_return_upload(acting_user=officer, bank_file=bank_file, filename="回盘.csv",
                                         content=return_csv(rows))
    with capture(execute=True):
        bank_return_commit(acting_user=officer, bank_return=bank_return)


def _account(enrolment) -> str:
    return enrolment.person.bank_accounts.get(valid=True).account_number


def _all_answered(officer, exported, capture, *, bing_fails: bool):
    cycle, e, files = exported
    _answer(officer, files[RCB], [["1", "甲", _account(e["jia"]), "800.00", "成功", ""],
                                  ["2", "丙", _account(e["bing"]), "900.00", *(
                                      ("失败", "账户已销户") if bing_fails else ("成功", ""))]], capture)
    _answer(officer, files[ICBC], [["1", "乙", _account(e["yi"]), "500.00", "成功", ""]], capture)


def test_refused_while_transfers_await_the_banks_answer(exported, officer):
    with pytest.raises(ValidationError) as error:
        cycle_close(acting_user=officer, cycle=exported[0])
    assert "3 笔代发未收到银行回盘" in str(error.value)
    assert PaymentCycle.objects.get(pk=exported[0].pk).status == PaymentCycle.Status.EXPORTED


def test_all_paid_closes_without_a_reason_and_then_takes_nothing_more(
        exported, officer, django_capture_on_commit_callbacks):
    _all_answered(officer, exported, django_capture_on_commit_callbacks, bing_fails=False)
    cycle = cycle_close(acting_user=officer, cycle=exported[0])
    assert cycle.status == PaymentCycle.Status.CLOSED
    assert DomainEvent.objects.filter(type="payment_cycle_closed", params__cycle=cycle.pk,
                                      subject_type="payments.paymentcycle", subject_id=str(cycle.pk)).exists()
    with pytest.raises(ValidationError):
        payments_reissue(acting_user=officer, cycle=cycle)
    with pytest.raises(ValidationError):
        bank_return_upload(acting_user=officer, bank_file=exported[2][RCB], filename="again.csv",
                           content=return_csv([["1", "甲", "6221000000000000001", "800.00", "成功", ""]]))


def test_a_failure_not_reissued_needs_a_reason_which_is_kept(exported, officer, django_capture_on_commit_callbacks):
    _all_answered(officer, exported, django_capture_on_commit_callbacks, bing_fails=True)
    with pytest.raises(ValidationError) as error:
        cycle_close(acting_user=officer, cycle=exported[0], reason="  ")
    assert "reason" in error.value.message_dict and "1 条明细未发放到账" in str(error.value)
    cycle = cycle_close(acting_user=officer, cycle=exported[0], reason="丙账户已销户，下月以调整明细补发")
    assert cycle.status == PaymentCycle.Status.CLOSED
    log = ChangeLog.objects.filter(model="payments.paymentcycle", object_id=str(cycle.pk)).latest("id")
    assert log.reason == "丙账户已销户，下月以调整明细补发" and log.after["status"] == "closed"


def test_api_close_and_who_may(exported, officer, personas, django_capture_on_commit_callbacks):
    cycle = exported[0]
    with pytest.raises(PermissionDenied):
        cycle_close(acting_user=personas["town_officer"], cycle=cycle)
    client = APIClient()
    client.force_authenticate(officer)
    refused = client.post(f"/api/payment-cycles/{cycle.pk}/close/", {}, format="json")
    assert refused.status_code == 400 and "未收到银行回盘" in str(refused.json())
    _all_answered(officer, exported, django_capture_on_commit_callbacks, bing_fails=True)
    missing = client.post(f"/api/payment-cycles/{cycle.pk}/close/", {}, format="json")
    assert missing.status_code == 400 and "reason" in str(missing.json())
    done = client.post(f"/api/payment-cycles/{cycle.pk}/close/", {"reason": "转下月补发"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "closed"


def test_the_bank_section_offers_closing_and_reports_why_not(exported, officer):
    from django.test import Client

    client = Client()
    client.force_login(officer)
    cycle = exported[0]
    section = client.get(f"/payments/cycles/{cycle.pk}/bank/").content.decode()
    assert 'data-testid="close-cycle"' in section
    page = client.post(f"/payments/cycles/{cycle.pk}/bank/close/", {"reason": ""}, follow=True).content.decode()
    assert "未收到银行回盘" in page
    assert PaymentCycle.objects.get(pk=cycle.pk).status == PaymentCycle.Status.EXPORTED
