"""Code lists and cell parsers of the department feeds declared after the first eight (户籍变动, 重特大疾病,
防止返贫监测对象, 婚姻登记, 火化/殡葬) — kept apart from `monitoring.feeds` so that module's machinery stays one
piece. Each code list is a `TextChoices`: a cell may hold the code or its Chinese label (or a listed alias), the
stored payload holds the code, and rules compare codes (`{"field": "payload.change_type", "op": "=", "value":
"move_out"}`), never free text.
"""

import re

from django.db import models

from imports.schemas.base import CellError, Parser


class HukouChange(models.TextChoices):
    """户籍变动类型 (公安). Deaths come in their own feed (`death`)."""

    MOVE_IN = "move_in", "迁入"
    MOVE_OUT = "move_out", "迁出"
    BIRTH = "birth", "出生登记"
    SPLIT = "split", "分户"
    MERGE = "merge", "合户"
    CANCEL = "cancel", "户口注销（非死亡）"
    UPDATE = "update", "登记事项变更"


HUKOU_ALIASES = {"户口迁入": "move_in", "迁入登记": "move_in", "户口迁出": "move_out", "迁出登记": "move_out",
                 "出生": "birth", "户口注销": "cancel", "注销": "cancel", "变更": "update", "变更更正": "update"}


class MonitorKind(models.TextChoices):
    """防止返贫监测对象类型 (农业农村)."""

    UNSTABLE = "unstable", "脱贫不稳定户"
    EDGE = "edge", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class RiskStatus(models.TextChoices):
    """监测状态: only a household whose risk is not yet cleared needs assistance looked at."""

    AT_RISK = "at_risk", "风险未消除"
    CLEARED = "cleared", "风险已消除"


RISK_ALIASES = {"未消除": "at_risk", "风险未消除户": "at_risk", "已消除": "cleared", "风险消除": "cleared"}


class RiskCause(models.TextChoices):
    """主要致贫返贫风险."""

    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    ACCIDENT = "accident", "因意外事故"
    JOBLESS = "jobless", "因务工就业不稳"
    INCOME_DROP = "income_drop", "因产业项目失败或收入骤减"
    OTHER = "other", "其他"


class MarriageKind(models.TextChoices):
    """婚姻登记类型 (民政婚姻登记)."""

    MARRIAGE = "marriage", "结婚登记"
    DIVORCE = "divorce", "离婚登记"
    REMARRIAGE = "remarriage", "复婚登记"


MARRIAGE_ALIASES = {"结婚": "marriage", "离婚": "divorce", "复婚": "remarriage"}


class FuneralKind(models.TextChoices):
    """殡葬服务类型 (民政殡葬)."""

    CREMATION = "cremation", "火化"
    BURIAL = "burial", "土葬（划定土葬改革区）"


ICD10 = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?")


def icd10_code(label: str) -> Parser:
    """An ICD-10 diagnosis code such as C34.9 (upper-cased; the 卫健 file may write it in lower case)."""

    def parse(value: str) -> str:
        code = value.strip().upper()
        if not ICD10.fullmatch(code):
            raise CellError(f"「{label}」应为ICD-10疾病编码，如 C34.9（填写的是“{value}”）")
        return code

    return parse


def area_code(label: str) -> Parser:
    """A 6-digit 行政区划代码 of a county, or a 9/12-digit town or community code (kept as given): where a person
    moved to. Rules test it by prefix against the district's code."""

    def parse(value: str) -> str:
        code = value.strip()
        if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", code):
            raise CellError(f"「{label}」应为6位区县代码或9位、12位区划代码（填写的是“{value}”）")
        return code

    return parse


def code_lists() -> dict[str, dict[str, type[models.TextChoices]]]:
    """feed → payload key → its code list, so pages can show a stored code as its Chinese label."""
    from registry.models import Disability

    return {"hukou": {"change_type": HukouChange},
            "relapse_watch": {"monitor_kind": MonitorKind, "risk_status": RiskStatus, "risk_cause": RiskCause},
            "marriage": {"kind": MarriageKind},
            "funeral": {"service_kind": FuneralKind},
            "disability": {"category": Disability.Category}}
