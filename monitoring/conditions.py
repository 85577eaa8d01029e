"""规则条件 (rule conditions): a small, safe vocabulary compiled to ORM filters over `DeptRecord` — never eval().

A condition is JSON:

- `{"all": [c, …]}`, `{"any": [c, …]}`, `{"not": c}` — combinations;
- `{"field": "payload.<key>" | "event_date", "op": "=", "!=", ">", ">=", "<", "<=" or "in",
  "value": … | "param": "<policy parameter key>"}` — a comparison; numbers (and parameters) compare as
  decimals (payload values are stored as exact decimal strings and cast), text compares as text;
- `{"enrolled_in": ["dibao", …]}` / `{"not_enrolled_in": [...]}` — the person, or the household they are an
  active member of, holds an open enrolment (正常享受 or 渐退) in one of these programmes;
- `{"enrolled": true}` / `{"not_enrolled": true}` — in any programme;
- `{"person_status": "active" | "deceased" | "moved_out"}`.

`{}` matches every record of the feed. A parameter is resolved when the rule runs (general parameter in force
for the district today); a missing one stops that rule with a reviewable failure.
"""

import re
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Exists, OuterRef, Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from programs.models import OPEN_STATUSES, Enrolment
from registry.models import HouseholdMember, Person

OPS = {"=": "exact", "!=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "in": "in"}
FIELD = re.compile(r"^(payload\.[a-z_][a-z0-9_]{0,39}|event_date)$")
CODE = re.compile(r"^[a-z0-9_-]{1,40}$")
MAX_DEPTH = 6
NUMBER = DecimalField(max_digits=18, decimal_places=4)


class ConditionError(ValidationError):
    """The condition is not in the vocabulary; the message is Chinese and names the part."""


class Compiled:
    """A compiled condition: the filter and the aliases (casts of payload values) it refers to."""

    def __init__(self) -> None:
        self.aliases: dict = {}
        self.params: dict[str, Decimal] = {}

    def alias(self, expression) -> str:
        name = f"_c{len(self.aliases)}"
        self.aliases[name] = expression
        return name


def _fail(message: str) -> None:
    raise ConditionError({"condition": [message]})


def compile_condition(condition: dict, *, param: Callable[[str], Decimal]) -> tuple[Q, dict, dict]:
    """(filter, aliases, parameters used) for `DeptRecord.objects.alias(**aliases).filter(filter)`."""
    if not isinstance(condition, dict):
        _fail("条件应为对象（JSON）")
    compiled = Compiled()
    q = _node(condition, compiled, param, 0)
    return q, compiled.aliases, compiled.params


def condition_check(condition: dict) -> None:
    """Is the condition in the vocabulary? (Parameters are not looked up: any key compiles.)"""
    compile_condition(condition, param=lambda key: Decimal(0))


def _node(node, compiled: Compiled, param, depth: int) -> Q:
    if depth > MAX_DEPTH:
        _fail(f"条件嵌套不能超过{MAX_DEPTH}层")
    if not isinstance(node, dict):
        _fail("条件的每一项都应为对象（JSON）")
    if not node:
        return Q()
    keys = set(node)
    if keys == {"all"} or keys == {"any"}:
        parts = node.get("all", node.get("any"))
        if not isinstance(parts, list) or not parts:
            _fail("all / any 应为非空列表")
        q = Q() if "all" in node else Q(pk__in=[])
        for part in parts:
            sub = _node(part, compiled, param, depth + 1)
            q = q & sub if "all" in node else q | sub
        return q
    if keys == {"not"}:
        return ~_node(node["not"], compiled, param, depth + 1)
    if "field" in keys:
        return _comparison(node, compiled, param)
    if keys in ({"enrolled_in"}, {"not_enrolled_in"}):
        codes = node.get("enrolled_in", node.get("not_enrolled_in"))
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and CODE.match(c) for c in codes):
            _fail("enrolled_in / not_enrolled_in 应为项目代码列表，如 [\"dibao\"]")
        q = Q(Exists(_enrolments(codes)))
        return q if "enrolled_in" in node else ~q
    if keys in ({"enrolled"}, {"not_enrolled"}):
        if node.get("enrolled", node.get("not_enrolled")) is not True:
            _fail("enrolled / not_enrolled 的值应为 true")
        q = Q(Exists(_enrolments(None)))
        return q if "enrolled" in node else ~q
    if keys == {"person_status"}:
        if node["person_status"] not in Person.Status.values:
            _fail("person_status 应为 active、deceased 或 moved_out")
        return Q(person__status=node["person_status"])
    _fail(f"不认识的条件：{'、'.join(sorted(str(k) for k in keys))}")
    return Q()  # unreachable


def _enrolments(codes: list[str] | None):
    """Open enrolments held by the record's person or by a household they are an active member of."""
    households = HouseholdMember.objects.filter(person_id=OuterRef(OuterRef("person_id")), is_active=True)
    rows = Enrolment.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(person_id=OuterRef("person_id")) | Q(household_id__in=households.values("household_id")))
    return rows.filter(program_id__in=codes) if codes else rows


def _comparison(node: dict, compiled: Compiled, param) -> Q:
    field, op = node.get("field"), node.get("op")
    if set(node) - {"field", "op", "value", "param"}:
        _fail("比较条件只能有 field、op、value 或 param")
    if not isinstance(field, str) or not FIELD.match(field):
        _fail("field 应为 payload.<字段名> 或 event_date")
    if op not in OPS:
        _fail(f"op 应为以下之一：{' '.join(OPS)}")
    if ("value" in node) == ("param" in node):
        _fail("比较条件须给出 value 或 param 之一")
    if "param" in node:
        key = node["param"]
        if not isinstance(key, str) or not CODE.match(key):
            _fail("param 应为政策参数代码")
        value = param(key)
        compiled.params[key] = value
    else:
        value = node["value"]
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if op == "in":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            _fail("op 为 in 时 value 应为非空的文本列表")
    elif not numeric and not isinstance(value, str):
        _fail("value 应为数字或文本")
    if field == "event_date":
        if numeric or op == "in":
            _fail("event_date 只能与日期文本（如 2026-01-01）比较")
        target = "event_date"
    else:
        text = KeyTextTransform(field.split(".", 1)[1], "payload")
        # Cast also for text: a bare key transform would compare JSON values (JSON_EXTRACT on SQLite).
        target = compiled.alias(Cast(text, NUMBER if numeric else TextField()))
        if numeric:
            value = Decimal(str(value))
    q = Q(**{f"{target}__{OPS[op]}": value})
    if op == "!=":
        q = ~q
    if target != "event_date":
        # A missing value never satisfies a comparison (also not "!=", which SQL NULL would make unknown).
        q &= Q(**{f"{target}__isnull": False})
    return q
