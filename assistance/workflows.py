"""The social-assistance application workflows (社会救助申请办理流程), declared for the kernel.

One workflow per programme and rule variant (code "<programme>.<variant>"), built from the `Program` row by the
family its `workflow` field names (`FAMILIES`, registered with the kernel): "assistance" (审核确认 with a 办结期限
that may be extended), "assistance_tekun" (特困 认定: 初审 and 确认 limits, nothing to extend) and
"assistance_urgent" (as "assistance", plus the town's 先行救助). The Chongqing variant
(《重庆市城乡居民最低生活保障条例》) adds 群众评议 between 信息核对 and 初审 and re-publishes for 3 days after an
upheld objection; the national variant (《最低生活保障审核确认办法》) has no 评议. A case keeps the variant it was
opened under, so changing the setting never strands a case half-way.

Deadline figures are PolicyParameter rows seeded by this app's migration 0002 (with their sources); the
declaration only names the keys.
"""

from django.conf import settings

from casework.workflows import DISTRICT, TOWN, DeadlineRule, Transition, Workflow, family_programs, family_register

RESOURCE = "application"
CHONGQING, NATIONAL = "chongqing", "national"
VARIANTS = (CHONGQING, NATIONAL)
STANDARD, TEKUN, URGENT = "assistance", "assistance_tekun", "assistance_urgent"
FAMILIES = {STANDARD: "社会救助审核确认（办结期限，可延期）", TEKUN: "特困人员认定（初审、确认期限）",
            URGENT: "社会救助审核确认，可先行救助（急难型临时救助）"}

STATES = {
    "submitted": "已申请（待受理）",
    "materials_requested": "已一次性告知补正材料",
    "accepted": "已受理（待入户调查）",
    "approved_pending_completion": "已先行救助（待补办手续）",
    "investigated": "已入户调查（待信息核对）",
    "verified": "已信息核对",
    "evaluated": "已群众评议（待初审）",
    "reviewed": "已初审（待公示）",
    "publicised": "公示中（待审核确认）",
    "reinvestigating": "公示异议成立（待重新调查）",
    "confirmed": "已审核确认",
    "rejected": "不予确认",
    "withdrawn": "已撤回",
}
TERMINAL = frozenset({"confirmed", "rejected", "withdrawn"})
OPEN_STATES = tuple(s for s in STATES if s not in TERMINAL)
AFTER_ACCEPT = tuple(s for s in OPEN_STATES if s not in ("submitted", "materials_requested"))

SUBSISTENCE_RULE = "《最低生活保障审核确认办法》"
CQ_RULE = "《重庆市城乡居民最低生活保障条例》"
TOWNS_ACCEPT = f"乡镇（街道）受理，{SUBSISTENCE_RULE}第十条"
DISTRICT_DECIDES = f"县级民政部门审核确认，{SUBSISTENCE_RULE}第二十条"
SEPARATION_RULE = "职责分离：本案初审人员不得对同一案件作出审核确认或不予确认决定"


def current_variant() -> str:
    """MINZHENG_ASSISTANCE_VARIANT: "chongqing" (default) or "national"; anything else is a setup error."""
    variant = getattr(settings, "MINZHENG_ASSISTANCE_VARIANT", CHONGQING)
    if variant not in VARIANTS:
        raise ValueError(f"MINZHENG_ASSISTANCE_VARIANT 应为 chongqing 或 national，当前为 {variant!r}")
    return variant


def workflow_code(program: str, variant: str) -> str:
    return f"{program}.{variant}"


# Every family whose cases are applications handled by this app's services and API (`POST /api/applications/`
# and its steps): this app's own, plus those another domain adds with `application_family_register` (儿童类别认定).
APPLICATION_FAMILIES: dict[str, str] = dict(FAMILIES)


def application_family_register(name: str, label: str, build) -> None:
    """Another domain's application workflow family: `build(program, variant)` → the Workflow "<code>.<variant>"
    (resource "application", domain record "application", this app's action names); its programmes then take
    applications through the same services, API and pages as 低保."""
    APPLICATION_FAMILIES[name] = label
    family_register(name, label, lambda program: [build(program, variant) for variant in VARIANTS])


def assistance_programs() -> list[str]:
    """Codes of the programmes that take applications (their row names one of APPLICATION_FAMILIES)."""
    return family_programs(APPLICATION_FAMILIES)


def workflow_codes() -> list[str]:
    """Every application workflow code, both variants of every assistance programme."""
    return [workflow_code(p, v) for p in assistance_programs() for v in VARIANTS]


def _transitions(family: str, variant: str) -> tuple[Transition, ...]:
    review_from = ("evaluated",) if variant == CHONGQING else ("verified",)
    steps = [
        Transition("accept", "受理", ("submitted", "materials_requested"), None, "accept", (TOWN,), TOWNS_ACCEPT,
                   queue=True),
        Transition("investigate", "入户调查", ("accepted", "reinvestigating", "approved_pending_completion"),
                   "investigated", "investigate", (TOWN, DISTRICT), queue=True),
        Transition("verify", "信息核对", ("investigated",), "verified", "verify", (TOWN, DISTRICT), queue=True),
        Transition("review", "初审", review_from, "reviewed", "review", (TOWN,),
                   f"乡镇（街道）初审，{SUBSISTENCE_RULE}第十九条", queue=True),
        Transition("publish", "公示", ("reviewed",), "publicised", "publish", (TOWN,), queue=True),
        Transition("objection", "公示异议登记与处理", ("publicised",), None, "objection", (TOWN, DISTRICT)),
        # No level is fixed for the decision: it is the district's (grant to 区民政审批人), and a district that
        # delegates confirmation to towns (S4) grants it to a town role — the reviewer ≠ confirmer rule then
        # is what keeps the two duties apart.
        Transition("confirm", "审核确认", ("publicised",), "confirmed", "confirm", (), DISTRICT_DECIDES, queue=True,
                   separate_from=("review",), separation_rule=SEPARATION_RULE),
        Transition("reject", "不予确认", ("reviewed", "publicised"), "rejected", "reject", (), DISTRICT_DECIDES,
                   separate_from=("review",), separation_rule=SEPARATION_RULE),
        Transition("withdraw", "撤回申请", tuple(s for s in OPEN_STATES if s != "approved_pending_completion"),
                   "withdrawn", "withdraw"),
    ]
    if variant == CHONGQING:
        steps.append(Transition("evaluate", "群众评议", ("verified",), "evaluated", "evaluate", (TOWN,),
                                f"{CQ_RULE}第十八条", queue=True))
    if family != TEKUN:
        steps.append(Transition("extend", "延期", AFTER_ACCEPT, None, "extend", (TOWN, DISTRICT)))
    if family == URGENT:
        steps.append(Transition("urgent_approve", "先行救助审批", ("accepted",), "approved_pending_completion",
                                "urgent_approve", (TOWN,), "急难型临时救助由乡镇（街道）在委托限额内先行审批"))
    return tuple(steps)


