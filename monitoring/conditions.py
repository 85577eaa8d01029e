"""规则条件 (rule conditions): a small, safe vocabulary compiled to ORM filters over `DeptRecord` — never eval().

A condition is JSON:

- `{"all": [c, …]}`, `{"any": [c, …]}`, `{"not": c}` — combinations;
- `{"field": "payload.<key>" | "event_date", "op": "=", "!=", ">", ">=", "<", "<=", "in" or "prefix",
  "value": … | "param": "<policy parameter key>"}` — a comparison; numbers (and parameters) compare as
  decimals (payload values are stored as exact decimal strings and cast), text compares as text; "prefix"
  takes a text of digits (a code's leading part, e.g. the district's "500106" in a 迁往地区划代码);
- `{"enrolled_in": ["dibao", …]}` / `{"not_enrolled_in": [...]}` — the person, or the household they are an
  active member of, holds an open enrolment (正常享受 or 渐退) in one of these programmes;
- `{"enrolled": true}` / `{"not_enrolled": true}` — in any programme;
- `{"person_status": "active" | "deceased" | "moved_out"}`;
- `{"household_income": {"op": ">" | ">=" | "<" | "<=", "add": "payload.<key>", "times": "<program>:<key>"}}` —
  the monthly per-capita income of the person's household (家庭月人均收入: counted incomes minus deductible
  刚性支出 of the active members whose months cover the current month, floored at zero; plus the record's
  `add` amount when given) compared with the 低保 standard of the household's 户籍类型 (`dibao:standard_urban`
  or `dibao:standard_rural`), multiplied by the parameter `times` when given (e.g.
  `dibao_bianyuan:bianyuan_multiplier` for "near the line"). Compared as total ⋚ standard × members, so no
  division happens in SQL; a person in no household counts as a household of one with their own incomes.

`{}` matches every record of the feed. A parameter is resolved when the rule runs (general parameter in force
for the district today); a missing one stops that rule with a reviewable failure.
"""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Greatest

from programs.models import OPEN_STATUSES, Enrolment
from registry.models import Household, HouseholdMember, Income, Person

OPS = {"=": "exact", "!=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "in": "in",
       "prefix": "startswith"}
FIELD = re.compile(r"^(payload\.[a-z_][a-z0-9_]{0,39}|event_date)$")
CODE = re.compile(r"^[a-z0-9_-]{1,40}$")
PROGRAM_PARAM = re.compile(r"^[a-z0-9_-]{1,40}:[a-z0-9_-]{1,40}$")
INCOME_OPS = (">", ">=", "<", "<=")
MAX_DEPTH = 6
NUMBER = DecimalField(max_digits=18, decimal_places=4)


class ConditionError(ValidationError):
    """The condition is not in the vocabulary; the message is Chinese and names the part."""


class Compiled:
    """A compiled condition: the filter and the aliases (casts of payload values) it refers to."""

    def __init__(self) -> None:
        self.aliases: dict = {}
        self.params: dict[str, Decimal] = {}
        self.today = date.today()

    def alias(self, expression) -> str:
        name = f"_c{len(self.aliases)}"
        self.aliases[name] = expression
        return name


def _fail(message: str) -> None:
    raise ConditionError({"condition": [message]})


def compile_condition(condition: dict, *, param: Callable[[str], Decimal],
                      today: date | None = None) -> tuple[Q, dict, dict]:
    """(filter, aliases, parameters used) for `DeptRecord.objects.alias(**aliases).filter(filter)`.

    `param` takes a general key ("medical_warning_threshold") or a programme's ("dibao:standard_urban").
    """
    if not isinstance(condition, dict):
        _fail("条件应为对象（JSON）")
    compiled = Compiled()
    compiled.today = today or date.today()
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
        q = _enrolled_q(codes)
        return q if "enrolled_in" in node else ~q
    if keys in ({"enrolled"}, {"not_enrolled"}):
        if node.get("enrolled", node.get("not_enrolled")) is not True:
            _fail("enrolled / not_enrolled 的值应为 true")
        q = _enrolled_q(None)
        return q if "enrolled" in node else ~q
    if keys == {"person_status"}:
        if node["person_status"] not in Person.Status.values:
            _fail("person_status 应为 active、deceased 或 moved_out")
        return Q(person__status=node["person_status"])
    if keys == {"household_income"}:
        return _household_income(node["household_income"], compiled, param)
    _fail(f"不认识的条件：{'、'.join(sorted(str(k) for k in keys))}")
    return Q()  # unreachable


