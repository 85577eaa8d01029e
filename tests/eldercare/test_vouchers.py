"""养老服务消费补贴: enrolment of the assessed (中度失能 or worse), monthly vouchers, one redemption per voucher
(service and database), settlement through the payroll once. Share and cap: RULES.md §4 (40 %, ≤ 800 yuan)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from eldercare.models import Assessment, ServiceItem, ServiceProvider, Voucher, VoucherRedemption
from eldercare.orders import service_delivery_record, service_order_create, targets_progress
from eldercare.providers import provider_payee_set
from eldercare.selectors import current_standard, items_of
from eldercare.services import assessment_record
from eldercare.vouchers import voucher_redeem, vouchers_issue, vouchers_settle, xiaofei_enrol
from payments.models import PaymentLine
from payments.services import cycle_open
from tests.eldercare.conftest import full_scores
from tests.payments.payeekit import credit_code

SHARE, CAP = Decimal("0.40"), Decimal("800")  # RULES.md §4 (unverified)
DEC = date(2026, 12, 1)


@pytest.fixture
def setting(elders, personas, areas):
    worker, officer = personas["community_worker"], personas["district_officer"]
    items = list(items_of(current_standard()))
    for key, total in (("old_a", 40), ("old_a2", 80)):  # 重度 (3) and 轻度 (1)
        assessment_record(acting_user=worker, person=elders[key], on=date(2026, 11, 20), reason="first",
                          items=full_scores(items, total), second_assessor=personas["town_officer"])
    provider = ServiceProvider.objects.create(name="小龙坎居家养老服务中心", area_id=areas["community_a"])
    bath = ServiceItem.objects.create(provider=provider, category="bath", name="上门助浴", price=Decimal("123.45"))
    care = ServiceItem.objects.create(provider=provider, category="care", name="生活照料（月）", price=Decimal("2600"))
    return {"officer": officer, "worker": worker, "bath": bath, "care": care}


def _delivered(setting, person, item, on=date(2026, 12, 3)):
    order = service_order_create(acting_user=setting["officer"], person=person, item=item, on=on)
    service_delivery_record(acting_user=setting["officer"], order=order, worker="王护理",
                            started_at=timezone.make_aware(datetime(2026, 12, 3, 9)), minutes=60)
    order.refresh_from_db()
    return order


def _expected(fee: Decimal) -> Decimal:
    return min((fee * SHARE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), CAP)


@pytest.mark.django_db
def test_only_the_assessed_moderate_or_worse_are_enrolled_and_get_a_voucher(setting, elders):
    assert xiaofei_enrol(acting_user=setting["officer"], month=DEC) == 1
    assert vouchers_issue(acting_user=setting["officer"], month=DEC) == 1
    assert vouchers_issue(acting_user=setting["officer"], month=DEC) == 0  # one per person and month
    voucher = Voucher.objects.get()
    assert (voucher.person, voucher.share, voucher.cap) == (elders["old_a"], SHARE, CAP)


@pytest.mark.django_db
def test_voucher_redeemed_twice_is_refused(setting, elders):
    xiaofei_enrol(acting_user=setting["officer"], month=DEC)
    vouchers_issue(acting_user=setting["officer"], month=DEC)
    voucher = Voucher.objects.get()
    first = _delivered(setting, elders["old_a"], setting["bath"])
    redemption = voucher_redeem(acting_user=setting["officer"], voucher=voucher, order=first)
    assert redemption.amount == _expected(Decimal("123.45"))  # 49.38
    second = _delivered(setting, elders["old_a"], setting["bath"])
    with pytest.raises(ValidationError, match="已核销"):
        voucher_redeem(acting_user=setting["officer"], voucher=voucher, order=second)
    # …and the database refuses it even past the service
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherRedemption.objects.create(voucher=voucher, order=second, provider=second.provider,
                                         area_id=voucher.area_id, fee=second.fee, amount=Decimal("1"),
                                         redeemed_by=setting["officer"])
    assert VoucherRedemption.objects.count() == 1


@pytest.mark.django_db
def test_redemption_capped_and_settled_through_the_payroll_once_to_the_provider(setting, elders, areas):
    xiaofei_enrol(acting_user=setting["officer"], month=DEC)
    vouchers_issue(acting_user=setting["officer"], month=DEC)
    order = _delivered(setting, elders["old_a"], setting["care"])
    redemption = voucher_redeem(acting_user=setting["officer"], voucher=Voucher.objects.get(), order=order)
    assert redemption.amount == CAP  # 2600 × 40 % = 1040 > 800
    provider = setting["care"].provider
    payee = provider_payee_set(acting_user=setting["officer"], provider=provider, name=provider.name,
                               credit_code=credit_code("52500106MJA000010"))
    cycle = cycle_open(acting_user=setting["officer"], month=DEC)
    assert vouchers_settle(acting_user=setting["officer"], cycle=cycle).lines == 1
    line = PaymentLine.objects.get(cycle=cycle, program_id="yanglao_xiaofei")
    assert (line.kind, line.amount, line.person_id, line.organisation_id) == ("settlement", CAP, None, payee.pk)
    assert "小龙坎居家养老服务中心" in line.reason
    assert vouchers_settle(acting_user=setting["officer"], cycle=cycle).lines == 0
    assert PaymentLine.objects.filter(program_id="yanglao_xiaofei").count() == 1
    progress = targets_progress(year=2026, area_prefix="500106")
    assert progress == []  # no targets set


@pytest.mark.django_db
def test_redeem_refuses_another_persons_order(setting, elders):
    xiaofei_enrol(acting_user=setting["officer"], month=DEC)
    vouchers_issue(acting_user=setting["officer"], month=DEC)
    order = _delivered(setting, elders["old_a2"], setting["bath"])
    with pytest.raises(ValidationError, match="持券人"):
        voucher_redeem(acting_user=setting["officer"], voucher=Voucher.objects.get(), order=order)
    assert not Assessment.objects.filter(level__gt=4).exists()
