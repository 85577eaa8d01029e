"""时间银行 (volunteers' hours) and 适老化改造 (home adaptation), the community-level services.

Time bank: every entry stores the balance after it; a volunteer's entries are written one at a time under a lock
on the volunteer, so the running balance is exact, and a withdrawal beyond it is refused here and, as a
backstop, by the database (`time_bank_never_negative`)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, restrict
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from eldercare.models import HomeAdaptation, HomeAdaptationStep, TimeBankEntry
from registry.models import Person

STAGES = [s.value for s in HomeAdaptation.Stage]
ADAPTATION_RESOURCE = "service_order"  # 适老化改造 is a home service: the grants of service orders
MAX_HOURS = Decimal("24")  # a sanity bound on one entry (a day's service), against a slipped digit; not a policy


def _require(user, resource: str, action: str, area_code: str) -> None:
    if not allowed(user, resource, action) or not area_in_scope(user, area_code):
        raise PermissionDenied("无此操作权限")


def time_bank_balance(volunteer: Person) -> Decimal:
    last = TimeBankEntry.objects.filter(volunteer=volunteer).order_by("-id").first()
    return last.balance_after if last else Decimal("0")


@transaction.atomic
def time_bank_record(*, acting_user, volunteer: Person, hours, note: str) -> TimeBankEntry:
    """存入 (hours > 0, service given) or 支取 (hours < 0, service received); never below zero."""
    _require(acting_user, "time_bank", "add", volunteer.area_id)
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"hours": ["小时数应为数字"]}) from None
    if not hours.is_finite() or hours == 0 or abs(hours) > MAX_HOURS:
        raise ValidationError({"hours": [f"小时数应为非零的数字，每次不超过{MAX_HOURS}小时"]})
    if not (note or "").strip():
        raise ValidationError({"note": ["请填写服务内容说明"]})
    Person.objects.select_for_update().filter(pk=volunteer.pk).first()  # one writer per volunteer
    held = time_bank_balance(volunteer)
    balance = held + hours
    if balance < 0:
        raise ValidationError({"hours": [f"时间余额不足：{volunteer.name}现有{held}小时，不能支取{-hours}小时"]})
    entry = TimeBankEntry.objects.create(volunteer=volunteer, area_id=volunteer.area_id, hours=hours,
                                         balance_after=balance, note=note.strip()[:200], by=acting_user)
    change_log_write(instance=entry, action=ChangeLog.Action.CREATE, before=None, after=snapshot(entry),
                     acting_user=acting_user)
    kind = "存入" if hours > 0 else "支取"
    domain_event_write(type=EventType.TIME_BANK_ENTRY, person=volunteer, subject=entry, acting_user=acting_user,
                       message=f"时间银行{kind}{abs(hours)}小时（{entry.note}），结余{balance}小时")
    return entry


def time_bank_volunteers(user) -> QuerySet[TimeBankEntry]:
    """志愿者 of the user's area with their balance: each volunteer's latest entry (its `balance_after`)."""
    later = TimeBankEntry.objects.filter(volunteer_id=OuterRef("volunteer_id"), id__gt=OuterRef("id"))
    return (restrict(TimeBankEntry.objects.all(), user, "view", resource="time_bank").filter(~Exists(later))
            .select_related("volunteer").order_by("volunteer__name", "volunteer_id"))


def time_bank_entries(user, volunteer: Person) -> QuerySet[TimeBankEntry]:
    return (restrict(TimeBankEntry.objects.all(), user, "view", resource="time_bank").filter(volunteer=volunteer)
            .select_related("by").order_by("-id"))


# ---- 适老化改造 ------------------------------------------------------------------------------------------------


def adaptations_visible(user) -> QuerySet[HomeAdaptation]:
    return restrict(HomeAdaptation.objects.all(), user, "view", resource=ADAPTATION_RESOURCE)


def _step(adaptation: HomeAdaptation, stage: str, on: date, note: str, acting_user) -> None:
    HomeAdaptationStep.objects.create(adaptation=adaptation, stage=stage, on=on, note=(note or "").strip()[:300],
                                      by=acting_user)
    label = HomeAdaptation.Stage(stage).label
    domain_event_write(type=EventType.ADAPTATION_STEP, person=adaptation.person, household=adaptation.household,
                       subject=adaptation, acting_user=acting_user,
                       message=f"适老化改造：{label}（{on:%Y-%m-%d}）", params={"stage": stage})


@transaction.atomic
def adaptation_start(*, acting_user, person: Person, on: date, needs: str) -> HomeAdaptation:
    """入户评估: the adaptation plan of the older person's household (one per household), with the needs found."""
    from registry.selectors import current_household_of

    _require(acting_user, ADAPTATION_RESOURCE, "add", person.area_id)
    household = current_household_of(person)
    if household is None:
        raise ValidationError({"person": [f"{person.name}尚未登记家庭，请先在居民信息库中建立家庭"]})
    if HomeAdaptation.objects.filter(household=household).exists():
        raise ValidationError({"person": [f"{person.name}所在家庭已有适老化改造记录（每户一次）"]})
    if on > timezone.localdate():
        raise ValidationError({"on": ["入户评估日期不能晚于今天"]})
    if not (needs or "").strip():
        raise ValidationError({"needs": ["请填写入户评估发现的改造需求"]})
    adaptation = HomeAdaptation.objects.create(household=household, person=person, area_id=household.area_id,
                                               needs=needs.strip(), dates={"assessed": on.isoformat()})
    change_log_write(instance=adaptation, action=ChangeLog.Action.CREATE, before=None, after=snapshot(adaptation),
                     acting_user=acting_user)
    _step(adaptation, HomeAdaptation.Stage.ASSESSED, on, "", acting_user)
    return adaptation


