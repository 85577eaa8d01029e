"""Reads of the children's records, each through `accounts.policy.restrict` on the record's own area: the files,
the child's overview (every allowance, every case, every visit, assessment and support — each read through its
own grant), adoptions."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.policy import restrict
from assistance.selectors import applications_visible
from children.models import Adoption, ChildFile
from programs.selectors import enrolments_visible

RESOURCE = "child"


def files_visible(user, action: str = "view") -> QuerySet[ChildFile]:
    return restrict(ChildFile.objects.all(), user, action, resource=RESOURCE, area_field="area_id")


def adoptions_visible(user, action: str = "view") -> QuerySet[Adoption]:
    return restrict(Adoption.objects.all(), user, action, resource="adoption", area_field="area_id")


@dataclass
class ChildOverview:
    file: ChildFile
    situations: list
    enrolments: list
    cases: list
    visits: list
    assessments: list
    supports: list


def child_overview(file: ChildFile, user) -> ChildOverview:
    """Everything about one child the user may see: allowances and cases through their own grants."""
    person = file.person
    return ChildOverview(
        file=file,
        situations=list(file.situations.select_related("reason", "parent").order_by("role", "-since")),
        enrolments=list(enrolments_visible(user).filter(person=person).select_related("program")
                        .order_by("-start_month", "-id")),
        cases=list(applications_visible(user).filter(person=person).select_related("program")
                   .order_by("-submitted_at", "-id")),
        visits=list(file.visits.select_related("visitor")),
        assessments=list(file.assessments.select_related("task")),
        supports=list(file.supports.all()),
    )
