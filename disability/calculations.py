"""残疾人两项补贴 (the two disability subsidies): eligibility and amount, registered with the quote machinery.

The conditions are in `disability.rules` (with their source); the amounts are `PolicyParameter` rows of each
programme by period (disability migration 0001): `living_allowance` (生活补贴, 元/人/月), `care_grade1` and
`care_grade2` (护理补贴 by the grade of the severest current certificate).

Two `FactsDue` functions keep the stored amounts true before each payroll (programs.rerate.rerates_due_apply):
an amount period that began after an enrolment was rated (the seeded 2026-01-01 figures; a figure set later
through `policy_parameter_set` goes through the district's confirmation instead), and, for the care subsidy, a
certificate whose grade changed between 1 and 2.
"""

from datetime import date
from decimal import Decimal

from disability.rules import SEVERE_GRADES, certificates_held, dibao_enrolment
from minzheng.dates import month_end
from minzheng.lookups import prefix_q
from programs.calculations.base import (
    QuoteContext,
    rated_month,
    register_calculator,
    register_eligibility,
    register_facts_due,
)
from programs.calculations.money import money
from programs.models import OPEN_STATUSES, Enrolment, PolicyParameter, Program, Rerate
from registry.facts import hukou_outside_chongqing_text
from registry.models import Disability

WORK_INJURY_CARE = "work_injury_care"  # 已领取工伤保险生活护理费 (officer's input)


def _person_refused(ctx: QuoteContext, label: str) -> bool:
    if ctx.person is None:
        ctx.refuse(f"{label}以个人为单位享受，请指定人员")
        return True
    if ctx.person.status != "active":
        ctx.refuse("人员状态不是“正常”（已死亡或已迁出）")
    outside = hukou_outside_chongqing_text(ctx.person, month_end(ctx.month))
    if outside:  # 渝民发〔2021〕15号: 重庆市户籍 (RULES.md §4)
        ctx.refuse(outside)
    return False


def _certificate(ctx: QuoteContext):
    if "certificate" not in ctx.cache:
        ctx.cache["certificate"] = certificates_held(ctx.person.pk, ctx.month).first()
    return ctx.cache["certificate"]


@register_eligibility("disability_living")
def living_eligibility(ctx: QuoteContext) -> None:
    """困难残疾人生活补贴: 低保家庭成员 and 持有残疾人证."""
    if _person_refused(ctx, "困难残疾人生活补贴"):
        return
    certificate = _certificate(ctx)
    if certificate is None:
        ctx.refuse("未持有有效的残疾人证（无残疾人证，或证件已失效、注销）")
    else:
        ctx.line("残疾人证", f"{certificate}（{certificate.masked_certificate_number or '证号未登记'}）")
    dibao = dibao_enrolment(ctx.person.pk)
    if dibao is None:
        ctx.refuse("不是正在享受最低生活保障（低保）家庭的成员")
    else:
        ctx.line("低保", f"所在家庭享受低保（{dibao.start_month:%Y年%m月}起，{dibao.get_status_display()}）")


@register_calculator("disability_living")
def living_amount(ctx: QuoteContext) -> Decimal:
    ref = ctx.param("living_allowance")
    ctx.line(ref.cite("困难残疾人生活补贴标准"), money(ref.value))
    return ref.value


@register_eligibility("disability_care")
def care_eligibility(ctx: QuoteContext) -> None:
    """重度残疾人护理补贴: 持有一级或二级残疾人证; not with 工伤保险生活护理费."""
    if _person_refused(ctx, "重度残疾人护理补贴"):
        return
    certificate = _certificate(ctx)
    if certificate is None:
        ctx.refuse("未持有有效的残疾人证（无残疾人证，或证件已失效、注销）")
    elif certificate.grade not in SEVERE_GRADES:
        ctx.refuse(f"残疾等级为{certificate.get_grade_display()}，重度残疾人护理补贴限一级、二级残疾人")
    else:
        ctx.line("残疾人证", f"{certificate}（{certificate.masked_certificate_number or '证号未登记'}）")
    if ctx.input_flag(WORK_INJURY_CARE):
        ctx.refuse("已领取工伤保险生活护理费，不重复享受重度残疾人护理补贴")


@register_calculator("disability_care")
def care_amount(ctx: QuoteContext) -> Decimal:
    grade = _certificate(ctx).grade
    ref = ctx.param(f"care_grade{grade}")
    ctx.line(ref.cite("重度残疾人护理补贴标准", "一级" if grade == 1 else "二级"), money(ref.value))
    return ref.value


AMOUNT_KEYS = {"disability_living": ("living_allowance",), "disability_care": ("care_grade1", "care_grade2")}


def _open(program: Program, area_prefix: str):
    return Enrolment.objects.filter(prefix_q("area_id", area_prefix), program=program, status__in=OPEN_STATUSES)


@register_facts_due("disability_living", cause=Rerate.Cause.PARAMETER)
@register_facts_due("disability_care", cause=Rerate.Cause.PARAMETER)
def amount_period_began(program: Program, month: date, area_prefix: str) -> list[int]:
    """Enrolments rated before the start of an amount period in force by `month` (a seeded row: one without a
    re-rating of its own)."""
    starts = set(PolicyParameter.objects.filter(program=program, key__in=AMOUNT_KEYS.get(program.code, ()),
                                                valid_from__lte=month, rerates__isnull=True)
                 .values_list("valid_from", flat=True))
    due = []
    for pk, calculation in _open(program, area_prefix).values_list("id", "calculation"):
        rated = rated_month(calculation)
        if rated is not None and any(rated < start <= month for start in starts):
            due.append(pk)
    return due


@register_facts_due("disability_care", cause=Rerate.Cause.CARE_LEVEL)
def care_grade_changed(program: Program, month: date, area_prefix: str) -> list[int]:
    """Care-subsidy enrolments whose amount was rated for another grade (1 or 2) than the current certificate's."""
    rows = list(_open(program, area_prefix).values_list("id", "person_id", "calculation"))
    grades: dict[int, int] = {}
    for person_id, grade in (Disability.objects.filter(person_id__in=[r[1] for r in rows], is_current=True)
                             .order_by("-grade").values_list("person_id", "grade")):
        grades[person_id] = grade  # the severest (lowest) grade last
    due = []
    for pk, person_id, calculation in rows:
        keys = {p.get("key") for p in (calculation or {}).get("parameters", [])}
        grade = grades.get(person_id)
        if grade in SEVERE_GRADES and f"care_grade{grade}" not in keys and keys & set(AMOUNT_KEYS["disability_care"]):
            due.append(pk)
    return due
