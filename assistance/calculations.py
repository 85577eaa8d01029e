"""Social-assistance programmes (社会救助): 低保, 特困, 低保边缘, 刚性支出困难, 临时救助 (RULES.md §1–4).

Each function writes its lines in the order an officer checks them by hand. Household income and size
follow one definition (`household_income`), shared by every household programme.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from minzheng.dates import add_months, age_on, month_end
from programs.calculations import sql
from programs.calculations.base import (
    UNVERIFIED,
    QuoteContext,
    register_calculator,
    register_eligibility,
    register_facts_due,
    register_set_form,
)
from programs.calculations.facts import COUNTED, DEDUCTIBLE, IncomeSummary, income_in
from programs.calculations.money import ROUNDING_RULE, ZERO, gap_amount, money, per_capita, plain, round_money, scaled
from programs.models import CareLevel
from programs.selectors import ParameterNotFound

# 无劳动能力 (《特困人员认定办法》第七条, RULES.md §2): the ages, and the most severe grade that still qualifies
# for each disability category (grade 1 is the most severe).
TEKUN_OLD_AGE, TEKUN_MINOR_AGE = 60, 16
TEKUN_DISABILITY_MAX_GRADE = {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}
CARE_KEYS = {CareLevel.SELF: "care_self", CareLevel.HALF: "care_half", CareLevel.FULL: "care_full"}
LINSHI_KINDS = {"jinan": "急难型", "zhichu": "支出型"}


@dataclass(frozen=True)
class HouseholdIncome:
    size: int
    total: Decimal
    per_capita: Decimal | None  # None when nobody is in the household that month


def _income_lines(ctx: QuoteContext, income: IncomeSummary, whose: str) -> None:
    for kind, label, amount in income.items:
        prefix = "计入" if kind == COUNTED else "扣减（刚性支出）" if kind == DEDUCTIBLE else "不计入"
        ctx.line(f"{prefix}：{label}", money(amount))
    if income.deducted:
        ctx.line(f"{whose}月总收入（计入部分）= {money(income.counted)} − {money(income.deducted)}（不低于0）",
                 money(income.total))
    else:
        ctx.line(f"{whose}月总收入（计入部分）", money(income.total))


def household_income(ctx: QuoteContext) -> HouseholdIncome:
    """家庭月收入与人数 for the quote's month.

    Income = the monthly amounts of the members present in the month (alive and not departed at its end) in
    categories of kind "counted" whose months cover it, minus their "deductible" 刚性支出, floored at zero;
    "excluded" categories are listed as 不计入 and not summed. Size = the members present in the month.
    Per-capita income is rounded half up to the fen before any comparison (see ROUNDING_RULE).
    """
    if "household_income" in ctx.cache:
        return ctx.cache["household_income"]
    facts = ctx.household_facts
    members = facts.members_in(ctx.month)
    income = facts.income_in(ctx.month)
    _income_lines(ctx, income, "家庭")
    total = _farming_average(ctx, members) if members else None
    income = income if total is None else IncomeSummary(counted=total, deducted=ZERO, items=income.items)
    ctx.line(f"家庭人数（{'、'.join(m.name for m in members) or '无在户成员'}）", str(len(members)))
    pc = per_capita(income.total, len(members)) if members else None
    if pc is not None:
        ctx.line(f"月人均收入 = {money(income.total)} ÷ {len(members)}", money(pc))
    ctx.values.update(household_size=len(members), total_income=income.total, per_capita_income=pc)
    result = HouseholdIncome(size=len(members), total=income.total, per_capita=pc)
    ctx.cache["household_income"] = result
    return result


def _farming_average(ctx: QuoteContext, members) -> Decimal | None:
    """农业家庭 (a member's 就业状况 is 务农 in the month): the monthly income is the average of the months before
    it (`farming_income_average_months`, 12: 《重庆市城乡居民最低生活保障条例》第十二条), each month's income
    counted as the registry holds it (counted − deductible, floored at zero). None for any other household."""
    from registry.facts import facts_on
    from registry.models import Employment, PersonFact

    end = month_end(ctx.month)
    farming = [f for f in facts_on([m.person_id for m in members], PersonFact.Kind.EMPLOYMENT, end).values()
               if f.value == Employment.FARMING]
    if not farming:
        return None
    ref = ctx.param("farming_income_average_months", program=None)
    months = [add_months(ctx.month, -i) for i in range(1, int(ref.value) + 1)]
    ids = {m.person_id for m in members}
    total = sum((income_in(ctx.household_facts.incomes, ids, month).total for month in months), ZERO)
    average = round_money(total / len(months))
    n = len(months)
    ctx.line(ref.cite(f"农业家庭月收入 = 前{n}个月收入合计 ÷ {n}", f"{money(total)} ÷ {n}"), money(average))
    return average


def dibao_standard(ctx: QuoteContext, hukou_type: str, label: str = "低保标准") -> Decimal:
    """城市/农村低保标准 in force for the area in the month, by 户籍类型."""
    urban = hukou_type != "rural"
    ref = ctx.param("standard_urban" if urban else "standard_rural", program="dibao")
    standard = round_money(ref.value)
    ctx.line(ref.cite(label, "城市" if urban else "农村"), money(standard))
    return standard


def _dibao_means(ctx: QuoteContext) -> tuple[Decimal, HouseholdIncome]:
    if "dibao_means" not in ctx.cache:
        standard = dibao_standard(ctx, ctx.household_facts.hukou_type)
        ctx.values["standard"] = standard
        income = household_income(ctx)
        ctx.line("取整规则", ROUNDING_RULE)
        ctx.cache["dibao_means"] = (standard, income)
    return ctx.cache["dibao_means"]


def _refuse_household_basics(ctx: QuoteContext, income: HouseholdIncome, *, assets: bool = True) -> None:
    if income.size == 0:
        ctx.refuse("家庭当月无在户成员")
    if assets:
        for asset in ctx.household_facts.disqualifying_assets():
            ctx.refuse(asset.reason)


def _decimal_input(ctx: QuoteContext, name: str, label: str, *, required: bool) -> Decimal | None:
    raw = ctx.inputs.get(name)
    if raw is None or raw == "":
        if required:
            raise ValidationError({name: [f"请填写{label}"]})
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError({name: [f"{label}应为金额（元）"]}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({name: [f"{label}应为不小于0的金额（元）"]})
    return round_money(value)


# ---- 低保 ---------------------------------------------------------------------------------------------------

def _paid_members(ctx: QuoteContext, income: HouseholdIncome) -> int:
    """Members whose share is paid: all but those who refused suitable work `work_refusal_limit` times without a
    proper reason (assistance.grounds); their income still counts in the per-capita income. A 单人户 counts its
    one member only."""
    if "paid_members" in ctx.cache:
        return ctx.cache["paid_members"]
    from assistance.grounds import members_refusing_work, refusals_exist

    members = ctx.household_facts.members_in(ctx.month)
    if ctx.cache.get("single_person") is not None:
        members = [m for m in members if m.person_id == ctx.cache["single_person"]]
    if not refusals_exist([m.person_id for m in members], ctx.month):
        ctx.cache["paid_members"] = income.size  # nothing recorded: no figure is read (nor cited)
        return income.size
    limit = ctx.param("work_refusal_limit", program=None)
    window = ctx.param("work_refusal_window_months", program=None)
    refusing = members_refusing_work([m.person_id for m in members], ctx.month, limit=int(limit.value),
                                     window_months=int(window.value))
    if refusing:
        names = "、".join(m.name for m in members if m.person_id in refusing)
        ctx.line(limit.cite(f"减发：{names} 无正当理由拒绝介绍的就业达", f"{int(limit.value)}次"),
                 f"{len(refusing)}人")
    paid = income.size - len(refusing)
    if refusing:  # kept with the quote, so a re-rating (dibao_amount_sql) pays the same members
        ctx.flags["paid_members"] = paid
    ctx.cache["paid_members"] = paid
    return paid


@register_eligibility("dibao")
def dibao_eligibility(ctx: QuoteContext) -> None:
    """低保: 家庭月人均收入 < 低保标准, no disqualifying property, someone in the household; a household whose
    every member refused work three times is stopped (停发). A 单人户 application (`single_person`) is judged on
    its member alone (`_single_person_means`)."""
    standard, income = _dibao_means(ctx)
    _refuse_household_basics(ctx, income)
    if ctx.inputs.get("single_person"):
        income = _single_person_means(ctx, standard, income)
    elif income.per_capita is not None and income.per_capita >= standard:
        ctx.refuse("家庭月人均收入不低于低保标准")
    if income.size and _paid_members(ctx, income) == 0:
        ctx.refuse("家庭成员均无正当理由三次拒绝介绍的就业，停发低保金")


def _single_person_means(ctx: QuoteContext, standard: Decimal, household: HouseholdIncome) -> HouseholdIncome:
    """单人户 (assistance.single_person): the household must be a 低保边缘家庭 — per-capita income at least the 低保
    standard (else the whole household applies) and below `bianyuan_multiplier` × the standard; the member's
    ground must be on record; then the member alone is the household: size 1, their own income."""
    from assistance.single_person import GROUNDS, ground_evidence

    pid, ground = ctx.inputs.get("single_person"), ctx.inputs.get("single_person_ground") or ""
    member = next((m for m in ctx.household_facts.members_in(ctx.month) if m.person_id == pid), None)
    if member is None:
        ctx.refuse("单人户申请的成员不是该家庭当月在户成员")
        return household
    ctx.line("单人户申请", f"{member.name}（{GROUNDS.get(ground, '事由未指明')}）")
    evidence, refusal = ground_evidence(person_id=pid, name=member.name, ground=ground, on=month_end(ctx.month))
    if refusal:
        ctx.refuse(refusal)
    else:
        ctx.line("单人户事由登记", evidence)
    factor = ctx.param("bianyuan_multiplier", program="dibao_bianyuan")
    line = scaled(standard, factor.value)
    ctx.line(factor.cite("低保边缘认定倍数"), plain(factor.value))
    ctx.line(f"低保边缘认定标准 = {money(standard)} × {plain(factor.value)}", money(line))
    if household.per_capita is not None and household.per_capita < standard:
        ctx.refuse("家庭月人均收入低于低保标准，应以全家申请低保，不按单人户办理")
    elif household.per_capita is not None and household.per_capita >= line:
        ctx.refuse("家庭月人均收入不低于低保边缘认定标准，不属于低保边缘家庭，不能单人户纳入")
    own = income_in(ctx.household_facts.incomes, {pid}, ctx.month)
    _income_lines(ctx, own, f"{member.name}本人")
    ctx.line("单人户人数（其他家庭成员不纳入）", "1")
    single = HouseholdIncome(size=1, total=own.total, per_capita=round_money(own.total))
    ctx.values.update(household_size=1, total_income=single.total, per_capita_income=single.per_capita)
    ctx.flags["single_person"] = member.name
    ctx.cache["single_person"] = pid
    ctx.cache["dibao_means"] = (standard, single)
    if single.per_capita >= standard:
        ctx.refuse(f"{member.name}本人月收入不低于低保标准")
    return single


@register_calculator("dibao", reads_tiers=True)
def dibao_amount(ctx: QuoteContext) -> Decimal:
    """低保金 = (低保标准 − 家庭月人均收入) × 家庭人数 (《最低生活保障审核确认办法》第二十三条, 差额补助); the
    members who refused work three times without reason are not counted in the multiplier (减发其本人的份额).

    Rounding: per-capita income to the fen (half up) first, then the difference, then the amount to the fen.
    """
    standard, income = _dibao_means(ctx)
    paid = _paid_members(ctx, income)
    tiered = _tiered_amount(ctx, income, paid)
    if tiered is not None:
        return tiered
    gap, amount = gap_amount(standard, income.per_capita, paid)
    ctx.line(f"差额 = {money(standard)} − {money(income.per_capita)}", money(gap))
    ctx.line(f"低保金 = {money(gap)} × {paid}", money(amount))
    return amount


def _tiered_amount(ctx: QuoteContext, income: HouseholdIncome, paid: int) -> Decimal | None:
    """分档 (programs.tiers): where the district set tiers in force, 低保金 = the tier of the per-capita income ×
    the members paid; None where it set none (the gap formula applies). The tier and its source are kept in the
    quote's flags (`amount_tier`), shown 未核实 where the tier is not verified."""
    from programs.tiers import amount_tiers_at

    tiers = amount_tiers_at(ctx.program, ctx.area_code, ctx.month)
    if not tiers or income.per_capita is None:
        return None
    tier = next((t for t in tiers if t.covers(income.per_capita)), None)
    if tier is None:
        ctx.line("分档补助：家庭月人均收入不在任何一档内", money(ZERO))
        return ZERO
    upper = f"至{money(tier.income_to)}元（不含）" if tier.income_to is not None else "以上"
    cite = f"分档补助（月人均收入{money(tier.income_from)}元{upper}，{tier.source}）"
    ctx.line(cite + ("" if tier.verified else UNVERIFIED), f"{money(tier.amount)} 元/人")
    amount = round_money(tier.amount * paid)
    ctx.line(f"低保金 = {money(tier.amount)} × {paid}", money(amount))
    ctx.flags["amount_rule"] = "tiered"
    ctx.flags["amount_tier"] = {"id": tier.pk, "amount": money(tier.amount), "source": tier.source,
                                "verified": tier.verified}
    return amount


@register_set_form("dibao", parameters=(("dibao", "standard_urban"), ("dibao", "standard_rural")))
def dibao_amount_sql(columns: dict) -> str:
    """The same 差额补助 over the stored quote: (低保标准 of the household's 户籍类型 − stored per-capita income)
    × stored household size, in whole fen. Income and size are the facts the enrolment was decided on; a change
    of facts is a re-check (复核), not a re-rating. NULL (not re-rated) when the quote stored no income."""
    standard = (f"CASE WHEN h.hukou_type = 'rural' THEN {columns[('dibao', 'standard_rural')]} "
                f"ELSE {columns[('dibao', 'standard_urban')]} END")
    pci = sql.fen(sql.json_number("e.calculation", "per_capita_income"))
    # the members paid (減发: fewer than the household when a member refused work three times), else the size
    paid = f"CAST({sql.json_text('e.calculation', 'flags.paid_members')} AS NUMERIC)"
    size = f"COALESCE({paid}, {sql.json_number('e.calculation', 'household_size')})"
    # A tiered amount (分档) is not the gap over a standard: a change of standard does not re-rate it here.
    tiered = f"{sql.json_text('e.calculation', 'flags.amount_rule')} = 'tiered'"
    gap = sql.yuan(f"{sql.greatest(f'{sql.fen(standard)} - {pci}', '0')} * CAST({size} AS BIGINT)")
    return f"CASE WHEN {tiered} THEN NULL ELSE {gap} END"


# ---- 特困 ---------------------------------------------------------------------------------------------------

def _care_level(ctx: QuoteContext) -> str:
    level = ctx.inputs.get("care_level") or ""
    if level not in CareLevel.values:
        raise ValidationError({"care_level": ["请选择护理等级：self（全自理）、half（半护理）或 full（全护理）"]})
    return level


def tekun_basic_standard(ctx: QuoteContext) -> Decimal:
    """特困人员基本生活标准: the `tekun_standard` parameter, or else `tekun_multiplier` × 城市低保标准."""
    try:
        ref = ctx.param("tekun_standard")
    except ParameterNotFound:
        urban = ctx.param("standard_urban", program="dibao")
        factor = ctx.param("tekun_multiplier")
        basic = scaled(urban.value, factor.value)
        ctx.line(urban.cite("城市低保标准"), money(urban.value))
        ctx.line(factor.cite("特困基本生活标准倍数"), plain(factor.value))
        ctx.line(f"特困人员基本生活标准 = {money(urban.value)} × {plain(factor.value)}", money(basic))
        return basic
    basic = round_money(ref.value)
    ctx.line(ref.cite("特困人员基本生活标准"), money(basic))
    return basic


def _tekun_work_capacity(ctx: QuoteContext) -> None:
    """无劳动能力: age ≥ 60 or < 16 on the first day of the month, or a qualifying current disability."""
    facts = ctx.person_facts
    age = age_on(facts.birth_date, ctx.month) if facts.birth_date else None
    ctx.line("年龄（按测算月1日计）", f"{age}周岁" if age is not None else "出生日期未登记")
    disabled = [label for category, grade, label in facts.disabilities
                if grade <= TEKUN_DISABILITY_MAX_GRADE.get(category, 0)]
    if disabled:
        ctx.line("符合无劳动能力条件的残疾", "、".join(disabled))
    if not disabled and (age is None or TEKUN_MINOR_AGE <= age < TEKUN_OLD_AGE):
        ctx.refuse("不符合无劳动能力条件（年满60周岁、未满16周岁，或一至三级智力/精神残疾、一二级肢体残疾、一级视力残疾）")


def _person_hukou(ctx: QuoteContext) -> str:
    household = ctx.household
    if household is None:
        from registry.selectors import current_household_of

        household = current_household_of(ctx.person)
    if household is None:
        ctx.line("户籍类型", "无家庭登记，按城市低保标准比较")
        return "urban"
    return household.hukou_type


def _tekun_livelihood(ctx: QuoteContext) -> None:
    """无生活来源: own counted income below the local 低保 standard; no disqualifying property of one's own."""
    facts = ctx.person_facts
    standard = dibao_standard(ctx, _person_hukou(ctx), "当地低保标准")
    income = facts.income_in(ctx.month)
    _income_lines(ctx, income, "本人")
    ctx.values.update(total_income=income.total, per_capita_income=income.total)
    if income.total >= standard:
        ctx.refuse("本人月收入不低于当地低保标准，不符合无生活来源条件")
    for asset in facts.assets:
        if asset.disqualifies:
            ctx.refuse(asset.reason.replace("家庭有", "本人有"))


@register_eligibility("tekun")
def tekun_eligibility(ctx: QuoteContext) -> None:
    """特困 (《特困人员认定办法》): 无劳动能力 + 无生活来源 + no able legal supporter (asserted by the officer)."""
    _care_level(ctx)
    facts = ctx.person_facts
    ctx.values["standard"] = ctx.cache["tekun_basic"] = tekun_basic_standard(ctx)
    if facts.death_date is not None and facts.death_date <= month_end(ctx.month):
        ctx.refuse("该人员已登记死亡")
    _tekun_work_capacity(ctx)
    _tekun_livelihood(ctx)
    asserted = ctx.input_flag("no_supporter")
    ctx.line("无法定赡养、抚养、扶养义务人，或义务人无履行能力（经办人核实确认）", "是" if asserted else "否")
    if not asserted:
        ctx.refuse("未确认无法定赡养、抚养、扶养义务人或义务人无履行能力（须经办人核实后确认）")


@register_calculator("tekun")
def tekun_amount(ctx: QuoteContext) -> Decimal:
    """特困供养金 = 基本生活标准 + 照料护理补贴 (by care level, 渝民发〔2024〕9号)."""
    level = _care_level(ctx)
    basic = ctx.cache["tekun_basic"]
    ref = ctx.param(CARE_KEYS[CareLevel(level)])
    care = round_money(ref.value)
    ctx.line(ref.cite("照料护理补贴", CareLevel(level).label), money(care))
    total = basic + care
    ctx.line(f"特困人员救助供养金 = {money(basic)} + {money(care)}", money(total))
    return total


@register_facts_due("tekun", cause="care_level")
def tekun_care_level_changed(program, month, area_prefix: str) -> list[int]:
    """特困 enrolments whose recorded care level (Enrolment.care_level) is not the one their amount was quoted
    for: the 照料护理补贴 follows the care level — but not before the month a recorded change takes effect
    (`CareLevelChange.effective_month`, e.g. the month after an ability assessment)."""
    from django.db.models import Exists, F, OuterRef
    from django.db.models.fields.json import KT

    from assistance.models import CareLevelChange
    from minzheng.lookups import prefix_q
    from programs.models import OPEN_STATUSES, Enrolment

    pending = CareLevelChange.objects.filter(enrolment_id=OuterRef("pk"), effective_month__gt=month)
    return list(Enrolment.objects.filter(prefix_q("area_id", area_prefix), program=program, status__in=OPEN_STATUSES)
                .exclude(care_level="").annotate(quoted=KT("calculation__inputs__care_level"))
                .exclude(quoted=F("care_level")).filter(~Exists(pending)).values_list("id", flat=True))


# ---- 低保边缘 ------------------------------------------------------------------------------------------------

@register_eligibility("dibao_bianyuan")
def bianyuan_eligibility(ctx: QuoteContext) -> None:
    """低保边缘: not 低保-eligible, and 人均收入 < bianyuan_multiplier × 低保标准; property as for 低保."""
    standard, income = _dibao_means(ctx)
    factor = ctx.param("bianyuan_multiplier")
    line = scaled(standard, factor.value)
    ctx.line(factor.cite("低保边缘认定倍数"), plain(factor.value))
    ctx.line(f"低保边缘认定标准 = {money(standard)} × {plain(factor.value)}", money(line))
    ctx.values["standard"] = line
    _refuse_household_basics(ctx, income)
    if income.per_capita is None:
        return
    if income.per_capita < standard:
        ctx.refuse("家庭月人均收入低于低保标准，应按低保办理")
    elif income.per_capita >= line:
        ctx.refuse("家庭月人均收入不低于低保边缘认定标准")


@register_calculator("recognition")
def recognition_amount(ctx: QuoteContext) -> Decimal:
    """身份认定 (低保边缘, 刚性支出困难): no cash; the recognition opens other assistance."""
    ctx.line(f"{ctx.program.name}为身份认定，不发放现金", money(ZERO))
    return ZERO


# ---- 刚性支出困难 ---------------------------------------------------------------------------------------------

@register_eligibility("gangxing_zhichu")
def gangxing_eligibility(ctx: QuoteContext) -> None:
    """刚性支出困难家庭 (民发〔2024〕57号): 年人均收入 < 上年度当地居民人均可支配收入, and the 刚性支出 of the 12
    months before the application exceed `rigid_ratio` of the household's total income. Not being 低保/特困/
    低保边缘 is checked through the programme's exclusions. Inputs: `rigid_expenditure` (required) and
    `income_12m` (else the month's counted income × 12)."""
    income = household_income(ctx)
    _refuse_household_basics(ctx, income, assets=False)
    rigid = _decimal_input(ctx, "rigid_expenditure", "近12个月刚性支出合计", required=True)
    total = _decimal_input(ctx, "income_12m", "近12个月家庭总收入", required=False)
    if total is None:
        total = round_money(income.total * 12)
        ctx.line(f"近12个月家庭总收入（按当月计入收入估算）= {money(income.total)} × 12", money(total))
    else:
        ctx.line("近12个月家庭总收入（经办人录入）", money(total))
    if income.size:
        _gangxing_income_test(ctx, total, income.size)
    _gangxing_ratio_test(ctx, rigid, total)


def _gangxing_income_test(ctx: QuoteContext, total: Decimal, size: int) -> None:
    annual = per_capita(total, size)
    ctx.line(f"年人均收入 = {money(total)} ÷ {size}", money(annual))
    ref = ctx.param("disposable_income")
    ctx.line(ref.cite("上年度当地居民人均可支配收入"), money(ref.value))
    if annual >= ref.value:
        ctx.refuse("家庭年人均收入不低于上年度当地居民人均可支配收入")


def _gangxing_ratio_test(ctx: QuoteContext, rigid: Decimal, total: Decimal) -> None:
    ctx.line("近12个月刚性支出合计（经办人录入）", money(rigid))
    ref = ctx.param("rigid_ratio")
    ctx.line(ref.cite("刚性支出占家庭总收入的认定比例"), f"{ref.value * 100:.2f}%")
    if rigid <= 0:
        ctx.refuse("近12个月无刚性支出")
    elif total > 0:
        ctx.line(f"刚性支出占比 = {money(rigid)} ÷ {money(total)}", f"{rigid / total * 100:.2f}%")
        # Compared exactly (rigid > total × ratio); the percentage above is only for reading.
        if rigid <= total * ref.value:
            ctx.refuse("近12个月刚性支出占家庭总收入的比例未超过认定比例")


# ---- 临时救助 ------------------------------------------------------------------------------------------------

@register_eligibility("linshi")
def linshi_eligibility(ctx: QuoteContext) -> None:
    """临时救助: the amount is the officer's (`amount`); 急难型 within `town_limit` may be approved first by the
    town (先行救助) and completed afterwards; 支出型 goes through the district."""
    kind = ctx.inputs.get("linshi_kind") or ""
    if kind not in LINSHI_KINDS:
        raise ValidationError({"linshi_kind": ["请选择临时救助类型：jinan（急难型）或 zhichu（支出型）"]})
    amount = _decimal_input(ctx, "amount", "救助金额", required=True)
    if amount <= 0:
        raise ValidationError({"amount": ["救助金额应大于0"]})
    if ctx.household is None:  # PERSON_ALONE: a non-resident helped at the place of emergency
        size = _person_alone(ctx, kind)
    else:
        size = len(ctx.household_facts.members_in(ctx.month))
    ctx.values["household_size"] = size
    if size == 0:
        ctx.refuse("家庭当月无在户成员")
    ctx.line("救助类型", LINSHI_KINDS[kind])
    ctx.line("经办人核定救助金额", money(amount))
    ctx.cache["linshi_amount"] = amount
    if kind == "jinan":
        limit = ctx.param("town_limit")
        within = amount <= limit.value
        ctx.line(limit.cite("乡镇（街道）先行救助审批限额"), money(limit.value))
        ctx.line("乡镇（街道）可先行审批", "是" if within else "否，超出限额，须报区县民政部门审批")
    else:
        within = False
        ctx.line("审批", "支出型临时救助经审核后由区县民政部门审批")
    ctx.flags["town_first_approval"] = within


def _person_alone(ctx: QuoteContext, kind: str) -> int:
    """急难发生地救助: a person with no household registered here is helped alone — only 急难型 (no 户籍 or 居住地
    restriction, 《关于进一步加强和改进临时救助工作的意见》); 支出型 is handled where the household lives."""
    facts = ctx.person_facts
    ctx.line("救助对象", f"{facts.name}（非本地户籍或无本地家庭登记，在急难发生地救助）")
    if kind != "jinan":
        ctx.refuse("无本地家庭登记的人员仅可在急难发生地申请急难型临时救助")
    if facts.death_date is not None and facts.death_date <= month_end(ctx.month):
        ctx.refuse("该人员已登记死亡")
        return 0
    return 1


@register_calculator("linshi")
def linshi_amount(ctx: QuoteContext) -> Decimal:
    amount = ctx.cache["linshi_amount"]
    ctx.line("临时救助金额（一次性发放）", money(amount))
    return amount
