"""收款单位 in the payments kernel: credit code checked (GB 32100-2015), one valid account, a change of a current
payee's account confirmed by a second person, area scope on services and pages, the logged reveal, and a line
payable to an organisation through checks, bank file (grouped, summed, frozen account) and bank return."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AccessLog
from payments.models import BankAccount, BankAccountChange, BankPayment, OrganisationPayee, PaymentLine
from payments.payees import (
    OrganisationLine,
    organisation_account_register,
    organisation_account_reveal,
    organisation_lines_add,
    organisation_payee_register,
    organisations_visible,
)
from payments.selectors import bank_file_coverage
from payments.services import bank_account_change_confirm, cycle_approve, cycle_open, exception_accept
from payments.services_bank import bank_files_generate
from tests.payments.conftest import MAR
from tests.payments.payeekit import credit_code

pytestmark = pytest.mark.django_db
CODE_A = credit_code("52500106MJA000010")
CODE_B = credit_code("52500106MJB000020")
RCB = "重庆农村商业银行"


@pytest.fixture
def org_a(personas, areas):
    return organisation_payee_register(acting_user=personas["district_officer"], name="小龙坎居家养老服务中心",
                                       credit_code=CODE_A, area=_area(areas["community_a"]))


def _area(code):
    from areas.models import Area

    return Area.objects.get(code=code)


def test_credit_code_check_character_is_verified(personas, areas):
    bad = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        organisation_payee_register(acting_user=personas["district_officer"], name="某单位", credit_code=bad,
                                    area=_area(areas["community_a"]))
    payee = organisation_payee_register(acting_user=personas["district_officer"], name="某单位",
                                        credit_code=CODE_B.lower(), area=_area(areas["community_a"]))
    assert payee.credit_code == CODE_B
    with pytest.raises(ValidationError, match="已登记"):
        organisation_payee_register(acting_user=personas["district_officer"], name="另一单位", credit_code=CODE_B,
                                    area=_area(areas["community_a"]))


def test_one_valid_account_and_exactly_one_payee_in_the_database(org_a, roll, areas):
    BankAccount.objects.create(organisation=org_a, area_id=org_a.area_id, bank_name=RCB, account_number="1" * 16)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.create(organisation=org_a, area_id=org_a.area_id, bank_name=RCB, account_number="2" * 16)
    person = roll.person("甲", bank=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.create(organisation=org_a, person=person, area_id=org_a.area_id, bank_name=RCB,
                                   account_number="3" * 16, valid=False)


def test_line_cannot_name_both_a_person_and_an_organisation(org_a, roll, officer):
    person = roll.person("甲")
    enrolment = roll.enrol("tekun", "100.00", person=person)
    cycle = cycle_open(acting_user=officer, month=MAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(cycle=cycle, enrolment=enrolment, program_id="tekun", person=person,
                                   organisation=org_a, area_id=person.area_id, month=MAR, covered_month=MAR,
                                   kind="settlement", amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():  # a settlement is paid to an organisation
        PaymentLine.objects.create(cycle=cycle, enrolment=enrolment, program_id="tekun", person=person,
                                   area_id=person.area_id, month=MAR, covered_month=MAR, kind="settlement",
                                   amount=Decimal("1"))


def _settled_cycle(roll, officer, approver, generate, org, amounts):
    """A cycle with one person line (甲, 1000) and settlement lines of `amounts` payable to `org` (one per
    enrolment of the voucher programme), generated, exceptions accepted, approved."""
    jia = roll.person("甲")
    roll.enrol("tekun", "1000.00", person=jia)
    elders = [roll.enrol("yanglao_xiaofei", "0.00", person=roll.person(f"老人{i}")) for i in range(len(amounts))]
    cycle = cycle_open(acting_user=officer, month=MAR)
    organisation_lines_add(acting_user=officer, cycle=cycle, lines=[
        OrganisationLine(enrolment_id=e.pk, organisation_id=org.pk, covered_month=MAR, amount=a, reason="服务结算")
        for e, a in zip(elders, amounts, strict=True)])
    generate(cycle, officer)
    for exception in cycle.exceptions.filter(status="open"):
        exception_accept(acting_user=officer, exception=exception, reason="已核实")
    return cycle_approve(acting_user=approver, cycle=cycle)


def test_bank_file_pays_an_organisation_once_summed_with_the_account_frozen_at_approval(
        org_a, roll, officer, approver, generate):
    organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                  account_number="6228480000000000001")
    amounts = [Decimal("800.00"), Decimal("49.38"), Decimal("12.34")]
    cycle = _settled_cycle(roll, officer, approver, generate, org_a, amounts)
    assert not cycle.exceptions.filter(line__organisation=org_a).exists()
    # After approval the account changes (current payee: a second person confirms): the cycle keeps the old one.
    change = organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                           account_number="6228480000000000099", reason="单位更换基本户")
    bank_account_change_confirm(acting_user=approver, change=change)
    files = bank_files_generate(acting_user=officer, cycle=cycle)
    payment = BankPayment.objects.get(cycle=cycle, organisation=org_a)
    assert payment.amount == sum(amounts) and payment.account_number == "6228480000000000001"
    assert payment.enrolment_id is None
    rows = csv.reader(io.StringIO(bytes(files[0].content).decode(files[0].encoding)))
    row = next(r for r in rows if org_a.name in r)
    assert row[1:5] == [org_a.name, CODE_A, "6228480000000000001", f"{sum(amounts):.2f}"]
    assert BankPayment.objects.filter(cycle=cycle).count() == 2  # 甲 and the organisation
    coverage = bank_file_coverage(officer, cycle)
    assert coverage["balanced"] and coverage["outside"]["count"] == 0


def test_organisation_without_account_is_flagged_and_listed_outside_the_bank_file(
        org_a, roll, officer, approver, generate):
    cycle = _settled_cycle(roll, officer, approver, generate, org_a, [Decimal("30.00"), Decimal("20.00")])
    flagged = cycle.exceptions.filter(kind="bank_account_missing", line__organisation=org_a)
    assert flagged.count() == 2 and org_a.name in flagged.first().detail
    bank_files_generate(acting_user=officer, cycle=cycle)
    coverage = bank_file_coverage(officer, cycle)
    rows = coverage["outside"]["rows"]
    assert [(r["organisation"], r["amount"]) for r in rows] == [(org_a, Decimal("50.00"))]
    assert coverage["balanced"]


def test_change_of_a_current_organisation_payees_account_needs_a_second_person(org_a, roll, officer, approver,
                                                                                 generate):
    first = organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                          account_number="6228480000000000001")
    assert isinstance(first, BankAccount)  # not paid yet: takes effect at once
    _settled_cycle(roll, officer, approver, generate, org_a, [Decimal("10.00")])
    change = organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                           account_number="6228480000000000002", reason="单位更换基本户")
    assert isinstance(change, BankAccountChange) and change.status == "pending"
    assert BankAccount.objects.get(organisation=org_a, valid=True).account_number == "6228480000000000001"
    with pytest.raises(PermissionDenied, match="另一名"):
        bank_account_change_confirm(acting_user=officer, change=change)
    bank_account_change_confirm(acting_user=approver, change=change)
    assert BankAccount.objects.get(organisation=org_a, valid=True).account_number == "6228480000000000002"


def test_town_user_sees_only_their_areas_organisations(personas, areas, client):
    officer = personas["district_officer"]
    org_a = organisation_payee_register(acting_user=officer, name="甲镇服务中心", credit_code=CODE_A,
                                        area=_area(areas["community_a"]))
    org_b = organisation_payee_register(acting_user=officer, name="乙镇服务中心", credit_code=CODE_B,
                                        area=_area(areas["community_b"]))
    assert set(organisations_visible(personas["town_officer"])) == {org_a}
    assert set(organisations_visible(personas["outsider"])) == {org_b}
    client.force_login(personas["town_officer"])
    assert client.get(reverse("organisation-account-edit", args=[org_b.pk])).status_code == 404
    page = client.get(reverse("organisation-payee-list")).content.decode()
    assert "甲镇服务中心" in page and "乙镇服务中心" not in page
    with pytest.raises(PermissionDenied):
        organisation_payee_register(acting_user=personas["town_officer"], name="越权", credit_code=credit_code(
            "52500106MJC000030"), area=_area(areas["community_b"]))
    assert OrganisationPayee.objects.count() == 2


def test_full_account_number_only_through_the_logged_reveal(org_a, personas, client):
    account = organisation_account_register(acting_user=personas["district_officer"], organisation=org_a,
                                            bank_name=RCB, account_number="6228480000000000001")
    client.force_login(personas["town_officer"])
    page = client.get(reverse("organisation-account-edit", args=[org_a.pk])).content.decode()
    assert "6228480000000000001" not in page and account.masked_number in page
    shown = client.post(reverse("organisation-account-reveal", args=[org_a.pk, account.pk])).content.decode()
    assert "6228480000000000001" in shown
    assert AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ACCOUNT, user=personas["town_officer"]).count() == 1
    with pytest.raises(PermissionDenied):
        organisation_account_reveal(user=personas["community_worker"], account=account)
    assert AccessLog.objects.filter(kind=AccessLog.Kind.DENIED, user=personas["community_worker"]).exists()


def test_bank_return_settles_all_lines_of_an_organisation_and_a_failure_is_reissued_to_its_new_account(
        org_a, roll, officer, approver, generate, django_capture_on_commit_callbacks):
    from payments.services_bank import bank_return_commit, bank_return_upload, payments_reissue
    from tests.payments.bankkit import return_csv

    organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                  account_number="6228480000000000001")
    cycle = _settled_cycle(roll, officer, approver, generate, org_a, [Decimal("40.00"), Decimal("2.50")])
    bank_file = bank_files_generate(acting_user=officer, cycle=cycle)[0]
    payment = BankPayment.objects.get(cycle=cycle, organisation=org_a)
    content = return_csv([[str(payment.seq), org_a.name, payment.account_number, f"{payment.amount:.2f}", "失败",
                           "户名与账号不符"]])
    with django_capture_on_commit_callbacks(execute=True):
        bank_return = bank_return_upload(acting_user=officer, bank_file=bank_file, filename="回盘.csv",
                                         content=content)
    with django_capture_on_commit_callbacks(execute=True):
        bank_return_commit(acting_user=officer, bank_return=bank_return)
    lines = PaymentLine.objects.filter(cycle=cycle, organisation=org_a)
    assert set(lines.values_list("status", flat=True)) == {"failed"}
    assert set(PaymentLine.objects.filter(cycle=cycle, organisation__isnull=True).values_list("status", flat=True)) \
        == {"pending"}  # 甲's line is not in this return
    change = organisation_account_register(acting_user=officer, organisation=org_a, bank_name=RCB,
                                           account_number="6228480000000000002", reason="户名与账号不符，更正")
    bank_account_change_confirm(acting_user=approver, change=change)
    payments_reissue(acting_user=officer, cycle=cycle)
    again = BankPayment.objects.get(cycle=cycle, organisation=org_a, round=2)
    assert (again.amount, again.account_number) == (Decimal("42.50"), "6228480000000000002")
    assert set(lines.values_list("status", flat=True)) == {"reissued"}


def test_api_registers_an_organisation_and_its_account_in_scope_only(personas, areas):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(personas["town_officer"])
    made = client.post("/api/organisation-payees/", {"name": "甲镇服务中心", "credit_code": CODE_A,
                                                      "area": areas["community_a"]}, format="json")
    assert made.status_code == 201, made.content
    refused = client.post("/api/organisation-payees/", {"name": "乙", "credit_code": CODE_A[:-1] + "Z",
                                                         "area": areas["community_a"]}, format="json")
    assert refused.status_code == 400 and "统一社会信用代码" in refused.content.decode()
    pk = made.json()["id"]
    account = client.post(f"/api/organisation-payees/{pk}/bank-account/",
                          {"bank_name": RCB, "account_number": "6228480000000000001"}, format="json")
    assert account.status_code == 201 and account.json()["account_number"] != "6228480000000000001"
    outsider = APIClient()
    outsider.force_authenticate(personas["outsider"])
    assert outsider.get(f"/api/organisation-payees/{pk}/bank-account/").status_code == 404
    assert outsider.get("/api/organisation-payees/").json() == []
