"""Children's records (儿童档案与父母情况): keyword-only, atomic business actions that check the grant and the
area, and write the change log and a domain event.

The end of a parent's situation (released, found, recovered) and a recorded parent's death bring the child's
allowance re-check forward through assistance's re-check service (`rechecks_schedule_for_warnings`, the same
call a department-data warning makes); the allowance is then kept, changed or ended by that re-check.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.policy import allowed, scope_prefix
from assistance.rechecks import Flagged, rechecks_schedule_for_warnings
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from children.models import AbsenceReason, Category, ChildFile, ParentSituation
from minzheng.dates import add_months, age_on, first_of_month
from programs.models import OPEN_STATUSES, Enrolment
from programs.selectors import parameter_at
from programs.services import enrolment_end
from registry.models import Person

RESOURCE = "child"
CASH_PROGRAMS = ("orphan", "de_facto_unattended")


def require(user, action: str, area_code: str, resource: str = RESOURCE) -> None:
    """The grant `resource.action`, and the record's area inside the user's (403 otherwise)."""
    prefix = scope_prefix(user)
    if not allowed(user, resource, action) or prefix is None or not area_code.startswith(prefix):
        raise PermissionDenied(f"无此权限（{resource}.{action}）或不在管辖范围内")


def _categories(values) -> list[str]:
    values = list(values or [])
    bad = [v for v in values if v not in Category.values]
    if bad:
        options = "、".join(f"{k}（{v}）" for k, v in Category.choices)
        raise ValidationError({"categories": [f"不认识的儿童类别：{'、'.join(map(str, bad))}（可选：{options}）"]})
    return list(dict.fromkeys(values))


@transaction.atomic
def child_file_record(*, acting_user, person: Person, categories=(), placement: str = ChildFile.Placement.FAMILY,
                      guardian: Person | None = None, full_time_education: bool = False, note: str = "") -> ChildFile:
    """建立或更新儿童档案 (child director's 摸底): the categories found, the placement, the guardian."""
    require(acting_user, "add", person.area_id)
    if person.birth_date is not None and age_on(person.birth_date, clock.today()) >= 18 and not full_time_education:
        raise ValidationError({"person": [f"{person.name}已满18周岁，不建立儿童档案"]})
    if placement not in ChildFile.Placement.values:
        raise ValidationError({"placement": ["placement（养育方式）应为 institution（集中供养）或 family（散居）"]})
    file = ChildFile.objects.select_for_update().filter(person=person).first()
    before = snapshot(file) if file else None
    file = file or ChildFile(person=person, area_id=person.area_id, created_by=acting_user)
    file.categories, file.placement, file.guardian = _categories(categories), placement, guardian
    file.full_time_education, file.note = bool(full_time_education), (note or "")[:300]
    file.save()
    change_log_write(instance=file, action=ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE,
                     before=before, after=snapshot(file), acting_user=acting_user)
    domain_event_write(type=EventType.CHILD_FILE_RECORDED, person=person, subject=file, acting_user=acting_user,
                       message=f"{'更新' if before else '建立'}儿童档案：{person.name}")
    return file


@transaction.atomic
def parent_situation_record(*, acting_user, file: ChildFile, role: str, reason: AbsenceReason | str, evidence: str,
                            since: date, parent: Person | None = None, document_number: str = "") -> ParentSituation:
    """登记父母情况 with the evidence seen (证明材料); a parent has one current situation at a time."""
    require(acting_user, "change", file.area_id)
    if role not in ParentSituation.Role.values:
        raise ValidationError({"role": ["role 应为 father（父亲）或 mother（母亲）"]})
    found = reason if isinstance(reason, AbsenceReason) else AbsenceReason.objects.filter(code=reason).first()
    if found is None:
        options = "、".join(f"{r.code}（{r.name}）" for r in AbsenceReason.objects.all())
        raise ValidationError({"reason": [f"不认识的情形：{reason}（可选：{options}）"]})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": [f"请登记证明材料（{found.evidence}）"]})
    if since > clock.today():
        raise ValidationError({"since": ["情形发生日期不能晚于今天"]})
    if file.situations.filter(role=role, ended_on__isnull=True).exists():
        raise ValidationError({"role": [f"{ParentSituation.Role(role).label}已有在登记的情形，请先登记该情形消失"]})
    row = ParentSituation.objects.create(file=file, area_id=file.area_id, role=role, parent=parent, reason=found,
                                         evidence=evidence.strip()[:300], document_number=document_number[:80],
                                         since=since, recorded_by=acting_user)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user)
    domain_event_write(type=EventType.PARENT_SITUATION_RECORDED, person=file.person, subject=row,
                       acting_user=acting_user,
                       message=f"登记{row.get_role_display()}情况：{found.name}（{row.evidence}）")
    return row


