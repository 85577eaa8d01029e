"""长期公示: the standing public roster of a community's (or town's) current recipients — by law only the name,
the number of people and the amount (《最低生活保障审核确认办法》第二十四条), no ID number and no address."""

from datetime import date

from django.db.models import Q

from accounts.policy import restrict
from areas.models import Area
from assistance.documents import NoticeRow
from minzheng.lookups import prefix_q
from programs.models import Enrolment


def standing_roster(*, user, area: Area, month: date) -> list[NoticeRow]:
    """Open enrolments of means-tested recurring programmes (低保, 特困 …) paying in `month` within the area."""
    month = month.replace(day=1)
    enrolments = (restrict(Enrolment.objects.all(), user, "view", resource="enrolment")
                  .filter(prefix_q("area_id", area.scope_prefix), program__recurring=True, program__means_tested=True,
                          status__in=("active", "phasing_out"), start_month__lte=month)
                  .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
                  .select_related("program", "person").order_by("program__sort", "area_id", "id"))
    return [NoticeRow(name=e.person.name if e.person_id else "", program=e.program.name,
                      household_size=_size(e), monthly_amount=f"{e.monthly_amount:.2f}") for e in enrolments]


def _size(enrolment: Enrolment) -> str:
    """人数: the household size the amount was decided on; 1 for a personal programme."""
    size = (enrolment.calculation or {}).get("household_size")
    if size:
        return str(size)
    return "1" if enrolment.program.unit == "person" else "—"
