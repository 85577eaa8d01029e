"""养老服务消费补贴: enrol the assessed, issue the month's vouchers, redeem a voucher against a delivered service
order, settle what was redeemed through the payroll — paid to the PROVIDER, never twice.

Never paid twice, by three keys: a voucher has at most one redemption (`VoucherRedemption.voucher` is one-to-one:
the database refuses a second); a redemption is settled once — `vouchers_settle` claims the unsettled redemptions
with a conditional UPDATE (`payment_line IS NULL`) in the same transaction that writes their lines, and a line
settles one redemption (`redemption_one_line_each`); and the payroll holds one settlement line per enrolment,
voucher month and cycle (`payment_line_once`).

Settlement: each redemption becomes one 服务结算 line of the district's open payment cycle, payable to the
provider's 收款单位 (`payments.payees.organisation_lines_add`); the bank file pays each provider once per cycle,
the sum of its lines, to its confirmed account. The lines pass the cycle's checks, approval (maker ≠ checker),
bank file and return like any other. A provider without a 收款单位 is not settled: its redemptions wait. Once
settled, a redemption is never settled again nor unsettled here: a correction is an adjustment line of a later
cycle (`payments.services.adjustment_add` with the organisation as payee).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, scope_prefix
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from eldercare.models import Assessment, ServiceOrder, Voucher, VoucherRedemption
from minzheng.dates import first_of_month, month_end, years_before
from minzheng.lookups import prefix_q
from payments.models import PaymentCycle
from payments.payees import OrganisationLine, organisation_lines_add
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


@dataclass(frozen=True)
class Settlement:
    """What one settlement run did: lines written (one per redemption), providers paid, the total, and the
    providers whose redemptions wait because they have no 收款单位 yet."""

    lines: int
    providers: int
    total: Decimal
    waiting: list[str]


def _unsettled(acting_user, cycle: PaymentCycle):
    return VoucherRedemption.objects.filter(prefix_q("area_id", scope_prefix(acting_user) or "-"),
                                            payment_line__isnull=True, voucher__month__lte=cycle.month, amount__gt=0)


def _claim(cycle: PaymentCycle, ids: list[int]) -> int:
    """Link each redemption to its settlement line (same enrolment and voucher month, in `cycle`), only if not
    settled yet: one UPDATE per 5,000 redemptions, through the lines' unique index."""
    line = ("SELECT l.id FROM payments_paymentline l JOIN eldercare_voucher v ON v.enrolment_id = l.enrolment_id "
            "AND v.month = l.covered_month WHERE v.id = eldercare_voucherredemption.voucher_id "
            "AND l.kind = 'settlement' AND l.cycle_id = %s")
    claimed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            cursor.execute(f"UPDATE eldercare_voucherredemption SET to_provider = %s, payment_line_id = ({line}) "
                           f"WHERE payment_line_id IS NULL AND id IN ({', '.join(['%s'] * len(chunk))})",
                           [True, cycle.pk, *chunk])
            claimed += cursor.rowcount
    return claimed


@transaction.atomic
def vouchers_settle(*, acting_user, cycle: PaymentCycle) -> Settlement:
    """结算: every redemption not yet settled (redeemed up to the cycle's month, in the user's area) whose provider
    has a 收款单位 becomes one 服务结算 line in `cycle`, payable to that provider; the redemptions are claimed for
    their lines in the same transaction. A second run finds nothing left and writes nothing."""
    _require(acting_user, "settle")
    pending = _unsettled(acting_user, cycle)
    waiting = sorted(set(pending.filter(provider__payee__isnull=True).values_list("provider__name", flat=True)))
    rows = list(pending.filter(provider__payee__isnull=False).order_by("pk").values(
        "pk", "voucher__enrolment_id", "voucher__month", "voucher__share", "voucher__cap", "provider__payee_id",
        "provider__name", "fee", "amount", "order_id"))
    if not rows:
        return Settlement(0, 0, Decimal("0"), waiting)
    lines = [OrganisationLine(
        enrolment_id=r["voucher__enrolment_id"], organisation_id=r["provider__payee_id"],
        covered_month=r["voucher__month"], amount=r["amount"],
        reason=f"养老服务消费券结算：{r['provider__name']}，{r['voucher__month']:%Y年%m月}消费券"[:200],
        formula={"rule": "消费券抵扣：min(服务费用 × 补贴比例, 每月上限)", "fee": f"{r['fee']:.2f}",
                 "share": str(r["voucher__share"]), "cap": f"{r['voucher__cap']:.2f}", "order": r["order_id"]})
        for r in rows]
    organisation_lines_add(acting_user=acting_user, cycle=cycle, lines=lines)
    if _claim(cycle, [r["pk"] for r in rows]) != len(rows):
        raise ValidationError({"redemption": ["核销记录已被其他结算占用，请重试"]})
    total = sum((r["amount"] for r in rows), Decimal("0"))
    providers = len({r["provider__payee_id"] for r in rows})
    domain_event_write(type=EventType.VOUCHERS_SETTLED, subject=cycle, acting_user=acting_user,
                       message=f"结算养老服务消费券：{len(rows)}张，{providers}家服务机构，合计{total:.2f}元",
                       params={"cycle": cycle.pk, "lines": len(rows), "providers": providers,
                               "total": f"{total:.2f}", "settled_at": timezone.now().isoformat()})
    return Settlement(len(rows), providers, total, waiting)


def redeemed_total(*, cycle: PaymentCycle) -> Decimal:
    return VoucherRedemption.objects.filter(payment_line__cycle=cycle).aggregate(t=Sum("amount"))["t"] or Decimal("0")
