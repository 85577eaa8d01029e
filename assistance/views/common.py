"""Helpers shared by the assistance pages: finding a case or a household the user may see, deadline rows."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpRequest

from assistance.selectors import application_detail
from casework.deadlines import working_days_left
from casework.models import Case
from registry.models import Household, Relation
from registry.selectors import household_detail


def case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return application_detail(user=request.user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404("申请不存在或不在您的管辖范围内") from exc


def household_or_404(request: HttpRequest, pk: int) -> Household:
    try:
        return household_detail(user=request.user, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404("家庭不存在或不在您的管辖范围内") from exc


@dataclass
class DeadlineRow:
    """One statutory deadline as the case page shows it."""

    field: str
    label: str
    due: date
    working_days_left: int
    provisional: bool
    current: bool
    basis: dict

    @property
    def tone(self) -> str:
        """Bootstrap colour: red when overdue, orange when two working days or fewer remain."""
        if self.working_days_left < 0:
            return "danger"
        return "warning" if self.working_days_left <= 2 else "success"


def deadline_rows(case: Case, today: date) -> list[DeadlineRow]:
    rows = []
    for row in sorted(case.deadline_rows.values(), key=lambda r: (r.due, r.kind)):
        left, provisional = working_days_left(today, row.due)
        rows.append(DeadlineRow(field=row.kind, label=row.label, due=row.due, working_days_left=left,
                                provisional=provisional or row.provisional,
                                current=case.closed_at is None and row.due == case.next_due, basis=row.basis))
    return rows


def head_name(household: Household | None) -> str:
    """户主 of a household whose members were prefetched (any order)."""
    if household is None:
        return ""
    members = [m for m in household.members.all() if m.is_active]
    head = next((m for m in members if m.relation == Relation.HEAD), members[0] if members else None)
    return head.person.name if head else ""


def days_tone(left: int | None, overdue: bool) -> str:
    if left is None:
        return "secondary"
    if overdue or left < 0:
        return "danger"
    return "warning" if left <= 2 else "success"
