"""养老服务消费补贴: enrol the assessed, issue the month's vouchers, redeem a voucher against a delivered service
order, settle what was redeemed through the payroll.

Never paid twice, by two constraints: a voucher has at most one redemption (`VoucherRedemption.voucher` is
one-to-one: the database refuses a second), and a redemption is settled once — `vouchers_settle` claims the
unsettled redemptions of an enrolment with a conditional UPDATE (`payment_line IS NULL`) in the same transaction
that writes the payroll's adjustment line, and the payroll allows one adjustment line per enrolment and cycle.

Settlement: the redeemed total of an enrolment becomes one 调整 line of the district's open payment cycle
(`payments.services.adjustment_add`), so it passes the cycle's checks, approval (maker ≠ checker), bank file and
return like any other line. The payroll pays an enrolment's payee — the older person's own account — so the
line names the provider and the orders in its reason; paying the provider's own account would need a payee
that is not a person in the payments kernel (see docs/eldercare.md).
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, scope_prefix
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from eldercare.models import Assessment, ServiceOrder, Voucher, VoucherRedemption
from minzheng.dates import first_of_month, month_end, years_before
from minzheng.lookups import prefix_q
from payments.models import PaymentCycle
from payments.services import adjustment_add
from programs.models import OPEN_STATUSES, Enrolment, Program
from programs.selectors import HOLDING_STATUSES, parameter_at
from programs.services import enrolments_start_bulk
from registry.models import Person

PROGRAM = "yanglao_xiaofei"
CENT = Decimal("0.01")


def _require(user, action: str, area_code: str | None = None) -> None:
    if not allowed(user, "voucher", action) or (area_code and not area_in_scope(user, area_code)):
        raise PermissionDenied("无此操作权限")


def xiaofei_candidates(*, month: date, area_prefix: str):
    """People of the area, alive, 60+ in the month, whose latest valid assessment is at or above the minimum level
    (checked by the eligibility function again), not holding the programme."""
    end = month_end(month)
    valid = Assessment.objects.filter(person_id=OuterRef("pk"), date__lte=end, next_due__gte=end, level__gte=2)
    holding = Enrolment.objects.filter(program_id=PROGRAM, person_id=OuterRef("pk"), status__in=HOLDING_STATUSES)
    return (Person.objects.filter(prefix_q("area_id", area_prefix), status=Person.Status.ACTIVE,
                                  birth_date__lte=years_before(end, 60))
            .filter(Exists(valid), ~Exists(holding)).order_by("pk"))


def xiaofei_enrol(*, acting_user, month: date) -> int:
    """纳入: everyone in the user's area assessed 中度失能 or worse, through the programmes' bulk service (each
    quoted by the registered eligibility function)."""
    _require(acting_user, "issue")
    month = first_of_month(month)
    people = list(xiaofei_candidates(month=month, area_prefix=scope_prefix(acting_user) or "-"))
    if not people:
        return 0
    started = enrolments_start_bulk(acting_user=acting_user, program=Program.objects.get(code=PROGRAM),
                                    subjects=[(None, p) for p in people], start_month=month, on=month_end(month),
                                    reason="能力评估为中度失能及以上，纳入养老服务消费补贴")
    return len(started.enrolled)


def vouchers_issue(*, acting_user, month: date) -> int:
    """发券: one voucher per open enrolment of the user's area for `month` (a second run adds none: one per
    person and month), with the share and cap in force for the person's community."""
    _require(acting_user, "issue")
    month = first_of_month(month)
    rows = (Enrolment.objects.filter(prefix_q("area_id", scope_prefix(acting_user) or "-"), program_id=PROGRAM,
                                     status__in=OPEN_STATUSES, start_month__lte=month)
            .exclude(end_month__lt=month).select_related("person"))
    figures: dict[str, tuple] = {}
    vouchers = []
    for e in rows:
        if e.area_id not in figures:
            share = parameter_at(PROGRAM, "voucher_share", e.area_id, month)
            cap = parameter_at(PROGRAM, "voucher_cap", e.area_id, month)
            figures[e.area_id] = (share, cap)
        share, cap = figures[e.area_id]
        vouchers.append(Voucher(enrolment=e, person_id=e.person_id, area_id=e.area_id, month=month,
                                share=share.value, cap=cap.value,
                                calculation={"share": {"id": share.pk, "source": share.source,
                                                       "verified": share.verified},
                                             "cap": {"id": cap.pk, "source": cap.source, "verified": cap.verified}}))
    with transaction.atomic():
        before = Voucher.objects.filter(month=month).count()
        Voucher.objects.bulk_create(vouchers, ignore_conflicts=True)
        made = Voucher.objects.filter(month=month).count() - before
        if made:
            domain_event_write(type=EventType.VOUCHERS_ISSUED, acting_user=acting_user,
                               message=f"发放{month:%Y年%m月}养老服务消费券{made}张",
                               params={"month": f"{month:%Y-%m}"})
    return made


