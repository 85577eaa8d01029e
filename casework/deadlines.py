"""Deadlines of a case (法定办理期限), counted in working days on the official calendar.

Each `DeadlineRule` of the workflow names a PolicyParameter key; the value in force for the case's area at the
date the count starts is used (the programme's own row, else the general default the workflow inherits); each
deadline is a `CaseDeadline` row keeping that basis (value, source, verified) so the case page can show how each
date was reached, and `Case.next_due` copies the current one. A count that runs into a year without a published
holiday arrangement is made on weekends alone (`add_working_days_provisional`) and marked provisional; it is
recomputed by `case_deadlines_recompute` when the year's calendar is entered.
"""

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from casework.models import Case, CaseDeadline
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


def case_date(case: Case, name: str, workflow: Workflow | None = None) -> date | None:
    """A date a deadline counts from: a kernel field of the case (`accepted_on`) or a field of the domain record
    the workflow names (`Workflow.detail`, e.g. the application's `confirmation_base_on`)."""
    if hasattr(Case, name):
        return getattr(case, name)
    workflow = workflow or workflow_get(case.workflow)
    record = getattr(case, workflow.detail, None) if workflow.detail else None
    return getattr(record, name, None) if record is not None else None


def case_flag(case: Case, name: str, workflow: Workflow | None = None) -> bool:
    """A flag of the case or of its domain record (`extended`), read like `case_date`."""
    return bool(case_date(case, name, workflow))


def _base(case: Case, rule: DeadlineRule, workflow: Workflow) -> date | None:
    return next((found for name in rule.bases if (found := case_date(case, name, workflow))), None)


def _rule_key(case: Case, rule: DeadlineRule, base: date, workflow: Workflow) -> tuple[str, str, bool]:
    """(key, unit, switched): the extended key once the flag is set, the switch's key where its flag is on."""
    if rule.extended_key and case_flag(case, rule.extended_flag, workflow):
        return rule.extended_key, "working", False
    if rule.switch and parameter_or_default(case.program_id, rule.switch[0], case.area_id, base).value:
        return rule.switch[1], "working", True
    return rule.key, rule.unit, False


def _rule_due(case: Case, rule: DeadlineRule, base: date, workflow: Workflow) -> tuple[date, bool, dict]:
    key, unit, switched = _rule_key(case, rule, base, workflow)
    row = parameter_or_default(case.program_id, key, case.area_id, base)
    count = int(row.value)
    if unit == "calendar":
        due, provisional = base + timedelta(days=count), False
    else:
        due, provisional = add_working_days_provisional(base, count)
    basis = {"label": rule.label, "key": key, "from": base.isoformat(), "source": row.source,
             "verified": row.verified, "parameter": row.pk}
    basis["calendar_days" if unit == "calendar" else "working_days"] = count
    own = key == rule.key  # neither extended nor switched: the days not counted apply to the rule's own limit
    skipped = int(case_date(case, rule.not_counted, workflow) or 0) if rule.not_counted and own else 0
    if skipped:
        due += timedelta(days=skipped)
        basis["not_counted_days"] = skipped
    if switched:
        basis["switched_by"] = rule.switch[0]
    basis.update(due=due.isoformat(), provisional=provisional)
    return due, provisional, basis


def case_deadlines_compute(case: Case, workflow: Workflow | None = None) -> None:
    """Compute every deadline of the case from its dates (kept on the case, unsaved, for
    `case_deadlines_write`), then `next_due` for its current state.

    A terminal case has no current deadline. Raises ParameterNotFound (a 400 naming the key) when a figure is
    missing for the area: a configuration gap is never filled with a guess.
    """
    workflow = workflow or workflow_get(case.workflow)
    rows: dict[str, CaseDeadline] = {}
    for rule in workflow.deadlines:
        base = _base(case, rule, workflow)
        if base is None:
            continue
        due, provisional, basis = _rule_due(case, rule, base, workflow)
        rows[rule.kind] = CaseDeadline(case=case, kind=rule.kind, label=rule.label, due=due,
                                       basis=basis, provisional=provisional)
    case._pending_deadlines = rows
    case.deadline_provisional = any(row.provisional for row in rows.values())
    case.next_due = current_due(case, workflow)


def current_due(case: Case, workflow: Workflow) -> date | None:
    """The earliest deadline that matters in the case's current state (None when none does)."""
    if case.state in workflow.terminal:
        return None
    rows = case.deadline_rows
    dues = [rows[kind].due for kind in workflow.state_deadlines.get(case.state, ()) if kind in rows]
    return min(dues) if dues else None


def _same(row: CaseDeadline, new: CaseDeadline) -> bool:
    return (row.label, row.due, row.basis, row.provisional) == (new.label, new.due, new.basis, new.provisional)


def case_deadlines_write(case: Case) -> None:
    """Write the deadlines `case_deadlines_compute` set on the (saved) case: new kinds are added, changed ones
    updated, ones whose starting date went away removed; a closed case's rows are marked closed."""
    pending = getattr(case, "_pending_deadlines", None)
    if pending is None:
        return
    stored = {row.kind: row for row in CaseDeadline.objects.filter(case=case)}
    CaseDeadline.objects.filter(case=case).exclude(kind__in=list(pending)).delete()
    changed, added = [], []
    for kind, new in pending.items():
        new.case, new.closed_at = case, case.closed_at
        row = stored.get(kind)
        if row is None:
            added.append(new)
        elif not _same(row, new) or row.closed_at != new.closed_at:
            row.label, row.due, row.basis, row.provisional = new.label, new.due, new.basis, new.provisional
            row.closed_at = new.closed_at
            changed.append(row)
    CaseDeadline.objects.bulk_create(added)
    CaseDeadline.objects.bulk_update(changed, ["label", "due", "basis", "provisional", "closed_at"])
    # From now on the stored rows are the truth: drop the pending ones and any prefetched copy.
    del case._pending_deadlines
    getattr(case, "_prefetched_objects_cache", {}).pop("deadlines", None)


def deadlines_snapshot(case: Case) -> dict:
    """The deadlines as the change log keeps them: the current one, the provisional flag and each row."""
    return {"next_due": case.next_due.isoformat() if case.next_due else None,
            "deadline_provisional": case.deadline_provisional,
            "deadlines": {kind: {"due": row.due.isoformat(), "provisional": row.provisional,
                                 "working_days": row.basis.get("working_days")}
                          for kind, row in sorted(case.deadline_rows.items())}}


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
                     .prefetch_related("deadlines").order_by("pk")[:500])
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
    from audit.services import change_log_write

    before = deadlines_snapshot(case)
    case_deadlines_compute(case)
    after = deadlines_snapshot(case)
    if after == before:
        del case._pending_deadlines
        return 0
    with transaction.atomic():
        case.save(update_fields=["next_due", "deadline_provisional"])
        case_deadlines_write(case)
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