def _money(value, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({field: [f"{label}应为金额数字"]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: [f"{label}应大于0"]})
    return amount


@transaction.atomic
def adaptation_advance(*, acting_user, adaptation: HomeAdaptation, stage: str, on: date, note: str = "",
                       **fields) -> HomeAdaptation:
    """适老化改造 moves one stage at a time: 入户评估 → 改造方案 (plan and cost) → 施工 → 竣工验收 → 补贴发放 (the
    subsidy, at most the cost). Each step's date is on or after the previous one's and not after today."""
    _require(acting_user, ADAPTATION_RESOURCE, "add", adaptation.area_id)
    adaptation = HomeAdaptation.objects.select_for_update().get(pk=adaptation.pk)
    if stage not in STAGES or STAGES.index(stage) != STAGES.index(adaptation.stage) + 1:
        raise ValidationError({"stage": [f"当前阶段为“{adaptation.get_stage_display()}”，不能跳转到该阶段"]})
    last = max((date.fromisoformat(d) for d in adaptation.dates.values()), default=None)
    if on > timezone.localdate() or (last and on < last):
        raise ValidationError({"on": [f"日期应在上一环节（{last:%Y-%m-%d}）之后且不晚于今天" if last
                                      else "日期不能晚于今天"]})
    cost = _money(fields.get("cost"), "cost", "改造费用")
    subsidy = _money(fields.get("subsidy"), "subsidy", "补贴金额")
    if stage == HomeAdaptation.Stage.PLANNED and not ((fields.get("plan") or "").strip() and cost):
        raise ValidationError({"plan": ["请填写改造方案和费用"]})
    if stage == HomeAdaptation.Stage.SUBSIDISED:
        if subsidy is None:
            raise ValidationError({"subsidy": ["请填写补贴金额"]})
        if adaptation.cost is not None and subsidy > adaptation.cost:
            raise ValidationError({"subsidy": [f"补贴金额不能超过改造费用{adaptation.cost}元"]})
    before = snapshot(adaptation)
    if stage == HomeAdaptation.Stage.PLANNED:
        adaptation.plan, adaptation.cost = fields["plan"].strip(), cost
    if stage == HomeAdaptation.Stage.SUBSIDISED:
        adaptation.subsidy = subsidy
    adaptation.stage = stage
    adaptation.dates = {**adaptation.dates, stage: on.isoformat()}
    adaptation.save()
    change_log_write(instance=adaptation, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(adaptation),
                     acting_user=acting_user)
    _step(adaptation, stage, on, note, acting_user)
    return adaptation
