"""Social-assistance demo data (社会救助演示数据): applications in every state, and the existing roll.

Two parts, both from one `random.Random(seed)`, so the same seed and population give the same households in
the same states on any database:

1. About 70 applications (申请案件) in the demo personas' towns (小龙坎街道 and 沙坪坝街道 for 沙坪坝区, a few
   elsewhere), each driven step by step THROUGH `assistance.services` — the real checks, deadlines, timeline,
   change log and domain events — with `casework.clock` moved to each step's date and restored afterwards.
   Every state is present: submitted, materials_requested, accepted (some overdue), investigated, verified,
   evaluated, reviewed, publicised (公示 running, or over and awaiting the decision), confirmed (with an
   enrolment), rejected (with written reasons), withdrawn; plus a 特困 case with a care level, a 临时救助 急难型
   approved first by the town (先行救助), and a case whose household has a declared close relative (近亲属备案).
2. The existing roll (享受对象), written set-based: about 1,500 低保 households and 200 特困 persons, each amount
   from `programs.calculations.quote`, start months 2024–2026, each with its EnrolmentChange "start" row, a
   change-log row and a domain event, the latest periodic re-check (定期核查) of the older ones, and the next
   re-check due through `assistance.rechecks.rechecks_schedule_missing`.

Households are chosen among the low-income ones: a set-based pre-selection (counted income of the members
present below the 低保 standard × household size, no disqualifying property), then `quote()` decides. Part of
the eligible households are left unenrolled, so a visitor can file an application for one.

Timestamps (CaseStep.at, ChangeLog.time) are the time of the load: only the legal dates (受理日期, 调查日期,
公示期, 决定日期) are back-dated, as for paper applications entered afterwards.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
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
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import roles
from accounts.models import User
from accounts.roles import ROLE_NAMES
from accounts.services import user_create
from areas.models import Area
from assistance import services as steps
from assistance.models import Recheck
from assistance.rechecks import UNEMPLOYED_KEYS, interval_key, interval_parameter, rechecks_schedule_missing
from assistance.workflows import STATES, current_variant, workflow_code
from audit.models import DomainEvent, EventType
from audit.services import change_log_bulk_create, snapshot
from casework import clock
from casework.models import Case, CloseRelation
from casework.services import close_relative_declare
from casework.workflows import workflow_get
from demo.data import DEMO_PASSWORD
from demo.loader import District
from demo.personas import Login, town_slug
from minzheng.dates import add_months, age_on, first_of_month, month_end
from minzheng.lookups import prefix_q
from programs.calculations import Quote, quote
from programs.calculations.facts import COUNTED, DISQUALIFYING_ASSET_KINDS
from programs.calculations.money import money
from programs.models import Enrolment, EnrolmentChange, Program
from programs.selectors import parameter_at
from registry.models import Asset, Household, HouseholdMember, Income, Person, Relation
from workcalendar.services import CalendarNotPublished, is_working_day

DEMO_CASES = 72
DIBAO_TARGET = 1500
TEKUN_TARGET = 200
# Eligible households left out of the roll, so that a visitor finds someone to file an application for.
RESERVE_SHARE = 0.15
# Of the elderly living alone on a low income, the share already supported as 特困 (the rest are on 低保).
TEKUN_SHARE = 0.6
ROLL_FROM = date(2024, 1, 1)
TEKUN_AGE = 60
NEAR_FACTOR = Decimal("2")  # households up to twice the standard apply too (and are refused)

# The case mix of a DEMO_CASES plan, three special cases (特困, 先行救助, 近亲属备案) apart.
CASE_MIX: tuple[tuple[str, int], ...] = (
    ("submitted", 7), ("materials_requested", 5), ("accepted", 8), ("investigated", 6), ("verified", 5),
    ("evaluated", 5), ("reviewed", 5), ("publicised", 6), ("confirmed", 12), ("rejected", 5), ("withdrawn", 5))
SPECIALS = ("tekun", "linshi", "close_relative")
# What a case's household must be for its final state: 0 = eligible for 低保 (初审 agrees), 1 = refused by it.
NEEDS_ELIGIBLE = {"confirmed": 0, "publicised": 0, "reviewed": 0, "rejected": 1}
# Cases alternate between the two persona towns, the first town first; it is small (小龙坎街道 has few poor
# households), so it gets only a third of the decided cases and keeps some households for its own roll.
FIRST_TOWN_SHARE = {"confirmed": 1 / 3, "rejected": 1 / 3}
SHORT_LABELS = {"submitted": "待受理", "materials_requested": "待补正材料", "accepted": "已受理",
                "approved_pending_completion": "已先行救助", "investigated": "已入户调查", "verified": "已信息核对",
                "evaluated": "已群众评议", "reviewed": "已初审", "publicised": "公示中", "confirmed": "已审核确认",
                "rejected": "不予确认", "withdrawn": "已撤回"}

MISSING_MATERIALS = (["户口簿复印件", "家庭成员收入证明"], ["身份证复印件", "银行账户信息"],
                     ["残疾人证复印件"], ["离婚协议书或判决书复印件", "子女在读证明"], ["劳动合同或解除劳动合同证明"])
WITHDRAW_REASONS = ("申请人已就业，家庭收入增加，主动撤回申请", "申请人表示暂不申请，待家庭情况明确后再申请",
                    "申请人全家已迁往外区居住，撤回本区申请")
VERIFY_SOURCES = ("hukou", "tax", "social_insurance", "real_estate", "vehicle", "deposit", "business",
                  "housing_fund")
SELF_CARE = ("bathing", "dressing", "toileting", "indoor_walking", "bed_transfer", "eating")
COMMITTEE_MEMBER = "王建华"


@dataclass
class AssistanceSummary:
    """What was loaded, for the command's one-line report."""

    states: Counter = field(default_factory=Counter)
    overdue: int = 0
    dibao: int = 0
    tekun: int = 0
    rechecks: int = 0
    seconds: float = 0.0

    @property
    def cases(self) -> int:
        return sum(self.states.values())

    def line(self) -> str:
        parts = "、".join(f"{SHORT_LABELS.get(s, s)} {n}" for s, n in sorted(
            self.states.items(), key=lambda item: list(STATES).index(item[0])))
        return (f"社会救助演示数据：申请 {self.cases} 件（{parts}；其中超期 {self.overdue} 件），"
                f"享受对象 {self.dibao + self.tekun:,} 户（低保 {self.dibao:,} 户、特困 {self.tekun:,} 人），"
                f"待复核 {self.rechecks:,} 件，用时 {self.seconds:.1f} 秒")


