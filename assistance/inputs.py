"""Checking what an officer enters on an application (申请与调查事项), before a service uses it.

Kept apart from services.py so the business actions read as steps; every function raises Django's
ValidationError naming the field, in Chinese.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from assistance.single_person import GROUNDS as SINGLE_PERSON_GROUNDS
from programs.calculations.money import money
from programs.models import CareLevel, SupportMode

LINSHI_KINDS = {"jinan": "急难型", "zhichu": "支出型"}
# 生活自理能力 six items (《特困人员认定办法》第二十一条至第二十三条).
SELF_CARE_ITEMS = {"eating": "自主吃饭", "dressing": "自主穿衣", "bed_transfer": "自主上下床", "toileting": "自主如厕",
                   "indoor_walking": "室内自主行走", "bathing": "自主洗澡"}
INPUT_KEYS = ("care_level", "support_mode", "no_supporter", "linshi_kind", "amount", "rigid_expenditure",
              "income_12m", "single_person", "single_person_ground")
MAX_MISSING = 50
AMOUNT_LABELS = {"amount": "临时救助金额", "rigid_expenditure": "近12个月刚性支出合计",
                 "income_12m": "近12个月家庭总收入"}


def _choice(value, field: str, choices: dict[str, str]) -> str:
    if value not in choices:
        options = "、".join(f"{k}（{v}）" for k, v in choices.items())
        raise ValidationError({field: [f"{field} 应为：{options}"]})
    return value


def amount_text(value, field: str, label: str) -> str:
    """A money input kept in the case as a two-decimal string (JSON-safe, exact)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{field}（{label}）应为金额（元）"]}) from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e9"):
        raise ValidationError({field: [f"{field}（{label}）应为不小于0的金额（元）"]})
    return money(number)


def clean_inputs(raw: dict | None) -> dict:
    """The quote inputs of an application (护理等级、供养方式、无法定义务人、临时救助类型与金额、刚性支出 …)."""
    raw = raw or {}
    cleaned: dict = {}
    for key in INPUT_KEYS:
        value = raw.get(key)
        if value is None or value == "":
            continue
        if key == "care_level":
            cleaned[key] = _choice(value, key, dict(CareLevel.choices))
        elif key == "support_mode":
            cleaned[key] = _choice(value, key, dict(SupportMode.choices))
        elif key == "linshi_kind":
            cleaned[key] = _choice(value, key, LINSHI_KINDS)
        elif key == "single_person":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValidationError({key: ["single_person（单人户申请的成员）应为人员编号"]})
            cleaned[key] = value
        elif key == "single_person_ground":
            cleaned[key] = _choice(value, key, SINGLE_PERSON_GROUNDS)
        elif key == "no_supporter":
            if not isinstance(value, bool):
                raise ValidationError({key: ["no_supporter 应为 true 或 false"]})
            cleaned[key] = value
        else:
            cleaned[key] = amount_text(value, key, AMOUNT_LABELS[key])
    if ("single_person" in cleaned) != ("single_person_ground" in cleaned):
        raise ValidationError({"single_person_ground": [
            "单人户申请须同时指明成员（single_person）和事由（single_person_ground）"]})
    return cleaned


def care_level_from_self_care(failed: list | None, stated: str | None) -> tuple[str | None, list[str]]:
    """护理等级 from the six 生活自理 items failed: none → 全自理, 1–3 → 半护理, 4 or more → 全护理.

    An explicitly stated level must agree with the items when both are given.
    """
    if failed is None:
        return stated, []
    if not isinstance(failed, list) or any(item not in SELF_CARE_ITEMS for item in failed):
        options = "、".join(f"{k}（{v}）" for k, v in SELF_CARE_ITEMS.items())
        raise ValidationError({"self_care_failed": [f"self_care_failed 应为未能完成的项目列表，可选：{options}"]})
    failed = list(dict.fromkeys(failed))
    level = CareLevel.SELF if not failed else CareLevel.HALF if len(failed) <= 3 else CareLevel.FULL
    if stated and stated != level:
        raise ValidationError({"care_level": [
            f"护理等级与生活自理能力评估不一致：{len(failed)}项不能自理应为“{CareLevel(level).label}”"]})
    return level, failed


def clean_missing(missing) -> list[str]:
    """一次性告知: the list of everything missing, each item a short text."""
    if missing is None:
        return []
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise ValidationError({"missing": ["missing（需补正材料）应为文字列表"]})
    items = [m.strip() for m in missing if m.strip()]
    if len(items) > MAX_MISSING or any(len(m) > 200 for m in items):
        raise ValidationError({"missing": [f"需补正材料最多 {MAX_MISSING} 项，每项不超过200字"]})
    return list(dict.fromkeys(items))


def required_text(value, field: str, message: str, limit: int = 2000) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: [f"{field} 应为文字"]})
    if not text:
        raise ValidationError({field: [message]})
    if len(text) > limit:
        raise ValidationError({field: [f"{field} 不超过{limit}字"]})
    return text