def _recheck_child(file: ChildFile, why: str, acting_user) -> int:
    """Bring the child's open category enrolments' re-check forward to today."""
    return rechecks_schedule_for_warnings(
        flagged=[Flagged(person_id=file.person_id, household_id=None, warning_id=None)], due_on=clock.today(),
        rule_code="children_reason_changed", rule_name=why, acting_user=acting_user)


@transaction.atomic
def parent_situation_end(*, acting_user, situation: ParentSituation, ended_on: date, note: str = "") -> int:
    """情形消失 (刑满释放, 寻回, 康复 …): the situation ends and the child's recognition is re-checked at once.
    Returns the number of enrolments whose re-check was brought forward."""
    require(acting_user, "change", situation.area_id)
    if situation.ended_on is not None:
        raise ValidationError({"situation": ["该情形已登记消失"]})
    if ended_on < situation.since or ended_on > clock.today():
        raise ValidationError({"ended_on": ["情形消失日期应在情形发生之后、今天或之前"]})
    before = snapshot(situation)
    situation.ended_on, situation.end_note = ended_on, (note or situation.reason.end_label or "情形消失")[:200]
    situation.save(update_fields=["ended_on", "end_note"])
    change_log_write(instance=situation, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(situation),
                     acting_user=acting_user, reason=situation.end_note)
    why = f"{situation.get_role_display()}{situation.reason.name}情形消失（{situation.end_note}）"
    domain_event_write(type=EventType.PARENT_SITUATION_ENDED, person=situation.file.person, subject=situation,
                       acting_user=acting_user, message=why)
    return _recheck_child(situation.file, why, acting_user)


def on_parent_death(person: Person, acting_user=None) -> int:
    """A parent linked on a child's file died: the child's recognition is re-checked (the reason changed, e.g.
    事实无人抚养 → 孤儿). Runs inside the death's transaction."""
    touched = 0
    for situation in ParentSituation.objects.filter(parent=person, ended_on__isnull=True).select_related("file"):
        touched += _recheck_child(situation.file, f"{situation.get_role_display()}（{person.name}）死亡", acting_user)
    return touched


def first_unpaid_month(birth: date) -> date:
    """The first month whose first day finds the child 18 (周岁): the quote refuses that month and every later one."""
    month = first_of_month(birth.replace(year=birth.year + 18, day=1))
    return month if birth.day == 1 else add_months(month, 1)


@transaction.atomic
def children_age_out(*, acting_user, month: date) -> list[Enrolment]:
    """自然退出: end, from `month`, the allowances of children who turned 18 before `month` began — unless they are
    in full-time education and the programme's `continue_in_education` is 1. Run before the month's payroll."""
    month = first_of_month(month)
    ended = []
    rows = (Enrolment.objects.filter(program_id__in=CASH_PROGRAMS, status__in=OPEN_STATUSES,
                                     person__birth_date__isnull=False)
            .select_related("person", "program"))
    for enrolment in rows:
        birth = enrolment.person.birth_date
        if age_on(birth, month) < 18:
            continue
        file = ChildFile.objects.filter(person_id=enrolment.person_id).first()
        keep = parameter_at(enrolment.program_id, "continue_in_education", enrolment.area_id, month)
        if file is not None and file.full_time_education and keep.value >= 1:
            continue
        effective = first_unpaid_month(birth)
        ended.append(enrolment_end(acting_user=acting_user, enrolment=enrolment,
                                   reason=f"年满18周岁自然退出（{effective:%Y年%m月}起不再发放）",
                                   effective_month=max(effective, enrolment.start_month)))
    return ended
