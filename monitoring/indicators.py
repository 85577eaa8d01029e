"""Indicators of dynamic monitoring (动态监测预警指标), registered with the indicators kernel.

Seed 001 annex 1 item 15 (低收入人口监测管理: 预警信息逾期处置), and the operational figures of the warnings.
A warning's handling is its task (`tasks.Task`, source "monitoring.warning"): its deadline, its escalations (超期
升级 moves an overdue task up a level and gives it a new deadline, so `escalation_level > 0` keeps that it ran
late) and when it was closed.
"""

from datetime import date, datetime, time

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from indicators.registry import Breakdown, Measure, register_indicator
from minzheng.dates import month_end
from monitoring.models import Warning, WarningType
from registry.models import Person
from tasks.models import Task

HUNDRED = 100
WARNING_TASK = "monitoring.warning"


def _end_moment(month: date) -> datetime:
    """The end of the month, or now for the current month."""
    end = timezone.make_aware(datetime.combine(month_end(month), time.max))
    return min(end, timezone.now())


def _open_at(queryset, moment: datetime):
    return queryset.filter(created_at__lte=moment).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=moment))


@register_indicator("warnings_open")
def warnings_open(month: date) -> Measure:
    """未办结预警: warnings raised by the month's end and not closed by then."""
    return Measure(records=_open_at(Warning.objects.all(), _end_moment(month)), resource="warning")


@register_indicator("warnings_overdue")
def warnings_overdue(month: date) -> Measure:
    """逾期未办结预警: warning tasks open at the month's end that are past their deadline or were escalated for
    running over it."""
    moment = _end_moment(month)
    tasks = _open_at(Task.objects.filter(source_type=WARNING_TASK), moment)
    return Measure(records=tasks.filter(Q(deadline__lt=moment) | Q(escalation_level__gt=0, escalated_at__lte=moment)),
                   resource="task")


@register_indicator("warnings_handled_late")
def warnings_handled_late(month: date) -> Measure:
    """预警逾期处置: warning tasks closed in the month after their deadline (or escalated for being overdue first).
    Rate against all warning tasks closed in the month."""
    start = timezone.make_aware(datetime.combine(month, time.min))
    closed = Task.objects.filter(source_type=WARNING_TASK, closed_at__gte=start, closed_at__lte=_end_moment(month))
    late = Q(closed_at__gt=F("deadline")) | Q(escalation_level__gt=0)
    return Measure(base=closed, counted=late, scale=HUNDRED, resource="task")


def _monitored(month: date, warning_type: str | None) -> Measure:
    warnings = _open_at(Warning.objects.filter(person_id=OuterRef("pk")), _end_moment(month))
    if warning_type:
        warnings = warnings.filter(warning_type=warning_type)
    return Measure(records=Person.objects.filter(Exists(warnings)), resource="person")


def _latest_category(month: date):
    """The category (预警类型) of the person's latest warning open at the month's end: one category per person,
    so the categories add up to the figure."""
    open_warnings = _open_at(Warning.objects.filter(person_id=OuterRef("pk")), _end_moment(month))
    return Subquery(open_warnings.order_by("-created_at", "-pk").values("warning_type")[:1])


def _category_labels(keys: list) -> dict:
    return {value: label for value, label in WarningType.choices if value in keys}


BY_CATEGORY = Breakdown("category", "按监测类别", _latest_category, _category_labels,
                        note="一人有多条未办结预警时，按其中最近一条的类别计入；各类别之和等于监测对象数")


@register_indicator("monitored_persons", breakdowns=[BY_CATEGORY])
def monitored_persons(month: date) -> Measure:
    """监测对象: persons with at least one open warning at the month's end (by the person's community)."""
    return _monitored(month, None)


def _register_by_type(warning_type: str) -> None:
    register_indicator(f"monitored_{warning_type}")(lambda month: _monitored(month, warning_type))


for _type in WarningType.values:
    _register_by_type(_type)
