"""Kernel case actions (案件办理通用服务): open a case, take any declared action on it; close-relative
declarations; public notices and objections; documents.

`case_take` runs any action a workflow declares: it locks the case (`case_lock`), asks `case_check` whether
this user may take this step now (grant, area, level, close-relative recusal, order, separation of duties),
runs the hook the domain registered for the action (`casework.workflows.register_action`: what "review"
computes, what "investigate" records), and ends with `case_advance`, which moves the state, recomputes the
deadlines and writes the timeline step, the change log and the domain event. A case type with no hooks at all
still runs: a new case type is a workflow declaration plus its form. A domain service may also compose
`case_lock`/`case_check`/`case_advance` itself where one business action spans more than one step shape.
Everything that refuses raises Django's ValidationError (400, naming the field or the rule) or PermissionDenied
(403, naming the rule).
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from casework.deadlines import case_deadlines_compute, case_deadlines_write
from casework.models import (
    Case,
    CaseDocument,
    CaseStep,
    CloseRelation,
    CloseRelativeDeclaration,
    Objection,
    PublicNotice,
)
from casework.selectors import case_person_ids, close_relative_conflict, user_level
from casework.workflows import LEVEL_NAMES, Outcome, Transition, Workflow, action_hook, workflow_get
from registry.models import HouseholdMember, Person

RECUSAL_RULE = "《最低生活保障审核确认办法》第十一条；《重庆市城乡居民最低生活保障条例》第三十三条"


def _user_or_none(user):
    return user if getattr(user, "pk", None) else None


def case_lock(case: Case) -> Case:
    """Re-read the case under a row lock (PostgreSQL), so two officers cannot take the same step at once."""
    return Case.objects.select_for_update(of=("self",)).select_related("program", "household", "person").get(
        pk=case.pk)


def _require_user(*, workflow: Workflow, transition: Transition, acting_user, area_code: str) -> None:
    if not allowed(acting_user, workflow.resource, transition.grant):
        raise PermissionDenied(f"无“{transition.label}”权限（{workflow.resource}.{transition.grant}）")
    if not area_in_scope(acting_user, area_code):
        raise PermissionDenied("该案件不在您的管辖范围内")
    if transition.levels and user_level(acting_user) not in transition.levels:
        who = "或".join(LEVEL_NAMES[level] for level in transition.levels)
        rule = f"（{transition.level_rule}）" if transition.level_rule else ""
        raise PermissionDenied(f"职责分工：“{transition.label}”须由{who}办理{rule}")


def _refuse_conflicted(acting_user, case: Case) -> None:
    declaration = close_relative_conflict(user=acting_user, case=case)
    if declaration is not None:
        raise PermissionDenied(
            f"回避规则：您已登记为本案家庭成员{declaration.relative.name}的近亲属"
            f"（{declaration.get_relation_display()}），不得经办本案（{RECUSAL_RULE}）")


def case_check(*, case: Case, action: str, acting_user, label: str = "") -> Transition:
    """May `acting_user` take `action` on `case` now? Returns the declared transition, else refuses.

    Order of the answers: a step the workflow does not have (400), no grant / outside the area / wrong level /
    a declared close relative (403), then the step out of order (400).
    """
    workflow = workflow_get(case.workflow)
    transition = workflow.transition(action)
    if transition is None:
        why = workflow.options.get("omitted", {}).get(action, "")
        raise ValidationError({"status": [f"“{workflow.name}”流程不包括“{label or action}”环节" + (
            f"：{why}" if why else "")]})
    _require_user(workflow=workflow, transition=transition, acting_user=acting_user, area_code=case.area_id)
    _refuse_conflicted(acting_user, case)
    if case.state not in transition.sources:
        current = workflow.state_label(case.state)
        if case.state in workflow.terminal:
            raise ValidationError({"status": [f"案件{current}，不能再{transition.label}"]})
        allowed_in = "、".join(f"“{workflow.state_label(s)}”" for s in transition.sources)
        raise ValidationError({"status": [
            f"办理顺序不符：当前状态为“{current}”，“{transition.label}”只能在{allowed_in}时办理"
            f"（办理顺序：{workflow.sequence}）"]})
    _refuse_separated(case, transition, acting_user)
    return transition


def _refuse_separated(case: Case, transition: Transition, acting_user) -> None:
    """职责分离: who took one of `transition.separate_from` on this case may not take this step."""
    if not transition.separate_from or not getattr(acting_user, "pk", None):
        return
    if case.steps.filter(action__in=transition.separate_from, user_id=acting_user.pk).exists():
        workflow = workflow_get(case.workflow)
        others = "、".join(workflow.action_label(a) for a in transition.separate_from)
        raise PermissionDenied(transition.separation_rule
                               or f"职责分离：本案{others}人员不得再办理“{transition.label}”")


def case_check_side_step(*, case: Case, acting_user, grant: str, label: str) -> Workflow:
    """A step outside the declared transitions (an authorisation recorded later, a note): the workflow
    resource's `grant`, the case's area, not a recused user, and the case still open."""
    workflow = workflow_get(case.workflow)
    if not allowed(acting_user, workflow.resource, grant):
        raise PermissionDenied(f"无{label}的权限（{workflow.resource}.{grant}）")
    if not area_in_scope(acting_user, case.area_id):
        raise PermissionDenied("该案件不在您的管辖范围内")
    _refuse_conflicted(acting_user, case)
    if case.closed_at is not None:
        raise ValidationError({"status": [f"案件{workflow.state_label(case.state)}，不能再{label}"]})
    return workflow


def case_snapshot(case: Case) -> dict:
    """The case as the change log keeps it: its kernel fields plus its domain record's (`Workflow.detail`)."""
    data = snapshot(case)
    workflow = workflow_get(case.workflow)
    record = getattr(case, workflow.detail, None) if workflow.detail else None
    if record is not None:
        data[workflow.detail] = snapshot(record)
    return data