# Where the district delegates 审核确认 to towns (S4 《关于进一步做好最低生活保障等社会救助兜底工作的通知》), the
# overall limit is 20 working days: a PolicyParameter switch per district, 0 (not delegated) by default.
DELEGATION_SWITCH = ("confirmation_delegated_to_towns", "deadline_overall_delegated_wd")


def _overall(variant: str) -> DeadlineRule:
    """办结期限: national 30 WD from 受理 (Art.22); Chongqing 30 日 with the 评议 and 公示 days not counted
    (《重庆市城乡居民最低生活保障条例》第十九条); either becomes 20 WD where confirmation is delegated."""
    if variant == CHONGQING:
        return DeadlineRule("overall_due", "deadline_overall_cq_days", ("accepted_on",), "办结期限",
                            extended_key="deadline_overall_extended_wd", unit="calendar",
                            not_counted="not_counted_days", switch=DELEGATION_SWITCH)
    return DeadlineRule("overall_due", "deadline_overall_wd", ("accepted_on",), "办结期限",
                        extended_key="deadline_overall_extended_wd", switch=DELEGATION_SWITCH)


def _deadlines(family: str, variant: str) -> tuple[tuple[DeadlineRule, ...], dict[str, tuple[str, ...]]]:
    confirm = DeadlineRule("confirmation_due", "deadline_confirm_wd", ("confirmation_base_on",), "审核确认期限")
    if family == TEKUN:
        # 《特困人员认定办法》: 乡镇 初审 within 15 WD (again within 15 WD after an upheld objection), county confirms
        # within 15 WD; it sets no overall limit, so there is nothing to extend.
        review = DeadlineRule("town_review_due", "deadline_town_review_wd", ("restarted_on", "accepted_on"),
                              "初审期限")
        before_review = ("accepted", "investigated", "verified", "evaluated", "reinvestigating")
        return (review, confirm), {**{s: ("town_review_due",) for s in before_review},
                                   "publicised": ("confirmation_due",)}
    investigation = DeadlineRule("investigation_due", "deadline_investigation_start_wd", ("accepted_on",),
                                 "启动家庭经济状况调查期限")
    # 信息核对: the county answers within 3 WD of the town's request (提请, made when the investigation is recorded).
    verification = DeadlineRule("verification_due", "deadline_verification_wd", ("verification_requested_on",),
                                "信息核对期限")
    overall = _overall(variant)
    overall_only = ("approved_pending_completion", "verified", "evaluated", "reviewed", "reinvestigating")
    return (investigation, verification, confirm, overall), {
        "accepted": ("investigation_due", "overall_due"), "investigated": ("verification_due", "overall_due"),
        **{s: ("overall_due",) for s in overall_only}, "publicised": ("confirmation_due", "overall_due")}


def _omitted(family: str, variant: str) -> dict[str, str]:
    omitted = {"urgent_approve": "仅临时救助（急难型）可由乡镇（街道）先行审批"}
    if variant == NATIONAL:
        omitted["evaluate"] = f"全国规则（{SUBSISTENCE_RULE}）不设群众评议环节；群众评议为重庆规则（{CQ_RULE}第十八条）"
    if family == TEKUN:
        omitted["extend"] = "《特困人员认定办法》未规定可延长的总办理期限"
    return omitted


def _sequence(variant: str) -> str:
    middle = "信息核对 → 群众评议 → 初审" if variant == CHONGQING else "信息核对 → 初审"
    return f"申请 → 受理 → 入户调查 → {middle} → 公示 → 审核确认"


def _build(program, variant: str) -> Workflow:
    family = program.workflow
    deadlines, state_deadlines = _deadlines(family, variant)
    republication = "publicity_days_after_objection" if variant == CHONGQING and family != TEKUN \
        else "publicity_days"
    return Workflow(
        code=workflow_code(program.code, variant),
        name=f"{program.application_label}申请（{'重庆' if variant == CHONGQING else '全国'}规则）",
        resource=RESOURCE, program=program.code, states=STATES, initial="submitted", terminal=TERMINAL,
        transitions=_transitions(family, variant), deadlines=deadlines, state_deadlines=state_deadlines,
        sequence=_sequence(variant), step_labels={"authorise": "电子授权"}, detail="application",
        options={"variant": variant, "republication_key": republication, "omitted": _omitted(family, variant)})


def _build_variants(program) -> list[Workflow]:
    return [_build(program, variant) for variant in VARIANTS]


def register_all() -> None:
    for family, label in FAMILIES.items():
        family_register(family, label, _build_variants)
