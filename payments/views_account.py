"""银行账户页面: a person's payment account — register it, change it, and (as a second person) confirm or send
back a change of a current payee's account. The services check the grants, the scope and maker ≠ checker; the
lookup here makes a person out of scope a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.policy import allowed, area_in_scope
from payments.custody.selectors import custody_context
from payments.models import BankAccount, BankAccountChange
from payments.services import (
    bank_account_change_confirm,
    bank_account_change_reject,
    bank_account_register,
    is_current_payee,
)
from registry.models import Person
from registry.selectors import persons_visible
from web.forms import StyledForm
from web.views.common import require, service_error_text, service_errors_to_form


class BankAccountForm(StyledForm):
    bank_name = forms.CharField(label="开户银行", max_length=60, help_text="如 重庆农村商业银行沙坪坝支行")
    account_number = forms.CharField(label="银行账号", max_length=40, help_text="10至30位数字，可含空格")
    account_number_again = forms.CharField(label="再次输入银行账号", max_length=40)
    reason = forms.CharField(label="变更原因", max_length=200, required=False,
                             help_text="变更正在发放对象的账户时必填，如“原卡已注销，换发社保卡”")

    def clean(self):
        data = super().clean()
        first = (data.get("account_number") or "").replace(" ", "")
        again = (data.get("account_number_again") or "").replace(" ", "")
        if first and again and first != again:
            self.add_error("account_number_again", "两次输入的银行账号不一致")
        return data


def _person(request: HttpRequest, pk: int) -> Person:
    person = persons_visible(request.user).select_related("area").filter(pk=pk).first()
    if person is None:
        raise Http404("人员不存在或不在您的管辖范围内")
    return person


def pending_change_decide(request: HttpRequest, pending: BankAccountChange | None, action: str) -> None:
    """确认 or 退回 the change waiting on a payee's account (a person's or a 收款单位's), with the page message."""
    if pending is None:
        raise ValidationError("没有待确认的账户变更")
    if action == "confirm":
        bank_account_change_confirm(acting_user=request.user, change=pending)
        messages.success(request, "账户变更已确认，自下一次生成银行代发文件起使用新账户")
    else:
        bank_account_change_reject(acting_user=request.user, change=pending, note=request.POST.get("note", ""))
        messages.success(request, "账户变更已退回，原账户不变")


def account_page(request: HttpRequest, template: str, *, owner: dict, register, area_id: str, is_payee: bool,
                 context: dict) -> HttpResponse:
    """One payee's account page (a person's or a 收款单位's; `owner` is {"person": …} or {"organisation": …}).

    GET: the account now, a change waiting for confirmation, the form. POST: register through `register(bank_name=,
    account_number=, reason=)`, or confirm or send back the waiting change; each success redirects to this page.
    """
    form = BankAccountForm()
    pending = BankAccountChange.objects.filter(**owner, status=BankAccountChange.Status.PENDING).first()
    if request.method == "POST":
        action = request.POST.get("action", "register")
        try:
            if action in ("confirm", "reject"):
                pending_change_decide(request, pending, action)
                return redirect(request.path)
            form = BankAccountForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                result = register(bank_name=data["bank_name"], account_number=data["account_number"],
                                  reason=data["reason"])
                messages.success(request, "账户变更已提交，须由另一名工作人员确认后生效"
                                 if isinstance(result, BankAccountChange) else "银行账户已登记")
                return redirect(request.path)
        except ValidationError as exc:
            if action == "register":
                service_errors_to_form(form, exc)
            else:
                messages.error(request, service_error_text(exc))
        except PermissionDenied as exc:
            messages.error(request, service_error_text(exc))
    accounts = list(BankAccount.objects.filter(**owner).order_by("-valid", "-id")[:10])
    in_scope = area_in_scope(request.user, area_id)
    changes = list(BankAccountChange.objects.filter(**owner).select_related("requested_by", "decided_by")
                   .order_by("-id")[:10])
    return render(request, template, {
        **context, "form": form, "pending": pending, "accounts": accounts, "changes": changes,
        "current": next((a for a in accounts if a.valid), None), "payee": is_payee,
        "can_change": in_scope and allowed(request.user, "bank_account", "change"),
        "can_reveal": in_scope and allowed(request.user, "bank_account", "confirm"),
        "can_confirm": (in_scope and pending is not None and allowed(request.user, "bank_account", "confirm")
                        and pending.requested_by_id != request.user.pk)})


@login_required
def bank_account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """银行账户 of a person: see `account_page`."""
    require(request.user, "bank_account", "view")
    person = _person(request, pk)

    def register(**account):
        return bank_account_register(acting_user=request.user, person=person, **account)

    return account_page(request, "payments/bank_account.html", owner={"person": person}, register=register,
                        area_id=person.area_id, is_payee=is_current_payee(person),
                        context={"person": person, **custody_context(request.user, person)})