# ---- demo users -------------------------------------------------------------------------------------------------

def second_officer_username(town: Area) -> str:
    return f"town_officer2_{town_slug(town)}"


def demo_assistance_users_ensure(district: District) -> list[str]:
    """A second town officer in each persona town (入户调查 needs two different investigators); idempotent.
    Returns the usernames created."""
    created = []
    for town in district.towns[:2]:
        username = second_officer_username(town)
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=DEMO_PASSWORD, roles=[roles.TOWN_OFFICER], area_code=town.code,
                        full_name=f"{ROLE_NAMES[roles.TOWN_OFFICER]}二（演示）")
            created.append(username)
    return created


def demo_assistance_logins(district: District) -> list[Login]:
    """The second town officers, for the table of demo logins (same demo password)."""
    logins = []
    for town in district.towns[:2]:
        user = User.objects.filter(username=second_officer_username(town), area_id=town.code).first()
        if user is not None:
            logins.append(Login(user.username, DEMO_PASSWORD, ROLE_NAMES[roles.TOWN_OFFICER], town.name))
    return logins


@dataclass(frozen=True)
class TownStaff:
    code: str
    officer: User
    officer2: User
    reviewer: User


@dataclass(frozen=True)
class Actors:
    towns: dict[str, TownStaff]
    worker: User | None
    district_officer: User
    approver: User


def _actors(district: District) -> Actors:
    def get(username: str) -> User:
        user = User.objects.filter(username=username).select_related("area").first()
        if user is None:
            raise ValueError(f"缺少演示账号 {username}，请先运行 load_demo 创建演示账号")
        return user

    towns = {}
    for town in district.towns[:2]:
        slug = town_slug(town)
        towns[town.code] = TownStaff(town.code, get(f"town_officer_{slug}"), get(second_officer_username(town)),
                                     get(f"town_reviewer_{slug}"))
    worker = User.objects.filter(username="community_worker").select_related("area").first()
    return Actors(towns=towns, worker=worker, district_officer=get("district_officer"),
                  approver=get("district_approver"))


# ---- candidate households -----------------------------------------------------------------------------------------

@dataclass
class Candidate:
    """A household of modest means, as pre-selected in SQL; `quote()` decides for real."""

    household_id: int
    area_code: str
    hukou_type: str
    size: int
    income: Decimal
    bad_asset: bool
    head_id: int
    head_number: str
    head_name: str
    head_birth: date
    standard: Decimal

    @property
    def town(self) -> str:
        return self.area_code[:9] + "000"

    @property
    def likely_eligible(self) -> bool:
        return not self.bad_asset and self.income < self.standard * self.size

    def household(self) -> Household:
        # Only what the quote reads (pk, area, hukou); saves a query per quote.
        return Household(pk=self.household_id, area_id=self.area_code, hukou_type=self.hukou_type,
                         status=Household.Status.ACTIVE)


