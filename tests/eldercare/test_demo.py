"""养老服务 demo data (demo.eldercare via load_demo): assessments across the bands, two care homes (one with its
provider account), service orders, vouchers; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from demo.eldercare import demo_eldercare_load
from eldercare.models import (
    Assessment,
    CareHome,
    HomeAdaptation,
    ServiceOrder,
    TimeBankEntry,
    Voucher,
    VoucherRedemption,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=30, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_the_demo_has_assessments_homes_orders_and_vouchers(demo):
    assert "养老服务演示数据" in demo
    assert Assessment.objects.count() >= 6
    assert len(set(Assessment.objects.values_list("level", flat=True))) >= 4
    homes = list(CareHome.objects.all())
    assert len(homes) == 2 and sum(h.providers.count() for h in homes) == 1
    assert homes[0].residents.exists() or homes[1].residents.exists()
    assert any(h.hazards.exists() for h in homes)
    assert ServiceOrder.objects.filter(status="delivered").exists()
    assert Voucher.objects.exists() and VoucherRedemption.objects.count() <= Voucher.objects.count()


def test_the_demo_has_an_adaptation_at_each_stage_and_volunteers(demo):
    assert sorted(HomeAdaptation.objects.values_list("stage", flat=True)) == sorted(HomeAdaptation.Stage.values)
    done = HomeAdaptation.objects.get(stage="subsidised")
    assert done.steps.count() == 5 and done.subsidy <= done.cost
    volunteers = TimeBankEntry.objects.values("volunteer").distinct().count()
    assert volunteers == 3 and TimeBankEntry.objects.filter(hours__lt=0).exists()
    assert "适老化改造 5 户" in demo and "时间银行志愿者 3 人" in demo
def test_the_demo_providers_are_paid_through_the_payroll(demo):
    from eldercare.models import ServiceProvider
    from payments.models import BankAccount

    payees = list(ServiceProvider.objects.filter(payee__isnull=False).values_list("payee_id", flat=True))
    assert len(payees) == 2
    assert BankAccount.objects.filter(organisation_id__in=payees, valid=True).count() == 2
    redeemed = list(VoucherRedemption.objects.select_related("payment_line", "provider"))
    assert redeemed and all(r.to_provider and r.payment_line.organisation_id == r.provider.payee_id
                            and r.payment_line.amount == r.amount for r in redeemed)


def test_a_second_run_adds_nothing(demo):
    from casework import clock

    before = (Assessment.objects.count(), CareHome.objects.count())
    assert "未生成" in demo_eldercare_load(today=clock.today()).line()
    assert (Assessment.objects.count(), CareHome.objects.count()) == before
