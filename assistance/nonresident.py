"""急难发生地救助 (临时救助急难型 for a non-resident): someone in sudden hardship here whose 户籍 is elsewhere — no
household registered in the district — is helped where the emergency happened (《关于进一步加强和改进临时救助工作
的意见》: 急难型 先行救助, no 户籍 or 居住地 restriction; RULES.md §3).

- `nonresident_urgent_submit`: the person is recorded minimally (name, ID number, phone; the 户籍地 code may lie
  outside the district — registry.facts records it), in the community where the emergency happened, and a
  临时救助 case (急难型, amount) is opened for them alone, with no household (`PERSON_ALONE`).
- The case then follows the 临时救助 workflow: the town approves first within its limit (先行救助:
  services.application_urgent_approve — paid once through the payroll as a one-off enrolment) and the steps are
  completed afterwards (事后补充材料).
- The home district is told (`assistance.letters.nonresident_report_pdf`, printed from the case page as a logged
  export): who was helped, why, how much, when.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from areas.divisions import division_name
from assistance.inputs import clean_inputs
from assistance.models import Application
from assistance.workflows import RESOURCE, current_variant, workflow_code
from audit.models import AccessLog
from casework.models import Case, Channel
from casework.services import case_open
from casework.workflows import workflow_get
from programs.calculations.base import PERSON_ALONE
from programs.models import Program
from programs.selectors import holding_enrolments
from registry.facts import fact_on, hukou_place_code, person_fact_record
from registry.models import Person, PersonFact
from registry.selectors import current_household_of, person_by_id_number
from registry.services import person_create

PROGRAM = "linshi"


def _person(*, acting_user, name: str, id_number: str, phone: str, area_code: str) -> Person:
    """The person by ID number if already registered (and within the user's area), else registered now."""
    found = person_by_id_number(id_number)
    if found is None:
        return person_create(acting_user=acting_user, name=name, area_code=area_code, id_number=id_number,
                             phone=phone)
    if not area_in_scope(acting_user, found.area_id):
        raise ValidationError({"id_number": ["该身份证号已在其他区划登记，请联系该区划经办人或区民政局办理"]})
    if found.name != (name or "").strip():
        raise ValidationError({"name": [f"姓名与已登记的该身份证号人员（{found.name}）不一致"]})
    if current_household_of(found) is not None:
        raise ValidationError({"id_number": ["该人员在本区有家庭登记，请按家庭申请临时救助"]})
    return found


def _hukou(*, acting_user, person: Person, hukou_place: str, on) -> str:
    code = hukou_place_code(hukou_place)  # a ValidationError on "value"; named for the form below
    current = fact_on(person, PersonFact.Kind.HUKOU_PLACE, on)
    if current is None or current.value != code:
        person_fact_record(acting_user=acting_user, person=person, kind=PersonFact.Kind.HUKOU_PLACE, value=code,
                           valid_from=on if current is None or current.valid_from < on else current.valid_from,
                           source="急难发生地救助登记")
    return code


@transaction.atomic
def nonresident_urgent_submit(*, acting_user, name: str, id_number: str, hukou_place: str, area_code: str,
                              amount, phone: str = "", channel: str = Channel.WORKER, note: str = "",
                              authorised_data_check: bool = False) -> Case:
    """申请急难发生地救助: record the person minimally and open a 急难型 临时救助 case for them alone."""
    from casework import clock

    if not allowed(acting_user, RESOURCE, "add"):
        raise PermissionDenied(f"无提交申请的权限（{RESOURCE}.add）")
    program = Program.objects.get(code=PROGRAM)
    if not program.active:
        raise ValidationError({"program": [f"项目已停用：{program.name}"]})
    if channel not in Channel.values:
        raise ValidationError({"channel": ["channel（申请渠道）应为 online 或 worker"]})
    if not (id_number or "").strip():
        raise ValidationError({"id_number": ["请填写身份证号"]})
    try:
        hukou_place_code(hukou_place)
    except ValidationError:
        raise ValidationError({"hukou_place": [
            f"户籍地应为6位、9位或12位区划代码（至少到区县）：{hukou_place}"]}) from None
    person = _person(acting_user=acting_user, name=name, id_number=id_number, phone=phone, area_code=area_code)
    _hukou(acting_user=acting_user, person=person, hukou_place=hukou_place, on=clock.today())
    inputs = {**clean_inputs({"linshi_kind": "jinan", "amount": amount}), PERSON_ALONE: True}
    if Decimal(inputs["amount"]) <= 0:
        raise ValidationError({"amount": ["救助金额应大于0"]})
    open_case = Case.objects.filter(program=program, person=person, closed_at__isnull=True).first()
    if open_case is not None:
        raise ValidationError({"id_number": [f"该人员已有办理中的临时救助申请（案件 {open_case.pk}）"]})
    if holding_enrolments(program=program, person=person).filter(household__isnull=True).exists():
        raise ValidationError({"id_number": ["该人员正在享受临时救助"]})
    workflow = workflow_get(workflow_code(program.code, current_variant()))
    application = Application()
    if authorised_data_check:  # 电子授权 for the checks completed afterwards (信息核对)
        application.authorised_data_check, application.authorised_at = True, timezone.now()
        application.authorised_recorded_by = acting_user
    return case_open(
        acting_user=acting_user, workflow=workflow, area_code=person.area_id, note=note, detail=application,
        fields={"program": program, "household": None, "person": person, "applicant": person, "channel": channel,
                "inputs": inputs, "variant": workflow.options["variant"]},
        message=f"提交急难发生地临时救助申请（急难型，户籍地非本区），申请人{person.name}")


# ---- reads (the case page and the 通报函) ----------------------------------------------------------------------


def nonresident_hukou(case: Case, on) -> tuple[str, str]:
    """(户籍地 name, its code) of a non-resident case's person on that day; ("未登记", "") when none is recorded."""
    fact = fact_on(case.person, PersonFact.Kind.HUKOU_PLACE, on) if case.person_id else None
    if fact is None:
        return "未登记", ""
    return division_name(fact.value) or "未知区划", fact.value


def nonresident_emergency(case: Case) -> str:
    """急难情形 as the officer described it when registering (the submit step's note)."""
    step = case.steps.filter(action="submit").order_by("id").first()
    return step.note if step is not None else ""


def nonresident_reports(case: Case) -> list:
    """The 通报函 printed for the home district (each print is a logged export: who, when), newest first."""
    return list(AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, detail__filters__case=case.pk,
                                         detail__filters__kind="report").select_related("user").order_by("-time"))
