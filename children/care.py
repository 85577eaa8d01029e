"""关爱服务记录: guardianship assessments and mental-health screenings (a score at or past the parameter's line
opens a follow-up Task through the tasks services), the child director's home visits (at least every
`home_visit_months` for the children of the cash programmes: 事实无人抚养, 孤儿散居) and education and medical
support recorded against the child.

Follow-up lines are general PolicyParameter rows (migration 0004): `guardianship_followup_below` (a guardianship
score below it calls for follow-up) and `mental_health_followup_at` (a screening score at or above it)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from children.models import Assessment, ChildFile, HomeVisit, NetworkRole, Support
from children.services import require
from minzheng.dates import add_months, first_of_month
from programs.models import OPEN_STATUSES, Enrolment, SupportMode
from programs.selectors import parameter_at
from tasks.services import deadline_at, task_create

FOLLOW_UP_KEYS = {Assessment.Kind.GUARDIANSHIP: "guardianship_followup_below",
                  Assessment.Kind.MENTAL_HEALTH: "mental_health_followup_at"}
FOLLOW_UP_WORKING_DAYS = 5  # the task's handling time; a local choice like the tasks app's escalation days
VISITED = ("orphan", "de_facto_unattended")


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{field}（{label}）应为数字"]}) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1000):
        raise ValidationError({field: [f"{field}（{label}）应在0至1000之间"]})
    return number


def _past(value: date, field: str) -> date:
    if value > clock.today():
        raise ValidationError({field: ["日期不能晚于今天"]})
    return value


def _event(file: ChildFile, subject, acting_user, message: str) -> None:
    change_log_write(instance=subject, action=ChangeLog.Action.CREATE, before=None, after=snapshot(subject),
                     acting_user=acting_user)
    domain_event_write(type=EventType.CHILD_CARE_RECORDED, person=file.person, subject=subject,
                       acting_user=acting_user, message=message[:300])


@transaction.atomic
def assessment_record(*, acting_user, file: ChildFile, kind: str, score, assessed_on: date,
                      note: str = "") -> Assessment:
    """监护评估 / 心理健康筛查; a score past the line opens a follow-up task for the community."""
    require(acting_user, "add", file.area_id)
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": ["kind 应为 guardianship（监护状况评估）或 mental_health（心理健康筛查）"]})
    score, on = _decimal(score, "score", "得分"), _past(assessed_on, "assessed_on")
    line = parameter_at(None, FOLLOW_UP_KEYS[kind], file.area_id, on)
    follow_up = score < line.value if kind == Assessment.Kind.GUARDIANSHIP else score >= line.value
    row = Assessment.objects.create(file=file, area_id=file.area_id, kind=kind, assessed_on=on, score=score,
                                    threshold=line.value, follow_up=follow_up, note=(note or "")[:300],
                                    recorded_by=acting_user)
    if follow_up:
        row.task = task_create(
            acting_user=acting_user, kind="child_follow_up", area_code=file.area_id, handling_level="community",
            title=f"{file.person.name}{row.get_kind_display()}得分{score}，需跟进关爱",
            deadline=deadline_at(now=timezone.now(), working_days=FOLLOW_UP_WORKING_DAYS), person=file.person,
            source_type="children.assessment", source_id=row.pk,
            detail={"score": str(score), "line": str(line.value), "parameter": line.pk, "kind": kind})
        row.save(update_fields=["task"])
    _event(file, row, acting_user, f"{row.get_kind_display()}：{score}分" + ("，已派发跟进任务" if follow_up else ""))
    return row


@transaction.atomic
def home_visit_record(*, acting_user, file: ChildFile, visited_on: date, findings: str,
                      visitor: NetworkRole | None = None) -> HomeVisit:
    require(acting_user, "add", file.area_id)
    if not (findings or "").strip():
        raise ValidationError({"findings": ["请填写走访情况"]})
    row = HomeVisit.objects.create(file=file, area_id=file.area_id, visited_on=_past(visited_on, "visited_on"),
                                   visitor=visitor, findings=findings.strip()[:500], recorded_by=acting_user)
    _event(file, row, acting_user, f"儿童主任走访（{row.visited_on:%Y-%m-%d}）")
    return row


@transaction.atomic
def support_record(*, acting_user, file: ChildFile, kind: str, programme: str, provided_on: date,
                   amount=None, note: str = "") -> Support:
    require(acting_user, "add", file.area_id)
    if kind not in Support.Kind.values:
        raise ValidationError({"kind": [
            "kind 应为 education（教育资助）、medical（医疗救助与康复）或 other（其他帮扶）"]})
    if not (programme or "").strip():
        raise ValidationError({"programme": ["请填写帮扶项目"]})
    money = None if amount in (None, "") else _decimal(amount, "amount", "金额")
    row = Support.objects.create(file=file, area_id=file.area_id, kind=kind, programme=programme.strip()[:100],
                                 provided_on=_past(provided_on, "provided_on"), amount=money, note=(note or "")[:300])
    _event(file, row, acting_user, f"{row.get_kind_display()}：{row.programme}")
    return row


@dataclass(frozen=True)
class VisitDue:
    file: ChildFile
    program: str
    last_visit: date | None
    due_by: date


def visits_overdue(files: QuerySet[ChildFile], on: date | None = None) -> list[VisitDue]:
    """Children of the visited programmes (事实无人抚养, 孤儿散居) among `files` whose last visit is older than the
    programme's `home_visit_months` (counted from the first of the month of the last visit; never visited:
    overdue). Two queries plus one parameter read per programme and area."""
    on = on or clock.today()
    last = files.annotate(last=Max("visits__visited_on")).select_related("person")
    by_person = {f.person_id: f for f in last}
    rows = (Enrolment.objects.filter(program_id__in=VISITED, status__in=OPEN_STATUSES, person_id__in=list(by_person))
            .exclude(Q(program_id="orphan") & (Q(support_mode=SupportMode.CENTRALIZED)
                                               | Q(person__child_file__placement=ChildFile.Placement.INSTITUTION)))
            .values_list("person_id", "program_id", "area_id"))
    months: dict[tuple[str, str], int] = {}
    found = []
    for person_id, program, area in rows:
        if (program, area) not in months:
            months[(program, area)] = int(parameter_at(program, "home_visit_months", area, first_of_month(on)).value)
        file = by_person[person_id]
        due_by = add_months(first_of_month(file.last), months[(program, area)]) if file.last else on
        if due_by <= on:
            found.append(VisitDue(file=file, program=program, last_visit=file.last, due_by=due_by))
    return found