def _enrolled_q(codes: list[str] | None) -> Q:
    """Open enrolments held by the record's person or by a household they are an active member of.

    Two EXISTS joined by OR (not one EXISTS over `person = x OR household IN (…)`): each is an index probe, while
    the single OR form made PostgreSQL scan the enrolments once per record (25 s for 2,000 records at 10,000
    enrolments in bench/monitoring.py)."""
    open_rows = Enrolment.objects.filter(status__in=OPEN_STATUSES)
    if codes:
        open_rows = open_rows.filter(program_id__in=codes)
    by_person = open_rows.filter(person_id=OuterRef("person_id"))
    by_household = open_rows.filter(household__members__person_id=OuterRef("person_id"),
                                    household__members__is_active=True)
    return Q(Exists(by_person)) | Q(Exists(by_household))


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
    elif op == "prefix":
        if not isinstance(value, str) or not value.isdigit() or len(value) > 20:
            _fail("op 为 prefix 时 value 应为不超过20位的数字文本，如区划代码前缀")
    elif not numeric and not isinstance(value, str):
        _fail("value 应为数字或文本")
    if field == "event_date":
        if numeric or op in ("in", "prefix"):
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


def _household_income(spec, compiled: Compiled, param) -> Q:
    """家庭月人均收入 vs (低保标准 × times): total + add ⋚ standard × times × members, one row per record."""
    if not isinstance(spec, dict) or set(spec) - {"op", "add", "times"}:
        _fail("household_income 应为对象，只能有 op、add、times")
    op, add, times = spec.get("op"), spec.get("add"), spec.get("times")
    if op not in INCOME_OPS:
        _fail(f"household_income 的 op 应为以下之一：{' '.join(INCOME_OPS)}")
    if add is not None and (not isinstance(add, str) or not FIELD.match(add) or add == "event_date"):
        _fail("household_income 的 add 应为 payload.<字段名>")
    if times is not None and (not isinstance(times, str) or not PROGRAM_PARAM.match(times)):
        _fail("household_income 的 times 应为 项目代码:参数代码，如 dibao_bianyuan:bianyuan_multiplier")
    factor = Decimal(1)
    if times is not None:
        factor = Decimal(str(param(times)))
        compiled.params[times] = factor
    urban, rural = (Decimal(str(param(f"dibao:{key}"))) for key in ("standard_urban", "standard_rural"))
    compiled.params |= {"dibao:standard_urban": urban, "dibao:standard_rural": rural}
    month = compiled.today.replace(day=1)
    home = compiled.alias(Subquery(HouseholdMember.objects.filter(person_id=OuterRef("person_id"), is_active=True)
                                   .values("household_id")[:1]))
    covering = Q(start_month__lte=month) & (Q(end_month__isnull=True) | Q(end_month__gte=month))

    def summed(rows, group: str, kind: str):
        rows = rows.filter(covering, category__kind=kind).order_by().values(group)
        return Coalesce(Subquery(rows.annotate(s=Sum("monthly_amount")).values("s")[:1]), Value(Decimal(0)),
                        output_field=NUMBER)

    # Incomes of members still active in the household (a departed member's income no longer counts).
    in_household = Income.objects.filter(household_id=OuterRef(home), person__status="active",
                                         person__memberships__household_id=F("household_id"),
                                         person__memberships__is_active=True)
    own = Income.objects.filter(person_id=OuterRef("person_id"))
    household_total = Greatest(summed(in_household, "household_id", "counted")
                               - summed(in_household, "household_id", "deductible"), Value(Decimal(0)),
                               output_field=NUMBER)
    own_total = Greatest(summed(own, "person_id", "counted") - summed(own, "person_id", "deductible"),
                         Value(Decimal(0)), output_field=NUMBER)
    size = Subquery(HouseholdMember.objects.filter(household_id=OuterRef(home), is_active=True,
                                                   person__status="active")
                    .order_by().values("household_id").annotate(n=Count("id")).values("n")[:1],
                    output_field=IntegerField())
    hukou = Subquery(Household.objects.filter(pk=OuterRef(home)).values("hukou_type")[:1])
    standard = Case(When(Q(**{f"{home}__isnull": False}) & Q(_hukou="rural"), then=Value(rural * factor)),
                    default=Value(urban * factor), output_field=NUMBER)
    total = Case(When(Q(**{f"{home}__isnull": True}), then=own_total), default=household_total, output_field=NUMBER)
    members = Case(When(Q(**{f"{home}__isnull": True}), then=Value(1)), default=Coalesce(size, Value(1)),
                   output_field=IntegerField())
    if add is not None:
        extra = Cast(KeyTextTransform(add.split(".", 1)[1], "payload"), NUMBER)
        total = total + Coalesce(extra, Value(Decimal(0)), output_field=NUMBER)
    compiled.aliases["_hukou"] = hukou
    left = compiled.alias(total)
    right = compiled.alias(ExpressionWrapper(standard * members, output_field=NUMBER))
    return Q(**{f"{left}__{OPS[op]}": F(right)})
