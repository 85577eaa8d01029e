"""探访关爱业务操作: add a person to the roster by hand, set a visit plan, record a visit or call (a need found
becomes a task). Keyword-only, atomic; each checks the grant and the area, and writes the change log and event."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import EventType
from audit.services import change_log_write, domain_event_write
from carevisits import parameters
from carevisits.models import RosterEntry, Visit
from carevisits.roster import eligible_persons
from carevisits.selectors import Week
from carevisits.snapshot import compliance_snapshot_refresh
from registry.models import Person
from tasks.models import Task
from tasks.services import deadline_at, task_create

VISIT_TASK_SOURCE = "carevisits.visit"
REASON_MAX = 200


def _require(user, action: str, area_code: str) -> None:
    if not allowed(user, "carevisit", action):
        raise PermissionDenied("无探访关爱的操作权限")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该人员不在您的管辖范围内")


@transaction.atomic
def roster_add_manual(*, acting_user, person: Person, reason: str) -> RosterEntry:
    """人工纳入名册: a person 60+ whom the registry's categories miss (e.g. a child working far away), with a reason."""
    _require(acting_user, "add", person.area_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写纳入原因"]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [f"纳入原因不能超过{REASON_MAX}个字"]})
    today = timezone.localdate()
    if not eligible_persons(today).filter(pk=person.pk).exists():
        raise ValidationError({"person": ["只能纳入在世、年满60周岁的本区居民"]})
    entry, created = RosterEntry.objects.select_for_update().get_or_create(
        person=person, defaults={"area_id": person.area_id, "manual": True, "manual_reason": reason,
                                 "added_by": acting_user, "active": True})
    before = None if created else {"manual": entry.manual, "manual_reason": entry.manual_reason, "active": entry.active}
    if not created:
        entry.manual, entry.manual_reason, entry.active, entry.left_at = True, reason, True, None
        entry.added_by = acting_user
        entry.save(update_fields=["manual", "manual_reason", "active", "left_at", "added_by"])
    change_log_write(instance=entry, action="create" if created else "update", before=before,
                     after={"manual": True, "manual_reason": reason, "active": True}, acting_user=acting_user,
                     reason=reason)
    domain_event_write(type=EventType.CARE_ROSTER_ADDED, message=f"人工纳入探访关爱名册：{reason}", person=person,
                       subject=entry, acting_user=acting_user)
    compliance_snapshot_refresh(week=Week.of(today), area_prefix=entry.area_id)
    return entry


def _count(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: ["请填写0到14之间的整数"]}) from None
    if not 0 <= number <= 14:
        raise ValidationError({field: ["请填写0到14之间的整数"]})
    return number


@transaction.atomic
def visit_plan_set(*, acting_user, entry: RosterEntry, home_visits_per_week=None, phone_calls_per_week=None,
                   worker=None) -> RosterEntry:
    """调整探访计划: the person's weekly home visits and calls (empty = the policy figures) and the worker in charge."""
    _require(acting_user, "change", entry.area_id)
    entry = RosterEntry.objects.select_for_update().get(pk=entry.pk)
    fields = ("home_visits_per_week", "phone_calls_per_week", "worker_id")
    before = {f: getattr(entry, f) for f in fields}
    entry.home_visits_per_week = _count(home_visits_per_week, "home_visits_per_week")
    entry.phone_calls_per_week = _count(phone_calls_per_week, "phone_calls_per_week")
    if worker is not None and not area_in_scope(worker, entry.area_id):
        raise ValidationError({"worker": ["责任探访人应为本村社区或上级的工作人员"]})
    entry.worker = worker
    entry.save(update_fields=["home_visits_per_week", "phone_calls_per_week", "worker"])
    after = {f: getattr(entry, f) for f in fields}
    change_log_write(instance=entry, action="update", before=before, after=after, acting_user=acting_user)
    domain_event_write(type=EventType.CARE_PLAN_SET, message="调整探访计划", person=entry.person, subject=entry,
                       acting_user=acting_user, params=after)
    compliance_snapshot_refresh(week=Week.of(timezone.localdate()), area_prefix=entry.area_id)
    return entry


def _choice(value: str, choices, field: str, label: str, blank: bool = True) -> str:
    if (value or "") == "" and blank:
        return ""
    if value not in choices.values:
        raise ValidationError({field: [f"{label}取值无效"]})
    return value


@transaction.atomic
def visit_record(*, acting_user, entry: RosterEntry, kind: str, reached: bool = True, health: str = "",
                 safety: str = "", need: str = Visit.Need.NONE, note: str = "", at: datetime | None = None) -> Visit:
    """记录探访: a home visit or call with what was found; a need or a hazard opens a follow-up task for the
    community (deadline in working days, escalated when overdue)."""
    _require(acting_user, "add", entry.area_id)
    if not entry.active:
        raise ValidationError({"entry": ["该人员已不在探访关爱名册中"]})
    now = timezone.now()
    at = at or now
    if at > now:
        raise ValidationError({"at": ["探访时间不能晚于当前时间"]})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": ["情况说明不能超过500个字"]})
    visit = Visit.objects.create(
        entry=entry, person_id=entry.person_id, area_id=entry.area_id, at=at, worker=acting_user, note=note,
        kind=_choice(kind, Visit.Kind, "kind", "探访方式", blank=False), reached=bool(reached),
        health=_choice(health, Visit.Health, "health", "身体状况"),
        safety=_choice(safety, Visit.Safety, "safety", "居住安全"),
        need=_choice(need or Visit.Need.NONE, Visit.Need, "need", "需求", blank=False))
    change_log_write(instance=visit, action="create", before=None, acting_user=acting_user,
                     after={"kind": visit.kind, "reached": visit.reached, "health": visit.health,
                            "safety": visit.safety, "need": visit.need})
    domain_event_write(type=EventType.CARE_VISIT_RECORDED, person=entry.person, subject=visit,
                       acting_user=acting_user, message=f"{visit.get_kind_display()}："
                       + ("已联系上" if visit.reached else "未联系上"))
    if visit.need != Visit.Need.NONE or visit.safety == Visit.Safety.HAZARD:
        _followup_task(visit, acting_user, now)
    compliance_snapshot_refresh(week=Week.of(timezone.localdate(at)), area_prefix=entry.area_id)
    return visit


def _followup_task(visit: Visit, acting_user, now: datetime) -> Task:
    found = [visit.get_need_display()] if visit.need != Visit.Need.NONE else []
    if visit.safety == Visit.Safety.HAZARD:
        found.append("居住安全隐患")
    days = parameters.value(parameters.FOLLOWUP_DAYS, timezone.localdate(now))
    return task_create(
        acting_user=acting_user, kind="visit", title=f"探访发现需跟进：{'、'.join(found)}", area_code=visit.area_id,
        handling_level=Task.Level.COMMUNITY, deadline=deadline_at(now=now, working_days=days),
        person=visit.entry.person, source_type=VISIT_TASK_SOURCE, source_id=visit.pk,
        detail={"探访方式": visit.get_kind_display(), "发现": "、".join(found), "说明": visit.note})
