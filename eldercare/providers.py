"""养老服务机构 as payees (收款单位) and the voucher settlement as providers see it.

A provider is paid through the payroll as an organisation payee of the payments kernel: `provider_payee_set`
registers it (or finds the one with the same 统一社会信用代码) and links it. The payee's bank account is kept on
the kernel's page (`organisation-account-edit`), with the kernel's rules: one valid account, a change for a
payee already paid confirmed by a second person. Scope: a provider is seen by those whose area covers its own.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum

from accounts.policy import allowed, area_in_scope, restrict
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from eldercare.models import ServiceProvider, VoucherRedemption
from payments.models import BankAccount, OrganisationPayee, PaymentCycle
from payments.payees import credit_code_clean, is_current_organisation_payee, organisation_payee_register


def providers_visible(user) -> QuerySet[ServiceProvider]:
    return restrict(ServiceProvider.objects.all(), user, "view", resource="service_order", area_field="area_id")


@transaction.atomic
def provider_payee_set(*, acting_user, provider: ServiceProvider, name: str, credit_code: str) -> OrganisationPayee:
    """登记服务机构的收款单位: the 收款单位 with this credit code (registered now in the provider's area if new)
    becomes the one the provider's vouchers are paid to. A provider already paid keeps its payee: what changes
    where the money goes is its bank account, through the confirmed change."""
    if not allowed(acting_user, "bank_account", "change") or not area_in_scope(acting_user, provider.area_id):
        raise PermissionDenied("无此操作权限（服务机构收款单位）")
    provider = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
    code = credit_code_clean(credit_code)
    payee = OrganisationPayee.objects.filter(credit_code=code).first()
    if provider.payee_id and provider.payee_id != getattr(payee, "pk", None) and is_current_organisation_payee(
            provider.payee):
        raise ValidationError({"credit_code": ["该服务机构已按原收款单位结算过，不能更换收款单位；"
                                               "如账户有变，请变更收款单位的银行账户"]})
    if payee is None:
        payee = organisation_payee_register(acting_user=acting_user, name=name, credit_code=code,
                                            area=provider.area)
    elif not area_in_scope(acting_user, payee.area_id):
        raise ValidationError({"credit_code": ["该统一社会信用代码已登记为其他区划的收款单位"]})
    if ServiceProvider.objects.filter(payee=payee).exclude(pk=provider.pk).exists():
        raise ValidationError({"credit_code": ["该收款单位已是另一家服务机构的收款单位"]})
    before = snapshot(provider)
    provider.payee, provider.credit_code = payee, code
    provider.save(update_fields=["payee", "credit_code"])
    change_log_write(instance=provider, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(provider),
                     acting_user=acting_user, reason="登记收款单位")
    return payee


def providers_with_payees(user) -> list[dict]:
    """The providers of the user's area with their 收款单位 and whether it has a valid account (masked)."""
    providers = list(providers_visible(user).select_related("payee", "area").order_by("area_id", "name")[:200])
    accounts = {a.organisation_id: a for a in BankAccount.objects.filter(
        organisation_id__in=[p.payee_id for p in providers if p.payee_id], valid=True)}
    return [{"provider": p, "payee": p.payee, "account": accounts.get(p.payee_id)} for p in providers]


def settlement_by_provider(user) -> list[dict]:
    """结算情况 per provider: redeemed (count, total), not yet settled, and per payment cycle what was settled
    into it (to the provider, or before issue 13 to the older person). One grouped query."""
    rows = (restrict(VoucherRedemption.objects.all(), user, "view", resource="voucher", area_field="area_id")
            .values("provider_id", "provider__name", "payment_line__cycle__month",
                    "payment_line__cycle__status", "to_provider")
            .annotate(n=Count("id"), total=Sum("amount")).order_by("provider__name", "payment_line__cycle__month"))
    zero = Decimal("0.00")
    found: dict[int, dict] = {}
    for r in rows:
        p = found.setdefault(r["provider_id"], {"name": r["provider__name"], "count": 0, "total": zero,
                                                "waiting": {"count": 0, "total": zero}, "cycles": []})
        p["count"] += r["n"]
        p["total"] += r["total"] or zero
        if r["payment_line__cycle__month"] is None:
            p["waiting"] = {"count": r["n"], "total": r["total"] or zero}
        else:
            p["cycles"].append({"month": r["payment_line__cycle__month"], "count": r["n"], "total": r["total"],
                                "to_provider": r["to_provider"],
                                "status": PaymentCycle.Status(r["payment_line__cycle__status"]).label})
    return list(found.values())
