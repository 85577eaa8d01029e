"""Reads of social-assistance applications (社会救助申请查询), always area-scoped.

`application_view` gathers what the case page and the API show: the current deadline with the working days
left, each deadline's basis, the amount lines at review/confirmation, the records of each step, the timeline
and the actions this user may take now.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet

from accounts.policy import allowed, area_in_scope
from assistance.models import Evaluation, Investigation, Verification
from assistance.workflows import RESOURCE, workflow_codes
from casework import clock
from casework.deadlines import working_days_left
from casework.models import Case, CaseStep
from casework.selectors import (
    cases_overdue,
    cases_visible,
    cases_work_queue,
    close_relative_conflict,
    overdue_by_officer,
    overdue_by_town,
    user_level,
)
from casework.workflows import workflow_get


def applications_visible(user, action: str = "view") -> QuerySet[Case]:
    return cases_visible(user, resource=RESOURCE, workflows=workflow_codes(), action=action)


def application_detail(*, user, pk: int) -> Case:
    """One application the user may see (Case.DoesNotExist otherwise), with its records for the page."""
    return (applications_visible(user)
            .select_related("program", "household", "person", "applicant", "area", "handler", "enrolment",
                            "application")
            .prefetch_related(
                Prefetch("steps", queryset=CaseStep.objects.select_related("user").order_by("at", "id")),
                Prefetch("investigations", queryset=Investigation.objects.prefetch_related("investigators")),
                Prefetch("verifications", queryset=Verification.objects.all()),
                Prefetch("evaluations", queryset=Evaluation.objects.all()),
                "notices", "objections", "documents", "deadlines")
            .get(pk=pk))


def application_work_queue(user) -> QuerySet[Case]:
    """待办: applications due at the user's level — new applications to accept (no deadline runs before 受理)
    first, then earliest deadline first."""
    # deadlines: one query per page tells which current deadlines are provisional (never one per row)
    return (cases_work_queue(user, resource=RESOURCE, workflows=workflow_codes())
            .select_related("program", "applicant", "application").prefetch_related("deadlines")
            .order_by(F("next_due").asc(nulls_first=True), "id"))


def queue_after(queryset: QuerySet[Case], cursor: tuple[date | None, int]) -> QuerySet[Case]:
    """Keyset on (next_due, id) with cases without a deadline first — the order of `application_work_queue`."""
    due, pk = cursor
    if due is None:
        return queryset.filter(Q(next_due__isnull=True, pk__gt=pk) | Q(next_due__isnull=False))
    return queryset.filter(Q(next_due__gt=due) | Q(next_due=due, pk__gt=pk))


def applications_overdue(user, today: date | None = None) -> QuerySet[Case]:
    return (cases_overdue(user, resource=RESOURCE, workflows=workflow_codes(), today=today or clock.today())
            .prefetch_related("deadlines"))


def overdue_summary(user, today: date | None = None) -> dict:
    """超期统计 per town and per officer (经办人) within the user's area."""
    today = today or clock.today()
    scope = {"resource": RESOURCE, "workflows": workflow_codes(), "today": today}
    return {"today": today, "by_town": overdue_by_town(user, **scope), "by_officer": overdue_by_officer(user, **scope)}


@dataclass
class DeadlineView:
    due: date | None
    provisional: bool
    working_days_left: int | None
    overdue: bool


@dataclass
class DaysLeft:
    """Working days left for many cases of one page, computed once per distinct due date."""

    today: date
    cache: dict = field(default_factory=dict)

    def of(self, case: Case) -> DeadlineView:
        if case.next_due is None:
            return DeadlineView(None, False, None, False)
        if case.next_due not in self.cache:
            self.cache[case.next_due] = working_days_left(self.today, case.next_due)
        left, provisional = self.cache[case.next_due]
        return DeadlineView(case.next_due, provisional or _due_provisional(case), left, case.next_due < self.today)


def _due_provisional(case: Case) -> bool:
    """Was the current deadline itself counted over a year without a published calendar?"""
    if not case.deadline_provisional:  # none of its deadlines is: no need to read the rows
        return False
    return any(row.provisional for row in case.deadline_rows.values() if row.due == case.next_due)