def redemption_amount(voucher: Voucher, fee: Decimal) -> Decimal:
    """抵扣金额 = min(fee × share, cap), rounded half up to the fen."""
    return min((fee * voucher.share).quantize(CENT, rounding=ROUND_HALF_UP), voucher.cap)


@transaction.atomic
def voucher_redeem(*, acting_user, voucher: Voucher, order: ServiceOrder) -> VoucherRedemption:
    """核销: the voucher pays its share of a delivered order of the same person in the voucher's month, once."""
    _require(acting_user, "redeem", voucher.area_id)
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if VoucherRedemption.objects.filter(voucher=voucher).exists():
        raise ValidationError({"voucher": ["该消费券已核销，不能重复使用"]})
    if order.person_id != voucher.person_id:
        raise ValidationError({"order": ["服务订单的服务对象不是持券人"]})
    if order.status != ServiceOrder.Status.DELIVERED:
        raise ValidationError({"order": ["服务订单尚未完成服务，不能核销"]})
    if first_of_month(order.ordered_on) != voucher.month:
        raise ValidationError({"order": [f"消费券仅限{voucher.month:%Y年%m月}的服务使用"]})
    redemption = VoucherRedemption(voucher=voucher, order=order, provider_id=order.provider_id,
                                   area_id=voucher.area_id, fee=order.fee,
                                   amount=redemption_amount(voucher, order.fee), redeemed_by=acting_user)
    try:
        with transaction.atomic():
            redemption.save()
    except IntegrityError:
        raise ValidationError({"voucher": ["该消费券或服务订单已核销，不能重复使用"]}) from None
    change_log_write(instance=redemption, action=ChangeLog.Action.CREATE, before=None, after=snapshot(redemption),
                     acting_user=acting_user)
    domain_event_write(type=EventType.VOUCHER_REDEEMED, person=voucher.person, subject=redemption,
                       acting_user=acting_user,
                       message=f"核销{voucher.month:%Y年%m月}养老服务消费券{redemption.amount}元")
    return redemption


@transaction.atomic
def vouchers_settle(*, acting_user, cycle: PaymentCycle) -> int:
    """结算: for each enrolment with redemptions not yet settled (redeemed up to the cycle's month, in the user's
    area), one adjustment line of their total in `cycle`; the redemptions are claimed for that line."""
    _require(acting_user, "settle")
    pending = (VoucherRedemption.objects.filter(prefix_q("area_id", scope_prefix(acting_user) or "-"),
                                                payment_line__isnull=True, voucher__month__lte=cycle.month)
               .select_related("voucher__enrolment", "provider"))
    by_enrolment: dict[int, list[VoucherRedemption]] = defaultdict(list)
    for r in pending:
        by_enrolment[r.voucher.enrolment_id].append(r)
    for items in by_enrolment.values():
        enrolment = items[0].voucher.enrolment
        total = sum((r.amount for r in items), Decimal("0"))
        providers = "、".join(sorted({r.provider.name for r in items}))
        orders = "、".join(str(r.order_id) for r in items)
        line = adjustment_add(acting_user=acting_user, cycle=cycle, enrolment=enrolment, amount=total,
                              reason=f"养老服务消费券结算：{providers}，订单{orders}"[:200])
        claimed = VoucherRedemption.objects.filter(pk__in=[r.pk for r in items], payment_line__isnull=True).update(
            payment_line=line)
        if claimed != len(items):
            raise ValidationError({"redemption": ["核销记录已被其他结算占用，请重试"]})
    if by_enrolment:
        domain_event_write(type=EventType.VOUCHERS_SETTLED, subject=cycle, acting_user=acting_user,
                           message=f"结算养老服务消费券：{len(by_enrolment)}人",
                           params={"cycle": cycle.pk, "settled_at": timezone.now().isoformat()})
    return len(by_enrolment)


def redeemed_total(*, cycle: PaymentCycle) -> Decimal:
    return VoucherRedemption.objects.filter(payment_line__cycle=cycle).aggregate(t=Sum("amount"))["t"] or Decimal("0")
