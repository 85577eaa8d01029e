"""探访完成率 (visits against plan), registered with the indicators kernel: the home visits and calls that reached
the person in the month ÷ the plan of the people on the roster (weekly home visits + calls, each person's own plan
or the parameters, × the weeks of the month so far) — per community, summed up to town and district. The figures
are `carevisits.selectors.plan_and_done` over the whole district (the roster is today's: membership history is not
kept)."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from carevisits.models import RosterEntry, Visit
from carevisits.selectors import plan_and_done
from indicators.registry import Measure, register_indicator
from minzheng.dates import month_end
from programs.selectors import ParameterNotFound

HUNDRED = 100
CENT = Decimal("0.01")


@register_indicator("elderly_visits_against_plan", current_list=True)
def visits_against_plan(month: date) -> Measure:
    end = min(month_end(month), timezone.localdate())
    visits = Visit.objects.filter(reached=True, at__date__gte=month, at__date__lte=end)
    try:
        figures = plan_and_done(RosterEntry.objects.filter(active=True), Visit.objects.all(), month, end)
    except ParameterNotFound:  # before the visit plan was set (2026): no plan, no figure
        return Measure(rows=[], records=visits.none(), scale=HUNDRED, resource="carevisit")
    areas = set(figures.people) | set(figures.home_done) | set(figures.calls_done)
    rows = [(code, Decimal(figures.home_done.get(code, 0) + figures.calls_done.get(code, 0)),
             (figures.home_planned.get(code, Decimal(0)) + figures.calls_planned.get(code, Decimal(0))).quantize(CENT))
            for code in sorted(areas)]
    return Measure(rows=rows, records=visits, scale=HUNDRED, resource="carevisit")
