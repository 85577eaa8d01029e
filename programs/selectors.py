"""Programme reads (查询): parameters in force, the enrolment roll a user may see, one household's chain."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from accounts.policy import restrict
from areas.codes import area_ancestor_codes
from programs.models import (
    OPEN_STATUSES,
    Enrolment,
    EnrolmentChange,
    PolicyParameter,
    Program,
)
from registry.models import HouseholdMember

# Open for "may not be held twice": a suspended enrolment still holds the place until it is resumed or ended.
HOLDING_STATUSES = (*OPEN_STATUSES, Enrolment.Status.SUSPENDED)


class ParameterNotFound(ValidationError):
    """No policy parameter in force: a configuration gap reported by name, never a silent default."""


def _program_code(program: Program | str | None) -> str | None:
    return program.code if isinstance(program, Program) else program


def parameter_at(program: Program | str | None, key: str, area_code: str, month: date) -> PolicyParameter:
    """政策参数 in force on the first day of `month` for the division `area_code`.

    Rows whose `area_code` is the division itself or any level above it apply (12-digit codes: the town's
    000-padded code, the district's, 重庆市 500000000000 …); the most specific wins, which among those codes is
    simply the greatest. `program=None` asks for a general parameter.
    """
    on = month.replace(day=1)
    row = (PolicyParameter.objects
           .filter(program_id=_program_code(program), key=key, area_code__in=area_ancestor_codes(area_code),
                   valid_from__lte=on)
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
           .order_by("-area_code", "-valid_from").first())
    if row is None:
        raise _not_found(program, key, area_code, on)
    return row


def parameter_or_default(program: Program | str, key: str, area_code: str, month: date) -> PolicyParameter:
    """The programme's own parameter in force, else the general one (`program` empty) — the default a workflow's
    figures (办理期限、公示天数) fall back to, so a new programme needs rows only where its rule differs."""
    try:
        return parameter_at(program, key, area_code, month)
    except ParameterNotFound:
        return parameter_at(None, key, area_code, month)


def _not_found(program, key: str, area_code: str, on: date) -> ParameterNotFound:
    owner = f"项目 {_program_code(program)} 的" if program else "通用"
    return ParameterNotFound(
        f"未找到{owner}政策参数 {key}：区划 {area_code} 在 {on:%Y年%m月} 没有有效的参数值，请先维护政策参数")


class ParametersInForce:
    """`parameter_at` for many subjects: each (programme, key, month) is read once — every row in force that
    month, all areas — and resolved per area here by the same rule (the most specific area, then the latest
    start). Call it like `parameter_at`; a bulk quote passes it to each `QuoteContext`."""

    def __init__(self) -> None:
        self._rows: dict[tuple, dict[str, PolicyParameter]] = {}

    def __call__(self, program: Program | str | None, key: str, area_code: str, month: date) -> PolicyParameter:
        on, code = month.replace(day=1), _program_code(program)
        rows = self._rows.get((code, key, on))
        if rows is None:
            in_force = (PolicyParameter.objects.filter(program_id=code, key=key, valid_from__lte=on)
                        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("area_code", "valid_from"))
            rows = self._rows[(code, key, on)] = {row.area_code: row for row in in_force}  # later start wins
        for ancestor in area_ancestor_codes(area_code):  # most specific first
            if ancestor in rows:
                return rows[ancestor]
        raise _not_found(program, key, area_code, on)


def parameters_of(program: Program | str | None, *, key: str | None = None,
                  month: date | None = None) -> QuerySet[PolicyParameter]:
    """A programme's parameter rows, history included (or only those in force in `month`)."""
    rows = PolicyParameter.objects.filter(program_id=_program_code(program))
    if key:
        rows = rows.filter(key=key)
    if month is not None:
        on = month.replace(day=1)
        rows = rows.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return rows.order_by("key", "area_code", "valid_from", "id")


def programs_active() -> QuerySet[Program]:
    return Program.objects.filter(active=True).prefetch_related("excludes").order_by("sort", "code")


def enrolments_visible(user, action: str = "view") -> QuerySet[Enrolment]:
    """享受名单 the user may see (or `action`): none without the enrolment grant, else those in their area."""
    return restrict(Enrolment.objects.all(), user, action, resource="enrolment")


def holding_enrolments(*, program: Program | str, household=None, person=None) -> QuerySet[Enrolment]:
    """This programme's enrolments still holding a place for the household or the person."""
    subject = Q(pk__in=[])
    if household is not None:
        subject |= Q(household=household)
    if person is not None:
        subject |= Q(person=person)
    return Enrolment.objects.filter(subject, program_id=_program_code(program), status__in=HOLDING_STATUSES)


def conflicting_enrolments(*, program: Program, household=None, person=None) -> list[Enrolment]:
    """Holding enrolments in programmes that cannot be held together with `program` (Program.excludes).

    The conflict is looked for on the household and the person, both ways round: a person's current household,
    and the household's members in the registry now. So a 特困 person cannot also be counted in a 低保
    household, whichever of the two is asked about first.
    """
    excluded = [p.code for p in program.excludes.all()]
    if not excluded:
        return []
    households = [household.pk] if household is not None else []
    people = [person.pk] if person is not None else []
    if person is not None:
        households += list(HouseholdMember.objects.filter(person=person, is_active=True)
                           .values_list("household_id", flat=True))
    if household is not None:
        people += list(household.members.filter(is_active=True).values_list("person_id", flat=True))
    return list(Enrolment.objects.filter(Q(household_id__in=households) | Q(person_id__in=people),
                                         program_id__in=excluded, status__in=HOLDING_STATUSES)
                .select_related("program").order_by("id"))


def household_assistance_history(household, *, user=None) -> list[Enrolment]:
    """一户一条救助链: every enrolment of the household or of anyone who has been its member, with its changes,
    oldest first. With `user`, only what that user may see."""
    people = household.members.values("person_id")
    rows = Enrolment.objects.filter(Q(household=household) | Q(person_id__in=people))
    if user is not None:
        rows = restrict(rows, user, "view", resource="enrolment")
    return list(rows.select_related("program", "person", "decided_by")
                .prefetch_related(Prefetch("changes", queryset=EnrolmentChange.objects.select_related("by")))
                .order_by("start_month", "id"))
