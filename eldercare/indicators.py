"""Indicators of elderly care (养老服务指标), registered with the indicators kernel.

- 老年人能力综合评估率 (seed 001 annex 2): resident people aged 60+ at the month's end holding a valid assessment
  (made by then, its next routine one not yet due) ÷ resident people aged 60+ — `eldercare.selectors`'
  `older_residents` and `validly_assessed`, as the per-community rate there.
- 养老机构护理型床位占比 (seed 003, target ≥ 65 %): nursing-type beds ÷ beds of the registered care homes.
"""

from datetime import date

from django.db.models import Sum
from django.utils import timezone

from eldercare.models import CareHome
from eldercare.selectors import older_residents, validly_assessed
from indicators.registry import Measure, register_indicator
from minzheng.dates import month_end

HUNDRED = 100


def _on(month: date) -> date:
    return min(month_end(month), timezone.localdate())


@register_indicator("elderly_ability_assessment_rate", current_list=True)
def ability_assessment_rate(month: date) -> Measure:
    on = _on(month)
    older = older_residents(on)
    return Measure(base=older, counted=validly_assessed(on), scale=HUNDRED, resource="assessment")


@register_indicator("nursing_bed_share", current_list=True)
def nursing_bed_share(month: date) -> Measure:
    homes = CareHome.objects.all()
    return Measure(records=homes, amount=Sum("nursing_beds"), base=homes, base_amount=Sum("beds"), scale=HUNDRED,
                   resource="carehome")
