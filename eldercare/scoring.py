"""GB/T 42195-2022 scoring (评分与等级判定): item scores → dimension scores and total → 初步等级 by band → 最终等级
after the 等级变更 rules. Pure functions over the standard's rows (`StandardData`), so the rules are tested at
every boundary without a database and a revised standard is a data change.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Band:
    level: int
    name: str
    low: int
    high: int


@dataclass(frozen=True)
class StandardData:
    """One standard as plain values: items {code: (dimension, max)}, dimensions {code: name}, bands, and the
    等级变更 figures."""

    items: dict[str, tuple[str, int]]
    dimensions: dict[str, str]
    bands: tuple[Band, ...]
    risk_events_raise: int = 2
    diagnosis_prefixes: tuple[str, ...] = ("F",)
    max_level: int = 4


@dataclass
class Result:
    total: int
    dimension_scores: dict[str, int]
    preliminary_level: int
    level: int
    adjustments: list[str] = field(default_factory=list)


def scores_check(data: StandardData, scores: dict) -> dict[str, int]:
    """Every item present once, known, an integer from 0 to its maximum; errors name the item."""
    if not isinstance(scores, dict):
        raise ValidationError({"items": ["应为 {指标代码: 得分} 的对象"]})
    errors: dict[str, list[str]] = {}
    for code in scores:
        if code not in data.items:
            errors[code] = [f"未知的评估指标：{code}"]
    clean: dict[str, int] = {}
    for code, (_, top) in data.items.items():
        value = scores.get(code)
        if value is None:
            errors[code] = [f"缺少评估指标 {code} 的得分"]
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            errors[code] = [f"评估指标 {code} 的得分应为 0 至 {top} 的整数"]
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    return clean


def preliminary_level(data: StandardData, total: int) -> int:
    """初步等级: the band containing the total."""
    for band in data.bands:
        if band.low <= total <= band.high:
            return band.level
    raise ValidationError({"total": [f"总分 {total} 不在任何等级范围内"]})


def is_raising_diagnosis(data: StandardData, code: str) -> bool:
    """痴呆 (F00–F03) or another 精神和行为障碍 (F04–F99): an ICD-10 code starting with a listed prefix."""
    return any(str(code).strip().upper().startswith(p) for p in data.diagnosis_prefixes)


def final_level(data: StandardData, preliminary: int, *, coma: bool, diagnoses: list[str],
                risk_events_30d: int) -> tuple[int, list[str]]:
    """最终等级 (附录C.4 等级变更): coma → the highest level whatever the total; a dementia or psychiatric
    diagnosis → +1; risk events in the last 30 days at or above the threshold → +1; capped at the highest level."""
    if coma:
        return data.max_level, ["昏迷，直接评定为完全失能"]
    level, reasons = preliminary, []
    raising = [code for code in diagnoses if is_raising_diagnosis(data, code)]
    if raising:
        level += 1
        reasons.append(f"确诊痴呆或精神和行为障碍（{'、'.join(raising)}），提高一级")
    if risk_events_30d >= data.risk_events_raise:
        level += 1
        reasons.append(f"近30天发生照护风险事件{risk_events_30d}次，提高一级")
    if level > data.max_level:
        level = data.max_level
        reasons.append("等级以完全失能为上限")
    return level, reasons


def score(data: StandardData, scores: dict, *, coma: bool = False, diagnoses: list[str] | None = None,
          risk_events_30d: int = 0) -> Result:
    clean = scores_check(data, scores)
    dims = {code: 0 for code in data.dimensions}
    for code, value in clean.items():
        dims[data.items[code][0]] += value
    total = sum(dims.values())
    prelim = preliminary_level(data, total)
    level, reasons = final_level(data, prelim, coma=coma, diagnoses=diagnoses or [], risk_events_30d=risk_events_30d)
    return Result(total=total, dimension_scores=dims, preliminary_level=prelim, level=level, adjustments=reasons)
