"""养老服务消费补贴页面: the providers' 收款单位 (who the vouchers are paid to) and the settlement — per provider
the redeemed total and the payment cycle it went into; settling the unsettled into an open cycle."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.policy import allowed
from eldercare.providers import provider_payee_set, providers_visible, providers_with_payees, settlement_by_provider
from eldercare.vouchers import vouchers_settle
from payments.models import PaymentCycle
from payments.selectors import cycles_visible
from web.forms import StyledForm
from web.views.common import require, service_error_text, service_errors_to_form


class ProviderPayeeForm(StyledForm):
    name = forms.CharField(label="收款单位名称", max_length=100, help_text="与银行开户名一致的单位全称")
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "service_order", "view")
    return render(request, "eldercare/providers.html", {
        "tab": "providers", "rows": providers_with_payees(request.user),
        "can_change": allowed(request.user, "bank_account", "change")})


@login_required
def provider_payee(request: HttpRequest, pk: int) -> HttpResponse:
    """登记收款单位 of one provider; then its bank account on the payments page."""
    require(request.user, "bank_account", "change")
    provider = providers_visible(request.user).select_related("payee", "area").filter(pk=pk).first()
    if provider is None:
        raise Http404("服务机构不存在或不在您的管辖范围内")
    initial = {"name": provider.payee.name if provider.payee else provider.name,
               "credit_code": provider.payee.credit_code if provider.payee else provider.credit_code}
    form = ProviderPayeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payee = provider_payee_set(acting_user=request.user, provider=provider, **form.cleaned_data)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        except PermissionDenied as exc:
            messages.error(request, service_error_text(exc))
        else:
            messages.success(request, f"已登记收款单位“{payee.name}”，请登记或核对其银行账户")
            return redirect("organisation-account-edit", pk=payee.pk)
    return render(request, "eldercare/provider_payee.html", {"tab": "providers", "provider": provider, "form": form})


@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    """GET: per provider what was redeemed and where it was settled; POST: settle into the chosen open cycle."""
    require(request.user, "voucher", "view")
    open_cycles = list(cycles_visible(request.user).filter(
        status__in=(PaymentCycle.Status.OPEN, PaymentCycle.Status.GENERATED)).order_by("-month")[:12])
    if request.method == "POST":
        cycle = next((c for c in open_cycles if str(c.pk) == request.POST.get("cycle")), None)
        try:
            if cycle is None:
                raise ValidationError({"cycle": ["请选择未审批的发放批次"]})
            done = vouchers_settle(acting_user=request.user, cycle=cycle)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未结算：{service_error_text(exc)}")
        else:
            text = (f"已结算消费券{done.lines}张，{done.providers}家服务机构，合计{done.total:.2f}元，"
                    f"计入{cycle.month:%Y年%m月}发放批次" if done.lines else "没有待结算的核销记录")
            if done.waiting:
                text += f"；以下服务机构未登记收款单位，暂不结算：{'、'.join(done.waiting)}"
            messages.success(request, text)
        return redirect("eldercare-settlement")
    return render(request, "eldercare/settlement.html", {
        "tab": "settlement", "providers": settlement_by_provider(request.user), "cycles": open_cycles,
        "can_settle": allowed(request.user, "voucher", "settle") and allowed(request.user, "payment", "run")})