def candidates_find(district: District, month: date, first_household_id: int = 1) -> list[Candidate]:
    """Households of the district whose counted income per member present is below 2 × the 低保 standard, in
    a stable order (by the head's ID number). One query; per-capita rounding and deductions are left to quote."""
    urban = parameter_at("dibao", "standard_urban", district.area.code, month).value
    rural = parameter_at("dibao", "standard_rural", district.area.code, month).value
    alive = Q(person__death_date__isnull=True) | Q(person__death_date__gt=month_end(month))
    members = (HouseholdMember.objects.filter(alive, household=OuterRef("pk"), is_active=True).order_by()
               .values("household").annotate(n=Count("pk")).values("n"))
    income = (Income.objects.filter(household=OuterRef("pk"), category__kind=COUNTED, start_month__lte=month,
                                    person__status=Person.Status.ACTIVE)
              .filter(Q(end_month__isnull=True) | Q(end_month__gte=month)).order_by()
              .values("household").annotate(total=Sum("monthly_amount")).values("total"))
    head = HouseholdMember.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD, is_active=True,
                                          person__id_number__isnull=False).order_by("pk")
    bad = Asset.objects.filter(household=OuterRef("pk"), kind__in=DISQUALIFYING_ASSET_KINDS, exempt=False)
    money_field = DecimalField(max_digits=14, decimal_places=2)
    rows = (Household.objects.filter(prefix_q("area__code", district.area.scope_prefix), status="active",
                                     pk__gte=first_household_id)
            .annotate(size=Coalesce(Subquery(members, output_field=IntegerField()), 0),
                      total=Coalesce(Subquery(income, output_field=money_field), Value(Decimal(0)),
                                     output_field=money_field),
                      bad=Exists(bad), head_id=Subquery(head.values("person_id")[:1]),
                      head_number=Subquery(head.values("person__id_number")[:1]),
                      head_name=Subquery(head.values("person__name")[:1]),
                      head_birth=Subquery(head.values("person__birth_date")[:1]))
            .annotate(line=ExpressionWrapper(F("size") * Value(NEAR_FACTOR), output_field=money_field))
            .filter(size__gt=0, head_id__isnull=False)
            .filter(Q(hukou_type="rural", total__lt=F("line") * Value(rural))
                    | (~Q(hukou_type="rural") & Q(total__lt=F("line") * Value(urban))))
            .values_list("pk", "area_id", "hukou_type", "size", "total", "bad", "head_id", "head_number",
                         "head_name", "head_birth"))
    found = [Candidate(pk, area, hukou, size, Decimal(total), bool(bad), head, number, name, birth,
                       rural if hukou == "rural" else urban)
             for pk, area, hukou, size, total, bad, head, number, name, birth in rows]
    return sorted(found, key=lambda c: c.head_number)


class Pools:
    """The candidates by town, shuffled once; quotes made lazily and kept, households used at most once."""

    def __init__(self, candidates: list[Candidate], rng: random.Random, month: date, towns: frozenset[str]) -> None:
        self.month, self.towns, self.used = month, towns, set()
        self.all = list(candidates)
        rng.shuffle(self.all)
        self.quotes: dict[int, Quote] = {}
        self.dibao = Program.objects.prefetch_related("excludes").get(code="dibao")

    def quote(self, candidate: Candidate) -> Quote:
        if candidate.household_id not in self.quotes:
            self.quotes[candidate.household_id] = quote(program=self.dibao, household=candidate.household(),
                                                        month=self.month)
        return self.quotes[candidate.household_id]

    def take(self, town: str | None, want: str, *,
             test: Callable[[Candidate], bool] | None = None) -> Candidate | None:
        """The next unused candidate of the town (None: outside the persona towns `self.towns`) that is
        eligible for 低保 (want="eligible"), refused by it ("ineligible") or either ("any")."""
        for candidate in self.all:
            if candidate.household_id in self.used or not self._in_town(candidate, town):
                continue
            if test is not None and not test(candidate):
                continue
            if want == "eligible" and not (candidate.likely_eligible and self.quote(candidate).eligible):
                continue
            if want == "ineligible" and (candidate.likely_eligible or self.quote(candidate).eligible):
                continue
            self.used.add(candidate.household_id)
            return candidate
        return None

    def _in_town(self, candidate: Candidate, town: str | None) -> bool:
        return candidate.town == town if town else candidate.town not in self.towns


# ---- the case plan ------------------------------------------------------------------------------------------------

@dataclass
class Slot:
    """One planned application: its final state, town (None = elsewhere) and the variations it shows."""

    state: str
    town: str | None
    special: str = ""
    rank: int = 0
    overdue: bool = False
    notice_over: bool = False
    before_accept: bool = False
    materials_first: bool = False


