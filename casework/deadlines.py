"""Deadlines of a case (法定办理期限), counted in working days on the official calendar.

Each `DeadlineRule` of the workflow names a PolicyParameter key; the value in force for the case's area at the
date the count starts is used (the programme's own row, else the general default the workflow inherits), and
the row (value, source, verified) is kept in `Case.deadline_basis` so the case page can show how each date was
reached. A count that runs into a year without a published holiday
arrangement is made on weekends alone (`add_working_days_provisional`) and marked provisional; it is
recomputed by `case_deadlines_recompute` when the year's calendar is entered.
"""

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from casework.models import Case
from casework.workflows import DeadlineRule, Workflow, workflow_get
from programs.selectors import parameter_or_default
from workcalendar.models import CalendarDay, DayKind
from workcalendar.services import (
    CalendarNotPublished,
    add_working_days_provisional,
    is_covered,
    working_days_between,
)

logger = logging.getLogger(__name__)


def _base(case: Case, rule: DeadlineRule) -> date | None:
    return next((getattr(case, name) for name in rule.bases if getattr(case, name)), None)


def _rule_due(case: Case, rule: DeadlineRule) -> tuple[date, bool, dict]:
    base = _base(case, rule)
    key = rule.extended_key if case.extended and rule.extended_key else rule.key
    row = parameter_or_default(case.program_id, key, case.area_id, base)
    count = int(row.value)
    due, provisional = add_working_days_provisional(base, count)
    basis = {"label": rule.label, "key": key, "working_days": count, "from": base.isoformat(),
             "due": due.isoformat(), "provisional": provisional, "source": row.source, "verified": row.verified,
             "parameter": row.pk}
    return due, provisional, basis


def case_deadlines_compute(case: Case, workflow: Workflow | None = None) -> None:
    """Set every deadline field of the case from its dates, then `next_due` for its current state (unsaved).

    A terminal case has no current deadline. Raises ParameterNotFound (a 400 naming the key) when a figure is
    missing for the area: a configuration gap is never filled with a guess.
    """
    workflow = workflow or workflow_get(case.workflow)
    provisional, basis = False, {}
    for rule in workflow.deadlines:
        if _base(case, rule) is None:
            setattr(case, rule.field, None)
            continue
        due, rule_provisional, basis[rule.field] = _rule_due(case, rule)
        setattr(case, rule.field, due)
        provisional = provisional or rule_provisional
    case.deadline_provisional, case.deadline_basis = provisional, basis
    case.next_due = current_due(case, workflow)


def current_due(case: Case, workflow: Workflow) -> date | None:
    """The earliest deadline that matters in the case's current state (None when none does)."""
    if case.state in workflow.terminal:
        return None
    dues = [getattr(case, name) for name in workflow.state_deadlines.get(case.state, ())]
    dues = [d for d in dues if d is not None]
    return min(dues) if dues else None


DEADLINE_FIELDS = ["investigation_due", "town_review_due", "confirmation_due", "overall_due", "next_due",
                   "deadline_provisional", "deadline_basis"]


def case_deadlines_recompute() -> int:
    """Recompute every open case whose deadlines are provisional (暂定期限); returns how many changed.

    Called after an administrator enters a CalendarYear or CalendarDay. Cases are walked by primary key in
    chunks so the work stays bounded however many are provisional. A case that cannot be recomputed (say its
    parameter row was removed) keeps its provisional dates and is logged by id with the reason, for review;
    it never stops the others.
    """
    changed, last = 0, 0
    while True:
        chunk = list(Case.objects.filter(deadline_provisional=True, closed_at__isnull=True, pk__gt=last)
                     .order_by("pk")[:500])
        if not chunk:
            return changed
        for case in chunk:
            try:
                changed += _recompute_one(case)
            except ValidationError as exc:
                logger.warning("案件%s的暂定期限未能重新计算：%s", case.pk, "；".join(exc.messages))
        last = chunk[-1].pk


def _recompute_one(case: Case) -> int:
    from audit.models import ChangeLog
    from audit.services import change_log_write, snapshot

    before = snapshot(case, DEADLINE_FIELDS)
    case_deadlines_compute(case)
    after = snapshot(case, DEADLINE_FIELDS)
    if after == before:
        return 0
    with transaction.atomic():
        case.save(update_fields=DEADLINE_FIELDS)
        change_log_write(instance=case, action=ChangeLog.Action.UPDATE, before=before, after=after,
                         reason="节假日安排发布，重新计算暂定期限")
    return 1


def _weekdays_with_overrides(low: date, high: date) -> int:
    """Working days in (low, high] of a year not yet published: Monday–Friday, corrected by any CalendarDay
    rows already entered — the same rule add_working_days_provisional follows."""
    overrides = dict(CalendarDay.objects.filter(date__gt=low, date__lte=high).values_list("date", "kind"))
    count, day = 0, low
    while day < high:
        day += timedelta(days=1)
        kind = overrides.get(day)
        count += (kind == DayKind.WORKDAY) if kind else day.weekday() < 5
    return count


def working_days_left(today: date, due: date) -> tuple[int, bool]:
    """(工作日剩余天数, provisional): working days in (today, due], negative when overdue.

    Where the span touches a year without a published calendar, that year's part is counted on weekdays and the
    answer is marked provisional, like the deadline itself.
    """
    try:
        return working_days_between(today, due), False
    except CalendarNotPublished:
        pass
    low, high, sign = (today, due, 1) if today <= due else (due, today, -1)
    total = 0
    for year in range(low.year, high.year + 1):
        start = max(low, date(year, 1, 1) - timedelta(days=1))
        end = min(high, date(year, 12, 31))
        total += working_days_between(start, end) if is_covered(year) else _weekdays_with_overrides(start, end)
    return sign * total, True
