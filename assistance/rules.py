"""The decision rules of an application (审核确认规则), apart from the step functions that apply them: the quote
with the programme's inputs, what must hold before a decision, and the start month."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError

from assistance.workflows import CHONGQING
from casework.models import Case, Objection, PublicNotice
from casework.workflows import workflow_get
from programs.calculations import Quote, quote
from programs.calculations.base import PERSON_ALONE
from programs.calculations.money import add_months, first_of_month
from programs.models import Program

DISTRICT_INVESTIGATION_RULE = ("近亲属备案案件须由区县民政部门入户调查（《最低生活保障审核确认办法》第二十条；"
                               "《重庆市城乡居民最低生活保障条例》第三十三条）")


def application_quote(case: Case, month: date) -> Quote:
    """测算 for the case, with the officer's inputs this programme needs — the same code as the what-if."""
    inputs = {k: case.inputs[k] for k in case.program.quote_inputs if k in case.inputs}
    if case.household_id is None and case.inputs.get(PERSON_ALONE):  # 急难发生地救助 (assistance.nonresident)
        return quote(program=case.program, person=case.person, month=month, **inputs, **{PERSON_ALONE: True})
    if case.program.unit == Program.Unit.PERSON:
        return quote(program=case.program, person=case.person, month=month, **inputs)
    return quote(program=case.program, household=case.household, month=month, **inputs)


def start_month(case: Case, decided: date) -> date:
    """起始月份: Chongqing pays from the month of approval (条例第二十二条), the national rule from the month after
    (办法第二十一条); 特困 from the month after (认定办法) — the programme's `start_month` says which.
    MINZHENG_ASSISTANCE_START_MONTH overrides the variant."""
    rule = case.program.start_month
    if rule == Program.StartMonth.VARIANT:
        rule = getattr(settings, "MINZHENG_ASSISTANCE_START_MONTH", "") or (
            "approval" if case.variant == CHONGQING else "next")
    if rule not in ("approval", "next"):
        raise ValueError(f"MINZHENG_ASSISTANCE_START_MONTH 应为 approval 或 next，当前为 {rule!r}")
    month = first_of_month(decided)
    return add_months(month, 1) if rule == "next" else month


def ready_to_decide(case: Case, today: date) -> PublicNotice | None:
    """What must hold before 审核确认: the notice period over with no open objection (None: the workflow has no
    公示, e.g. 儿童类别认定), and a district investigation for a close-relative case."""
    if workflow_get(case.workflow).transition("publish") is None:
        return None
    notice = case.notices.filter(status=PublicNotice.Status.OPEN).order_by("-starts_on", "-id").first()
    if notice is None or today <= notice.ends_on:
        ends = f"公示至 {notice.ends_on:%Y-%m-%d}，" if notice else ""
        raise ValidationError({"status": [
            f"公示期未满：{ends}期满后方可审核确认（《最低生活保障审核确认办法》第十九条）"]})
    if case.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError({"status": ["有未处理的公示异议，处理后方可审核确认"]})
    if case.close_relative_filed:
        latest = case.investigations.order_by("-recorded_at", "-id").first()
        if latest is None or not latest.district_investigation:
            raise ValidationError({"status": [
                f"{DISTRICT_INVESTIGATION_RULE}：最近一次入户调查没有区县民政部门的调查人员，不能审核确认"]})
    return notice
