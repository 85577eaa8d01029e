"""养老服务消费补贴 settled to the PROVIDER through the payroll (issue 13): one 服务结算 line per redemption payable
to the provider's 收款单位, one bank transfer per provider and cycle (summed), never twice (service, claim and
database), a provider without a payee waits, a correction only as a later adjustment. Amounts are computed here
from the voucher's share and cap (RULES.md §4: 40 %, ≤ 800 yuan, unverified)."""

import csv
import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from eldercare.models import ServiceItem, ServiceProvider, Voucher, VoucherRedemption
from eldercare.orders import service_delivery_record, service_order_create
from eldercare.providers import provider_payee_set, settlement_by_provider
from eldercare.selectors import current_standard, items_of
from eldercare.services import assessment_record
from eldercare.vouchers import voucher_redeem, vouchers_issue, vouchers_settle, xiaofei_enrol
from payments.models import BankPayment, PaymentLine
from payments.payees import organisation_account_register
from payments.services import cycle_approve, cycle_open, exception_accept
from payments.services_bank import bank_files_generate
from tests.eldercare.conftest import full_scores
from tests.payments.payeekit import credit_code

pytestmark = pytest.mark.django_db
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
RCB = "重庆农村商业银行"


def _expected(voucher: Voucher, fee: Decimal) -> Decimal:
    """fee × share, rounded half up to the fen, capped — from the voucher's own figures."""
    return min((fee * voucher.share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), voucher.cap)


@pytest.fixture
def world(elders, personas, areas):
    officer = personas["district_officer"]
    items = list(items_of(current_standard()))
    for key in ("old_a", "old_b"):  # both 重度
        assessment_record(acting_user=personas["community_worker"] if key == "old_a" else officer,
                          person=elders[key], on=date(2026, 10, 20), reason="first",
                          items=full_scores(items, 40), second_assessor=personas["town_officer"])
    xiaofei_enrol(acting_user=officer, month=NOV)
    vouchers_issue(acting_user=officer, month=NOV)
    vouchers_issue(acting_user=officer, month=DEC)
    p1 = ServiceProvider.objects.create(name="小龙坎居家养老服务中心", area_id=areas["community_a"])
    p2 = ServiceProvider.objects.create(name="覃家岗助浴站", area_id=areas["community_b"])
    items = {"care": ServiceItem.objects.create(provider=p1, category="care", name="生活照料（月）",
                                                price=Decimal("2600")),
             "bath1": ServiceItem.objects.create(provider=p1, category="bath", name="上门助浴",
                                                 price=Decimal("123.45")),
             "bath2": ServiceItem.objects.create(provider=p2, category="bath", name="助浴", price=Decimal("88.88"))}
    return {"officer": officer, "approver": personas["district_approver"], "p1": p1, "p2": p2, "items": items}


def _redeem(world, person, item, month):
    order = service_order_create(acting_user=world["officer"], person=person, item=item, on=month.replace(day=3))
    service_delivery_record(acting_user=world["officer"], order=order, worker="王护理",
                            started_at=timezone.make_aware(datetime(month.year, month.month, 3, 9)), minutes=60)
    order.refresh_from_db()
    voucher = Voucher.objects.get(person=person, month=month)
    return voucher_redeem(acting_user=world["officer"], voucher=voucher, order=order), _expected(voucher, order.fee)


def _payee(world, provider, body):
    payee = provider_payee_set(acting_user=world["officer"], provider=provider, name=provider.name,
                               credit_code=credit_code(body))
    organisation_account_register(acting_user=world["officer"], organisation=payee, bank_name=RCB,
                                  account_number=f"62284800000000{payee.pk:05d}")
    return payee


