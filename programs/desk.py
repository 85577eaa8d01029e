"""The reader's overview figures of programmes (救助与补贴项目): enrolments and monthly amount by programme."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from accounts.policy import allowed
from programs.models import Enrolment, Program
from programs.selectors import enrolments_visible
from web.desk import desk_overview

PAYING = (Enrolment.Status.ACTIVE, Enrolment.Status.PHASING_OUT)


@dataclass
class ProgramFigure:
    name: str
    enrolments: int
    monthly_amount: Decimal


@desk_overview
def program_figures(user, today: date) -> dict:
    if not allowed(user, "enrolment", "view"):
        return {}
    names = dict(Program.objects.values_list("code", "name"))
    rows = (enrolments_visible(user).filter(status__in=PAYING).order_by().values("program_id")
            .annotate(n=Count("id"), amount=Sum("monthly_amount")).order_by("program_id"))
    return {"programs": [ProgramFigure(names.get(r["program_id"], "其他项目"), r["n"], r["amount"] or Decimal(0))
                         for r in rows]}
