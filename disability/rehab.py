"""精康融合 (community mental-health rehabilitation): enrol a participant at a site, record a session attended.

Services take the registry's `disability` grant (the records are services to a disabled person), check the area,
are atomic and write the change log.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from disability.models import RehabParticipant, RehabSession, RehabSite
from registry.models import Person


def _require(user, action: str, area_code: str) -> None:
    if not allowed(user, "disability", action):
        raise PermissionDenied("无此操作权限")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


@transaction.atomic
def rehab_participant_enrol(*, acting_user, person: Person, site: RehabSite, joined_on: date,
                            note: str = "") -> RehabParticipant:
    """纳入精康融合服务: the person takes part at the site from `joined_on` (one open participation per site)."""
    _require(acting_user, "add", person.area_id)
    if person.status != Person.Status.ACTIVE:
        raise ValidationError({"person": [f"{person.name} 状态不是“正常”，不能纳入"]})
    if not site.active:
        raise ValidationError({"site": [f"站点“{site.name}”已停止运营"]})
    if RehabParticipant.objects.filter(person=person, site=site, left_on__isnull=True).exists():
        raise ValidationError({"site": [f"{person.name} 已在“{site.name}”接受服务"]})
    row = RehabParticipant.objects.create(person=person, site=site, area_id=person.area_id, joined_on=joined_on,
                                          note=note)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user, reason="纳入精康融合服务")
    return row


@transaction.atomic
def rehab_session_record(*, acting_user, participant: RehabParticipant, held_on: date, activity: str,
                         attended: bool = True) -> RehabSession:
    """登记一次精康融合服务 (attended or missed)."""
    _require(acting_user, "add", participant.area_id)
    activity = (activity or "").strip()
    if not activity:
        raise ValidationError({"activity": ["请填写服务内容"]})
    if held_on < participant.joined_on or (participant.left_on and held_on > participant.left_on):
        raise ValidationError({"held_on": ["服务日期不在该对象的服务期间内"]})
    row = RehabSession.objects.create(participant=participant, area_id=participant.area_id, held_on=held_on,
                                      activity=activity[:100], attended=attended, recorded_by=acting_user)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user, reason="登记精康融合服务")
    return row
