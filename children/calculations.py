"""The children's programmes in the quote machinery (测算): who qualifies for each child category and the two
basic living allowances (孤儿基本生活费, 事实无人抚养儿童基本生活补贴).

What each reads is recorded, not retyped: the child's age from the registry, the parents' situations and their
evidence from the child's file (`ParentSituation`, checked against the registry's death records where the
parent is linked), the placement (集中供养 / 散居) from the file unless the officer states `support_mode`.

Rules (RULES.md §4; 民发〔2019〕62号 for 事实无人抚养儿童, its text not read here — the figures' rows carry
`verified=False` where no primary text was read):
- every category: a child under 18 (周岁) on the day judged; the allowances continue after 18 while the child is
  in full-time education when the parameter `continue_in_education` is 1 (source unverified);
- 孤儿: both parents dead or missing (宣告死亡/失踪, or not to be found);
- 事实无人抚养儿童: each parent dead, missing or in one of the qualifying situations (重残, 重病, 服刑在押/强制隔离
  戒毒/限制人身自由, 撤销监护资格/遣送出境, 失联), at least one of them in a qualifying situation (else 孤儿);
- 农村留守儿童: rural 户籍, both parents away for work, or one away and the other unable to raise the child;
- 困境儿童, 流动儿童: recorded as such on the child's file by the child director (摸底), no cash.
"""

from decimal import Decimal

from children.models import Category, ChildFile, ParentCondition, ParentSituation
from minzheng.dates import age_on
from programs.calculations.base import QuoteContext, register_calculator, register_eligibility
from programs.calculations.money import ZERO, money
from programs.models import SupportMode
from registry.selectors import current_household_of

ADULT_AGE = 18
DEAD_OR_MISSING = frozenset({ParentCondition.DEAD, ParentCondition.MISSING})
UNABLE = frozenset({ParentCondition.LOST_CONTACT, ParentCondition.DISABLED, ParentCondition.ILL,
                    ParentCondition.RESTRICTED, ParentCondition.DEPORTED})
CASH = (Category.ORPHAN, Category.DE_FACTO)
ROLES = (ParentSituation.Role.FATHER, ParentSituation.Role.MOTHER)


def child_file(ctx: QuoteContext) -> ChildFile | None:
    if "child_file" not in ctx.cache:
        ctx.cache["child_file"] = ChildFile.objects.filter(person=ctx.person).first() if ctx.person else None
    return ctx.cache["child_file"]


def current_situations(ctx: QuoteContext) -> dict[str, ParentSituation]:
    """Each parent's situation in force on the day judged (role → situation)."""
    if "situations" not in ctx.cache:
        found = child_file(ctx)
        rows = [] if found is None else (found.situations.select_related("reason", "parent")
                                         .filter(since__lte=ctx.day).order_by("since", "id"))
        ctx.cache["situations"] = {s.role: s for s in rows if s.ended_on is None or s.ended_on > ctx.day}
    return ctx.cache["situations"]


def _age(ctx: QuoteContext) -> int | None:
    birth = ctx.person.birth_date if ctx.person is not None else None
    return age_on(birth, ctx.day) if birth else None


def _child_basics(ctx: QuoteContext, category: str) -> bool:
    """Alive, under 18 (or in full-time education where the allowance continues), with a file. False: refused."""
    if ctx.person is None:
        ctx.refuse("儿童类别以个人为单位认定，请指定儿童")
        return False
    if ctx.person.status != "active":
        ctx.refuse("人员状态不是“正常”（已死亡或已迁出）")
    age = _age(ctx)
    if age is None:
        ctx.refuse("缺少出生日期，无法确定年龄")
        return False
    ctx.line("年龄（周岁）", str(age))
    file = child_file(ctx)
    if file is None:
        ctx.refuse("未建立儿童档案（父母情况及证明须先登记在儿童档案中）")
        return False
    if age >= ADULT_AGE:
        if category in CASH and file.full_time_education:
            rule = ctx.param("continue_in_education")
            if rule.value >= 1:
                ctx.line(rule.cite("年满18周岁仍在全日制学校就读，继续发放"), "是")
                return True
        ctx.refuse(f"已满{ADULT_AGE}周岁（{ctx.day:%Y-%m-%d}时{age}周岁），不属于儿童")
        return False
    return True


def _parent_line(ctx: QuoteContext, role: str, situation: ParentSituation | None) -> None:
    label = ParentSituation.Role(role).label
    if situation is None:
        ctx.line(f"{label}情况", "未登记")
        return
    ctx.line(f"{label}情况", f"{situation.reason.name}（{situation.evidence}，{situation.since:%Y-%m-%d}起）")