@transaction.atomic
def case_take(*, case: Case, action: str, acting_user, params: dict | None = None, label: str = "") -> Case:
    """办理: take the declared `action` on `case` — check it, run the domain's hook for it (if any) with
    `params`, then move the state, recompute the deadlines and write the step, change log and event.

    Returns the locked, updated case; `case.outcome` is what the hook returned (its `record`, e.g. the
    investigation just made). Refusals as `case_check`; the hook refuses the domain's own rules the same way.
    """
    case = case_lock(case)
    transition = case_check(case=case, action=action, acting_user=acting_user, label=label)
    before = case_snapshot(case)
    for name in transition.stamps:
        if getattr(case, name) is None:
            setattr(case, name, clock.today())
    hook = action_hook(case.workflow, action)
    outcome = hook(case=case, acting_user=acting_user, params=dict(params or {}), transition=transition) \
        if hook is not None else Outcome(note=str((params or {}).get("note", ""))[:500])
    to_state = outcome.to_state or transition.target or case.state
    case_advance(case=case, action=action, to_state=to_state, acting_user=acting_user, before=before,
                 message=outcome.message or transition.label, note=outcome.note, params=outcome.params)
    case.outcome = outcome
    return case


def case_advance(*, case: Case, action: str, to_state: str, acting_user, before: dict, message: str,
                 note: str = "", params: dict | None = None) -> CaseStep:
    """Record a step already checked by `case_check`: new state, deadlines, timeline, change log, event."""
    workflow = workflow_get(case.workflow)
    case.state = to_state
    if to_state in workflow.terminal and case.closed_at is None:
        case.closed_at = timezone.now()
    case_deadlines_compute(case, workflow)
    case.save()
    _save_detail(case, workflow)
    case_deadlines_write(case)
    params = params or {}
    step = CaseStep.objects.create(case=case, action=action, from_state=before.get("state", ""), to_state=to_state,
                                   user=_user_or_none(acting_user), note=note, params=params, area_id=case.area_id)
    label = workflow.action_label(action)
    change_log_write(instance=case, action=ChangeLog.Action.UPDATE, before=before, after=case_snapshot(case),
                     acting_user=acting_user, reason=label)
    domain_event_write(type=EventType.CASE_STEP, message=message[:300], household=case.household,
                       person=case.person or case.applicant, subject=case, acting_user=acting_user,
                       params={"case": case.pk, "action": action, "step": step.pk, "to_state": to_state, **params})
    return step


def _save_detail(case: Case, workflow: Workflow) -> None:
    """Save the domain record the step may have changed (loaded only; never fetched just to be saved)."""
    if workflow.detail and workflow.detail in case._state.fields_cache:
        record = case._state.fields_cache[workflow.detail]
        if record is not None:
            record.save()


