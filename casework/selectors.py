"""Case reads (案件查询): always area-scoped through `accounts.policy.restrict`.

Work queue (待办): the open cases whose current state has a main-line step this user's roles take at this
user's level, earliest deadline first. Overdue (超期): open cases whose current deadline is before today,
counted per town (镇街, the first 9 digits of the area code) and per officer (经办人).
"""

from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from accounts.policy import grants_of, restrict
from areas.codes import TOWN_PREFIX_LENGTH
from areas.models import Area
from casework.models import Case, CaseStep, CloseRelativeDeclaration
from casework.workflows import DISTRICT, workflow_get
from registry.models import HouseholdMember

TOWN_PREFIX = TOWN_PREFIX_LENGTH


def user_level(user) -> str | None:
    """The user's level in the area tree; a superuser without an area administers the district."""
    if getattr(user, "area_id", None):
        return user.area.level
    return DISTRICT if getattr(user, "is_superuser", False) else None


def case_person_ids(case: Case) -> set[int]:
    """Everyone the case is about: the household's active members, the person and the applicant."""
    people = {pk for pk in (case.person_id, case.applicant_id) if pk}
    if case.household_id:
        people |= set(HouseholdMember.objects.filter(household_id=case.household_id, is_active=True)
                      .values_list("person_id", flat=True))
    return people


def close_relative_conflict(*, user, case: Case) -> CloseRelativeDeclaration | None:
    """The active declaration making `user` a close relative of someone in the case, if any (回避)."""
    if not getattr(user, "pk", None):
        return None
    people = case_person_ids(case)
    if not people:
        return None
    return (CloseRelativeDeclaration.objects.filter(staff=user, relative_id__in=people, is_active=True)
            .select_related("relative").first())


def close_relatives_visible(user, action: str = "view") -> QuerySet[CloseRelativeDeclaration]:
    return restrict(CloseRelativeDeclaration.objects.all(), user, action, resource="close_relative")


def cases_visible(user, *, resource: str, workflows: list[str], action: str = "view") -> QuerySet[Case]:
    """The cases of these workflows the user may see (none without the `resource.view` grant)."""
    return restrict(Case.objects.filter(workflow__in=workflows), user, action, resource=resource)


def _queue_filter(user, resource: str, workflows: list[str]) -> Q:
    actions = {action for res, action in grants_of(user) if res == resource}
    level = user_level(user)
    condition = Q(pk__in=[])
    for code in workflows:
        states = workflow_get(code).queue_states(actions, level)
        if states:
            condition |= Q(workflow=code, state__in=sorted(states))
    return condition


def cases_work_queue(user, *, resource: str, workflows: list[str]) -> QuerySet[Case]:
    """待办: open cases due at the user's level, earliest deadline first (cases without one last)."""
    return (cases_visible(user, resource=resource, workflows=workflows)
            .filter(_queue_filter(user, resource, workflows), closed_at__isnull=True)
            .order_by(F("next_due").asc(nulls_last=True), "id"))


def cases_overdue(user, *, resource: str, workflows: list[str], today: date) -> QuerySet[Case]:
    return (cases_visible(user, resource=resource, workflows=workflows)
            .filter(closed_at__isnull=True, next_due__lt=today).order_by("next_due", "id"))


def overdue_by_town(user, *, resource: str, workflows: list[str], today: date) -> list[dict]:
    """超期案件按镇街统计: [{"town": code, "name": 镇街名称, "count": n}], most first."""
    rows = (cases_overdue(user, resource=resource, workflows=workflows, today=today).order_by()
            .annotate(town=Substr("area_id", 1, TOWN_PREFIX)).values("town").annotate(count=Count("id")))
    counts = {row["town"].ljust(12, "0"): row["count"] for row in rows}
    names = dict(Area.objects.filter(code__in=counts).values_list("code", "name"))
    return sorted(({"town": code, "name": names.get(code, code), "count": n} for code, n in counts.items()),
                  key=lambda row: (-row["count"], row["town"]))


def overdue_by_officer(user, *, resource: str, workflows: list[str], today: date) -> list[dict]:
    """超期案件按经办人统计: [{"officer": id or None, "name": 姓名, "count": n}], most first."""
    rows = (cases_overdue(user, resource=resource, workflows=workflows, today=today).order_by()
            .values("handler_id", "handler__username", "handler__first_name", "handler__last_name")
            .annotate(count=Count("id")))
    result = []
    for row in rows:
        full = f"{row['handler__last_name'] or ''}{row['handler__first_name'] or ''}".strip()
        name = full or row["handler__username"] or "未分配经办人"
        result.append({"officer": row["handler_id"], "name": name, "count": row["count"]})
    return sorted(result, key=lambda row: (-row["count"], row["officer"] or 0))


def case_timeline(case: Case) -> list[CaseStep]:
    return list(case.steps.select_related("user").order_by("at", "id"))


def last_step(case: Case, action: str) -> CaseStep | None:
    return case.steps.filter(action=action).order_by("-at", "-id").first()


def step_users(case: Case, action: str) -> set[int]:
    return set(case.steps.filter(action=action, user__isnull=False).values_list("user_id", flat=True))
