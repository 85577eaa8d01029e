"""养老服务消费补贴 (`yanglao_xiaofei`): who qualifies and what the monthly cash amount is (none — it is paid as
vouchers; `eldercare.vouchers` issues, redeems and settles them). Registered with the programmes' quote machinery.

Eligible: alive, aged 60 or more in the month, and a valid ability assessment (GB/T 42195-2022) at or above
`xiaofei_min_level` (2 = 中度失能). RULES.md §4 (S17, unverified).
"""

from decimal import Decimal

from minzheng.dates import age_on, month_end
from programs.calculations.base import QuoteContext, register_calculator, register_eligibility
from programs.calculations.money import ZERO, money

MIN_AGE = 60


@register_eligibility("yanglao_xiaofei")
def xiaofei_eligibility(ctx: QuoteContext) -> None:
    from eldercare.selectors import latest_assessment

    if ctx.person is None:
        ctx.refuse("养老服务消费补贴以个人为单位享受，请指定人员")
        return
    if ctx.person.status != "active":
        ctx.refuse("人员状态不是“正常”（已死亡或已迁出）")
    birth = ctx.person.birth_date
    if birth is None or age_on(birth, ctx.day) < MIN_AGE:
        ctx.refuse(f"未满{MIN_AGE}周岁或出生日期未登记")
    assessment = latest_assessment(ctx.person, on=month_end(ctx.month))
    ref = ctx.param("xiaofei_min_level")
    if assessment is None:
        ctx.refuse("没有有效的老年人能力评估")
        return
    ctx.line(f"能力评估（{assessment.date:%Y-%m-%d}）等级", str(assessment.level))
    if assessment.level < int(ref.value):
        ctx.refuse(f"能力评估等级低于{ref.cite('享受补贴的最低等级')}：{int(ref.value)}")


@register_calculator("yanglao_xiaofei")
def xiaofei_amount(ctx: QuoteContext) -> Decimal:
    share, cap = ctx.param("voucher_share"), ctx.param("voucher_cap")
    ctx.line(share.cite("消费券抵扣比例"), f"{share.value * 100:.0f}%")
    ctx.line(cap.cite("消费券每月上限"), money(cap.value))
    ctx.line("按月发放电子消费券，不发放现金；核销金额经发放批次结算", money(ZERO))
    return ZERO
