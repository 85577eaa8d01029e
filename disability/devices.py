"""福康工程 / 辅助器具适配: apply → assess (fit or not) → issue → follow-up visit, each step a service.

Services take the registry's `disability` grant, check the area and the step order, are atomic and write the
change log (before and after).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from disability.models import DeviceApplication
from registry.models import Person

Status = DeviceApplication.Status


def _require(user, action: str, area_code: str) -> None:
    if not allowed(user, "disability", action):
        raise PermissionDenied("无此操作权限")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


def _step(acting_user, application: DeviceApplication, allowed_from: tuple[str, ...], doing: str):
    locked = DeviceApplication.objects.select_for_update().get(pk=application.pk)
    _require(acting_user, "change", locked.area_id)
    if locked.status not in allowed_from:
        raise ValidationError({"status": [f"当前状态为“{locked.get_status_display()}”，不能{doing}"]})
    return locked, snapshot(locked)


def _save(locked: DeviceApplication, before: dict, acting_user, reason: str) -> DeviceApplication:
    locked.save()
    change_log_write(instance=locked, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(locked),
                     acting_user=acting_user, reason=reason)
    return locked


@transaction.atomic
def device_apply(*, acting_user, person: Person, device: str, applied_on: date,
                 fukang: bool = False) -> DeviceApplication:
    """辅助器具申请."""
    _require(acting_user, "add", person.area_id)
    device = (device or "").strip()
    if not device:
        raise ValidationError({"device": ["请填写申请的辅助器具"]})
    if not person.disabilities.filter(is_current=True).exists():
        raise ValidationError({"person": [f"{person.name} 没有有效的残疾人证"]})
    row = DeviceApplication.objects.create(person=person, area_id=person.area_id, device=device[:100],
                                           applied_on=applied_on, fukang=fukang, created_by=acting_user)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user, reason="辅助器具申请")
    return row


@transaction.atomic
def device_assess(*, acting_user, application: DeviceApplication, assessed_on: date, suitable: bool,
                  assessment: str) -> DeviceApplication:
    """适配评估: suitable → 已评估, else 评估不适配 (closed)."""
    locked, before = _step(acting_user, application, (Status.APPLIED,), "评估")
    if assessed_on < locked.applied_on:
        raise ValidationError({"assessed_on": ["评估日期不能早于申请日期"]})
    locked.assessed_on, locked.assessment = assessed_on, (assessment or "")[:300]
    locked.status = Status.ASSESSED if suitable else Status.REFUSED
    return _save(locked, before, acting_user, "辅助器具适配评估")


@transaction.atomic
def device_issue(*, acting_user, application: DeviceApplication, issued_on: date) -> DeviceApplication:
    """发放辅助器具."""
    locked, before = _step(acting_user, application, (Status.ASSESSED,), "发放")
    if issued_on < locked.assessed_on:
        raise ValidationError({"issued_on": ["发放日期不能早于评估日期"]})
    locked.issued_on, locked.status = issued_on, Status.ISSUED
    return _save(locked, before, acting_user, "发放辅助器具")


@transaction.atomic
def device_follow_up(*, acting_user, application: DeviceApplication, follow_up_on: date,
                     note: str) -> DeviceApplication:
    """使用回访."""
    locked, before = _step(acting_user, application, (Status.ISSUED,), "回访")
    if follow_up_on < locked.issued_on:
        raise ValidationError({"follow_up_on": ["回访日期不能早于发放日期"]})
    locked.follow_up_on, locked.follow_up_note, locked.status = follow_up_on, (note or "")[:300], Status.FOLLOWED_UP
    return _save(locked, before, acting_user, "辅助器具使用回访")