def test_settlement_pays_each_provider_its_summed_redemptions_in_one_transfer(world, elders, generate):
    _r1, a1 = _redeem(world, elders["old_a"], world["items"]["care"], DEC)   # 2600 × 40 % capped at 800
    _r2, a2 = _redeem(world, elders["old_b"], world["items"]["bath1"], DEC)  # 123.45 × 40 % = 49.38
    _r3, a3 = _redeem(world, elders["old_a"], world["items"]["bath2"], NOV)  # 88.88 × 40 % = 35.55
    pay1, pay2 = _payee(world, world["p1"], "52500106MJA000010"), _payee(world, world["p2"], "52500106MJB000020")
    cycle = cycle_open(acting_user=world["officer"], month=DEC)
    done = vouchers_settle(acting_user=world["officer"], cycle=cycle)
    assert (done.lines, done.providers, done.total, done.waiting) == (3, 2, a1 + a2 + a3, [])
    generate(cycle, world["officer"])
    for exception in cycle.exceptions.filter(status="open"):
        exception_accept(acting_user=world["officer"], exception=exception, reason="已核实")
    cycle = cycle_approve(acting_user=world["approver"], cycle=cycle)
    files = bank_files_generate(acting_user=world["officer"], cycle=cycle)
    paid = {p.organisation_id: p.amount for p in BankPayment.objects.filter(cycle=cycle, organisation__isnull=False)}
    assert paid == {pay1.pk: a1 + a2, pay2.pk: a3}
    rows = [r for f in files for r in csv.reader(io.StringIO(bytes(f.content).decode(f.encoding)))]
    assert [r[1] for r in rows if r[1] in (pay1.name, pay2.name)] == [pay1.name, pay2.name]
    by_provider = {p["name"]: p for p in settlement_by_provider(world["officer"])}
    assert by_provider[world["p1"].name]["cycles"][0]["total"] == a1 + a2
    assert by_provider[world["p1"].name]["waiting"]["count"] == 0


def test_settlement_rerun_writes_nothing_and_a_provider_without_payee_waits(world, elders):
    _redeem(world, elders["old_a"], world["items"]["care"], DEC)
    _r, waiting_amount = _redeem(world, elders["old_b"], world["items"]["bath2"], DEC)
    _payee(world, world["p1"], "52500106MJA000010")
    cycle = cycle_open(acting_user=world["officer"], month=DEC)
    first = vouchers_settle(acting_user=world["officer"], cycle=cycle)
    assert (first.lines, first.waiting) == (1, [world["p2"].name])
    lines = PaymentLine.objects.filter(cycle=cycle).count()
    again = vouchers_settle(acting_user=world["officer"], cycle=cycle)
    assert (again.lines, PaymentLine.objects.filter(cycle=cycle).count()) == (0, lines)
    waiting = {p["name"]: p["waiting"] for p in settlement_by_provider(world["officer"])}[world["p2"].name]
    assert waiting == {"count": 1, "total": waiting_amount}


def test_a_redemption_is_never_settled_twice_even_past_the_service(world, elders):
    redemption, _ = _redeem(world, elders["old_a"], world["items"]["care"], DEC)
    other, _ = _redeem(world, elders["old_b"], world["items"]["bath1"], DEC)
    _payee(world, world["p1"], "52500106MJA000010")
    cycle = cycle_open(acting_user=world["officer"], month=DEC)
    vouchers_settle(acting_user=world["officer"], cycle=cycle)
    redemption.refresh_from_db()
    assert redemption.to_provider and redemption.payment_line_id
    # one line settles one redemption: the database refuses pointing a second one at it
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherRedemption.objects.filter(pk=other.pk).update(payment_line_id=redemption.payment_line_id)
    # a second settlement line for the same voucher in the cycle is refused by the payroll's unique key
    with pytest.raises(IntegrityError), transaction.atomic():
        line = PaymentLine.objects.get(pk=redemption.payment_line_id)
        line.pk = None
        line.save()
    # the same voucher redeemed again is refused
    order = service_order_create(acting_user=world["officer"], person=elders["old_a"],
                                 item=world["items"]["bath1"], on=DEC.replace(day=5))
    with pytest.raises(ValidationError, match="已核销"):
        voucher_redeem(acting_user=world["officer"], voucher=redemption.voucher, order=order)
    # a later cycle settles nothing already settled
    jan = cycle_open(acting_user=world["officer"], month=date(2027, 1, 1))
    assert vouchers_settle(acting_user=world["officer"], cycle=jan).lines == 0


