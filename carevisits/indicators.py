"""探访完成率 (visits against plan), registered with the indicators kernel: the home visits and calls that reached
the person in the month ÷ the plan of the people on the roster (weekly home visits + calls, each person's own plan
or the parameters, × the weeks of the month so far) — per community, summed up to town and district. The roster
is today's (membership history is not kept), as in `carevisits.selectors.visits_against_plan`."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from carevisits.models import RosterEntry, Visit
from carevisits.selectors import plan_defaults
from indicators.registry import Measure, register_indicator
from minzheng.dates import month_end
from programs.selectors import ParameterNotFound

HUNDRED = 100


@register_indicator("elderly_visits_against_plan")
def visits_against_plan(month: date) -> Measure:
    end = min(month_end(month), timezone.localdate())
    weeks = Decimal((end - month).days + 1) / 7
    try:
        home, calls = plan_defaults(end)
    except ParameterNotFound:  # before the visit plan was set (2026): no plan, no figure
        return Measure(rows=[], records=Visit.objects.none(), scale=HUNDRED, resource="carevisit")
    planned = dict(RosterEntry.objects.filter(active=True).order_by().values("area_id")
                   .annotate(n=Sum(Coalesce("home_visits_per_week", Value(home))
                                   + Coalesce("phone_calls_per_week", Value(calls))))
                   .values_list("area_id", "n"))
    since = timezone.make_aware(datetime.combine(month, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    visits = Visit.objects.filter(reached=True, at__gte=since, at__lt=until)
    done = dict(visits.order_by().values("area_id").annotate(n=Count("id")).values_list("area_id", "n"))
    rows = [(code, Decimal(done.get(code, 0)), (Decimal(n or 0) * weeks).quantize(Decimal("0.01")))
            for code, n in planned.items()]
    rows += [(code, Decimal(n), Decimal(0)) for code, n in done.items() if code not in planned]
    return Measure(rows=rows, records=visits, scale=HUNDRED, resource="carevisit")
