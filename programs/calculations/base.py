"""The quote (测算) machinery: registered eligibility and amount functions, and the `Quote` they produce.

A programme names one eligibility function and one amount function by key (`Program.eligibility`,
`Program.calculator`). `quote()` builds a `QuoteContext`, runs the eligibility function (which refuses with
Chinese reasons and writes the lines an officer checks by hand), then — only if nothing was refused — the
amount function. Every policy figure comes from `PolicyParameter` rows through `QuoteContext.param`, which
records the row used (id, source, verified) in the quote.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from minzheng.dates import first_of_month
from programs.calculations.facts import HouseholdFacts, PersonFacts, load_household_facts, load_person_facts
from programs.calculations.money import ZERO, money, round_money
from programs.models import Program

UNVERIFIED = "（未核实）"
# The input that lets a household programme be quoted and enrolled for one person with no household registered
# here: 急难型临时救助 at the place of emergency (急难发生地, no 户籍/居住地 restriction: RULES.md §3).
PERSON_ALONE = "nonresident"

EligibilityFn = Callable[["QuoteContext"], None]
AmountFn = Callable[["QuoteContext"], Decimal]
_ELIGIBILITY: dict[str, EligibilityFn] = {}
_CALCULATORS: dict[str, AmountFn] = {}
_TIERED: set[str] = set()  # amount functions that read 分档 tiers where a district set them (programs.tiers)
_SET_FORMS: dict[str, "SetForm"] = {}
_FACTS_DUE: dict[str, list["FactsDue"]] = {}


def register_eligibility(key: str) -> Callable[[EligibilityFn], EligibilityFn]:
    """Register `fn(ctx)` as the eligibility function named `key`; it calls `ctx.refuse(reason)` to refuse."""
    def decorator(fn: EligibilityFn) -> EligibilityFn:
        _ELIGIBILITY[key] = fn
        return fn
    return decorator


def register_calculator(key: str, *, reads_tiers: bool = False) -> Callable[[AmountFn], AmountFn]:
    """Register `fn(ctx) -> Decimal` as the amount function named `key` (run only when eligible); `reads_tiers`:
    it pays by 分档 tiers where a district set them (the 分档 page offers only such programmes)."""
    def decorator(fn: AmountFn) -> AmountFn:
        _CALCULATORS[key] = fn
        if reads_tiers:
            _TIERED.add(key)
        return fn
    return decorator


def tiered_calculators() -> frozenset[str]:
    """The amount functions that read 分档 tiers."""
    return frozenset(_TIERED)


@dataclass(frozen=True)
class SetForm:
    """The optional set-based form of an amount function, used to re-rate many enrolments in one statement.

    Why it exists: re-rating after a standard changes must touch every enrolment of a programme (300,000 in the
    target installation); running the Python quote once per enrolment reloads each household's facts and
    takes minutes. Most amounts are simple arithmetic over a few facts the quote already stored in
    `Enrolment.calculation` (per-capita income, household size) and the parameters in force, so the programme
    may state that arithmetic once more as SQL. A test (tests/programs/test_rerate_setform.py) checks the two
    agree on sample households; a programme without a set form is re-rated by its Python quote, chunk by chunk.

    - `parameters`: the (programme code or None for general, key) figures the amount reads; a change to any
      other parameter does not re-rate the programme.
    - `amount_sql(columns)`: an SQL expression of the amount in yuan (NULL when it cannot be computed from the
      stored facts), over `e` (programs_enrolment), `h` (registry_household, LEFT JOINed) and the parameter
      values in force, given as SQL expressions by `columns[(program, key)]`. Helpers for JSON facts and whole-fen
      arithmetic are in `programs.rerate` (`json_number`, `fen`, `yuan`).
    """

    parameters: tuple[tuple[str | None, str], ...]
    amount_sql: Callable[[dict[tuple[str | None, str], str]], str]


@dataclass(frozen=True)
class FactsDue:
    """A programme whose amount follows a person's own facts (an age band, a care level): `due(program, month,
    area_prefix)` returns the ids of the enrolments whose stored quote no longer matches those facts in `month`;
    they are re-quoted (Python) and re-rated before each payroll, with `cause` (a `Rerate.Cause` value)."""

    cause: str
    due: Callable[..., list[int]]


def register_set_form(key: str, *, parameters: tuple[tuple[str | None, str], ...]) -> Callable:
    """Register `fn(columns) -> str` as the set-based form of the amount function `key` (see `SetForm`)."""
    def decorator(fn: Callable[[dict], str]) -> Callable[[dict], str]:
        _SET_FORMS[key] = SetForm(parameters=tuple(parameters), amount_sql=fn)
        return fn
    return decorator


def register_facts_due(key: str, *, cause: str) -> Callable:
    """Register `fn(program, month, area_prefix) -> list[int]` for the amount function `key` (see `FactsDue`)."""
    def decorator(fn: Callable[..., list[int]]) -> Callable[..., list[int]]:
        _FACTS_DUE.setdefault(key, [])
        _FACTS_DUE[key] = [*[f for f in _FACTS_DUE[key] if f.cause != cause], FactsDue(cause=cause, due=fn)]
        return fn
    return decorator


def rated_month(calculation: dict) -> date | None:
    """The month an enrolment's stored amount was rated for: the last re-rating's month (`calculation["rerated"]`,
    written by programs.rerate), else the month of the quote it was decided on. For `FactsDue` functions."""
    rerated = (calculation or {}).get("rerated") or {}
    if rerated.get("valid_from"):
        return date.fromisoformat(rerated["valid_from"])
    month = (calculation or {}).get("month")
    return date.fromisoformat(f"{month}-01") if month else None


def set_form(calculator: str) -> SetForm | None:
    return _SET_FORMS.get(calculator)


def facts_due(calculator: str) -> list[FactsDue]:
    return list(_FACTS_DUE.get(calculator, []))


def registered() -> tuple[frozenset[str], frozenset[str]]:
    """The keys of the registered (eligibility, amount) functions, for checks and the admin."""
    return frozenset(_ELIGIBILITY), frozenset(_CALCULATORS)


@dataclass(frozen=True)
class ParameterRef:
    """The policy parameter row a quote used, as it was at the time (kept in Enrolment.calculation)."""

    id: int
    program: str | None
    key: str
    area_code: str
    value: Decimal
    valid_from: date
    valid_to: date | None
    source: str
    verified: bool

    def cite(self, label: str, qualifier: str = "") -> str:
        """"低保标准（城市，渝民规〔2025〕6号）", with （未核实） when the figure is not verified."""
        inside = f"{qualifier}，{self.source}" if qualifier else self.source
        return f"{label}（{inside}）" + ("" if self.verified else UNVERIFIED)

    def as_json(self) -> dict:
        return {"id": self.id, "program": self.program, "key": self.key, "area_code": self.area_code,
                "value": f"{self.value.normalize():f}", "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None, "source": self.source,
                "verified": self.verified}


@dataclass
class Quote:
    """测算结果: eligibility with reasons, the figures, the amount and the lines that produced it."""

    program: str
    month: date
    household_id: int | None
    person_id: int | None
    eligible: bool
    reasons: list[str]
    standard: Decimal | None
    household_size: int | None
    total_income: Decimal | None
    per_capita_income: Decimal | None
    monthly_amount: Decimal
    lines: list[tuple[str, str]]
    parameters: list[ParameterRef]
    inputs: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)

    @property
    def unverified(self) -> bool:
        """Did the quote use any figure marked 未核实 (a parameter, or the 分档 tier it paid by)?"""
        tier = self.flags.get("amount_tier") or {}
        return any(not p.verified for p in self.parameters) or tier.get("verified") is False

    def as_json(self) -> dict:
        """JSON-safe, money as two-decimal strings: what the API returns and Enrolment.calculation keeps."""
        def amount(value: Decimal | None) -> str | None:
            return None if value is None else money(value)
        return {
            "program": self.program, "month": self.month.strftime("%Y-%m"), "household": self.household_id,
            "person": self.person_id, "eligible": self.eligible, "reasons": list(self.reasons),
            "standard": amount(self.standard), "household_size": self.household_size,
            "total_income": amount(self.total_income), "per_capita_income": amount(self.per_capita_income),
            "monthly_amount": money(self.monthly_amount),
            "lines": [{"label": label, "value": value} for label, value in self.lines],
            "parameters": [p.as_json() for p in self.parameters], "unverified": self.unverified,
            "inputs": {k: _json_safe(v) for k, v in self.inputs.items()}, "flags": dict(self.flags),
        }


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class QuoteContext:
    """What a registered function works with: the subject, the month, the officer's inputs, and the output."""

    program: Program
    month: date
    household: Any = None
    person: Any = None
    inputs: dict[str, Any] = field(default_factory=dict)
    # The day the subject's own facts (an age) are judged, when it is not the month's first day: 免申即享 enrols
    # on the birthday itself. Parameters are always those in force in `month`.
    on: date | None = None
    # How parameters are read: `parameter_at`, or a bulk quote's `ParametersInForce` (read once per key).
    parameter_source: Callable | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    parameters: list[ParameterRef] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.on or self.month

    @property
    def area_code(self) -> str:
        """The community whose parameters apply: the household's, else the person's."""
        return self.household.area_id if self.household is not None else self.person.area_id

    @property
    def household_facts(self) -> HouseholdFacts:
        if "household_facts" not in self.cache:
            self.cache["household_facts"] = load_household_facts(self.household)
        return self.cache["household_facts"]

    @property
    def person_facts(self) -> PersonFacts:
        if "person_facts" not in self.cache:
            self.cache["person_facts"] = load_person_facts(self.person)
        return self.cache["person_facts"]

    def param(self, key: str, *, program: str | None = "") -> ParameterRef:
        """The parameter in force this month for this area (this programme unless `program` is given; None for
        a general parameter). Raises `ParameterNotFound` (a ValidationError naming key, area and month)."""
        from programs.selectors import parameter_at

        code = self.program.code if program == "" else program
        row = (self.parameter_source or parameter_at)(code, key, self.area_code, self.month)
        ref = ParameterRef(id=row.pk, program=row.program_id, key=row.key, area_code=row.area_code,
                           value=row.value, valid_from=row.valid_from, valid_to=row.valid_to, source=row.source,
                           verified=row.verified)
        if all(p.id != ref.id for p in self.parameters):
            self.parameters.append(ref)
        return ref

    def line(self, label: str, value: Any) -> None:
        self.lines.append((label, value if isinstance(value, str) else str(value)))

    def refuse(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)

    def input_flag(self, name: str) -> bool:
        return bool(self.inputs.get(name, False))


def _program(program: Program | str) -> Program:
    if isinstance(program, Program):
        return program
    found = Program.objects.filter(code=program).first()
    if found is None:
        raise ValidationError({"program": [f"项目不存在：{program}"]})
    return found


def _check_subject(program: Program, household, person, inputs: dict | None = None) -> None:
    if program.unit == Program.Unit.HOUSEHOLD and household is None and person is not None and (
            inputs or {}).get(PERSON_ALONE):
        return  # the eligibility function decides whether the programme helps a person alone (PERSON_ALONE)
    if program.unit == Program.Unit.HOUSEHOLD and household is None:
        raise ValidationError({"household": [f"{program.name}以家庭为单位测算，请指定家庭"]})
    if program.unit == Program.Unit.PERSON and person is None:
        raise ValidationError({"person": [f"{program.name}以个人为单位测算，请指定人员"]})


def quote(*, program: Program | str, household=None, person=None, month: date, **inputs: Any) -> Quote:
    """测算: whether the subject qualifies for the programme in month `month`, and the monthly amount.

    The same function serves the what-if page, the API, the case and re-checks. `inputs` are the facts an
    officer asserts or enters (e.g. `care_level`, `no_supporter`, `amount`); they are kept in the quote.
    """
    program = _program(program)
    if not program.active:
        raise ValidationError({"program": [f"项目已停用：{program.name}"]})
    _check_subject(program, household, person, inputs)
    functions = _functions(program)
    ctx = QuoteContext(program=program, month=first_of_month(month), household=household, person=person,
                       inputs=dict(inputs))
    ctx.line("测算月份", f"{ctx.month:%Y年%m月}")
    _refuse_conflicts(ctx)
    return _run(ctx, *functions)


def quote_bulk(*, program: Program, subjects: list[tuple[Any, Any]], month: date, on: date | None = None,
               **inputs: Any) -> list[Quote]:
    """测算 for many (household, person) subjects at once (免申即享), by the programme's own registered functions,
    each parameter read once for all of them (`ParametersInForce`); `on` is the day the subjects' facts are
    judged (default the month's first day). Unlike `quote` the exclusions (不可同时享受) are not checked per
    subject: the caller filters them set-based (`programs.services.enrolments_start_bulk` does). Only a
    programme whose functions work from the subject rows themselves is quoted without a query per subject."""
    from programs.selectors import ParametersInForce

    functions, source = _functions(program), ParametersInForce()
    quotes = []
    for household, person in subjects:
        _check_subject(program, household, person)
        ctx = QuoteContext(program=program, month=first_of_month(month), household=household, person=person,
                           inputs=dict(inputs), on=on, parameter_source=source)
        ctx.line("测算月份", f"{ctx.month:%Y年%m月}")
        quotes.append(_run(ctx, *functions))
    return quotes


def _functions(program: Program) -> tuple[EligibilityFn, AmountFn]:
    if not program.active:
        raise ValidationError({"program": [f"项目已停用：{program.name}"]})
    eligibility, calculator = _ELIGIBILITY.get(program.eligibility), _CALCULATORS.get(program.calculator)
    if eligibility is None or calculator is None:
        raise ValidationError({"program": [f"项目“{program.name}”的计算规则未登记，请联系系统管理员"]})
    return eligibility, calculator


def _run(ctx: QuoteContext, eligibility: EligibilityFn, calculator: AmountFn) -> Quote:
    eligibility(ctx)
    amount = round_money(calculator(ctx)) if not ctx.reasons else ZERO
    if ctx.reasons:
        ctx.line(f"不符合{ctx.program.name}条件，金额", money(ZERO))
    household, person = ctx.household, ctx.person
    return Quote(program=ctx.program.code, month=ctx.month, household_id=getattr(household, "pk", None),
                 person_id=getattr(person, "pk", None), eligible=not ctx.reasons, reasons=ctx.reasons,
                 standard=ctx.values.get("standard"), household_size=ctx.values.get("household_size"),
                 total_income=ctx.values.get("total_income"), per_capita_income=ctx.values.get("per_capita_income"),
                 monthly_amount=amount, lines=ctx.lines, parameters=ctx.parameters, inputs=ctx.inputs,
                 flags=ctx.flags)


def _refuse_conflicts(ctx: QuoteContext) -> None:
    """不可同时享受: an open enrolment in an excluded programme is a reason, the same one the service gives."""
    from programs.selectors import conflicting_enrolments

    for enrolment in conflicting_enrolments(program=ctx.program, household=ctx.household, person=ctx.person):
        ctx.refuse(f"已在享受{enrolment.program.name}，与{ctx.program.name}不能同时享受")
