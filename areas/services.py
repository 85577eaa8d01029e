"""Area actions: load an NBS edition, apply its changes without losing the history of records on old codes."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.apps import apps
from django.db import models, transaction

from areas.models import Area, AreaChange, AreaLevel


class AreaFileError(ValueError):
    """A line of an area file is wrong; the message names the line."""


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    level: str
    parent_code: str


def read_area_file(path: Path) -> list[AreaRow]:
    """Read `code,name,level,parent_code` rows, checking each line before anything is saved."""
    rows: list[AreaRow] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line_no, raw in enumerate(csv.DictReader(handle), start=2):
            row = AreaRow(*(str(raw.get(k) or "").strip() for k in ("code", "name", "level", "parent_code")))
            if len(row.code) != 12 or not row.code.isdigit():
                raise AreaFileError(f"第{line_no}行：区划代码应为12位数字（{row.code!r}）")
            if row.level not in AreaLevel.values:
                raise AreaFileError(f"第{line_no}行：层级应为 district/town/community（{row.level!r}）")
            if not row.name:
                raise AreaFileError(f"第{line_no}行：名称不能为空")
            rows.append(row)
    return rows


@transaction.atomic
def areas_load(*, rows: list[AreaRow], edition: str = "", valid_from: date | None = None) -> int:
    """Insert or update the areas of one district (parents first). Returns how many rows were written."""
    order = {AreaLevel.DISTRICT: 0, AreaLevel.TOWN: 1, AreaLevel.COMMUNITY: 2}
    known = set(Area.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True))
    codes_in_file = {r.code for r in rows}
    for row in sorted(rows, key=lambda r: order[r.level]):
        parent_id = row.parent_code if row.parent_code in codes_in_file or _exists(row.parent_code) else None
        fields = {"name": row.name, "level": row.level, "parent_id": parent_id, "edition": edition, "valid_to": None}
        if row.code in known:
            Area.objects.filter(code=row.code).update(**fields)
        else:
            Area.objects.create(code=row.code, valid_from=valid_from, **fields)
    return len(rows)


def _exists(code: str) -> bool:
    return bool(code) and Area.objects.filter(code=code).exists()


def scoped_models() -> list[type[models.Model]]:
    """Every model whose records point at an area: these follow an area through a merge."""
    found = []
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "area" and f.is_relation), None)
        if field is not None and field.related_model is Area:
            found.append(model)
    return found


@transaction.atomic
def area_change_apply(*, edition: str, kind: str, old_code: str = "", new_code: str = "", new_name: str = "",
                      effective: date | None = None) -> AreaChange:
    """Apply one change of a new NBS edition.

    rename: same code, new name (the old name stays in the change row).
    merge:  old area end-dated; its records move to the new code in one UPDATE per model.
    split:  old area end-dated; its records stay on the old code until staff reassign them (a split
            cannot be decided by data alone), and they are listed as such on the area page.
    new / retire: create or end-date a code.
    """
    effective = effective or date.today()
    change = AreaChange(edition=edition, kind=kind, old_code=old_code, new_code=new_code, new_name=new_name)
    if kind == AreaChange.Kind.RENAME:
        area = Area.objects.get(code=old_code)
        change.old_name = area.name
        Area.objects.filter(code=old_code).update(name=new_name, edition=edition)
    elif kind == AreaChange.Kind.MERGE:
        old = Area.objects.get(code=old_code)
        change.old_name = old.name
        target = Area.objects.get(code=new_code)
        change.records_moved = _move_records(old=old, target=target)
        Area.objects.filter(code=old_code).update(valid_to=effective)
    elif kind in (AreaChange.Kind.SPLIT, AreaChange.Kind.RETIRE):
        change.old_name = Area.objects.get(code=old_code).name
        Area.objects.filter(code=old_code).update(valid_to=effective)
    elif kind == AreaChange.Kind.NEW:
        parent = Area.objects.get(code=_parent_code_of(new_code))
        level = AreaLevel.COMMUNITY if parent.level == AreaLevel.TOWN else AreaLevel.TOWN
        Area.objects.create(code=new_code, name=new_name, level=level, parent=parent, valid_from=effective,
                            edition=edition)
    else:
        raise ValueError(f"未知的区划变更类型：{kind}")
    change.save()
    return change


def _parent_code_of(code: str) -> str:
    if code[9:] != "000":
        return code[:9] + "000"
    return code[:6] + "000000"


def _move_records(*, old: Area, target: Area) -> int:
    """Move every scoped record from a merged area to its successor, logging the move once per model."""
    from audit.services import change_log_bulk_area_move

    moved = 0
    for model in scoped_models():
        ids = list(model._default_manager.filter(area_id=old.code).values_list("pk", flat=True))
        if not ids:
            continue
        model._default_manager.filter(area_id=old.code).update(area_id=target.code)
        change_log_bulk_area_move(model=model, ids=ids, old_code=old.code, new_code=target.code)
        moved += len(ids)
    return moved
