"""Work queue (待办) and overdue (超期) pages."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import allowed, scope_prefix
from areas.models import Area, AreaLevel
from assistance.forms import program_choices
from assistance.models import Recheck
from assistance.rechecks import rechecks_due
from assistance.selectors import (
    DaysLeft,
    application_work_queue,
    applications_overdue,
    overdue_summary,
    queue_after,
)
from assistance.views.common import days_tone, head_name
from assistance.workflows import STATES
from casework import clock
from casework.models import Case
from casework.workflows import workflow_get
from registry.models import HouseholdMember
from web.views.common import require

PAGE_SIZE = 50
MAX_ID = 2**63 - 1


@dataclass
class QueueRow:
    case: Case
    head: str
    status_label: str
    due: date | None
    working_days_left: int | None
    provisional: bool
    overdue: bool

    @property
    def tone(self) -> str:
        return days_tone(self.working_days_left, self.overdue)


def _with_heads(queryset: QuerySet[Case]) -> QuerySet[Case]:
    members = HouseholdMember.objects.filter(is_active=True).select_related("person").order_by("id")
    return queryset.select_related("household", "area").prefetch_related(Prefetch("household__members", members))


def parse_cursor(raw: str) -> tuple[date | None, int] | None:
    """`YYYY-MM-DD.id` (or `-.id` for cases without a deadline); anything else starts from the first page."""
    due, _, pk = (raw or "").partition(".")
    try:
        cursor = (None if due == "-" else date.fromisoformat(due)), int(pk)
    except ValueError:
        return None
    return cursor if 0 < cursor[1] <= MAX_ID else None


def after_cursor(queryset: QuerySet[Case], cursor: tuple[date | None, int]) -> QuerySet[Case]:
    """Keyset on (next_due, id), new applications (no deadline) first — the order of the queue selector."""
    return queue_after(queryset, cursor)


def _filters(request: HttpRequest) -> dict:
    state = request.GET.get("state", "")
    program = request.GET.get("program", "")
    programs = dict(program_choices())
    return {"state": state if state in STATES else "", "program": program if program in programs and program else ""}


def _queue_page(request: HttpRequest, filters: dict) -> tuple[list[QueueRow], str | None]:
    queryset = application_work_queue(request.user)
    if filters["state"]:
        queryset = queryset.filter(state=filters["state"])
    if filters["program"]:
        queryset = queryset.filter(program_id=filters["program"])
    cursor = parse_cursor(request.GET.get("after", ""))
    if cursor is not None:
        queryset = after_cursor(queryset, cursor)
    cases = list(_with_heads(queryset)[: PAGE_SIZE + 1])
    page, more = cases[:PAGE_SIZE], len(cases) > PAGE_SIZE
    days = DaysLeft(clock.today())
    rows = []
    for case in page:
        view = days.of(case)
        rows.append(QueueRow(case=case, head=head_name(case.household) or case.applicant.name,
                             status_label=workflow_get(case.workflow).state_label(case.state), due=view.due,
                             working_days_left=view.working_days_left, provisional=view.provisional,
                             overdue=view.overdue))
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = f"{last.next_due.isoformat() if last.next_due else '-'}.{last.pk}"
    return rows, next_cursor


@dataclass
class RecheckRow:
    recheck: Recheck
    days_left: int

    @property
    def tone(self) -> str:
        return days_tone(self.days_left, self.days_left < 0)


def _rechecks(request: HttpRequest) -> list[RecheckRow] | None:
    """None (no table) for a user who may not see enrolments."""
    if not allowed(request.user, "enrolment", "view"):
        return None
    today = clock.today()
    return [RecheckRow(recheck=r, days_left=(r.due_on - today).days) for r in rechecks_due(request.user, today)[:50]]


def notice_areas(user) -> list[Area]:
    """Towns and communities the user may print a 公示名单 for."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    levels = [AreaLevel.TOWN, AreaLevel.COMMUNITY] if len(prefix) <= 9 else [AreaLevel.COMMUNITY]
    return list(Area.objects.filter(code__startswith=prefix, level__in=levels, valid_to__isnull=True)
                .order_by("code")[:500])


@login_required
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    """待办: what is due at my level, by deadline; plus the re-checks due (到期复核)."""
    require(request.user, "application", "view")
    filters = _filters(request)
    rows, next_cursor = _queue_page(request, filters)
    context = {"rows": rows, "next_cursor": next_cursor, "filters": filters, "paged": bool(request.GET.get("after")),
               "states": list(STATES.items()), "programs": program_choices()[1:]}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "assistance/_queue_results.html", context)
    context.update({"rechecks": _rechecks(request), "can_apply": allowed(request.user, "application", "add"),
                    "notice_areas": notice_areas(request.user), "today": clock.today()})
    return render(request, "assistance/queue.html", context)


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """超期: overdue applications per town and per officer, and the oldest of them."""
    require(request.user, "application", "view")
    today = clock.today()
    summary = overdue_summary(request.user, today)
    cases = list(_with_heads(applications_overdue(request.user, today).select_related("program", "applicant",
                                                                                       "handler"))[:100])
    days = DaysLeft(today)
    rows = [QueueRow(case=c, head=head_name(c.household) or c.applicant.name,
                     status_label=workflow_get(c.workflow).state_label(c.state), due=c.next_due,
                     working_days_left=days.of(c).working_days_left, provisional=days.of(c).provisional, overdue=True)
            for c in cases]
    return render(request, "assistance/overdue.html", {**summary, "rows": rows})
