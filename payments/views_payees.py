"""收款单位页面: the organisations the payroll pays — list, register, and each one's bank account (register,
change, confirm or send back a change as the second person, reveal the full number, logged). The services check
grants, scope and maker ≠ checker; the lookups here make an organisation out of scope a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.policy import allowed, scope_prefix
from areas.models import Area
from payments.models import BankAccount, BankAccountChange, OrganisationPayee
from payments.payees import (
    is_current_organisation_payee,
    organisation_account_register,
    organisation_account_reveal,
    organisation_payee_register,
    organisations_visible,
)
from payments.views_account import account_page
from web.forms import StyledForm
from web.views.common import require, service_error_text, service_errors_to_form

PAGE_SIZE = 100


class _AreaChoice(forms.ModelChoiceField):
    """村社区 by name only: the division code is for machines."""

    def label_from_instance(self, obj):
        return obj.name


class OrganisationPayeeForm(StyledForm):
    name = forms.CharField(label="单位名称", max_length=100)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, help_text="18位，如 52500106MJP123456X")
    area = _AreaChoice(label="所在村社区", queryset=Area.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = scope_prefix(user) or "-"
        self.fields["area"].queryset = Area.objects.filter(code__startswith=prefix, level="community").order_by("code")


def _organisation(request: HttpRequest, pk: int) -> OrganisationPayee:
    found = organisations_visible(request.user).select_related("area").filter(pk=pk).first()
    if found is None:
        raise Http404("收款单位不存在或不在您的管辖范围内")
    return found


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """收款单位 of the user's area, with the valid account (masked) and a change waiting, if any."""
    require(request.user, "bank_account", "view")
    form = OrganisationPayeeForm(user=request.user)
    if request.method == "POST":
        form = OrganisationPayeeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                payee = organisation_payee_register(acting_user=request.user, **form.cleaned_data)
                messages.success(request, f"已登记收款单位“{payee.name}”，请登记其银行账户")
                return redirect("organisation-account-edit", pk=payee.pk)
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            except PermissionDenied as exc:
                messages.error(request, service_error_text(exc))
    rows = list(organisations_visible(request.user).select_related("area").order_by("area_id", "name")[:PAGE_SIZE])
    accounts = {a.organisation_id: a for a in BankAccount.objects.filter(organisation__in=rows, valid=True)}
    pending = set(BankAccountChange.objects.filter(organisation__in=rows, status=BankAccountChange.Status.PENDING)
                  .values_list("organisation_id", flat=True))
    return render(request, "payments/organisation_list.html", {
        "tab": "payees", "form": form, "can_change": allowed(request.user, "bank_account", "change"),
        "rows": [{"org": o, "account": accounts.get(o.pk), "pending": o.pk in pending} for o in rows],
        "more": len(rows) == PAGE_SIZE})


@login_required
def organisation_account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """银行账户 of a 收款单位: see `payments.views_account.account_page`."""
    require(request.user, "bank_account", "view")
    org = _organisation(request, pk)

    def register(**account):
        return organisation_account_register(acting_user=request.user, organisation=org, **account)

    return account_page(request, "payments/organisation_account.html", owner={"organisation": org},
                        register=register, area_id=org.area_id, is_payee=is_current_organisation_payee(org),
                        context={"tab": "payees", "org": org})


@login_required
@require_POST
def organisation_account_reveal_view(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    """显示完整账号 (htmx): the service checks the grant and writes the access log."""
    org = _organisation(request, pk)
    kind = BankAccountChange if request.GET.get("change") else BankAccount
    account = kind.objects.filter(organisation=org, pk=account_pk).first()
    if account is None:
        raise Http404("账户不存在")
    number = organisation_account_reveal(user=request.user, account=account)
    return render(request, "web/persons/_id_full.html", {"number": number})
