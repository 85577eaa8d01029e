"""Indicators of social assistance (社会救助指标), registered with the indicators kernel.

Seed 001 annex 1 item 14 (低收入人口认定: 刚性支出困难家庭认定, 违规施保/应保未保) and item 15 (救助申请办理超期).
"""

from datetime import date

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from casework.models import Case
from casework.workflows import workflows_all
from indicators.registry import Breakdown, Measure, by_field, register_indicator
from minzheng.dates import month_end
from programs.models import Enrolment
from workcalendar.services import earliest_within_working_days

HUNDRED = 100
GANGXING = "gangxing_zhichu"


def _applications():
    """Cases of the assistance workflows (each has its assistance.Application record)."""
    return Case.objects.filter(application__isnull=False)


@register_indicator("applications_over_deadline")
def applications_over_deadline(month: date) -> Measure:
    """救助申请办理超期: applications whose 办结期限 fell in the month and that were not closed by it (still open
    after it passed, or closed later). Rate against all applications whose 办结期限 fell in the month."""
    end, today = month_end(month), timezone.localdate()
    due_in_month = _applications().filter(deadlines__kind="overall_due", deadlines__due__gte=month,
                                          deadlines__due__lte=end)
    # One filter call: the conditions on the deadline row apply to the same joined row.
    late = _applications().filter(
        Q(closed_at__isnull=True, deadlines__due__lt=today) | Q(closed_at__date__gt=F("deadlines__due")),
        deadlines__kind="overall_due", deadlines__due__gte=month, deadlines__due__lte=end)
    return Measure(records=late, base=due_in_month, scale=HUNDRED, resource="application")


def _stage_labels(states: list) -> dict:
    """环节: each state's label in the assistance workflows, in the order the workflows declare them."""
    labels: dict = {}
    for workflow in workflows_all():
        for state, label in workflow.states.items():
            if state in states:
                labels.setdefault(state, label)
    return labels


# Age bands of an open application in working days since it was submitted, at the month's end (or today): the
# bounds are the national rules' limits (RULES.md §1.1: 审核确认 ≤10 WD, Art.20; overall 30 WD from 受理,
# extendable to 45 WD, Art.22; 20 WD where 确认 is delegated to the town, S4).
AGE_BANDS = [(10, "10个工作日以内"), (20, "11–20个工作日"), (30, "21–30个工作日"), (45, "31–45个工作日")]
OVER = ("over", "超过45个工作日")


def _age_band(month: date):
    on = min(month_end(month), timezone.localdate())
    since = earliest_within_working_days(on, [n for n, _ in AGE_BANDS])
    return models.Case(*[When(submitted_at__date__gte=since[n], then=Value(str(n))) for n, _ in AGE_BANDS],
                 default=Value(OVER[0]), output_field=models.CharField())


def _age_labels(keys: list) -> dict:
    return {str(n): label for n, label in AGE_BANDS} | {OVER[0]: OVER[1]}


BY_STAGE = Breakdown("stage", "按办理环节", by_field("state"), _stage_labels)
BY_AGE = Breakdown("age", "按已办理工作日", _age_band, _age_labels,
                   note="自提交申请次日起至月末（本月为今天）的工作日数，按法定工作日历计算")


@register_indicator("applications_open", breakdowns=[BY_STAGE, BY_AGE])
def applications_open(month: date) -> Measure:
    """在办申请: applications submitted by the month's end and not closed by then."""
    end = month_end(month)
    return Measure(records=_applications().filter(submitted_at__date__lte=end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__date__gt=end)), resource="application")


@register_indicator("applications_rejected_reapplied")
def applications_rejected_reapplied(month: date) -> Measure:
    """不予确认后再次申请: applications refused (不予确认) in the month for which the same household or person has
    applied again for the same programme since. Rate against all refused in the month."""
    rejected = _applications().filter(state="rejected", decided_on__gte=month, decided_on__lte=month_end(month))
    again = Case.objects.filter(application__isnull=False, program_id=OuterRef("program_id"),
                                submitted_at__gt=OuterRef("submitted_at")).exclude(pk=OuterRef("pk")).filter(
        Q(household_id=OuterRef("household_id"), household_id__isnull=False)
        | Q(person_id=OuterRef("person_id"), person_id__isnull=False))
    return Measure(records=rejected.filter(Exists(again)), base=rejected, scale=HUNDRED, resource="application")


@register_indicator("gangxing_recognised")
def gangxing_recognised(month: date) -> Measure:
    """刚性支出困难家庭（在册）: enrolments of 刚性支出困难 holding in the month."""
    return Measure(records=Enrolment.objects.filter(program_id=GANGXING, start_month__lte=month).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month)), resource="enrolment")