def case_open(*, acting_user, workflow: Workflow, area_code: str, fields: dict, message: str,
              note: str = "", detail=None) -> Case:
    """开启案件 (申请): checks the `add` grant, the area and the user's own close relatives, flags a household that
    includes a declared close relative (近亲属备案), and records the first step. `fields` are Case fields;
    `detail` is the workflow's domain record (unsaved; `Workflow.detail` names it), saved with the case."""
    if not allowed(acting_user, workflow.resource, "add"):
        raise PermissionDenied(f"无提交申请的权限（{workflow.resource}.add）")
    if not area_in_scope(acting_user, area_code):
        raise PermissionDenied("该家庭（人员）不在您的管辖范围内")
    case = Case(workflow=workflow.code, area_id=area_code, state=workflow.initial, submitted_by=acting_user,
                **fields)
    _refuse_conflicted(acting_user, case)
    case.close_relative_filed = _has_declared_relative(case)
    if detail is not None:
        setattr(case, workflow.detail, detail)  # cached on the case, so deadline bases can read it already
    case_deadlines_compute(case, workflow)
    case.save()
    if detail is not None:
        detail.case = case
        detail.save()
    case_deadlines_write(case)
    CaseStep.objects.create(case=case, action="submit", from_state="", to_state=case.state, user=acting_user,
                            note=note, params={"channel": case.channel}, area_id=case.area_id)
    change_log_write(instance=case, action=ChangeLog.Action.CREATE, before=None, after=case_snapshot(case),
                     acting_user=acting_user, reason="提交申请")
    domain_event_write(type=EventType.CASE_SUBMITTED, message=message[:300], household=case.household,
                       person=case.person or case.applicant, subject=case, acting_user=acting_user,
                       params={"case": case.pk, "action": "submit"})
    return case


def _has_declared_relative(case: Case) -> bool:
    people = case_person_ids(case)
    return bool(people) and CloseRelativeDeclaration.objects.filter(relative_id__in=people, is_active=True).exists()


def parse_past_date(value, field: str, label: str, *, not_before: date | None = None,
                    not_before_label: str = "") -> date:
    """A legal date entered by an officer: default today, never in the future, not before `not_before`."""
    today = clock.today()
    if value is None:
        return today
    if not isinstance(value, date):
        raise ValidationError({field: [f"{field}（{label}）格式应为 YYYY-MM-DD"]})
    if value > today:
        raise ValidationError({field: [f"{field}（{label}）不能晚于今天（{today:%Y-%m-%d}）"]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [f"{field}（{label}）不能早于{not_before_label}（{not_before:%Y-%m-%d}）"]})
    return value


# ---- 文书、公示、异议 ------------------------------------------------------------------------------------------
# Called by a domain service after `case_check`, inside its transaction; they check nothing themselves.

def case_document_add(*, case: Case, acting_user, kind: str, title: str, content: dict | None = None,
                      file=None) -> CaseDocument:
    document = CaseDocument.objects.create(case=case, kind=kind, title=title[:100], content=content or {},
                                           created_by=_user_or_none(acting_user), area_id=case.area_id,
                                           **({"file": file} if file else {}))
    # A FieldFile is not JSON: the log keeps the stored file's name instead.
    after = {**snapshot(document, ["id", "case_id", "kind", "title", "content", "created_by_id", "area_id"]),
             "file": document.file.name or ""}
    change_log_write(instance=document, action=ChangeLog.Action.CREATE, before=None, after=after,
                     acting_user=acting_user, reason=title[:200])
    return document


def public_notice_open(*, case: Case, acting_user, starts_on: date, days: int, republication: bool,
                       content: dict) -> PublicNotice:
    """公示: `days` calendar days from `starts_on` inclusive; earlier open notices of the case end."""
    case.notices.filter(status=PublicNotice.Status.OPEN).update(status=PublicNotice.Status.ENDED)
    notice = PublicNotice.objects.create(case=case, starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
                                         days=days, republication=republication, content=content,
                                         created_by=_user_or_none(acting_user), area_id=case.area_id)
    change_log_write(instance=notice, action=ChangeLog.Action.CREATE, before=None, after=snapshot(notice),
                     acting_user=acting_user, reason="公示")
    return notice


def objection_record(*, case: Case, acting_user, content: str, objector: str, received_on: date) -> Objection:
    notice = case.notices.filter(status=PublicNotice.Status.OPEN).order_by("-starts_on", "-id").first()
    objection = Objection.objects.create(case=case, notice=notice, objector=objector[:50], content=content,
                                         received_on=received_on, recorded_by=_user_or_none(acting_user),
                                         area_id=case.area_id)
    change_log_write(instance=objection, action=ChangeLog.Action.CREATE, before=None, after=snapshot(objection),
                     acting_user=acting_user, reason="登记公示异议")
    return objection


