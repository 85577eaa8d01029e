"""收款单位 (organisation payees): register one, its bank account (the same rules as a person's: one valid, a
change for a current payee confirmed by a second person), the logged reveal of its full account number, and
lines payable to it (服务结算), written in bulk into a cycle not yet approved.

The kernel knows no domain: a domain app links its own record (an eldercare service provider) to an
`OrganisationPayee` and hands the lines over through `organisation_lines_add`. Scope: an organisation is seen by
those whose area covers its own (`organisations_visible`), as persons are; grants are those of bank accounts.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as NumberError

from accounts.policy import allowed, area_in_scope, restrict
from areas.models import Area
from audit.models import AccessLog, ChangeLog, EventType
from audit.services import access_log_write, change_log_bulk_create, change_log_write, domain_event_write, snapshot
from payments.checks import checks_run
from payments.generation import totals_refresh
from payments.models import BankAccount, BankAccountChange, OrganisationPayee, PaymentCycle, PaymentLine
from payments.services import _amount, _editable, _require, _text, payee_account_register
from programs.calculations.money import money
from programs.models import Enrolment


def organisations_visible(user, action: str = "view") -> QuerySet[OrganisationPayee]:
    """The 收款单位 of the user's area (by the organisation's own area), for holders of the bank-account grant."""
    return restrict(OrganisationPayee.objects.all(), user, action, resource="bank_account", area_field="area_id")


def credit_code_clean(value) -> str:
    """统一社会信用代码: 18 characters of the GB 32100-2015 set, the last one the check character."""
    code = (value or "").strip().upper().replace(" ", "") if isinstance(value, str) else ""
    if not code:
        raise ValidationError({"credit_code": ["请填写统一社会信用代码"]})
    try:
        return uscc.validate(code)
    except NumberError:
        raise ValidationError({"credit_code": [f"统一社会信用代码“{code}”不正确：应为18位，"
                                               "末位校验码按 GB 32100-2015 计算"]}) from None


@transaction.atomic
def organisation_payee_register(*, acting_user, name: str, credit_code: str, area: Area) -> OrganisationPayee:
    """登记收款单位 in the user's area; a credit code is registered once."""
    if not allowed(acting_user, "bank_account", "change") or not area_in_scope(acting_user, area.code):
        raise PermissionDenied("无此操作权限（收款单位）")
    name = _text(name, "name", "单位名称", 100)
    code = credit_code_clean(credit_code)
    if OrganisationPayee.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": [f"统一社会信用代码{code}已登记为收款单位"]})
    try:
        with transaction.atomic():
            payee = OrganisationPayee.objects.create(name=name, credit_code=code, area=area)
    except IntegrityError:
        raise ValidationError({"credit_code": [f"统一社会信用代码{code}已登记为收款单位"]}) from None
    change_log_write(instance=payee, action=ChangeLog.Action.CREATE, before=None, after=snapshot(payee),
                     acting_user=acting_user)
    domain_event_write(type=EventType.ORGANISATION_PAYEE_REGISTERED, subject=payee, acting_user=acting_user,
                       message=f"登记收款单位：{name}")
    return payee


def is_current_organisation_payee(organisation: OrganisationPayee) -> bool:
    """Has the payroll paid, or is it paying, this organisation (a line payable to it, in any cycle)?"""
    return PaymentLine.objects.filter(organisation=organisation).exists()


@transaction.atomic
def organisation_account_register(*, acting_user, organisation: OrganisationPayee, bank_name: str,
                                  account_number: str, reason: str = "") -> BankAccount | BankAccountChange:
    """登记或变更收款单位的银行账户 (对公账户): as a person's — a change for a current payee waits for a second
    person (`payments.services.bank_account_change_confirm`)."""
    return payee_account_register(acting_user=acting_user, payee=organisation, bank_name=bank_name,
                                  account_number=account_number, reason=reason,
                                  current=is_current_organisation_payee)


