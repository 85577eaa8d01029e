"""The cycle page explains every yuan: total = in the bank files + the payees left out, each with its reason."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from payments.selectors import bank_file_coverage
from payments.services_bank import bank_files_generate
from tests.payments.bankkit import approved_cycle

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def exported(roll, officer, approver, generate):
    ding = roll.person("丁", bank=False)  # no account: a line the export leaves out
    roll.enrol("tekun", "300.00", person=ding)
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    bank_files_generate(acting_user=officer, cycle=cycle)
    return cycle, ding


def test_coverage_is_none_before_the_first_export(roll, officer, approver, generate):
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    assert bank_file_coverage(officer, cycle) is None


def test_the_total_splits_into_bank_files_and_the_payees_left_out(exported, officer):
    cycle, ding = exported
    coverage = bank_file_coverage(officer, cycle)
    # 甲 1000 − 200 recovered, 乙 500, 丙 900 are in the files; 丁 300 has no account.
    assert coverage["in_files"] == {"count": 3, "amount": Decimal("2200.00")}
    assert coverage["outside"]["count"] == 1 and coverage["outside"]["amount"] == Decimal("300.00")
    (row,) = coverage["outside"]["rows"]
    assert row["person"] == ding and "无有效银行账户" in row["reason"]
    assert coverage["total"] == Decimal("2500.00") and coverage["balanced"]


def test_a_town_officer_sees_only_their_towns_split(exported, personas):
    cycle, _ = exported
    coverage = bank_file_coverage(personas["town_officer"], cycle)
    # town A holds 甲 (800 net), 乙 (500) and 丁 (300, no account); 丙 is in town B.
    assert coverage["in_files"]["amount"] == Decimal("1300.00") and coverage["outside"]["count"] == 1
    assert coverage["total"] == Decimal("1600.00") and coverage["balanced"]


def test_the_cycle_page_lists_the_payee_left_out_with_the_reason_and_section_counts(exported, officer):
    cycle, ding = exported
    client = Client()
    client.force_login(officer)
    html = client.get(reverse("payment-cycle-detail", args=[cycle.pk])).content.decode()
    assert 'data-testid="cycle-sections"' in html and 'href="#outside-bank-files"' in html
    section = html[html.index('data-testid="outside-bank-files"'):]
    assert "丁" in section and "无有效银行账户" in section and ding.id_number not in html
    assert reverse("bank-account-edit", args=[ding.pk]) in section
    balance = section[section.index('data-testid="bank-file-balance"'):].split("</p>")[0]
    assert "2,500.00" in balance and "2,200.00" in balance and "300.00" in balance and "已平衡" in balance
