"""Social-assistance application actions (社会救助申请办理): one keyword-only, atomic function per step.

A step whose work is this app's own runs through the kernel's `case_take` with a hook registered here
(`register_action`: what 信息核对, 群众评议, 初审, 不予确认, 延期 and 撤回 do); the kernel checks grant, area,
level, close-relative recusal, order and the separation of duties the workflow declares, and records the step
(state, deadlines, CaseStep, change log, DomainEvent on the household). The steps that are several shapes at
once (受理 or 一次性告知, 入户调查, 公示, 异议, 审核确认, 先行救助) compose `case_lock`/`case_check`/
`case_advance` themselves. This app also owns the applicant's authorisation of the economic-status checks
(电子授权), which 信息核对 requires. Amounts come from `programs.calculations.quote`; enrolment from
`programs.services.enrolment_start`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.policy import allowed
from assistance.certificates import certificate_number_issue
from assistance.inputs import (
    LINSHI_KINDS,
    amount_text,
    care_level_from_self_care,
    clean_inputs,
    clean_missing,
    required_text,
)
from assistance.investigation import assets_record, incomes_record, investigators_check
from assistance.models import VERIFICATION_SOURCES, Application, Evaluation, Investigation, Verification
from assistance.rules import application_quote, ready_to_decide, start_month
from assistance.single_person import single_person_check
from assistance.step_dates import step_date_check, submission_follow_acceptance
from assistance.workflows import APPLICATION_FAMILIES, RESOURCE, assistance_programs, current_variant, workflow_code
from casework import clock
from casework.deadlines import case_deadlines_compute
from casework.models import Case, CaseDocument, Channel, Objection, PublicNotice
from casework.selectors import last_step
from casework.services import (
    case_advance,
    case_check,
    case_check_side_step,
    case_document_add,
    case_lock,
    case_open,
    case_snapshot,
    case_take,
    objection_decide,
    objection_record,
    parse_past_date,
    public_notice_open,
)
from casework.workflows import Outcome, Transition, register_action, workflow_get
from programs.calculations.money import first_of_month, money
from programs.models import Program
from programs.selectors import holding_enrolments, parameter_at, parameter_or_default
from programs.services import enrolment_start
from registry.models import Household, Person, Relation
from registry.selectors import current_household_of

REASONS_RULE = "不予确认须书面说明理由（《最低生活保障审核确认办法》第二十一条）"


# ---- 申请 -------------------------------------------------------------------------------------------------------

def _program(program: Program | str) -> Program:
    found = program if isinstance(program, Program) else Program.objects.filter(code=program).first()
    if found is None or found.workflow not in APPLICATION_FAMILIES:
        options = "、".join(assistance_programs())
        raise ValidationError({"program": [f"program（项目）不受理该项目的申请：{program}（可选：{options}）"]})
    if not found.active:
        raise ValidationError({"program": [f"项目已停用：{found.name}"]})
    return found


def _household_subject(program: Program, household: Household | None, applicant: Person | None) -> tuple:
    if household is None:
        raise ValidationError({"household": [f"{program.name}以家庭为单位申请，请指定家庭"]})
    if household.status != Household.Status.ACTIVE:
        raise ValidationError({"household": ["该家庭已注销"]})
    members = household.members.filter(is_active=True)
    if applicant is None:
        member = members.filter(relation=Relation.HEAD).first() or members.order_by("id").first()
        if member is None:
            raise ValidationError({"household": ["该家庭无在户成员"]})
        applicant = member.person
    elif not members.filter(person=applicant).exists():
        raise ValidationError({"person": ["申请人不是该家庭的在户成员"]})
    return household, None, applicant, household.area_id


def _person_subject(program: Program, household: Household | None, person: Person | None,
                    applicant: Person | None) -> tuple:
    if person is None:
        raise ValidationError({"person": [f"{program.name}以个人为单位申请，请指定人员"]})
    if household is None:
        household = current_household_of(person)
    elif not household.members.filter(person=person, is_active=True).exists():
        raise ValidationError({"household": ["该人员不是所选家庭的在户成员"]})
    return household, person, applicant or person, person.area_id


def _refuse_duplicate(program: Program, household: Household | None, person: Person | None) -> None:
    subject = {"person": person} if person is not None else {"household": household}
    open_case = Case.objects.filter(program=program, closed_at__isnull=True, **subject).first()
    if open_case is not None:
        raise ValidationError({"program": [f"已有办理中的{program.name}申请（案件 {open_case.pk}），不能重复申请"]})
    if program.recurring and holding_enrolments(program=program, **subject).exists():
        raise ValidationError({"program": [f"已在享受{program.name}，不能重复申请"]})


def _single_person(program: Program, household: Household | None, inputs: dict) -> Person | None:
    """单人户: only where the programme takes it (低保), the member must be in the household and the ground on
    record in the registry (assistance.single_person); the member is the applicant unless another is named."""
    if "single_person" not in inputs:
        return None
    if "single_person" not in program.quote_inputs:
        raise ValidationError({"single_person": [f"{program.name}不适用单人户申请"]})
    if household is None:
        raise ValidationError({"household": [f"{program.name}以家庭为单位申请，请指定家庭"]})
    single_person_check(household=household, person_id=inputs["single_person"],
                        ground=inputs["single_person_ground"], on=clock.today())
    return Person.objects.get(pk=inputs["single_person"])


@transaction.atomic
def application_submit(*, acting_user, program: Program | str, household: Household | None = None,
                       person: Person | None = None, applicant: Person | None = None, channel: str = Channel.WORKER,
                       authorised_data_check: bool = False, inputs: dict | None = None, note: str = "",
                       submitted_on: date | None = None) -> Case:
    """申请: a resident online or a worker on their behalf; with or without the electronic authorisation for the
    economic-status checks (it can be recorded at acceptance; 信息核对 needs it). `submitted_on` (default today)
    is the day the applicant applied — a paper application entered later states it."""
    if not allowed(acting_user, RESOURCE, "add"):
        raise PermissionDenied(f"无提交申请的权限（{RESOURCE}.add）")
    program = _program(program)
    stated = submitted_on is not None
    submitted_on = step_date_check(None, step="submit", value=submitted_on, field="submitted_on")
    if channel not in Channel.values:
        raise ValidationError({"channel": [
            "channel（申请渠道）应为 online（居民网上申请）或 worker（工作人员代为申请）"]})
    inputs = clean_inputs(inputs)
    single = _single_person(program, household, inputs)  # checked even when another applicant is named
    if program.unit == Program.Unit.PERSON:
        household, person, applicant, area_code = _person_subject(program, household, person, applicant)
    else:
        household, person, applicant, area_code = _household_subject(program, household,
                                                                     applicant or person or single)
    for someone in {applicant, person} - {None}:
        if someone.status == Person.Status.DECEASED:
            raise ValidationError({"person": [f"{someone.name} 已登记死亡"]})
    _refuse_duplicate(program, household, person)
    workflow = workflow_get(workflow_code(program.code, current_variant()))
    if workflow.transition("urgent_approve") and "linshi_kind" not in inputs:
        # Whether the town may approve first (先行救助) depends on the kind, so it is asked for at once.
        raise ValidationError({"linshi_kind": ["请选择临时救助类型：jinan（急难型）或 zhichu（支出型）"]})
    application = Application()
    if authorised_data_check:
        _authorise(application, acting_user)
    return case_open(
        acting_user=acting_user, workflow=workflow, area_code=area_code, note=note, detail=application,
        fields={"program": program, "household": household, "person": person, "applicant": applicant,
                "channel": channel, "inputs": inputs, "variant": workflow.options["variant"],
                "submitted_on": submitted_on, "submitted_on_stated": stated},
        message=f"提交{program.name}申请（{Channel(channel).label}），申请人{applicant.name}")


# ---- 电子授权 ---------------------------------------------------------------------------------------------------

def _authorise(application: Application, acting_user) -> None:
    """电子授权: record that the applicant authorised the economic-status checks (flag, time, who recorded it)."""
    if not application.authorised_data_check:
        application.authorised_data_check, application.authorised_at = True, timezone.now()
        application.authorised_recorded_by = acting_user


@transaction.atomic
def application_authorise(*, acting_user, case: Case) -> Case:
    """电子授权, recorded after the application (the applicant signs later): the `add` grant, the case's area,
    not a recused user, and the case still open."""
    case = case_lock(case)
    case_check_side_step(case=case, acting_user=acting_user, grant="add", label="登记授权")
    if case.application.authorised_data_check:
        raise ValidationError({"authorised_data_check": ["已登记授权，无需重复登记"]})
    before = case_snapshot(case)
    _authorise(case.application, acting_user)
    case_advance(case=case, action="authorise", to_state=case.state, acting_user=acting_user, before=before,
                 message="登记申请人核对家庭经济状况的电子授权")
    return case


# ---- 受理 -------------------------------------------------------------------------------------------------------

@transaction.atomic
def application_accept(*, acting_user, case: Case, accepted_on: date | None = None, missing: list | None = None,
                       authorised_data_check: bool = False, note: str = "") -> Case:
    """受理. With `missing`, the applicant is told ONCE of everything missing (一次性告知) and the case waits in
    "materials_requested"; a later accept completes it. `accepted_on` (default today, never in the future) is
    the legal acceptance date from which every deadline counts — a paper application entered later."""
    case = case_lock(case)
    case_check(case=case, action="accept", acting_user=acting_user)
    before, missing = case_snapshot(case), clean_missing(missing)
    if authorised_data_check:
        _authorise(case.application, acting_user)
    if missing:
        return _request_materials(case, missing, accepted_on, acting_user, before, note)
    on = parse_past_date(accepted_on, "date", "受理日期", not_before=case.application.materials_requested_on,
                         not_before_label="一次性告知补正材料的日期")
    step_date_check(case, step="accept", value=on, field="date")
    submission_follow_acceptance(case, on)
    case.accepted_on, case.handler = on, acting_user
    case_advance(case=case, action="accept", to_state="accepted", acting_user=acting_user, before=before, note=note,
                 params={"date": on.isoformat()}, message=f"受理{case.program.name}申请，受理日期 {on:%Y-%m-%d}")
    return case


def _request_materials(case: Case, missing: list[str], on: date | None, acting_user, before: dict,
                       note: str) -> Case:
    asked_on = case.application.materials_requested_on
    if asked_on is not None:
        raise ValidationError({"missing": [
            f"一次性告知：已于 {asked_on:%Y-%m-%d} 一次性告知需补正的全部材料，不得再次要求补正"
            "（《最低生活保障审核确认办法》第十条）"]})
    on = parse_past_date(on, "date", "告知日期")
    case.application.missing_materials, case.application.materials_requested_on = missing, on
    case_document_add(case=case, acting_user=acting_user, kind=CaseDocument.Kind.MATERIALS_NOTICE,
                      title="补正材料一次性告知书", content={"missing": missing, "date": on.isoformat()})
    case_advance(case=case, action="accept", to_state="materials_requested", acting_user=acting_user, before=before,
                 note=note, params={"missing": missing, "date": on.isoformat()},
                 message=f"一次性告知需补正材料：{'、'.join(missing)}")
    return case


# ---- 入户调查、信息核对、群众评议 ----------------------------------------------------------------------------------

def _assessment(case: Case, assessment: dict | None) -> tuple[dict, list[str]]:
    assessment = dict(assessment or {})
    failed = assessment.pop("self_care_failed", None)
    cleaned = clean_inputs(assessment)
    level, failed = care_level_from_self_care(failed, cleaned.get("care_level"))
    if level:
        cleaned["care_level"] = level
    return cleaned, failed


@transaction.atomic
def application_investigate(*, acting_user, case: Case, investigators: list[int], visited_on: date | None = None,
                            method: str = Investigation.Method.HOME, incomes: list | None = None,
                            assets: list | None = None, assessment: dict | None = None, members_present: str = "",
                            note: str = "") -> Investigation:
    """入户调查: at least two different investigators; incomes, property and deductions found go to the registry
    (see assistance.investigation); `assessment` holds the programme's findings (护理等级 or the six 生活自理
    items, 无法定义务人, 供养方式, 临时救助金额, 刚性支出)."""
    case = case_lock(case)
    case_check(case=case, action="investigate", acting_user=acting_user)
    before = case_snapshot(case)
    visited = step_date_check(case, step="investigate", value=visited_on, field="visited_on")
    if method not in Investigation.Method.values:
        raise ValidationError({"method": ["method（调查方式）应为 home（入户调查）或 remote（电话或视频调查）"]})
    people, district = investigators_check(case, investigators)
    found, failed = _assessment(case, assessment)
    findings = {"incomes": incomes_record(case=case, items=incomes, acting_user=acting_user, visited_on=visited),
                "assets": assets_record(case=case, items=assets, acting_user=acting_user),
                "assessment": found, "self_care_failed": failed}
    case.inputs = {**case.inputs, **found}
    record = Investigation.objects.create(case=case, visited_on=visited, method=method, district_investigation=district,
                                          members_present=(members_present or "")[:200], findings=findings,
                                          note=note or "", recorded_by=acting_user, area_id=case.area_id)
    record.investigators.set(people)
    case.application.verification_requested_on = clock.today()
    names = "、".join((u.get_full_name() or u.username) for u in people)
    case_advance(case=case, action="investigate", to_state="investigated", acting_user=acting_user, before=before,
                 note=note or "", message=f"入户调查（{visited:%Y-%m-%d}，调查人员：{names}）",
                 params={"investigation": record.pk, "investigators": [u.pk for u in people],
                         "visited_on": visited.isoformat(), "district_investigation": district})
    return record


def application_verify(*, acting_user, case: Case, sources: list[str], result: str, checked_on: date | None = None,
                       note: str = "") -> Verification:
    """信息核对: which sources were checked and whether they matched; needs the applicant's authorisation."""
    params = {"sources": sources, "result": result, "checked_on": checked_on, "note": note}
    return case_take(case=case, action="verify", acting_user=acting_user, params=params).outcome.record


