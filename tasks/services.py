"""任务业务操作: create (one or many), start, close with an outcome, escalate overdue tasks one level up.

Deadlines are datetimes: a count of working days (工作日, `workcalendar`) ends at the end of that day, local
time; a count of hours runs from now. Escalation is set-based: one UPDATE per level step, one bulk insert of
the timeline events, whatever the number of tasks.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, restrict
from areas.models import Area, AreaLevel
from tasks.models import Task, TaskEvent
from tasks.signals import task_closed
from workcalendar.services import add_working_days_provisional

# Working days an escalated task gets at its new level (督办期限). Not a rule found in the sources: a local choice.
ESCALATION_WORKING_DAYS = 3
NEXT_LEVEL = {Task.Level.COMMUNITY: Task.Level.TOWN, Task.Level.TOWN: Task.Level.DISTRICT}
LEVEL_OF_AREA = {AreaLevel.COMMUNITY: Task.Level.COMMUNITY, AreaLevel.TOWN: Task.Level.TOWN,
                 AreaLevel.DISTRICT: Task.Level.DISTRICT}
NOTE_MAX = 2000


def deadline_at(*, now: datetime, working_days: int | None = None, hours: int | None = None) -> datetime:
    """办理期限: `hours` after now, or the end of the n-th working day after today (local)."""
    if hours is not None:
        return now + timedelta(hours=hours)
    day, _ = add_working_days_provisional(timezone.localdate(now), working_days or 0)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def level_areas(codes: set[str], level: str) -> dict[str, str]:
    """Community code → the code of the area whose queue holds a task at `level` (itself, its town, district)."""
    if level == Task.Level.COMMUNITY:
        return {code: code for code in codes}
    parents = dict(Area.objects.filter(code__in=codes).values_list("code", "parent_id"))
    if level == Task.Level.TOWN:
        return {code: parents.get(code) or code for code in codes}
    towns = dict(Area.objects.filter(code__in={p for p in parents.values() if p}).values_list("code", "parent_id"))
    return {code: towns.get(parents.get(code)) or parents.get(code) or code for code in codes}


@dataclass
class TaskSpec:
    """One task to create (for `tasks_create_many`)."""

    kind: str
    title: str
    area_id: str
    handling_level: str
    deadline: datetime
    person_id: int | None = None
    household_id: int | None = None
    source_type: str = ""
    source_id: int | None = None
    detail: dict = field(default_factory=dict)


def _check_level(level: str) -> None:
    if level not in Task.Level.values:
        raise ValidationError({"handling_level": ["办理层级应为 community（村社区）、town（镇街）或 district（区）"]})


@transaction.atomic
def tasks_create_many(*, specs: list[TaskSpec], acting_user=None) -> list[Task]:
    """建任务（批量）: one insert of the tasks, one of their 'created' events. Sources that already own a task
    are skipped (one task per source)."""
    if not specs:
        return []
    for spec in specs:
        _check_level(spec.handling_level)
    taken = set()
    sourced = [s for s in specs if s.source_id is not None]
    for kind in {s.source_type for s in sourced}:
        ids = [s.source_id for s in sourced if s.source_type == kind]
        taken |= {(kind, i) for i in Task.objects.filter(source_type=kind, source_id__in=ids)
                  .values_list("source_id", flat=True)}
    specs = [s for s in specs if (s.source_type, s.source_id) not in taken]
    assigned: dict[tuple[str, str], str] = {}
    for level in {s.handling_level for s in specs}:
        codes = {s.area_id for s in specs if s.handling_level == level}
        assigned |= {(level, c): a for c, a in level_areas(codes, level).items()}
    user = acting_user if getattr(acting_user, "pk", None) else None
    tasks = Task.objects.bulk_create([
        Task(kind=s.kind, title=s.title[:200], area_id=s.area_id, handling_level=s.handling_level,
             assigned_area_id=assigned[(s.handling_level, s.area_id)], deadline=s.deadline, person_id=s.person_id,
             household_id=s.household_id, source_type=s.source_type, source_id=s.source_id, detail=s.detail,
             created_by=user) for s in specs])
    now = timezone.now()
    TaskEvent.objects.bulk_create([
        TaskEvent(task=t, kind=TaskEvent.Kind.CREATED, by=user, at=now,
                  message=f"创建任务，{t.get_handling_level_display()}办理，期限 {_local(t.deadline)}")
        for t in tasks])
    return tasks


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def task_create(*, acting_user=None, kind: str, title: str, area_code: str, handling_level: str,
                deadline: datetime, person=None, household=None, source_type: str = "",
                source_id: int | None = None, detail: dict | None = None) -> Task:
    """建任务: one task; `area_code` is the community the task is about."""
    if not kind or not title:
        raise ValidationError({"title": ["任务类型和标题不能为空"]})
    if not Area.objects.filter(code=area_code, level=AreaLevel.COMMUNITY).exists():
        raise ValidationError({"area": [f"村社区代码不存在或不是村（社区）一级：{area_code}"]})
    spec = TaskSpec(kind=kind, title=title, area_id=area_code, handling_level=handling_level, deadline=deadline,
                    person_id=getattr(person, "pk", None), household_id=getattr(household, "pk", None),
                    source_type=source_type, source_id=source_id, detail=detail or {})
    created = tasks_create_many(specs=[spec], acting_user=acting_user)
    if not created:
        return Task.objects.get(source_type=source_type, source_id=source_id)
    return created[0]


def _event(task: Task, kind: str, message: str, acting_user, params: dict | None = None) -> TaskEvent:
    return TaskEvent.objects.create(task=task, kind=kind, message=message[:300], params=params or {},
                                    by=acting_user if getattr(acting_user, "pk", None) else None, at=timezone.now())


def _lock_for_handling(task: Task, acting_user) -> Task:
    """The task as it is now, locked; the user must hold the grant and the task must be in their queue or below."""
    if not allowed(acting_user, "task", "close"):
        raise PermissionDenied("无办理任务的权限")
    locked = restrict(Task.objects.select_for_update().filter(pk=task.pk), acting_user, "view",
                      resource="task", area_field="area_id").first()
    if locked is None:
        raise PermissionDenied("该任务不在您的管辖范围内")
    if not area_in_scope(acting_user, locked.assigned_area_id):
        raise PermissionDenied(f"该任务已由{locked.get_handling_level_display()}承办（已超期升级），本级不能办结")
    if locked.status == Task.Status.CLOSED:
        raise ValidationError({"status": ["该任务已办结"]})
    return locked


@transaction.atomic
def task_start(*, acting_user, task: Task) -> Task:
    """开始办理: open → in progress (a record that someone has taken it up)."""
    task = _lock_for_handling(task, acting_user)
    if task.status == Task.Status.OPEN:
        task.status, task.started_at = Task.Status.IN_PROGRESS, timezone.now()
        task.save(update_fields=["status", "started_at"])
        _event(task, TaskEvent.Kind.STARTED, "开始办理", acting_user)
    return task


@transaction.atomic
def task_close(*, acting_user, task: Task, outcome: str, note: str, evidence: dict | None = None,
               handed_to: str = "") -> Task:
    """办结（销号）: closing needs an outcome and a note; handing over needs the department it went to."""
    errors: dict[str, list[str]] = {}
    if outcome not in Task.Outcome.values:
        errors["outcome"] = ["请选择办理结果：confirmed（属实，已处置）、not_confirmed（不属实）"
                             "或 handed_over（已转交）"]
    note = (note or "").strip()
    if not note:
        errors["note"] = ["请填写办理说明"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"办理说明不能超过{NOTE_MAX}个字"]
    handed_to = (handed_to or "").strip()
    if outcome == Task.Outcome.HANDED_OVER and not handed_to:
        errors["handed_to"] = ["转交其他部门的，请填写接收部门"]
    if len(handed_to) > 100:
        errors["handed_to"] = ["接收部门不能超过100个字"]
    if evidence is not None and not isinstance(evidence, dict):
        errors["evidence"] = ["佐证材料应为对象（键值对）"]
    if errors:
        raise ValidationError(errors)
    task = _lock_for_handling(task, acting_user)
    task.status, task.outcome, task.outcome_note = Task.Status.CLOSED, outcome, note
    task.evidence, task.handed_to = evidence or {}, handed_to
    task.closed_at, task.closed_by = timezone.now(), acting_user
    task.save(update_fields=["status", "outcome", "outcome_note", "evidence", "handed_to", "closed_at", "closed_by"])
    message = f"办结：{task.get_outcome_display()}" + (f"（转交{handed_to}）" if handed_to else "")
    _event(task, TaskEvent.Kind.CLOSED, message, acting_user, {"outcome": outcome})
    task_closed.send(sender=Task, task=task, acting_user=acting_user)
    return task


@transaction.atomic
def tasks_escalate_overdue(*, now: datetime | None = None,
                           working_days: int = ESCALATION_WORKING_DAYS) -> int:
    """超期升级: every open task past its deadline moves one level up (community → town → district) with a new
    deadline; the community it belongs to (`area`) does not change, so it still counts against that area.

    Set-based: per level step, one SELECT of the ids, one UPDATE, one bulk insert of events. Idempotent per
    deadline: an escalated task has a new deadline in the future, so running again at the same `now` finds
    nothing. A district-level task has nowhere to go: it stays overdue (and is counted as such).
    """
    now = now or timezone.now()
    new_deadline = deadline_at(now=now, working_days=working_days)
    moved = 0
    for level, up in NEXT_LEVEL.items():
        overdue = Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.IN_PROGRESS], deadline__lt=now,
                                      handling_level=level)
        rows = list(overdue.select_for_update().values_list("id", "deadline"))
        if not rows:
            continue
        ids = [i for i, _ in rows]
        parent = Subquery(Area.objects.filter(code=OuterRef("assigned_area_id")).values("parent_id")[:1])
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            Task.objects.filter(pk__in=chunk, handling_level=level).filter(~Q(status=Task.Status.CLOSED)).update(
                handling_level=up, assigned_area_id=parent, deadline=new_deadline, escalated_at=now,
                escalation_level=F("escalation_level") + 1)
        label = Task.Level(up).label
        TaskEvent.objects.bulk_create([
            TaskEvent(task_id=i, kind=TaskEvent.Kind.ESCALATED, at=now,
                      message=f"超期未办结（原期限 {_local(d)}），升级至{label}督办",
                      params={"from": level, "to": up, "old_deadline": d.isoformat(),
                              "new_deadline": new_deadline.isoformat()}) for i, d in rows], batch_size=1000)
        moved += len(ids)
    return moved