def test_settlement_into_an_approved_cycle_is_refused_and_nothing_is_claimed(world, elders, generate):
    redemption, _ = _redeem(world, elders["old_a"], world["items"]["care"], DEC)
    _payee(world, world["p1"], "52500106MJA000010")
    cycle = cycle_open(acting_user=world["officer"], month=DEC)
    generate(cycle, world["officer"])
    for exception in cycle.exceptions.filter(status="open"):
        exception_accept(acting_user=world["officer"], exception=exception, reason="已核实")
    cycle_approve(acting_user=world["approver"], cycle=cycle)
    with pytest.raises(ValidationError, match="已审批"):
        vouchers_settle(acting_user=world["officer"], cycle=cycle)
    redemption.refresh_from_db()
    assert redemption.payment_line_id is None and not redemption.to_provider


def test_provider_payee_and_settlement_pages(world, elders, client, personas):
    _redeem(world, elders["old_a"], world["items"]["care"], DEC)
    cycle = cycle_open(acting_user=world["officer"], month=DEC)
    client.force_login(world["officer"])
    bad = client.post(reverse("eldercare-provider-payee", args=[world["p1"].pk]),
                      {"name": world["p1"].name, "credit_code": "52500106MJA000011"})
    assert "统一社会信用代码" in bad.content.decode() and world["p1"].__class__.objects.get(
        pk=world["p1"].pk).payee_id is None
    good = client.post(reverse("eldercare-provider-payee", args=[world["p1"].pk]),
                       {"name": world["p1"].name, "credit_code": credit_code("52500106MJA000010")})
    assert good.status_code == 302
    page = client.post(reverse("eldercare-settlement"), {"cycle": cycle.pk}, follow=True).content.decode()
    assert "已结算消费券1张" in page and "2026年12月" in page and world["p1"].name in page
    client.force_login(personas["outsider"])  # town B: provider of town A is not theirs
    assert client.get(reverse("eldercare-provider-payee", args=[world["p1"].pk])).status_code == 404


def test_a_settled_redemption_is_corrected_only_by_a_later_adjustment_to_the_provider(world, elders, generate):
    from payments.services import adjustment_add

    redemption, amount = _redeem(world, elders["old_b"], world["items"]["bath1"], DEC)
    payee = _payee(world, world["p1"], "52500106MJA000010")
    dec = cycle_open(acting_user=world["officer"], month=DEC)
    vouchers_settle(acting_user=world["officer"], cycle=dec)
    generate(dec, world["officer"])
    for exception in dec.exceptions.filter(status="open"):
        exception_accept(acting_user=world["officer"], exception=exception, reason="已核实")
    cycle_approve(acting_user=world["approver"], cycle=dec)
    redemption.refresh_from_db()
    settled_line = redemption.payment_line_id
    jan = cycle_open(acting_user=world["officer"], month=date(2027, 1, 1))
    correction = adjustment_add(acting_user=world["officer"], cycle=jan, enrolment=redemption.voucher.enrolment,
                                amount=-amount, reason="服务未实际提供，追回消费券结算", organisation=payee)
    assert (correction.organisation_id, correction.person_id, correction.area_id) == (payee.pk, None, payee.area_id)
    assert correction.account_number == _account_of(payee)
    redemption.refresh_from_db()
    assert redemption.payment_line_id == settled_line  # the settlement itself is never undone
    assert vouchers_settle(acting_user=world["officer"], cycle=jan).lines == 0


def _account_of(payee) -> str:
    from payments.models import BankAccount

    return BankAccount.objects.get(organisation=payee, valid=True).account_number
