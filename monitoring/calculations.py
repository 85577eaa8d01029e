"""高龄津贴 (old-age allowance) calculation, registered with the programmes' quote machinery.

《重庆市高龄津贴免申即享发放管理办法》(RULES.md §4, S15): Chongqing 户籍, aged 80 or more; three bands (80–89,
90–99, 100+) whose amounts each 区县 sets — the parameters `gaoling_80_89`, `gaoling_90_99`, `gaoling_100` of
the programme `gaoling` (seeded unverified: 沙坪坝 amounts not found). Enrolment is automatic (免申即享):
`monitoring.services.auto_enrol_old_age`.
"""

from decimal import Decimal

from minzheng.dates import age_on
from programs.calculations.base import QuoteContext, register_calculator, register_eligibility
from programs.calculations.money import money

MIN_AGE = 80
BANDS = ((100, "gaoling_100", "100岁及以上"), (90, "gaoling_90_99", "90至99岁"), (80, "gaoling_80_89", "80至89岁"))


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
    age = _subject_age(ctx)
    if age is None:
        ctx.refuse("缺少出生日期，无法确定年龄")
    elif age < MIN_AGE:
        ctx.refuse(f"未满{MIN_AGE}周岁（{ctx.month:%Y年%m月}时{age}岁）")
    else:
        ctx.line("年龄（周岁）", str(age))


@register_calculator("gaoling")
def gaoling_amount(ctx: QuoteContext) -> Decimal:
    key = band_key(_subject_age(ctx) or 0) or "gaoling_80_89"
    label = next(text for _, k, text in BANDS if k == key)
    ref = ctx.param(key)
    ctx.line(ref.cite("高龄津贴", label), money(ref.value))
    return ref.value
