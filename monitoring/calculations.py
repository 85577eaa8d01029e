"""高龄津贴 (old-age allowance) calculation, registered with the programmes' quote machinery.

《重庆市高龄津贴免申即享发放管理办法》(RULES.md §4, S15): Chongqing 户籍, aged 80 or more; three bands (80–89,
90–99, 100+) whose amounts each 区县 sets — the parameters `gaoling_80_89`, `gaoling_90_99`, `gaoling_100` of
the programme `gaoling` (seeded unverified: 沙坪坝 amounts not found). A member of a 低保 household or a 特困 person
gets the band's higher amount where the district sets one (`<band key>_assisted`, e.g. 大渡口 100 / 200 / 600;
eldercare migration 0003); without that parameter the band's general amount applies. Enrolment is automatic
(免申即享): `monitoring.services.auto_enrol_old_age`; a death ends it (`programs.services.enrolment_end_on_death`),
a failed 生存认证 suspends it (`eldercare.allowances.survival_check_fail`).
"""

from decimal import Decimal

from django.db.models import Q

from minzheng.dates import age_on, years_before
from programs.calculations.base import QuoteContext, register_calculator, register_eligibility, register_facts_due
from programs.calculations.money import money
from programs.selectors import ParameterNotFound
from registry.facts import hukou_outside_chongqing_text

MIN_AGE = 80
BANDS = ((100, "gaoling_100", "100岁及以上"), (90, "gaoling_90_99", "90至99岁"), (80, "gaoling_80_89", "80至89岁"))
# 低保/特困 members get the higher amount of their band (`<band key>_assisted`), where the district sets one.
ASSISTED_PROGRAMS = {"dibao": "低保", "tekun": "特困"}
ASSISTED_SUFFIX = "_assisted"


def band_key(age: int) -> str | None:
    """The parameter key of the band for this age, None under 80."""
    return next((key for floor, key, _ in BANDS if age >= floor), None)


def _subject_age(ctx: QuoteContext) -> int | None:
    birth = ctx.person.birth_date if ctx.person is not None else None
    return age_on(birth, ctx.day) if birth else None


@register_eligibility("gaoling")
def gaoling_eligibility(ctx: QuoteContext) -> None:
    if ctx.person is None:
        ctx.refuse("高龄津贴以个人为单位享受，请指定人员")
        return
    if ctx.person.status != "active":
        ctx.refuse("人员状态不是“正常”（已死亡或已迁出）")
    if ctx.parameter_source is None:  # a bulk quote's candidates were filtered set-based (old_age_candidates)
        outside = hukou_outside_chongqing_text(ctx.person, ctx.day)
        if outside:
            ctx.refuse(outside)
    age = _subject_age(ctx)
    if age is None:
        ctx.refuse("缺少出生日期，无法确定年龄")
    elif age < MIN_AGE:
        ctx.refuse(f"未满{MIN_AGE}周岁（{ctx.month:%Y年%m月}时{age}岁）")
    else:
        ctx.line("年龄（周岁）", str(age))


def _assisted_rows(month):
    from programs.models import OPEN_STATUSES, Enrolment

    return Enrolment.objects.filter(program_id__in=ASSISTED_PROGRAMS, status__in=OPEN_STATUSES, start_month__lte=month)


def assisted_programme(ctx: QuoteContext) -> str | None:
    """The 低保/特困 the person benefits from in the month — their own enrolment or their household's — or None.

    A bulk quote (免申即享: a shared `parameter_source`) reads the district's 低保/特困 people once for all its
    subjects, so its query count does not grow with them; a single quote asks about its own person."""
    from registry.models import HouseholdMember

    if ctx.parameter_source is None:
        return (_assisted_rows(ctx.month).filter(Q(person_id=ctx.person.pk) | Q(
            household__members__person_id=ctx.person.pk, household__members__is_active=True))
                .values_list("program_id", flat=True).first())
    cache_key = f"_gaoling_assisted_{ctx.month:%Y%m}"
    found = getattr(ctx.parameter_source, cache_key, None)
    if found is None:
        rows = _assisted_rows(ctx.month)
        found = dict(rows.filter(person__isnull=False).values_list("person_id", "program_id"))
        households = dict(rows.filter(household__isnull=False).values_list("household_id", "program_id"))
        members = HouseholdMember.objects.filter(is_active=True, household_id__in=rows.filter(
            household__isnull=False).values("household_id")).values_list("person_id", "household_id")
        found.update({person: households[household] for person, household in members})
        setattr(ctx.parameter_source, cache_key, found)
    return found.get(ctx.person.pk)


@register_calculator("gaoling")
def gaoling_amount(ctx: QuoteContext) -> Decimal:
    key = band_key(_subject_age(ctx) or 0) or "gaoling_80_89"
    label = next(text for _, k, text in BANDS if k == key)
    ctx.flags["gaoling_band"] = key
    assisted = assisted_programme(ctx)
    if assisted:
        try:
            ref = ctx.param(key + ASSISTED_SUFFIX)
        except ParameterNotFound:
            ctx.line(f"{ASSISTED_PROGRAMS[assisted]}对象（本区未设较高标准，按一般标准）", "是")
        else:
            ctx.line(ref.cite("高龄津贴", f"{label}，{ASSISTED_PROGRAMS[assisted]}对象"), money(ref.value))
            return ref.value
    ref = ctx.param(key)
    ctx.line(ref.cite("高龄津贴", label), money(ref.value))
    return ref.value


@register_facts_due("gaoling", cause="age_band")
def gaoling_band_crossed(program, month, area_prefix: str) -> list[int]:
    """高龄津贴 enrolments rated in a lower band than the person's age in `month` reaches (90, 100): re-quoted and
    re-rated before the payroll. Enrolments quoted before the band was recorded in the quote are left alone."""
    from minzheng.lookups import prefix_q
    from programs.models import OPEN_STATUSES, Enrolment

    rows = Enrolment.objects.filter(prefix_q("area_id", area_prefix), program=program, status__in=OPEN_STATUSES)
    band = "calculation__flags__gaoling_band"
    at_90 = Q(person__birth_date__lte=years_before(month, 90), **{band: "gaoling_80_89"})
    at_100 = Q(person__birth_date__lte=years_before(month, 100)) & (Q(**{band: "gaoling_80_89"})
                                                                     | Q(**{band: "gaoling_90_99"}))
    return list(rows.filter(at_90 | at_100).values_list("id", flat=True))