def actions_for(user, case: Case) -> list[dict]:
    """The steps this user may take on the case now (for buttons): declared from the state, granted, at the
    user's level, and not refused by close-relative recusal. The service still checks everything again."""
    if case.closed_at is not None or not area_in_scope(user, case.area_id):
        return []
    if close_relative_conflict(user=user, case=case) is not None:
        return []
    workflow, level = workflow_get(case.workflow), user_level(user)
    return [{"action": t.action, "label": t.label} for t in workflow.available(case.state)
            if allowed(user, workflow.resource, t.grant) and (not t.levels or level in t.levels)]


def application_view(case: Case, *, user, today: date | None = None) -> dict:
    """Everything the case page shows, as plain data (the API serialises it; a template can use it directly)."""
    workflow = workflow_get(case.workflow)
    deadline = DaysLeft(today or clock.today()).of(case)
    return {"case": case, "workflow": workflow, "status_label": workflow.state_label(case.state),
            "deadline": deadline, "actions": actions_for(user, case),
            "steps": [{"step": s, "label": workflow.action_label(s.action),
                       "from_label": workflow.state_label(s.from_state) if s.from_state else "",
                       "to_label": workflow.state_label(s.to_state)} for s in case.steps.all()]}


@dataclass
class CaseRow:
    case: Case
    subject: str
    status_label: str
    due: date | None
    working_days_left: int | None
    overdue: bool


def case_rows(cases: list[Case], today: date) -> list[CaseRow]:
    """List rows (案件行): who, at which step, the current deadline; working days counted once per date."""
    days = DaysLeft(today)
    rows = []
    for case in cases:
        view = days.of(case)
        subject = case.applicant.name if case.applicant_id else (case.person.name if case.person_id else "")
        label = workflow_get(case.workflow).state_label(case.state)
        rows.append(CaseRow(case=case, subject=subject, status_label=label, due=view.due,
                            working_days_left=view.working_days_left, overdue=view.overdue))
    return rows


# ---- case search (申请查询) ------------------------------------------------------------------------------------

ID_CHARS = frozenset("0123456789X")
SEARCH_LIMIT = 50


@dataclass
class CaseQuery:
    """What the search asks: `text` is a name (中文、拼音或首字母) or an ID number — 18 characters exact, 4–8 the
    last digits, 9–17 the leading digits; `number` is the case number (案件编号)."""

    text: str = ""
    number: int | None = None
    state: str = ""
    program: str = ""
    town: str = ""
    mine: bool = False


def id_query_kind(text: str) -> str | None:
    """"full", "last" or "prefix" for an ID-number-like query, None for a name; "short" for 1–3 digits."""
    value = text.upper()
    if not value or not set(value) <= ID_CHARS:
        return None
    if len(value) == 18:
        return "full"
    if len(value) < 4:
        return "short"
    return "last" if len(value) <= 8 else "prefix"


def applications_search(user, query: CaseQuery) -> QuerySet[Case]:
    """申请查询 within the user's area: newest first. A name or leading-digits query goes through the person
    search (its indexes); the last digits of an ID number are matched on the cases' own applicant and person —
    a scan of the cases in scope, which are few beside the persons (no index can serve a suffix)."""
    from minzheng.lookups import prefix_q
    from registry.models import HouseholdMember
    from registry.selectors import person_search

    cases = applications_visible(user)
    if query.number is not None:
        cases = cases.filter(pk=query.number)
    if query.state:
        cases = cases.filter(state=query.state)
    if query.program:
        cases = cases.filter(program_id=query.program)
    if query.town:
        cases = cases.filter(prefix_q("area_id", query.town[:9]))
    if query.mine:
        cases = cases.filter(submitted_by=user)
    text = query.text.strip()
    kind = id_query_kind(text)
    if kind == "last":
        value = text.upper()
        cases = cases.filter(Q(applicant__id_number__endswith=value) | Q(person__id_number__endswith=value))
    elif text and kind != "short":
        people = person_search(user=user, query=text).values("pk")
        households = HouseholdMember.objects.filter(person__in=people, is_active=True).values("household_id")
        cases = cases.filter(Q(applicant__in=people) | Q(person__in=people) | Q(household__in=households))
    return cases.select_related("program", "applicant", "person", "area").order_by("-id")