def case_plan(cases: int, towns: list[str], rng: random.Random) -> list[Slot]:
    """`cases` applications in CASE_MIX proportions (at least one per state and the three special ones)."""
    scale = max(cases - len(SPECIALS), 0) / sum(w for _, w in CASE_MIX)
    slots: list[Slot] = []
    for state, weight in CASE_MIX:
        count = max(1, round(weight * scale))
        for i in range(count):
            slots.append(_slot(state, i, count, towns, rng))
    slots += [Slot("confirmed", towns[0], special="tekun"), Slot("approved_pending_completion", towns[0],
                                                                 special="linshi"),
              Slot("publicised", towns[-1], special="close_relative")]
    # Poor households are few in a small town: the special cases choose first, then the first case of every
    # state, then the second …, so that every state is shown even when the towns run short.
    return sorted(slots, key=lambda slot: (not slot.special, slot.rank, NEEDS_ELIGIBLE.get(slot.state, 2)))


def _slot(state: str, i: int, count: int, towns: list[str], rng: random.Random) -> Slot:
    share = FIRST_TOWN_SHARE.get(state, 0.5)
    slot = Slot(state, towns[0] if math.ceil((i + 1) * share) > math.ceil(i * share) else towns[-1], rank=i)
    if state == "submitted" and i < (3 * count) // 7:
        slot.town = None  # applications received by the district for other towns, awaiting their acceptance
    elif state == "withdrawn" and i == 0:
        slot.town, slot.before_accept = None, True
    elif state == "accepted":
        slot.overdue = i < (3 * count + 7) // 8
    elif state == "investigated":
        slot.overdue = i == 0
    elif state == "publicised":
        slot.notice_over = i < count // 3
    if state not in ("submitted", "materials_requested", "withdrawn"):
        slot.materials_first = rng.random() < 0.2
    return slot


# ---- the clock ------------------------------------------------------------------------------------------------------

@contextmanager
def clock_moved() -> Iterator["Clock"]:
    """casework.clock.today moved by the block (as the tests move it), always put back."""
    original = clock.today
    mover = Clock(original())
    clock.today = mover.today
    try:
        yield mover
    finally:
        clock.today = original


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def today(self) -> date:
        return self.day


def _working(day: date, known: dict[date, bool]) -> bool:
    if day not in known:
        try:
            known[day] = is_working_day(day)
        except CalendarNotPublished:
            known[day] = day.weekday() < 5
    return known[day]


def _forward_to_working_day(day: date, known: dict[date, bool]) -> date:
    while not _working(day, known):
        day += timedelta(days=1)
    return day


# ---- one application ------------------------------------------------------------------------------------------------

# Days between a step and the one before it (a range), and how long ago a case's last step was, by final state.
GAPS = {"request": (1, 2), "accept": (1, 2), "accept_after_materials": (4, 8), "investigate": (1, 2),
        "verify": (2, 4), "evaluate": (2, 5), "review": (2, 4), "publish": (1, 2), "confirm": (8, 12),
        "reject": (2, 5), "withdraw": (1, 5), "urgent": (0, 0)}
AGES = {"submitted": (0, 3), "materials_requested": (1, 8), "accepted": (0, 1), "accepted_overdue": (8, 20),
        "investigated": (0, 6), "investigated_overdue": (45, 55), "verified": (0, 5), "evaluated": (0, 5),
        "reviewed": (0, 3), "publicised": (0, 3), "publicised_over": (8, 10), "confirmed": (1, 110),
        "rejected": (1, 80), "withdrawn": (1, 40), "approved_pending_completion": (0, 1)}
MAIN_LINE = ("submit", "accept", "investigate", "verify", "evaluate", "review", "publish", "confirm")
LAST_STEP = {"submitted": "submit", "accepted": "accept", "investigated": "investigate", "verified": "verify",
             "evaluated": "evaluate", "reviewed": "review", "publicised": "publish", "confirmed": "confirm"}


def journey_steps(slot: Slot, with_evaluation: bool) -> list[str]:
    line = [s for s in MAIN_LINE if with_evaluation or s != "evaluate"]
    if slot.state == "materials_requested":
        return ["submit", "request"]
    if slot.state == "withdrawn":
        return ["submit", "withdraw"] if slot.before_accept else ["submit", "accept", "withdraw"]
    if slot.state == "approved_pending_completion":
        return ["submit", "accept", "urgent"]
    if slot.state == "rejected":
        path = line[: line.index("review") + 1] + ["reject"]
    else:
        last = LAST_STEP[slot.state]
        if last not in line:  # national rules: no 群众评议, so an "evaluated" slot stops after 信息核对
            last = "verify"
        path = line[: line.index(last) + 1]
    if slot.materials_first and "accept" in path:
        path.insert(path.index("accept"), "request")
    return path


