"""能力等级 → 特困人员照料护理等级: when an ability assessment is recorded for a person who holds an open 特困
enrolment, the level it gives (GB/T 42195, 0–4) is mapped through the data table `CareLevelMapping` (in force on
the assessment date, most specific area first) to 全自理 / 半护理 / 全护理, and the change is recorded through the
assistance app's service (`assistance.tekun.tekun_care_level_record`) from the month after the assessment. The
amount is not written here: the re-rating of a person's own facts before each payroll
(`programs.rerate.rerates_due_apply` → `assistance.calculations.tekun_care_level_changed`) re-quotes the enrolment
from that month (基本生活标准 + the new level's 照料护理补贴).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q

from areas.codes import area_ancestor_codes
from eldercare.models import Assessment, CareLevelMapping
from minzheng.dates import add_months, first_of_month


def care_level_mapping_at(*, ability_level: int, area_code: str, on: date) -> CareLevelMapping:
    """The mapping row in force on `on` for the area (its own code or any above it; the most specific wins)."""
    row = (CareLevelMapping.objects
           .filter(ability_level=ability_level, area_code__in=area_ancestor_codes(area_code), valid_from__lte=on)
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
           .order_by("-area_code", "-valid_from").first())
    if row is None:
        raise ValidationError({"level": [f"未找到能力等级{ability_level}对应的特困人员照料护理等级（{on:%Y-%m-%d}），"
                                         "请先维护“能力等级与照料护理等级对应”"]})
    return row


def care_level_follow_assessment(*, acting_user, assessment: Assessment):
    """The 特困 care level that follows the assessment, recorded from the next month; None when the person has no
    open 特困 enrolment or the level does not change."""
    from assistance.tekun import tekun_care_level_record, tekun_enrolment_of

    enrolment = tekun_enrolment_of(assessment.person)
    if enrolment is None:
        return None
    row = care_level_mapping_at(ability_level=assessment.level, area_code=enrolment.area_id, on=assessment.date)
    basis = {"assessment_date": assessment.date.isoformat(), "ability_level": assessment.level,
             "mapping_source": row.source, "mapping_verified": row.verified}
    unverified = "" if row.verified else "，对应关系未经核实"
    return tekun_care_level_record(
        acting_user=acting_user, enrolment=enrolment, care_level=row.care_level,
        effective_month=add_months(first_of_month(assessment.date), 1), basis=basis,
        reason=f"{assessment.date:%Y年%m月%d日}老年人能力评估为{assessment.level}级{unverified}")