def objection_decide(*, objection: Objection, acting_user, upheld: bool, handling: str) -> Objection:
    """异议处理: upheld withdraws the notice (the domain service sends the case back); dismissed leaves it."""
    before = snapshot(objection)
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.handling, objection.handled_by, objection.handled_at = handling, acting_user, timezone.now()
    objection.save(update_fields=["status", "handling", "handled_by", "handled_at"])
    if upheld and objection.notice_id:
        PublicNotice.objects.filter(pk=objection.notice_id).update(status=PublicNotice.Status.WITHDRAWN)
    change_log_write(instance=objection, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(objection),
                     acting_user=acting_user, reason=objection.get_status_display())
    return objection


# ---- 近亲属备案 ----------------------------------------------------------------------------------------------

def _check_declarant(staff, committee_member_name: str, committee_area_code: str | None) -> tuple:
    name = (committee_member_name or "").strip()
    if (staff is None) == (not name):
        raise ValidationError({"staff": ["请填写工作人员，或填写村（居）委会成员姓名（二者选一）"]})
    if staff is not None and not staff.is_active:
        raise ValidationError({"staff": ["该工作人员账号已停用"]})
    area = None
    if name and committee_area_code:
        from areas.models import Area

        area = Area.objects.filter(code=committee_area_code).first()
        if area is None:
            raise ValidationError({"committee_area": [f"区划代码不存在：{committee_area_code}"]})
    return name, area


@transaction.atomic
def close_relative_declare(*, acting_user, relative: Person, relation: str, staff=None,
                           committee_member_name: str = "", committee_area_code: str | None = None,
                           note: str = "") -> CloseRelativeDeclaration:
    """近亲属备案: register that `relative` is a close relative of a staff member or a committee member.

    Every open case whose household includes the relative is flagged (close_relative_filed) at once, with a
    timeline step, so the district investigation rule applies from now on.
    """
    if not allowed(acting_user, "close_relative", "add"):
        raise PermissionDenied("无登记近亲属备案的权限（close_relative.add）")
    if not area_in_scope(acting_user, relative.area_id):
        raise PermissionDenied("该人员不在您的管辖范围内")
    if relation not in CloseRelation.values:
        options = "、".join(f"{v}（{label}）" for v, label in CloseRelation.choices)
        raise ValidationError({"relation": [f"relation（关系）应为：{options}"]})
    name, area = _check_declarant(staff, committee_member_name, committee_area_code)
    same = CloseRelativeDeclaration.objects.filter(relative=relative, is_active=True)
    if (same.filter(staff=staff) if staff is not None else same.filter(committee_member_name=name)).exists():
        raise ValidationError({"relative": ["已登记过相同的近亲属备案"]})
    declaration = CloseRelativeDeclaration.objects.create(
        staff=staff, committee_member_name=name, committee_area=area, relative=relative, relation=relation,
        area_id=relative.area_id, note=(note or "").strip()[:200], declared_by=acting_user)
    change_log_write(instance=declaration, action=ChangeLog.Action.CREATE, before=None,
                     after=snapshot(declaration), acting_user=acting_user, reason="近亲属备案")
    _flag_open_cases(relative, acting_user)
    return declaration


def _flag_open_cases(relative: Person, acting_user) -> None:
    households = HouseholdMember.objects.filter(person=relative, is_active=True).values("household_id")
    cases = Case.objects.select_for_update(of=("self",)).filter(
        Q(household_id__in=households) | Q(person=relative) | Q(applicant=relative),
        closed_at__isnull=True, close_relative_filed=False).order_by("pk")
    for case in cases:
        before = snapshot(case)
        case.close_relative_filed = True
        case.save(update_fields=["close_relative_filed", "updated_at"])
        CaseStep.objects.create(case=case, action="close_relative_filed", from_state=case.state, to_state=case.state,
                                user=_user_or_none(acting_user), note=f"家庭成员{relative.name}登记为近亲属备案对象",
                                area_id=case.area_id)
        change_log_write(instance=case, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(case),
                         acting_user=acting_user, reason="近亲属备案")


@transaction.atomic
def close_relative_end(*, acting_user, declaration: CloseRelativeDeclaration, reason: str) -> None:
    """撤销备案 (e.g. the staff member left): kept in history; cases already flagged stay flagged."""
    if not allowed(acting_user, "close_relative", "add"):
        raise PermissionDenied("无登记近亲属备案的权限（close_relative.add）")
    if not area_in_scope(acting_user, declaration.area_id):
        raise PermissionDenied("该备案不在您的管辖范围内")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤销原因"]})
    before = snapshot(declaration)
    declaration.is_active, declaration.ended_at = False, timezone.now()
    declaration.save(update_fields=["is_active", "ended_at"])
    change_log_write(instance=declaration, action=ChangeLog.Action.DEACTIVATE, before=before,
                     after=snapshot(declaration), acting_user=acting_user, reason=reason[:200])