def journey_dates(slot: Slot, path: list[str], today: date, rng: random.Random,
                  known: dict[date, bool] | None = None) -> list[date]:
    """The legal date of each step: working days, at least the drawn gap apart (so a decision always follows
    the end of the 公示), the last one no later than a number of days ago drawn by the final state. `known`
    keeps the working days already looked up."""
    known = {} if known is None else known
    key = slot.state + ("_overdue" if slot.overdue else "_over" if slot.notice_over else "")
    gaps = [0] + [rng.randint(*GAPS[_gap_key(before, step)]) for before, step in zip(path, path[1:], strict=False)]
    last = today - timedelta(days=rng.randint(*AGES[key]))
    start = last - timedelta(days=sum(gaps))
    while True:
        days, day = [], start
        for gap in gaps:
            day = _forward_to_working_day(day + timedelta(days=gap), known)
            days.append(day)
        if days[-1] <= last:
            return days
        start -= timedelta(days=1)


def _gap_key(before: str, step: str) -> str:
    return "accept_after_materials" if (before, step) == ("request", "accept") else step


class Journeys:
    """Drives applications through assistance.services, one step at a time, the clock on each step's date."""

    def __init__(self, *, actors: Actors, pools: Pools, rng: random.Random, today: date, mover: Clock) -> None:
        self.actors, self.pools, self.rng, self.today, self.mover = actors, pools, rng, today, mover
        self.with_evaluation = workflow_get(workflow_code("dibao", current_variant())).transition(
            "evaluate") is not None
        self.programs = {p.code: p for p in Program.objects.filter(code__in=("dibao", "tekun", "linshi"))}
        self.working_days: dict[date, bool] = {}

    def run(self, slot: Slot) -> Case | None:
        candidate = self._candidate(slot)
        if candidate is None:
            return None
        path = journey_steps(slot, self.with_evaluation)
        dates = journey_dates(slot, path, self.today, self.rng, self.working_days)
        case = None
        for step, day in zip(path, dates, strict=True):
            self.mover.day = day
            case = getattr(self, f"_{step}")(slot, candidate, case, day)
        return Case.objects.get(pk=case.pk)

    # -- choosing the household --

    def _candidate(self, slot: Slot) -> Candidate | None:
        towns = [slot.town] + [t for t in self.actors.towns if t != slot.town] if slot.town else [None]
        # A case still in progress is best a household that qualifies, so a visitor can take it to the end.
        wants = (("eligible",), ("ineligible",), ("eligible", "any"))[NEEDS_ELIGIBLE.get(slot.state, 2)]
        test = None
        if slot.special == "tekun":
            wants, test = ("any",), self._tekun_ready
        elif slot.special == "close_relative":
            test = lambda c: c.size >= 2  # noqa: E731  (a member other than the applicant is the relative)
        for town in towns:  # the planned town first, whatever the household; the other town only if need be
            for want in wants:
                found = self.pools.take(town, want, test=test)
                if found is not None:
                    return found
        return None

    def _tekun_ready(self, candidate: Candidate) -> bool:
        return (candidate.size == 1 and candidate.likely_eligible
                and age_on(candidate.head_birth, self.pools.month) >= TEKUN_AGE)

    def _staff(self, candidate: Candidate) -> TownStaff | None:
        return self.actors.towns.get(candidate.town)

    # -- the steps (each returns the case) --

    def _submit(self, slot: Slot, candidate: Candidate, case, day: date) -> Case:
        staff = self._staff(candidate)
        worker = self.actors.worker
        if staff is None:
            user = self.actors.district_officer
        elif worker is not None and worker.area_id == candidate.area_code:
            user = worker
        else:
            user = staff.officer
        household = Household.objects.get(pk=candidate.household_id)
        if slot.special == "close_relative":
            self._declare_relative(candidate, staff.officer)
        if slot.special == "tekun":
            return steps.application_submit(acting_user=user, program=self.programs["tekun"],
                                            person=Person.objects.get(pk=candidate.head_id),
                                            authorised_data_check=True, inputs={"support_mode": "dispersed"},
                                            note="本人独居，无子女，申请特困人员救助供养")
        inputs = {"linshi_kind": "jinan", "amount": "800"} if slot.special == "linshi" else {}
        note = "家中突发火灾，衣物和家具被毁，基本生活暂时困难" if slot.special == "linshi" else ""
        program = self.programs["linshi" if slot.special == "linshi" else "dibao"]
        return steps.application_submit(acting_user=user, program=program, household=household,
                                        authorised_data_check=self.rng.random() < 0.8, inputs=inputs, note=note)

    def _declare_relative(self, candidate: Candidate, officer: User) -> None:
        relative = (HouseholdMember.objects.filter(household_id=candidate.household_id, is_active=True)
                    .exclude(person_id=candidate.head_id).select_related("person").order_by("pk").first())
        close_relative_declare(acting_user=officer, relative=relative.person, relation=CloseRelation.SIBLING,
                               committee_member_name=COMMITTEE_MEMBER, committee_area_code=candidate.area_code,
                               note="社区居委会委员的近亲属，按规定备案")

    def _request(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        return steps.application_accept(acting_user=self._staff(candidate).officer, case=case, accepted_on=day,
                                        missing=self.rng.choice(MISSING_MATERIALS))

    def _accept(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        return steps.application_accept(acting_user=self._staff(candidate).officer, case=case, accepted_on=day,
                                        authorised_data_check=True)

    def _investigate(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        staff = self._staff(candidate)
        second = self.actors.district_officer if slot.special == "close_relative" else staff.officer2
        month = first_of_month(day)
        incomes = [{"person": i.person_id, "category": i.category_id, "monthly_amount": money(i.monthly_amount)}
                   for i in Income.objects.filter(household_id=candidate.household_id, start_month__lte=month)
                   .filter(Q(end_month__isnull=True) | Q(end_month__gte=month)).order_by("pk")]
        assessment = {}
        if slot.special == "tekun":
            assessment = {"self_care_failed": self.rng.sample(SELF_CARE, 2), "no_supporter": True}
        note = ("入户查看居住和生活情况，家庭成员收入与申报一致" if incomes
                else "入户查看居住和生活情况，家庭成员均无收入来源")
        steps.application_investigate(acting_user=staff.officer, case=case,
                                      investigators=[staff.officer.pk, second.pk], visited_on=day, incomes=incomes,
                                      assessment=assessment, members_present=candidate.head_name, note=note)
        return case

    def _verify(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        sources = self.rng.sample(VERIFY_SOURCES, self.rng.randint(3, 6))
        steps.application_verify(acting_user=self._staff(candidate).officer, case=case, sources=sources,
                                 result="match", checked_on=day)
        return case

    def _evaluate(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        agree = slot.state != "rejected"
        steps.application_evaluate(acting_user=self._staff(candidate).officer, case=case,
                                   participants=self.rng.randint(5, 15), result="agree" if agree else "disagree",
                                   held_on=day, note="" if agree else "评议认为家庭收入高于低保标准")
        return case

    def _review(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        agree = slot.state != "rejected"
        return steps.application_review(acting_user=self._staff(candidate).reviewer, case=case,
                                        opinion="agree" if agree else "disagree",
                                        note="" if agree else "经测算不符合低保条件，报区民政局作出不予确认决定")

    def _publish(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        steps.application_publish(acting_user=self._staff(candidate).officer, case=case, starts_on=day)
        return case

    def _confirm(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        kind = "stable" if slot.special == "tekun" else self.rng.choice(("stable", "unstable", "unstable"))
        return steps.application_confirm(acting_user=self.actors.approver, case=case, household_kind=kind)

    def _reject(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        return steps.application_reject(acting_user=self.actors.approver, case=case,
                                        reasons=rejection_reasons(self.pools.quote(candidate)))

    def _withdraw(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        staff = self._staff(candidate)
        user = staff.officer if staff else self.actors.district_officer
        return steps.application_withdraw(acting_user=user, case=case, reason=self.rng.choice(WITHDRAW_REASONS))

    def _urgent(self, slot: Slot, candidate: Candidate, case: Case, day: date) -> Case:
        return steps.application_urgent_approve(acting_user=self._staff(candidate).officer, case=case,
                                                note="火灾后基本生活困难，先行救助")


def rejection_reasons(result: Quote) -> str:
    """The written reasons (不予确认理由) from the quote: its refusals, with the figures compared."""
    reasons = "；".join(result.reasons) or "经审核不符合最低生活保障条件"
    figures = ""
    if result.per_capita_income is not None and result.standard is not None:
        figures = (f"家庭月人均收入 {money(result.per_capita_income)} 元，"
                   f"当地低保标准 {money(result.standard)} 元。")
    return f"经入户调查、信息核对和群众评议，{reasons}。{figures}不予确认。"


# ---- the existing roll (set-based) ----------------------------------------------------------------------------------

@dataclass
class RollRow:
    enrolment: Enrolment
    name: str
    town: str
    hukou_type: str


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _care_level(rng: random.Random, age: int) -> str:
    weights = (50, 30, 20) if age >= 80 else (75, 18, 7)
    return rng.choices(("self", "half", "full"), weights=weights)[0]


def roll_choose(pools: Pools, *, dibao: int, tekun: int, rng: random.Random, approver: User) -> list[RollRow]:
    """The enrolments to write: 特困 among the elderly living alone, then 低保 among the other eligible
    households, each with its own quote; unsaved."""
    months = _months_between(max(ROLL_FROM, add_months(pools.month, -35)), pools.month)
    free = [c for c in pools.all if c.household_id not in pools.used and c.likely_eligible]
    elderly = [c for c in free if c.size == 1 and age_on(c.head_birth, pools.month) >= TEKUN_AGE]
    rows = _tekun_rows(elderly, min(tekun, int(len(elderly) * TEKUN_SHARE)), pools, months, rng, approver)
    taken = {r.enrolment.person_id for r in rows}
    rest = [c for c in free if c.head_id not in taken]
    rows += _dibao_rows(rest, min(dibao, int(len(rest) * (1 - RESERVE_SHARE))), pools, months, rng, approver)
    return rows


def _tekun_rows(elderly: list[Candidate], limit: int, pools: Pools, months: list[date], rng: random.Random,
                approver: User) -> list[RollRow]:
    program = Program.objects.prefetch_related("excludes").get(code="tekun")
    people = Person.objects.in_bulk([c.head_id for c in elderly[: limit * 2]])
    rows: list[RollRow] = []
    for candidate in elderly:
        if len(rows) >= limit or candidate.head_id not in people:
            break
        level = _care_level(rng, age_on(candidate.head_birth, pools.month))
        mode = "centralized" if rng.random() < 0.15 else "dispersed"
        result = quote(program=program, person=people[candidate.head_id], month=pools.month, care_level=level,
                       no_supporter=True)
        if not result.eligible:
            continue
        pools.used.add(candidate.household_id)
        rows.append(RollRow(Enrolment(program=program, person_id=candidate.head_id, area_id=candidate.area_code,
                                      monthly_amount=result.monthly_amount, start_month=rng.choice(months),
                                      care_level=level, support_mode=mode, calculation=result.as_json(),
                                      decided_by=approver), candidate.head_name, candidate.town,
                               candidate.hukou_type))
    return rows


def _dibao_rows(free: list[Candidate], limit: int, pools: Pools, months: list[date], rng: random.Random,
                approver: User) -> list[RollRow]:
    rows: list[RollRow] = []
    for candidate in free:
        if len(rows) >= limit:
            break
        result = pools.quote(candidate)
        if not result.eligible:
            continue
        pools.used.add(candidate.household_id)
        rows.append(RollRow(Enrolment(program=pools.dibao, household_id=candidate.household_id,
                                      person_id=candidate.head_id, area_id=candidate.area_code,
                                      monthly_amount=result.monthly_amount, start_month=rng.choice(months),
                                      calculation=result.as_json(), decided_by=approver),
                            candidate.head_name, candidate.town, candidate.hukou_type))
    return rows


@transaction.atomic
def roll_write(rows: list[RollRow], *, rng: random.Random, today: date, actors: Actors) -> int:
    """Write the roll set-based: enrolments, their "start" changes, change log, domain events, the latest
    periodic re-check of the older ones; then the next re-check due of each. Returns the re-checks due made."""
    enrolments = Enrolment.objects.bulk_create([r.enrolment for r in rows], batch_size=1000)
    approver = actors.approver
    EnrolmentChange.objects.bulk_create(
        [EnrolmentChange(enrolment=e, kind=EnrolmentChange.Kind.START, to_amount=e.monthly_amount, to_status=e.status,
                         reason="审核确认纳入", effective_month=e.start_month, area_id=e.area_id, by=approver)
         for e in enrolments], batch_size=1000)
    change_log_bulk_create(model=Enrolment, rows=[(str(e.pk), f"{e.program_id} · {r.name}", snapshot(e))
                                                  for e, r in zip(enrolments, rows, strict=True)],
                           acting_user=approver, reason="审核确认纳入（演示数据）")
    DomainEvent.objects.bulk_create(
        [DomainEvent(type=EventType.ENROLMENT_START, household_id=e.household_id, person_id=e.person_id, user=approver,
                     subject_type="programs.enrolment", subject_id=str(e.pk),
                     message=f"纳入{e.program.name}，月发放 {money(e.monthly_amount)} 元，"
                             f"自 {e.start_month:%Y年%m月}起",
                     params={"enrolment": e.pk, "program": e.program_id, "effective_month": e.start_month.isoformat(),
                             "from_amount": None, "to_amount": money(e.monthly_amount), "reason": "审核确认纳入"})
         for e in enrolments], batch_size=1000)
    Recheck.objects.bulk_create(_past_rechecks(rows, rng=rng, today=today, actors=actors), batch_size=1000)
    return rechecks_schedule_missing()


def _past_rechecks(rows: list[RollRow], *, rng: random.Random, today: date, actors: Actors) -> list[Recheck]:
    """The last periodic re-check of each enrolment older than six months, done in time (kept: 维持原待遇), so
    that the next one falls due over the coming months rather than all at once."""
    done, params = [], {}
    for row in rows:
        enrolment = row.enrolment
        if add_months(enrolment.start_month, 6) > today:
            continue  # not yet re-checked: its first re-check is six-monthly from the start month
        weights = (1, 0, 0) if enrolment.program_id == "tekun" else (5, 4, 1)
        kind = rng.choices((Recheck.Kind.STABLE, Recheck.Kind.UNSTABLE, Recheck.Kind.UNEMPLOYED), weights)[0]
        # By the row's own hukou: interval_key would read the household again, once per enrolment.
        key = UNEMPLOYED_KEYS[row.hukou_type] if kind == Recheck.Kind.UNEMPLOYED else interval_key(enrolment, kind)
        if (enrolment.program_id, key) not in params:
            params[enrolment.program_id, key] = interval_parameter(enrolment.program_id, key, enrolment.area_id,
                                                                   first_of_month(today))
        parameter = params[enrolment.program_id, key]
        span = int(parameter.value) * 30
        earliest = max(enrolment.start_month + timedelta(days=150), today - timedelta(days=span + 5))
        latest = today - timedelta(days=5)
        if earliest > latest:
            continue
        done_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        staff = actors.towns.get(row.town)
        by = staff.officer if staff else actors.district_officer
        text = (f"经复核，{row.name}的家庭情况无明显变化，{enrolment.program.name}"
                f"月发放金额 {money(enrolment.monthly_amount)} 元不变（入户核查，收入和人口无变化）")
        done.append(Recheck(
            enrolment=enrolment, area_id=enrolment.area_id, kind=kind, trigger=Recheck.Trigger.PERIODIC,
            due_on=done_on + timedelta(days=rng.randint(0, 10)), status=Recheck.Status.DONE,
            outcome=Recheck.Outcome.KEEP, note="入户核查，收入和人口无变化", done_by=by, done_on=done_on,
            done_at=timezone.make_aware(datetime.combine(done_on, datetime.min.time()).replace(hour=10)),
            basis={"key": key, "months": int(parameter.value), "parameter": parameter.pk,
                   "source": parameter.source, "verified": parameter.verified},
            notice={"title": "复核结果通知", "text": text, "date": done_on.isoformat()}))
    return done


# ---- the whole load -------------------------------------------------------------------------------------------------

@transaction.atomic
def demo_assistance_load(*, district: District, seed: int, today: date, cases: int = DEMO_CASES,
                         dibao: int = DIBAO_TARGET, tekun: int = TEKUN_TARGET,
                         first_household_id: int = 1) -> AssistanceSummary:
    """Applications in every state and the existing roll for the district's population (households with id ≥
    `first_household_id`: those just generated). Same seed and population → same households in the same states.
    One transaction: a step the rules refuse raises ValueError naming it, and nothing of this part is kept.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    demo_assistance_users_ensure(district)
    actors = _actors(district)
    month = first_of_month(today)
    pools = Pools(candidates_find(district, month, first_household_id), rng, month, frozenset(actors.towns))
    summary, enrolled = AssistanceSummary(), Counter()
    with clock_moved() as mover:
        journeys = Journeys(actors=actors, pools=pools, rng=rng, today=today, mover=mover)
        for slot in case_plan(cases, list(actors.towns), rng):
            case = _run(journeys, slot)
            if case is not None:
                summary.states[case.state] += 1
                summary.overdue += case.next_due is not None and case.next_due < today
                if case.state == "confirmed":
                    enrolled[case.program_id] += 1
    rows = roll_choose(pools, dibao=dibao, tekun=tekun, rng=rng, approver=actors.approver)
    # A confirmed case got its first re-check when it was confirmed; the roll gets its own here.
    summary.rechecks = roll_write(rows, rng=rng, today=today, actors=actors) + sum(enrolled.values())
    enrolled.update(r.enrolment.program_id for r in rows)
    summary.dibao, summary.tekun = enrolled["dibao"], enrolled["tekun"]
    summary.seconds = time.perf_counter() - started
    return summary


def _run(journeys: Journeys, slot: Slot) -> Case | None:
    try:
        return journeys.run(slot)
    except (ValidationError, PermissionDenied) as exc:
        # A demo case the rules refuse is a bug in this plan, not something to hide: say which case and why.
        why = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise ValueError(f"演示申请（{SHORT_LABELS.get(slot.state, slot.state)}）办理失败：{why}") from exc
