"""养老服务 writes: record an ability assessment, schedule and raise re-assessments.

Every function is keyword-only with `acting_user`, checks the grant (`accounts.policy.allowed`) and the area,
is atomic, and writes the change log and a domain event.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from eldercare.carelevel import care_level_follow_assessment
from eldercare.models import Assessment
from eldercare.scoring import score
from eldercare.selectors import current_standard, standard_data
from minzheng.dates import same_day_months_later
from programs.selectors import parameter_at
from registry.models import Person
from tasks.models import Task
from tasks.services import TaskSpec, tasks_create_many

REASSESS_KEY = "ability_reassess_months"
TASK_KIND = "reassessment"
SOURCE = "eldercare.assessment"


def _require(user, resource: str, action: str, area_code: str | None, message: str) -> None:
    if not allowed(user, resource, action) or (area_code and not area_in_scope(user, area_code)):
        raise PermissionDenied(message)


def next_due(*, person: Person, on: date) -> date:
    """The next routine re-assessment: `on` plus the interval (months) in force for the person's community."""
    months = parameter_at(None, REASSESS_KEY, person.area_id, on).value
    return same_day_months_later(on, int(months))


def _clean_list(value, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError({field: ["应为文字列表"]})
    return [v.strip() for v in value]


@transaction.atomic
def assessment_record(*, acting_user, person: Person, on: date, reason: str, items: dict,
                      diagnoses: list[str] | None = None, health_problems: list[str] | None = None,
                      risk_events_30d: int = 0, coma: bool = False, second_assessor=None) -> Assessment:
    """录入老年人能力评估: scores checked against the current standard, the level computed (初步等级 → 等级变更),
    the next routine re-assessment scheduled; for a current 特困 recipient the care level that follows from the
    level is recorded from the next month (`eldercare.carelevel`)."""
    _require(acting_user, "assessment", "add", person.area_id, "无权为该人员录入能力评估")
    if reason not in Assessment.Reason.values:
        raise ValidationError({"reason": ["评估原因应为 first、routine、immediate 或 review"]})
    if on > timezone.localdate():
        raise ValidationError({"date": ["评估日期不能晚于今天"]})
    if second_assessor is not None and second_assessor.pk == acting_user.pk:
        raise ValidationError({"second_assessor": ["两名评估员应为不同的人"]})
    if isinstance(risk_events_30d, bool) or not isinstance(risk_events_30d, int) or risk_events_30d < 0:
        raise ValidationError({"risk_events_30d": ["应为不小于0的整数"]})
    standard = current_standard()
    diagnoses = _clean_list(diagnoses, "diagnoses")
    result = score(standard_data(standard), items, coma=bool(coma), diagnoses=diagnoses,
                   risk_events_30d=risk_events_30d)
    assessment = Assessment.objects.create(
        person=person, area_id=person.area_id, standard=standard, date=on, reason=reason, assessor=acting_user,
        second_assessor=second_assessor, diagnoses=diagnoses,
        health_problems=_clean_list(health_problems, "health_problems"), risk_events_30d=risk_events_30d,
        coma=bool(coma), scores={k: items[k] for k in sorted(items)}, dimension_scores=result.dimension_scores,
        total=result.total, preliminary_level=result.preliminary_level, level=result.level,
        adjustments=result.adjustments, next_due=next_due(person=person, on=on))
    change_log_write(instance=assessment, action=ChangeLog.Action.CREATE, before=None, after=snapshot(assessment),
                     acting_user=acting_user)
    domain_event_write(type=EventType.ABILITY_ASSESSED, person=person, subject=assessment, acting_user=acting_user,
                       message=f"{person.name}能力评估：总分{result.total}，等级{result.level}",
                       params={"total": result.total, "level": result.level})
    care_level_follow_assessment(acting_user=acting_user, assessment=assessment)
    return assessment


def reassessments_due(*, today: date):
    """Each person's latest assessment whose routine re-assessment is due (next_due on or before today), for
    living residents, that has no task yet."""
    from django.db.models import Exists, OuterRef

    later = Assessment.objects.filter(person_id=OuterRef("person_id"), date__gt=OuterRef("date"))
    tasked = Task.objects.filter(source_type=SOURCE, source_id=OuterRef("pk"))
    return (Assessment.objects.filter(next_due__lte=today, person__status=Person.Status.ACTIVE)
            .filter(~Exists(later), ~Exists(tasked)).select_related("person"))


def reassessment_tasks_create(*, today: date | None = None, acting_user=None) -> int:
    """到期复评提醒: one Task for the community worker per due re-assessment (one per assessment: the task
    table's one-task-per-source constraint makes a second run a no-op). Deadline: the due date's end, or a
    week from today when it has already passed."""
    today = today or timezone.localdate()
    specs = []
    for a in reassessments_due(today=today).iterator():
        due = max(a.next_due, today + timedelta(days=7))
        specs.append(TaskSpec(
            kind=TASK_KIND, title=f"{a.person.name}到期常规能力评估（上次{a.date:%Y-%m-%d}）", area_id=a.area_id,
            handling_level=Task.Level.COMMUNITY, deadline=timezone.make_aware(datetime.combine(due, time(18))),
            person_id=a.person_id, household_id=None, source_type=SOURCE, source_id=a.pk,
            detail={"next_due": a.next_due.isoformat(), "level": a.level}))
    return len(tasks_create_many(specs=specs, acting_user=acting_user)) if specs else 0
