"""时间银行 (volunteers' hours) and 适老化改造 (home adaptation), the community-level services.

Time bank: every entry stores the balance after it; a volunteer's entries are written one at a time under a lock
on the volunteer, so the running balance is exact, and a withdrawal beyond it is refused here and, as a
backstop, by the database (`time_bank_never_negative`)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from eldercare.models import HomeAdaptation, TimeBankEntry
from registry.models import Person

STAGES = [s.value for s in HomeAdaptation.Stage]


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
    if hours == 0 or not (note or "").strip():
        raise ValidationError({"hours": ["请填写非零的小时数和说明"]})
    Person.objects.select_for_update().filter(pk=volunteer.pk).first()  # one writer per volunteer
    balance = time_bank_balance(volunteer) + hours
    if balance < 0:
        raise ValidationError({"hours": [f"时间余额不足：现有{balance - hours}小时"]})
    entry = TimeBankEntry.objects.create(volunteer=volunteer, area_id=volunteer.area_id, hours=hours,
                                         balance_after=balance, note=note.strip()[:200], by=acting_user)
    change_log_write(instance=entry, action=ChangeLog.Action.CREATE, before=None, after=snapshot(entry),
                     acting_user=acting_user)
    return entry


@transaction.atomic
def adaptation_advance(*, acting_user, adaptation: HomeAdaptation, stage: str, on: date, **fields) -> HomeAdaptation:
    """适老化改造 moves one stage at a time: 入户评估 → 改造方案 → 施工 → 竣工验收 → 补贴发放."""
    _require(acting_user, "service_order", "add", adaptation.area_id)
    adaptation = HomeAdaptation.objects.select_for_update().get(pk=adaptation.pk)
    if stage not in STAGES or STAGES.index(stage) != STAGES.index(adaptation.stage) + 1:
        raise ValidationError({"stage": [f"当前阶段为“{adaptation.get_stage_display()}”，不能跳转到该阶段"]})
    if stage == HomeAdaptation.Stage.PLANNED and not (fields.get("plan") and fields.get("cost")):
        raise ValidationError({"plan": ["请填写改造方案和费用"]})
    if stage == HomeAdaptation.Stage.SUBSIDISED and fields.get("subsidy") is None:
        raise ValidationError({"subsidy": ["请填写补贴金额"]})
    before = snapshot(adaptation)
    for name in ("plan", "cost", "subsidy"):
        if name in fields:
            setattr(adaptation, name, fields[name])
    adaptation.stage = stage
    adaptation.dates = {**adaptation.dates, stage: on.isoformat()}
    adaptation.save()
    change_log_write(instance=adaptation, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(adaptation),
                     acting_user=acting_user)
    return adaptation
