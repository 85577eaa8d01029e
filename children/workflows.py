"""The recognition workflow of a child category (儿童类别认定): application by the guardian or the community's
child director → 乡镇（街道）受理 and 查验/审核 → 区县民政部门确认 (or not), with working-day limits.

Built for every `Program` row whose `workflow` is "children" (the family registered here) with the actions and
the domain record of a social-assistance application (`assistance.Application`), so `POST /api/applications/`
and its step endpoints serve a child's category exactly as they serve 低保: accept, review (the quote decides
eligibility and the amount, refusing with the rule that failed), confirm (enrolment), reject, withdraw. There is
no 公示 (the child's situation is not published) and no 信息核对 of family finances: the evidence is the
parents' situations recorded on the child's file (`children.services.parent_situation_record`).

Deadlines (PolicyParameter keys of each programme, seeded by migration 0002 with their sources):
`deadline_town_review_wd` from acceptance to the town's review, `deadline_confirm_wd` from the review to the
district's confirmation.
"""

from assistance.workflows import RESOURCE, application_family_register
from casework.workflows import DISTRICT, TOWN, DeadlineRule, Transition, Workflow

FAMILY = "children"
LABEL = "儿童类别认定（申请、乡镇审核、区县确认）"
STATES = {
    "submitted": "已申请（待受理）",
    "materials_requested": "已一次性告知补正材料",
    "accepted": "已受理（待乡镇审核）",
    "reviewed": "乡镇已审核（待区县确认）",
    "confirmed": "已确认",
    "rejected": "不予确认",
    "withdrawn": "已撤回",
}
TERMINAL = frozenset({"confirmed", "rejected", "withdrawn"})
OPEN_STATES = tuple(s for s in STATES if s not in TERMINAL)
RULE = "《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）"


def _transitions() -> tuple[Transition, ...]:
    return (
        Transition("accept", "受理", ("submitted", "materials_requested"), None, "accept", (TOWN,),
                   f"乡镇（街道）受理，{RULE}", queue=True),
        Transition("review", "乡镇审核（查验）", ("accepted",), "reviewed", "review", (TOWN,),
                   f"乡镇（街道）查验并提出审核意见，{RULE}", queue=True),
        Transition("confirm", "区县确认", ("reviewed",), "confirmed", "confirm", (DISTRICT,),
                   f"县级民政部门确认，{RULE}", queue=True, separate_from=("review",),
                   separation_rule="职责分离：本案审核人员不得作出确认决定"),
        Transition("reject", "不予确认", ("reviewed",), "rejected", "reject", (DISTRICT,),
                   f"县级民政部门确认，{RULE}", separate_from=("review",),
                   separation_rule="职责分离：本案审核人员不得作出不予确认决定"),
        Transition("withdraw", "撤回申请", OPEN_STATES, "withdrawn", "withdraw"),
    )


def _build(program, variant: str) -> Workflow:
    review = DeadlineRule("town_review_due", "deadline_town_review_wd", ("accepted_on",), "乡镇审核期限")
    confirm = DeadlineRule("confirmation_due", "deadline_confirm_wd", ("confirmation_base_on",), "区县确认期限")
    return Workflow(
        code=f"{program.code}.{variant}", name=f"{program.application_label}认定", resource=RESOURCE,
        program=program.code, states=STATES, initial="submitted", terminal=TERMINAL, transitions=_transitions(),
        deadlines=(review, confirm), state_deadlines={"accepted": ("town_review_due",),
                                                      "reviewed": ("confirmation_due",)},
        sequence="申请 → 乡镇受理 → 乡镇审核（查验） → 区县确认", detail="application",
        options={"variant": variant, "republication_key": "publicity_days", "omitted": {
            "investigate": "儿童类别认定由乡镇查验父母情况证明，不做家庭经济状况入户调查",
            "verify": "儿童类别认定不核对家庭经济状况", "evaluate": "儿童类别认定不做群众评议",
            "publish": "儿童类别认定不公示（保护儿童隐私）", "extend": "儿童类别认定期限不可延长",
            "urgent_approve": "儿童类别认定无先行救助"}})


def register_all() -> None:
    application_family_register(FAMILY, LABEL, _build)
