"""单人户 (single-person household): in a 低保边缘家庭 — income above the 低保 line but below the 低保边缘 line —
a seriously disabled or seriously ill member may be enrolled in 低保 alone (《最低生活保障审核确认办法》第八条;
RULES.md §1.1 and §3: 一级、二级残疾, 三级智力或精神残疾, 重特大疾病). Eligibility and amount are then worked on
that member alone: household size 1, their own income; the rest of the household is not enrolled.

The ground is never taken on the officer's word: it must be backed by the registry on the day — a current
残疾人证 of a qualifying grade (registry.Disability) or a 重特大疾病 fact (registry.facts). The application
keeps the member and the ground in its inputs (`single_person`, `single_person_ground`), so the quote, the
re-check and the re-rating all work on the same member.
"""

from datetime import date

from django.core.exceptions import ValidationError

from registry.facts import has_serious_illness
from registry.models import Disability

GROUNDS = {"disability": "重度残疾（一级、二级残疾，或三级智力、精神残疾）", "serious_illness": "患重特大疾病"}
# The least severe grade that still qualifies, by 残疾类别 (grade 1 is the most severe): 一级、二级 of every
# category, and 三级 for 智力 and 精神 (第八条).
MAX_GRADE = {"intellectual": 3, "mental": 3}
DEFAULT_MAX_GRADE = 2
RULE = "《最低生活保障审核确认办法》第八条"


def qualifying_disability(person_id: int) -> Disability | None:
    """The member's current 残疾人证 of a qualifying grade, the most severe first; None if there is none."""
    for disability in Disability.objects.filter(person_id=person_id, is_current=True).order_by("grade", "id"):
        if disability.grade <= MAX_GRADE.get(disability.category, DEFAULT_MAX_GRADE):
            return disability
    return None


def ground_evidence(*, person_id: int, name: str, ground: str, on: date) -> tuple[str, str]:
    """(the registry record backing the ground, "") or ("", the refusal naming the member and what is missing)."""
    if ground == "disability":
        disability = qualifying_disability(person_id)
        if disability is None:
            return "", (f"{name}没有一级、二级残疾或三级智力、精神残疾的有效残疾人证登记，"
                        f"不能以重度残疾单人户申请（{RULE}）")
        return f"残疾人证：{disability}", ""
    if ground == "serious_illness":
        if not has_serious_illness(person_id, on):
            return "", f"{name}在{on:%Y-%m-%d}没有重特大疾病登记，不能以重病单人户申请（{RULE}）"
        return "重特大疾病登记", ""
    raise ValidationError({"single_person_ground": [
        "single_person_ground（单人户事由）应为：" + "、".join(f"{k}（{v}）" for k, v in GROUNDS.items())]})


def single_person_check(*, household, person_id, ground: str, on: date) -> None:
    """At submission: the member is an active member of the household and the ground is on record; a
    ValidationError naming the field otherwise (nothing is saved)."""
    member = household.members.filter(person_id=person_id, is_active=True).select_related("person").first()
    if member is None:
        raise ValidationError({"single_person": ["单人户申请的成员不是该家庭的在户成员"]})
    _, refusal = ground_evidence(person_id=member.person_id, name=member.person.name, ground=ground, on=on)
    if refusal:
        raise ValidationError({"single_person_ground": [refusal]})
