"""残疾人福利的查询 (reads): the coverage report a user may see, and one disabled person's overview."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.policy import allowed, area_in_scope, scope_prefix
from areas.codes import area_code_prefix
from areas.models import Area
from disability.coverage import (
    PROGRAMS,
    coverage,
    coverage_by_community,
    coverage_by_town,
    ineligible_enrolled,
    ineligible_reason,
    missing,
)
from programs.models import Program
from registry.identity import mask_id_number

DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class CoverageScope:
    area_code: str  # 12 digits
    prefix: str


def coverage_scope(user, area_code: str | None) -> CoverageScope:
    """The area a user asks about, checked: inside their own area (default: their area); needs the enrolment and
    person view grants (the lists name people)."""
    prefix = scope_prefix(user)
    if prefix is None or not allowed(user, "enrolment", "view") or not allowed(user, "person", "view"):
        raise PermissionDenied("您没有查看享受名单的权限")
    code = area_code or prefix.ljust(12, "0")
    if not (code.isdigit() and len(code) == 12) or not Area.objects.filter(code=code).exists():
        raise ValidationError({"area": [f"区划代码不存在：{code}（应为12位区划代码）"]})
    if not area_in_scope(user, code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    return CoverageScope(area_code=code, prefix=area_code_prefix(code))


def coverage_report(*, user, month: date, area_code: str | None = None, programs: tuple[str, ...] = PROGRAMS,
                    limit: int = DEFAULT_LIMIT) -> dict:
    """{eligible, enrolled, rate, missing, ineligible_enrolled, programs: {code: {…}}} for the area and month; the
    totals add up both subsidies (a person eligible for both counts twice), the lists carry the programme and
    masked ID numbers, each at most `limit` rows (the counts are complete)."""
    scope = coverage_scope(user, area_code)
    names = dict(Program.objects.filter(code__in=programs).values_list("code", "name"))
    report = {"area": scope.area_code, "month": f"{month:%Y-%m}", "eligible": 0, "enrolled": 0, "missing": [],
              "ineligible_enrolled": [], "missing_count": 0, "ineligible_enrolled_count": 0, "programs": {}}
    for code in programs:
        figures = coverage(code, month, scope.prefix)
        gaps = missing(code, month, scope.prefix).order_by("area_id", "id")
        stale = ineligible_enrolled(code, month, scope.prefix).select_related("person").order_by("area_id", "id")
        missing_rows = [{"person": p.pk, "name": p.name, "id_number": mask_id_number(p.id_number),
                         "area": p.area_id, "program": code, "program_name": names[code]} for p in gaps[:limit]]
        stale_rows = [{"enrolment": e.pk, "person": e.person_id, "name": e.person.name,
                       "id_number": mask_id_number(e.person.id_number), "area": e.area_id, "program": code,
                       "program_name": names[code], "reason": ineligible_reason(code, e)} for e in stale[:limit]]
        counts = {"missing": gaps.count(), "ineligible_enrolled": stale.count()}
        report["programs"][code] = {"name": names[code], "eligible": figures.eligible, "enrolled": figures.enrolled,
                                    "rate": figures.rate, "missing_count": counts["missing"],
                                    "ineligible_enrolled_count": counts["ineligible_enrolled"]}
        report["eligible"] += figures.eligible
        report["enrolled"] += figures.enrolled
        report["missing"] += missing_rows
        report["ineligible_enrolled"] += stale_rows
        report["missing_count"] += counts["missing"]
        report["ineligible_enrolled_count"] += counts["ineligible_enrolled"]
    report["rate"] = round(report["enrolled"] / report["eligible"], 4) if report["eligible"] else None
    return report


def coverage_towns(*, user, month: date, area_code: str | None = None) -> list[dict]:
    """The coverage table by town (or by community under a town): per subsidy enrolled, eligible and rate."""
    scope = coverage_scope(user, area_code)
    level_by_town = len(scope.prefix) <= 6
    by_area: dict[str, dict] = {}
    for code in PROGRAMS:
        if level_by_town:
            figures = coverage_by_town(code, month, scope.prefix)
        else:
            figures = coverage_by_community(code, month, scope.prefix)
        for area, (enrolled, total) in figures.items():
            by_area.setdefault(area, {})[code] = {"enrolled": enrolled, "eligible": total,
                                                  "rate": round(enrolled / total, 4) if total else None}
    areas = dict(Area.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    return [{"area": code, "name": areas.get(code, code), "figures": [by_area[code].get(p) for p in PROGRAMS]}
            for code in sorted(by_area)]


def person_overview(*, person, user) -> dict:
    """One disabled person's record, what the user may see of it: certificates (current and past), every
    enrolment of the person or their households (the subsidies among them), every case, every task (visits,
    warnings, re-checks), 精康融合 participations with their sessions, 福康工程 / device applications."""
    from django.db.models import Q

    from accounts.policy import restrict
    from casework.models import Case
    from disability.models import DeviceApplication, RehabParticipant
    from programs.models import Enrolment
    from registry.models import HouseholdMember
    from tasks.models import Task

    households = list(HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True))
    enrolments = restrict(Enrolment.objects.filter(Q(person=person) | Q(household_id__in=households)), user,
                          "view", resource="enrolment")
    cases = restrict(Case.objects.filter(Q(person=person) | Q(applicant=person) | Q(household_id__in=households)),
                     user, "view", resource="application")
    tasks = restrict(Task.objects.filter(person=person), user, "view", resource="task")
    can_see_services = allowed(user, "disability", "view")
    return {
        "certificates": person.disabilities.order_by("-is_current", "-id") if can_see_services else [],
        "enrolments": enrolments.select_related("program").order_by("-start_month", "-id"),
        "cases": [{"case": case, "state": _state_label(case)}
                  for case in cases.select_related("program").order_by("-submitted_at", "-id")],
        "tasks": tasks.order_by("-created_at", "-id")[:100],
        "participations": (RehabParticipant.objects.filter(person=person).select_related("site")
                           .prefetch_related("sessions") if can_see_services else []),
        "devices": DeviceApplication.objects.filter(person=person) if can_see_services else [],
    }


def _state_label(case) -> str:
    """The case's state in words (never the internal state code)."""
    from casework.workflows import workflow_get

    try:
        return workflow_get(case.workflow).state_label(case.state)
    except LookupError:
        return "办理中"
