"""人员情况导入 (person_facts): 户籍地, 婚姻状况, 劳动能力, 就业状况, 重特大疾病 of people already registered,
one row per person, each fact valid from the row's 起始日期.

A separate file type beside 居民及家庭信息 rather than more columns in it: that import's commit is set-based SQL
over its own temporary tables (persons_households_sql), and a fact needs the registry's rule "a new value closes
the open one the day before", which `registry.facts.person_facts_record_bulk` keeps. A person is found by the ID
number under the same name; a row for someone not registered or outside the user's area is an error.
"""

from datetime import date

from django.core.exceptions import ValidationError

from accounts.policy import area_in_scope
from imports.models import StagedRow
from imports.schemas.base import CellError, Column, Context, Schema, choice, chunked, reject, text
from registry.facts import FactInput, hukou_place_code, person_facts_record_bulk
from registry.identity import InvalidIdNumber, parse_id_number
from registry.models import Employment, LabourCapacity, MaritalStatus, Person, PersonFact

FACT_KEYS = {"hukou_place": PersonFact.Kind.HUKOU_PLACE, "marital": PersonFact.Kind.MARITAL,
             "labour": PersonFact.Kind.LABOUR, "employment": PersonFact.Kind.EMPLOYMENT,
             "illness": PersonFact.Kind.SERIOUS_ILLNESS}


def _id_number(value: str) -> str:
    try:
        return parse_id_number(value).number
    except InvalidIdNumber as exc:
        raise CellError(str(exc)) from exc


def _hukou(value: str) -> str:
    try:
        return hukou_place_code(value)
    except ValidationError as exc:
        raise CellError("「户籍地代码」" + exc.messages[0]) from exc


def _day(label: str):
    def parse(value: str) -> str:
        for separator in ("-", "/", "."):
            parts = value.strip().split(separator)
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                try:
                    day = date(int(parts[0]), int(parts[1]), int(parts[2]))
                except ValueError:
                    break
                if day > date.today():
                    raise CellError(f"「{label}」不能晚于今天（填写的是“{value}”）")
                return day.isoformat()
        raise CellError(f"「{label}」应为日期，如 2026-01-31（填写的是“{value}”）")

    return parse


COLUMNS = (
    Column("id_number", "身份证号", _id_number, required=True, examples=("500106198001010116",)),
    Column("name", "姓名", text("姓名", 50), required=True, examples=("张三",)),
    Column("valid_from", "起始日期", _day("起始日期"), required=True, examples=("2026-01-01",),
           help="本行各项情况自该日起适用"),
    Column("hukou_place", "户籍地代码", _hukou, examples=("500106000000",),
           help="6位、9位或12位区划代码，可为本区以外"),
    Column("marital", "婚姻状况", choice("婚姻状况", MaritalStatus), examples=("已婚",)),
    Column("labour", "劳动能力", choice("劳动能力", LabourCapacity), examples=("有劳动能力",)),
    Column("employment", "就业状况", choice("就业状况", Employment), examples=("灵活就业",)),
    Column("illness", "重特大疾病", text("重特大疾病", 100), examples=("",), help="病种名称；填写时须填确诊日期"),
    Column("diagnosed_on", "确诊日期", _day("确诊日期"), examples=("",)),
)


def row_check(raw: dict[str, str], clean: dict) -> list[str]:
    errors = []
    if not any(raw.get(key) for key in FACT_KEYS):
        errors.append("至少填写一项人员情况（户籍地代码、婚姻状况、劳动能力、就业状况或重特大疾病）")
    if raw.get("illness") and not raw.get("diagnosed_on"):
        errors.append("填写「重特大疾病」时须填写「确诊日期」")
    return errors


def db_check(ctx: Context, rows: list[StagedRow]) -> None:
    """The person by ID number (one query per chunk): the same name, in the user's area."""
    by_number = {r.clean["id_number"]: r for r in rows if r.clean.get("id_number")}
    found = {}
    for numbers in chunked(sorted(by_number)):
        found |= {n: (pk, name, area) for n, pk, name, area in
                  Person.objects.filter(id_number__in=numbers).values_list("id_number", "id", "name", "area")}
    for number, row in by_number.items():
        if number not in found:
            reject(row, "该身份证号未在居民信息库登记，请先登记人员")
            continue
        pk, name, area = found[number]
        if name != row.clean.get("name"):
            reject(row, "该身份证号已登记，但登记的姓名与本行「姓名」不一致")
        elif not area_in_scope(ctx.user, area):
            reject(row, "该人员不在您的管辖范围内")
        else:
            row.clean["person_id"] = pk


def commit(ctx: Context, rows: list[StagedRow]) -> dict[str, int]:
    items = []
    for row in rows:
        clean = row.clean
        start = date.fromisoformat(clean["valid_from"])
        diagnosed = date.fromisoformat(clean["diagnosed_on"]) if clean.get("diagnosed_on") else None
        items += [FactInput(clean["person_id"], kind, clean[key], start, diagnosed if key == "illness" else None)
                  for key, kind in FACT_KEYS.items() if clean.get(key)]
    return person_facts_record_bulk(items=items, source="导入", acting_user=ctx.user)


SCHEMA = Schema(
    key="person_facts",
    title="人员情况（户籍地、婚姻、劳动能力、就业、重病）",
    description="每行一名已登记人员；各项情况自「起始日期」起适用，原有情况截止到前一日。",
    columns=COLUMNS,
    row_check=row_check,
    db_check=db_check,
    unique_key="id_number",
    commit=commit,
)