def _registry_contradicts(ctx: QuoteContext, situation: ParentSituation) -> None:
    """Where the parent is in the registry, a recorded death must be the registry's too."""
    parent = situation.parent
    if parent is not None and situation.reason.condition == ParentCondition.DEAD and parent.status != "deceased":
        ctx.refuse(f"{situation.get_role_display()}登记为死亡，但人口库中{parent.name}未登记死亡")


def _parents(ctx: QuoteContext) -> dict[str, str | None]:
    found = current_situations(ctx)
    conditions = {}
    for role in ROLES:
        situation = found.get(role)
        _parent_line(ctx, role, situation)
        if situation is not None:
            _registry_contradicts(ctx, situation)
        conditions[role] = situation.reason.condition if situation is not None else None
    return conditions


@register_eligibility("orphan")
def orphan_eligibility(ctx: QuoteContext) -> None:
    if not _child_basics(ctx, Category.ORPHAN):
        return
    conditions = _parents(ctx)
    if not all(c in DEAD_OR_MISSING for c in conditions.values()):
        ctx.refuse("孤儿须父母均已死亡或宣告失踪（查找不到生父母）")


@register_eligibility("de_facto_unattended")
def de_facto_eligibility(ctx: QuoteContext) -> None:
    if not _child_basics(ctx, Category.DE_FACTO):
        return
    conditions = list(_parents(ctx).values())
    if not all(c in DEAD_OR_MISSING | UNABLE for c in conditions):
        ctx.refuse("事实无人抚养儿童须父母双方均符合重残、重病、服刑在押、强制隔离戒毒、撤销监护资格、"
                   "遣送（驱逐）出境、失联情形之一，或一方死亡（失踪）另一方符合上述情形之一")
    elif all(c in DEAD_OR_MISSING for c in conditions):
        ctx.refuse("父母均已死亡或失踪，应按孤儿认定")


@register_eligibility("left_behind_child")
def left_behind_eligibility(ctx: QuoteContext) -> None:
    if not _child_basics(ctx, Category.LEFT_BEHIND):
        return
    conditions = list(_parents(ctx).values())
    household = ctx.household or current_household_of(ctx.person)
    hukou = household.hukou_type if household is not None else None
    ctx.line("户籍类型", {"rural": "农村", "urban": "城市"}.get(hukou or "", "未知"))
    if hukou != "rural":
        ctx.refuse("农村留守儿童须为农村户籍")
    away = [c == ParentCondition.AWAY for c in conditions]
    if not (all(away) or (any(away) and any(c in UNABLE | DEAD_OR_MISSING for c in conditions))):
        ctx.refuse("农村留守儿童须父母双方外出务工，或一方外出务工另一方无监护能力")


def _recorded_category(category: str):
    def eligibility(ctx: QuoteContext) -> None:
        if not _child_basics(ctx, category):
            return
        categories = child_file(ctx).categories or []
        ctx.line("儿童档案（摸底）类别", "、".join(Category(c).label for c in categories if c in Category.values)
                 or "无")
        if category not in categories:
            ctx.refuse(f"儿童档案未登记为{Category(category).label}（由儿童主任摸底登记）")
    return eligibility


register_eligibility("hardship_child")(_recorded_category(Category.HARDSHIP))
register_eligibility("migrant_child")(_recorded_category(Category.MIGRANT))


def support_mode(ctx: QuoteContext) -> str:
    """集中供养 or 散居: the officer's statement, else the file's placement."""
    stated = ctx.inputs.get("support_mode")
    if stated in SupportMode.values:
        return stated
    file = child_file(ctx)
    institution = file is not None and file.placement == ChildFile.Placement.INSTITUTION
    return SupportMode.CENTRALIZED if institution else SupportMode.DISPERSED


@register_calculator("orphan")
def orphan_amount(ctx: QuoteContext) -> Decimal:
    mode = support_mode(ctx)
    key, label = (("orphan_centralized", "集中供养") if mode == SupportMode.CENTRALIZED
                  else ("orphan_dispersed", "散居"))
    ref = ctx.param(key)
    ctx.values["support_mode"] = mode
    ctx.line(ref.cite("孤儿基本生活费", label), money(ref.value))
    return ref.value


@register_calculator("de_facto_unattended")
def de_facto_amount(ctx: QuoteContext) -> Decimal:
    ref = ctx.param("de_facto_standard")
    ctx.line(ref.cite("事实无人抚养儿童基本生活补贴"), money(ref.value))
    return ref.value


@register_calculator("child_recognition")
def child_recognition_amount(ctx: QuoteContext) -> Decimal:
    ctx.line(f"{ctx.program.name}为类别认定，不发放现金（纳入关爱服务）", money(ZERO))
    return ZERO
