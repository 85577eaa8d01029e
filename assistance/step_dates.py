"""补录 date order (补录日期顺序): a paper case entered afterwards states its own date for every step, and those dates
must follow the steps' legal order — 申请 ≤ 受理 ≤ 入户调查 ≤ 信息核对 ≤ 群众评议 ≤ 初审 ≤ 公示 ≤ 审核确认 ≤ today.

Each step's service checks its date against the dates already recorded for the steps before it (the latest of
each: after an upheld objection the new investigation is compared with the acceptance, not with the old notice),
and the error names both steps and both dates. 公示 follows 初审 here, as in the workflow (the town's opinion is
what is published, 《最低生活保障审核确认办法》第十九条、第二十条).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from casework import clock
from casework.models import Case
from casework.selectors import last_step

ORDER = ("submit", "accept", "investigate", "verify", "evaluate", "review", "publish", "confirm")
LABELS = {"submit": "申请日期", "accept": "受理日期", "investigate": "入户调查日期", "verify": "信息核对日期",
          "evaluate": "群众评议日期", "review": "初审日期", "publish": "公示开始日期", "confirm": "审核确认日期"}


def _review_date(case: Case) -> date | None:
    step = last_step(case, "review")
    if step is None:
        return None
    stated = step.params.get("date")
    return date.fromisoformat(stated) if stated else timezone.localdate(step.at)


def stated_submission(case: Case) -> date | None:
    """The 申请日期 when it was stated. Left at its default (the day the case was entered), it says nothing about a
    paper application entered afterwards, whose acceptance may be earlier: then the acceptance date is the bound
    (`submission_follow_acceptance`)."""
    return case.submitted_on if case.submitted_on_stated else None


def submission_follow_acceptance(case: Case, accepted_on: date) -> None:
    """A defaulted 申请日期 later than the acceptance moves back to it: the applicant applied no later than that."""
    if stated_submission(case) is None and case.submitted_on is not None and case.submitted_on > accepted_on:
        case.submitted_on = accepted_on


def recorded_dates(case: Case) -> dict[str, date | None]:
    """The latest recorded date of every step the case has been through so far."""
    return {
        "submit": stated_submission(case),
        "accept": case.accepted_on,
        "investigate": case.investigations.aggregate(d=Max("visited_on"))["d"],
        "verify": case.verifications.aggregate(d=Max("checked_on"))["d"],
        "evaluate": case.evaluations.aggregate(d=Max("held_on"))["d"],
        "review": _review_date(case),
        "publish": case.notices.aggregate(d=Max("starts_on"))["d"],
    }


def step_date_check(case: Case | None, *, step: str, value, field: str,
                    recorded: dict[str, date | None] | None = None) -> date:
    """The date stated for `step` (today when not given): not in the future, not before any earlier step's."""
    label, today = LABELS[step], clock.today()
    if value is None:
        value = today
    if not isinstance(value, date):
        raise ValidationError({field: [f"{field}（{label}）格式应为 YYYY-MM-DD"]})
    if value > today:
        raise ValidationError({field: [f"{field}（{label} {value:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）"]})
    dates = recorded if recorded is not None else (recorded_dates(case) if case is not None else {})
    for earlier in reversed(ORDER[:ORDER.index(step)]):
        before = dates.get(earlier)
        if before is not None and value < before:
            raise ValidationError({field: [
                f"{field}（{label} {value:%Y-%m-%d}）不能早于{LABELS[earlier]}（{before:%Y-%m-%d}）："
                "补录的各环节日期须依次为申请、受理、入户调查、信息核对、群众评议、初审、公示、审核确认"]})
    return value
