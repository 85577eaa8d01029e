"""The records behind an indicator's value (指标明细), as rows a person can read: the kind of record, its number,
the community, the person (ID number masked) and the programme — never an internal code — and as XLSX."""

import io
from datetime import date

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from areas.models import Area
from audit.models import AccessLog
from audit.services import access_log_write
from programs.models import PARAMETER_KEYS
from registry.models import HouseholdMember, Person, Relation

HEADERS = ["类型", "编号", "村社区", "姓名", "身份证号（脱敏）", "项目", "说明"]
EXPORT_LIMIT = 100_000


def _person(obj, heads: dict):
    """The person a record is about: itself, its person, else its household's head (户主)."""
    if isinstance(obj, Person):
        return obj
    if getattr(obj, "person_id", None):
        return obj.person
    return heads.get(getattr(obj, "household_id", None))


def _detail(obj) -> str:
    for attribute in ("get_state_display", "get_status_display", "get_kind_display"):
        method = getattr(obj, attribute, None)
        if callable(method):
            try:
                return str(method())
            except (AttributeError, KeyError):
                continue
    return ""


def record_rows(records: QuerySet) -> list[dict]:
    rows = list(records)
    household_ids = {getattr(obj, "household_id", None) for obj in rows} - {None}
    heads = {m.household_id: m.person for m in HouseholdMember.objects.filter(
        household_id__in=household_ids, relation=Relation.HEAD, is_active=True).select_related("person")}
    areas = dict(Area.objects.filter(code__in={_area_code(obj) for obj in rows}).values_list("code", "name"))
    result = []
    for obj in rows:
        person = _person(obj, heads)
        program = getattr(obj, "program", None) if getattr(obj, "program_id", None) else None
        name = person.name if person is not None else (obj.name if isinstance(obj, Area) else "")
        result.append({"kind": obj._meta.verbose_name, "number": obj.pk,
                       "area": areas.get(_area_code(obj), ""), "name": name,
                       "id_number": person.masked_id_number if person is not None else "",
                       "program": program.name if program is not None else "",
                       "detail": _policy_detail(obj) or _detail(obj)})
    return result


def _area_code(obj) -> str:
    return obj.code if isinstance(obj, Area) else getattr(obj, "area_id", "") or ""


def _policy_detail(obj) -> str:
    if obj._meta.model_name == "policyparameter":
        name, unit = PARAMETER_KEYS.get(obj.key, ("政策参数", ""))
        return f"{name} {obj.value.normalize():f}{unit}（{obj.valid_from:%Y-%m-%d}起；{obj.source}）"
    return ""


def _safe(text) -> str:
    text = str(text)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def records_workbook(*, user, indicator, area: Area, month: date, records: QuerySet) -> tuple[str, bytes]:
    """The records as XLSX (title row, header, rows); the export is written to the access log."""
    rows = record_rows(records[:EXPORT_LIMIT])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    sheet.append([f"{indicator.name} · {area.name} · {month:%Y年%m月} · 明细（共{len(rows)}条）"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(row["kind"]), row["number"], _safe(row["area"]), _safe(row["name"]),
                      row["id_number"], _safe(row["program"]), _safe(row["detail"])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    access_log_write(user=user, kind=AccessLog.Kind.EXPORT, detail={
        "what": "指标明细", "indicator": indicator.code, "area": area.code, "month": f"{month:%Y-%m}",
        "rows": len(rows)})
    return f"指标明细-{indicator.name}-{area.name}-{month:%Y%m}.xlsx", buffer.getvalue()
