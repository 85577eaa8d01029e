"""Bank accounts that can be fixed: register in the page and the API; a change of a current payee's account waits
for a second person's confirmation (maker ≠ checker); every step is in the change log, the number masked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import ChangeLog
from payments.models import BankAccount, BankAccountChange
from payments.services import (
    bank_account_change_confirm,
    bank_account_change_reject,
    bank_account_register,
    cycle_open,
)
from tests.payments.conftest import MAR

pytestmark = pytest.mark.django_db

NEW = "6217000011112222"


def _valid(person) -> list[str]:
    return list(BankAccount.objects.filter(person=person, valid=True).values_list("account_number", flat=True))


def test_first_account_takes_effect_at_once_and_is_logged_masked(roll, officer):
    person = roll.enrol("tekun", "900.00", person=roll.person(bank=False)).person
    account = bank_account_register(acting_user=officer, person=person, bank_name="中国银行",
                                    account_number="6217 0000 1111 2222")
    assert isinstance(account, BankAccount) and _valid(person) == [NEW]
    log = ChangeLog.objects.get(model="payments.bankaccount", object_id=str(account.pk))
    assert log.after["account_number"] == "6217********2222" and NEW not in str(log.after)


def test_change_of_a_current_payee_waits_for_a_second_person(roll, officer, approver, personas):
    payee = roll.enrol("tekun", "900.00", person=roll.person()).person
    old = _valid(payee)
    with pytest.raises(ValidationError, match="变更原因"):
        bank_account_register(acting_user=officer, person=payee, bank_name="中国银行", account_number=NEW)
    change = bank_account_register(acting_user=officer, person=payee, bank_name="中国银行", account_number=NEW,
                                   reason="原卡注销")
    assert isinstance(change, BankAccountChange) and change.status == "pending"
    assert _valid(payee) == old, "nothing changes before the confirmation"
    with pytest.raises(ValidationError, match="待确认"):
        bank_account_register(acting_user=officer, person=payee, bank_name="中国银行",
                              account_number="6217000099998888", reason="再改")
    with pytest.raises(PermissionDenied, match="另一名工作人员"):
        bank_account_change_confirm(acting_user=officer, change=change)
    with pytest.raises(PermissionDenied):  # a community worker may enter an account but not confirm one
        bank_account_change_confirm(acting_user=personas["community_worker"], change=change)
    assert _valid(payee) == old
    account = bank_account_change_confirm(acting_user=approver, change=change)
    assert _valid(payee) == [NEW] and account.account_number == NEW
    assert BankAccount.objects.filter(person=payee, valid=False).count() == 1, "the old account is kept, invalid"
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.account) == ("confirmed", approver, account)
    logs = ChangeLog.objects.filter(model="payments.bankaccountchange", object_id=str(change.pk)).order_by("id")
    assert [entry.user for entry in logs] == [officer, approver]
    assert all(NEW not in str(entry.after) for entry in logs)
    with pytest.raises(ValidationError, match="已确认生效"):
        bank_account_change_confirm(acting_user=personas["district_officer"], change=change)


def test_rejected_change_keeps_the_old_account(roll, officer, approver):
    payee = roll.enrol("tekun", "900.00", person=roll.person()).person
    old = _valid(payee)
    change = bank_account_register(acting_user=officer, person=payee, bank_name="中国银行", account_number=NEW,
                                   reason="更换银行")
    with pytest.raises(ValidationError, match="退回理由"):
        bank_account_change_reject(acting_user=approver, change=change, note="")
    bank_account_change_reject(acting_user=approver, change=change, note="账号与存折不符")
    change.refresh_from_db()
    assert change.status == "rejected" and _valid(payee) == old


def test_a_person_not_being_paid_changes_account_directly(roll, officer):
    person = roll.person()
    assert isinstance(bank_account_register(acting_user=officer, person=person, bank_name="中国银行",
                                            account_number=NEW), BankAccount)
    assert _valid(person) == [NEW]


def test_out_of_scope_and_without_grant_are_refused(roll, personas, areas):
    in_b = roll.person(area=areas["community_b"], bank=False)
    with pytest.raises(PermissionDenied):
        bank_account_register(acting_user=personas["town_officer"], person=in_b, bank_name="中国银行",
                              account_number=NEW)
    with pytest.raises(PermissionDenied):
        bank_account_register(acting_user=personas["leader"], person=in_b, bank_name="中国银行", account_number=NEW)


def test_pages_enter_then_a_second_person_confirms(client, roll, officer, approver):
    payee = roll.enrol("tekun", "900.00", person=roll.person("丁")).person
    url = reverse("bank-account-edit", args=[payee.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "变更银行账户" in page and "6221********" in page and "62210000" not in page.replace("6221********", "")
    mismatch = client.post(url, {"action": "register", "bank_name": "中国银行", "account_number": NEW,
                                 "account_number_again": "6217000011113333", "reason": "原卡注销"})
    assert "两次输入的银行账号不一致" in mismatch.content.decode()
    client.post(url, {"action": "register", "bank_name": "中国银行", "account_number": NEW,
                      "account_number_again": NEW, "reason": "原卡注销"})
    page = client.get(url).content.decode()
    assert 'data-testid="pending-change"' in page and 'data-testid="confirm-change"' not in page, "not the maker"
    client.post(url, {"action": "confirm"})
    assert BankAccountChange.objects.get(person=payee).status == "pending"
    client.force_login(approver)
    page = client.get(url).content.decode()
    assert 'data-testid="confirm-change"' in page
    client.post(url, {"action": "confirm"})
    assert BankAccountChange.objects.get(person=payee).status == "confirmed" and _valid(payee) == [NEW]


def test_api_register_then_confirm(roll, officer, approver):
    payee = roll.enrol("tekun", "900.00", person=roll.person()).person
    maker, checker = APIClient(), APIClient()
    maker.force_authenticate(officer)
    checker.force_authenticate(approver)
    url = f"/api/persons/{payee.pk}/bank-account/"
    submitted = maker.post(url, {"bank_name": "中国银行", "account_number": NEW, "reason": "原卡注销"}, format="json")
    assert submitted.status_code == 202, submitted.json()
    assert submitted.json()["account_number"] == "6217********2222" and submitted.json()["status_label"] == "待确认"
    state = checker.get(url).json()
    assert state["current_payee"] is True and state["pending_change"]["id"] == submitted.json()["id"]
    own = maker.post(f"/api/bank-account-changes/{submitted.json()['id']}/confirm/")
    assert own.status_code == 403 and "另一名工作人员" in own.json()["detail"]
    confirmed = checker.post(f"/api/bank-account-changes/{submitted.json()['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["account_number"] == "6217********2222"
    assert _valid(payee) == [NEW]
    fresh = roll.person(bank=False)
    created = maker.post(f"/api/persons/{fresh.pk}/bank-account/", {"bank_name": "中国银行",
                                                                     "account_number": "123"}, format="json")
    assert created.status_code == 400 and "10至30位数字" in str(created.json())


def test_the_no_account_exception_links_straight_to_the_form(client, roll, officer, generate):
    march = cycle_open(acting_user=officer, month=MAR)
    missing = roll.enrol("tekun", "900.00", person=roll.person("无卡", bank=False))
    generate(march, officer)
    client.force_login(officer)
    page = client.get(reverse("payment-cycle-detail", args=[march.pk])).content.decode()
    assert f'href="{reverse("bank-account-edit", args=[missing.person_id])}"' in page