@register_action("verify", resource=RESOURCE)
def _verify(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    sources, result, note = params["sources"], params["result"], params["note"]
    if not case.application.authorised_data_check:
        raise ValidationError({"authorised_data_check": [
            "申请人尚未授权核对家庭经济状况，不能开展信息核对；请先在受理时登记授权"]})
    if not isinstance(sources, list) or not sources or any(s not in VERIFICATION_SOURCES for s in sources):
        options = "、".join(f"{k}（{v}）" for k, v in VERIFICATION_SOURCES.items())
        raise ValidationError({"sources": [f"sources（核对事项）应为非空列表，可选：{options}"]})
    if result not in Verification.Result.values:
        raise ValidationError({"result": ["result（核对结果）应为 match（核对相符）或 mismatch（核对不符）"]})
    if result == Verification.Result.MISMATCH:
        note = required_text(note, "note", "核对不符须说明不符的事项")
    on = step_date_check(case, step="verify", value=params["checked_on"], field="checked_on")
    record = Verification.objects.create(case=case, checked_on=on, sources=list(dict.fromkeys(sources)),
                                         result=result, note=note or "", recorded_by=acting_user,
                                         area_id=case.area_id)
    return Outcome(note=note or "", message=f"信息核对：{record.get_result_display()}", record=record,
                   params={"verification": record.pk, "result": result, "sources": record.sources})


def application_evaluate(*, acting_user, case: Case, participants: int, result: str, held_on: date | None = None,
                         note: str = "") -> Evaluation:
    """群众评议 (Chongqing variant only; the national workflow refuses it by name)."""
    params = {"participants": participants, "result": result, "held_on": held_on, "note": note}
    return case_take(case=case, action="evaluate", acting_user=acting_user, params=params,
                     label="群众评议").outcome.record


@register_action("evaluate", resource=RESOURCE)
def _evaluate(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    participants, result, note = params["participants"], params["result"], params["note"]
    if not isinstance(participants, int) or isinstance(participants, bool) or not 1 <= participants <= 1000:
        raise ValidationError({"participants": ["participants（参加评议人数）应为1至1000的整数"]})
    if result not in Evaluation.Result.values:
        raise ValidationError({"result": ["result（评议结果）应为 agree（评议通过）或 disagree（评议未通过）"]})
    on = step_date_check(case, step="evaluate", value=params["held_on"], field="held_on")
    record = Evaluation.objects.create(case=case, held_on=on, participants=participants, result=result,
                                       note=note or "", recorded_by=acting_user, area_id=case.area_id)
    return Outcome(note=note or "", message=f"群众评议：{record.get_result_display()}（{participants}人参加）",
                   params={"evaluation": record.pk, "result": result, "participants": participants}, record=record)


# ---- 初审、公示、异议 -------------------------------------------------------------------------------------------

def application_review(*, acting_user, case: Case, opinion: str, reviewed_on: date | None = None,
                       note: str = "") -> Case:
    """初审 (town reviewer): the amount is computed and its lines kept on the case; "agree" needs an eligible
    quote, "disagree" sends the case to the district for a decision not to confirm. `reviewed_on` (default today)
    is the date of the town's opinion — a paper case entered later states it."""
    return case_take(case=case, action="review", acting_user=acting_user,
                     params={"opinion": opinion, "note": note, "reviewed_on": reviewed_on})


@register_action("review", resource=RESOURCE)
def _review(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    opinion, note = params["opinion"], params["note"]
    if opinion not in ("agree", "disagree"):
        raise ValidationError({"opinion": ["opinion（初审意见）应为 agree（同意）或 disagree（不同意）"]})
    on = step_date_check(case, step="review", value=params.get("reviewed_on"), field="reviewed_on")
    result = application_quote(case, clock.today())
    if opinion == "agree" and not result.eligible:
        raise ValidationError({"opinion": [f"测算结果为不符合条件（{'；'.join(result.reasons)}），初审意见不能为同意"]})
    case.application.calculation = {**case.application.calculation, "review": result.as_json()}
    case.application.monthly_amount = result.monthly_amount
    if workflow_get(case.workflow).transition("publish") is None:
        # A workflow without 公示 (儿童类别认定) goes to the decision at 初审: the confirmation limit counts from it.
        case.application.confirmation_base_on = on
    verdict = "同意" if opinion == "agree" else "不同意"
    return Outcome(note=note or "", message=f"初审意见：{verdict}；测算金额 {money(result.monthly_amount)} 元",
                   params={"opinion": opinion, "eligible": result.eligible, "date": on.isoformat(),
                           "monthly_amount": money(result.monthly_amount)})


@transaction.atomic
def application_publish(*, acting_user, case: Case, starts_on: date | None = None, note: str = "") -> PublicNotice:
    """公示 in the village/community: 7 days; after an upheld objection the Chongqing rule re-publishes for 3.
    Only the applicant's name, the household size and the amount are shown (第二十四条)."""
    case = case_lock(case)
    case_check(case=case, action="publish", acting_user=acting_user)
    before = case_snapshot(case)
    review = last_step(case, "review")
    if review is None or review.params.get("opinion") != "agree":
        raise ValidationError({"status": ["初审意见为不同意，不予公示；请报区县民政部门作出不予确认决定"]})
    start = step_date_check(case, step="publish", value=starts_on, field="date")
    again = case.objections.filter(status=Objection.Status.UPHELD).exists()
    key = workflow_get(case.workflow).options["republication_key"] if again else "publicity_days"
    days = int(parameter_or_default(case.program_id, key, case.area_id, start).value)
    size = (case.application.calculation.get("review") or {}).get("household_size")
    content = {"name": case.applicant.name, "household_size": size,
               "monthly_amount": money(case.application.monthly_amount), "program": case.program.name}
    notice = public_notice_open(case=case, acting_user=acting_user, starts_on=start, days=days, republication=again,
                                content=content)
    case.application.confirmation_base_on = notice.ends_on
    message = f"{'重新' if again else ''}公示 {days} 日：{start:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"
    case_advance(case=case, action="publish", to_state="publicised", acting_user=acting_user, before=before,
                 note=note or "", message=message,
                 params={"notice": notice.pk, "starts_on": start.isoformat(), "ends_on": notice.ends_on.isoformat(),
                         "days": days, "republication": again})
    return notice


@transaction.atomic
def application_objection(*, acting_user, case: Case, content: str = "", objector: str = "",
                          received_on: date | None = None, objection_id: int | None = None, decision: str = "",
                          handling: str = "") -> Objection:
    """公示异议: record one (content, objector, received_on) and/or decide one (`objection_id` of an open one, or
    the one just recorded): "upheld" sends the case back for a new investigation and a new 初审 (then a new
    公示); "dismissed" leaves the notice running."""
    case = case_lock(case)
    case_check(case=case, action="objection", acting_user=acting_user)
    before = case_snapshot(case)
    if objection_id is None:
        text = required_text(content, "content", "请填写异议内容")
        on = parse_past_date(received_on, "received_on", "收到日期")
        objection = objection_record(case=case, acting_user=acting_user, content=text,
                                     objector=(objector or "").strip(), received_on=on)
    else:
        objection = case.objections.filter(pk=objection_id).first()
        if objection is None or objection.status != Objection.Status.OPEN:
            raise ValidationError({"objection": [f"异议（编号 {objection_id}）不存在或已处理"]})
    if not decision:
        case_advance(case=case, action="objection", to_state=case.state, acting_user=acting_user, before=before,
                     message="登记公示异议", params={"objection": objection.pk, "decision": ""})
        return objection
    return _decide(case, objection, decision, handling, acting_user, before)


def _decide(case: Case, objection: Objection, decision: str, handling: str, acting_user, before: dict) -> Objection:
    if decision not in ("upheld", "dismissed"):
        raise ValidationError({"decision": ["decision（处理结果）应为 upheld（异议成立）或 dismissed（异议不成立）"]})
    handling = required_text(handling, "handling", "请填写异议处理情况")
    objection_decide(objection=objection, acting_user=acting_user, upheld=decision == "upheld", handling=handling)
    to_state = "publicised"
    if decision == "upheld":
        case.application.restarted_on, case.application.confirmation_base_on = clock.today(), None
        to_state = "reinvestigating"
    case_advance(case=case, action="objection", to_state=to_state, acting_user=acting_user, before=before,
                 note=handling, message=f"公示异议处理：{objection.get_status_display()}",
                 params={"objection": objection.pk, "decision": decision})
    return objection


# ---- 审核确认、不予确认 ------------------------------------------------------------------------------------------

@transaction.atomic
def application_confirm(*, acting_user, case: Case, note: str = "", household_kind: str = "unstable",
                        decided_on: date | None = None) -> Case:
    """审核确认 (district approver, not the town reviewer): after the notice period with no open objection, the
    amount is computed for the start month, kept line by line, and the Enrolment starts through
    programs.services.enrolment_start (a case approved in advance keeps the enrolment it already has).

    The first periodic re-check (定期核查) is scheduled in the same transaction, by `household_kind` (stable,
    unstable, unemployed; six-monthly "unstable" by default until an officer classifies the household), so no
    enrolment is ever left without its re-check, whether confirmed from the page or the API.

    `decided_on` (default today) is the decision's date — a paper case entered later states it; it must follow
    every earlier step and the end of the notice period, and the start month follows from it."""
    from assistance.rechecks import recheck_schedule  # rechecks builds on programs, not on this module

    case = case_lock(case)
    case_check(case=case, action="confirm", acting_user=acting_user)
    today = step_date_check(case, step="confirm", value=decided_on, field="decided_on")
    notice = ready_to_decide(case, today)
    before, start = case_snapshot(case), start_month(case, today)
    result = application_quote(case, start)
    if not result.eligible:
        raise ValidationError({"status": [f"测算结果为不符合条件：{'；'.join(result.reasons)}；请作出不予确认决定"]})
    if case.enrolment_id is None:
        person_unit = case.program.unit == Program.Unit.PERSON
        case.enrolment = enrolment_start(
            acting_user=acting_user, program=case.program, household=None if person_unit else case.household,
            person=case.person if person_unit else case.applicant, start_month=start, quote=result,
            care_level=case.inputs.get("care_level", ""), support_mode=case.inputs.get("support_mode", ""))
    case.application.calculation = {**case.application.calculation, "confirmation": result.as_json()}
    case.application.monthly_amount, case.decided_on = result.monthly_amount, today
    certificate_number_issue(application=case.application, on=today)
    if notice is not None:
        PublicNotice.objects.filter(pk=notice.pk).update(status=PublicNotice.Status.ENDED)
    amount = money(result.monthly_amount)
    message = f"审核确认：{case.program.name} {amount} 元，自 {start:%Y年%m月}起"
    content = {"program": case.program.name, "applicant": case.applicant.name, "monthly_amount": amount,
               "start_month": start.strftime("%Y-%m"), "decided_on": today.isoformat(), "enrolment": case.enrolment_id}
    case_document_add(case=case, acting_user=acting_user, kind=CaseDocument.Kind.DECISION_NOTICE,
                      title="审核确认决定书", content=content)
    case_advance(case=case, action="confirm", to_state="confirmed", acting_user=acting_user, before=before,
                 note=note or "", message=message,
                 params={"enrolment": case.enrolment_id, "monthly_amount": amount,
                         "start_month": start.strftime("%Y-%m")})
    case.first_recheck = recheck_schedule(enrolment=case.enrolment, household_kind=household_kind,
                                          acting_user=acting_user)
    return case


def application_reject(*, acting_user, case: Case, reasons: str) -> Case:
    """不予确认 with written reasons, which become the rejection notice (不予确认通知书)."""
    return case_take(case=case, action="reject", acting_user=acting_user, params={"reasons": reasons})


@register_action("reject", resource=RESOURCE)
def _reject(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    reasons = required_text(params["reasons"], "reasons", REASONS_RULE)
    case.application.decision_reasons, case.decided_on = reasons, clock.today()
    case.notices.filter(status=PublicNotice.Status.OPEN).update(status=PublicNotice.Status.ENDED)
    case_document_add(case=case, acting_user=acting_user, kind=CaseDocument.Kind.REJECTION_NOTICE,
                      title="不予确认通知书",
                      content={"program": case.program.name, "applicant": case.applicant.name, "reasons": reasons,
                               "decided_on": case.decided_on.isoformat()})
    return Outcome(note=reasons, message=f"不予确认：{reasons}", params={"reasons": reasons})


# ---- 延期、撤回、先行救助 -----------------------------------------------------------------------------------------

def application_extend(*, acting_user, case: Case, reason: str) -> Case:
    """延期: once, with a recorded reason; the overall limit becomes the extended figure (30 → 45 working days)."""
    return case_take(case=case, action="extend", acting_user=acting_user, params={"reason": reason})


@register_action("extend", resource=RESOURCE)
def _extend(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    if case.application.extended:
        raise ValidationError({"status": ["本案已延期一次，不能再次延期（《最低生活保障审核确认办法》第二十二条）"]})
    reason = required_text(params["reason"], "reason", "延期须说明理由（《最低生活保障审核确认办法》第二十二条）",
                           limit=200)
    case.application.extended, case.application.extension_reason = True, reason
    case_deadlines_compute(case)  # the new overall limit, for the message (the kernel writes the rows)
    return Outcome(note=reason, message=f"延期：办结期限延至 {case.due('overall_due'):%Y-%m-%d}（{reason}）",
                   params={"reason": reason, "overall_due": case.due("overall_due").isoformat()})


def application_withdraw(*, acting_user, case: Case, reason: str = "") -> Case:
    """撤回申请 at the applicant's request, any time before the decision."""
    return case_take(case=case, action="withdraw", acting_user=acting_user, params={"reason": reason})


@register_action("withdraw", resource=RESOURCE)
def _withdraw(*, case: Case, acting_user, params: dict, transition: Transition) -> Outcome:
    case.notices.filter(status=PublicNotice.Status.OPEN).update(status=PublicNotice.Status.ENDED)
    reason = (params.get("reason") or "").strip()[:500]
    return Outcome(note=reason, message="申请人撤回申请" + (f"（{reason}）" if reason else ""),
                   params={"reason": reason})


@transaction.atomic
def application_urgent_approve(*, acting_user, case: Case, amount=None, note: str = "") -> Case:
    """先行救助 (临时救助急难型): the town approves within its delegated limit (`town_limit`) and pays at once;
    the case then completes investigation, verification, review, notice and confirmation afterwards."""
    case = case_lock(case)
    case_check(case=case, action="urgent_approve", acting_user=acting_user, label="先行救助审批")
    before = case_snapshot(case)
    kind = case.inputs.get("linshi_kind")
    if kind != "jinan":
        kind_name = LINSHI_KINDS.get(kind, "未选择类型")
        raise ValidationError({"linshi_kind": [f"仅急难型临时救助可先行救助，本申请为{kind_name}"]})
    if amount is not None:
        case.inputs = {**case.inputs, "amount": amount_text(amount, "amount", "救助金额")}
    month = first_of_month(clock.today())
    result = application_quote(case, month)
    if not result.eligible:
        raise ValidationError({"status": [f"测算结果为不符合条件：{'；'.join(result.reasons)}"]})
    if not result.flags.get("town_first_approval"):
        limit = parameter_at(case.program_id, "town_limit", case.area_id, month)
        raise ValidationError({"amount": [
            f"救助金额 {money(result.monthly_amount)} 元超出乡镇（街道）先行救助审批限额 {money(limit.value)} 元，"
            "须报区县民政部门审批"]})
    case.enrolment = enrolment_start(acting_user=acting_user, program=case.program, household=case.household,
                                     person=case.applicant, start_month=month, quote=result)
    case.application.calculation = {**case.application.calculation, "advance": result.as_json()}
    case.application.monthly_amount, case.application.advance_approved_on = result.monthly_amount, clock.today()
    case_advance(case=case, action="urgent_approve", to_state="approved_pending_completion", acting_user=acting_user,
                 before=before, note=note or "",
                 message=f"先行救助：临时救助 {money(result.monthly_amount)} 元（乡镇先行审批，待补办手续）",
                 params={"enrolment": case.enrolment_id, "amount": money(result.monthly_amount)})
    return case