def organisation_account_reveal(*, user, account: BankAccount | BankAccountChange) -> str:
    """查看完整账号: for the checker who compares it with the bank's document (the confirm grant), in scope; logged,
    and a refused attempt logged too."""
    what = {"what": "银行账号", "organisation": account.organisation_id, "account": account.pk,
            "model": account._meta.label_lower}
    if (account.organisation_id is None or not allowed(user, "bank_account", "confirm")
            or not area_in_scope(user, account.area_id)):
        if getattr(user, "is_authenticated", False):
            access_log_write(user=user, kind=AccessLog.Kind.DENIED, detail=what)
        raise PermissionDenied("无权查看完整银行账号")
    access_log_write(user=user, kind=AccessLog.Kind.REVEAL_ACCOUNT, detail=what)
    return account.account_number


@dataclass(frozen=True)
class OrganisationLine:
    """One amount payable to an organisation for one enrolment and covered month (e.g. one voucher's month)."""

    enrolment_id: int
    organisation_id: int
    covered_month: date
    amount: Decimal
    reason: str
    formula: dict = field(default_factory=dict)


@transaction.atomic
def organisation_lines_add(*, acting_user, cycle: PaymentCycle, lines: list[OrganisationLine],
                           kind: str = PaymentLine.Kind.SETTLEMENT) -> list[PaymentLine]:
    """服务结算明细: lines payable to organisations, in a cycle not yet approved, in one bulk insert. Each takes
    the organisation's valid account now (refreshed by the checks until approval, then frozen, as person lines)
    and the organisation's area. A line already there (same enrolment, covered month, kind and cycle) refuses the
    whole batch: nothing is half-saved. The checks run again when the cycle was generated."""
    cycle = _editable(cycle)
    if cycle.status == PaymentCycle.Status.GENERATING:
        raise ValidationError({"status": ["该批次正在生成中，请等待当前任务完成"]})
    if not lines:
        return []
    organisations = OrganisationPayee.objects.in_bulk({x.organisation_id for x in lines})
    for org in organisations.values():
        _require(acting_user, "run", org.area_id)
    accounts = {a.organisation_id: a for a in BankAccount.objects.filter(organisation_id__in=organisations,
                                                                         valid=True)}
    programs = dict(Enrolment.objects.filter(pk__in={x.enrolment_id for x in lines}).values_list("pk", "program_id"))
    rows = []
    for x in lines:
        org, account = organisations[x.organisation_id], accounts.get(x.organisation_id)
        amount = _amount(x.amount, "amount", f"{org.name}的结算金额")
        rows.append(PaymentLine(
            cycle=cycle, enrolment_id=x.enrolment_id, program_id=programs[x.enrolment_id], organisation=org,
            area_id=org.area_id, month=cycle.month, covered_month=x.covered_month, kind=kind, amount=amount,
            formula={"rule": "服务结算：付给收款单位", "amount": money(amount), **x.formula},
            bank_account=account, bank_name=account.bank_name if account else "",
            account_number=account.account_number if account else "", reason=x.reason[:200]))
    try:
        with transaction.atomic():
            created = PaymentLine.objects.bulk_create(rows, batch_size=2000)
    except IntegrityError:
        raise ValidationError({"lines": ["本批次已有相同的结算明细，不能重复结算"]}) from None
    change_log_bulk_create(model=PaymentLine, rows=[(str(line.pk), str(line), {
        **snapshot(line), "account_number": line.masked_account}) for line in created], acting_user=acting_user,
        reason="服务结算")
    totals_refresh(cycle)
    if cycle.status == PaymentCycle.Status.GENERATED:
        checks_run(cycle=cycle, acting_user=acting_user)
    return created


def organisation_changes_pending(user) -> QuerySet[BankAccountChange]:
    return restrict(BankAccountChange.objects.filter(organisation__isnull=False,
                                                     status=BankAccountChange.Status.PENDING),
                    user, "view", resource="bank_account", area_field="area_id")
