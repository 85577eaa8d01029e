"""Programme actions (政策参数维护, 纳入、调整、渐退、暂停、恢复、终止). Each public function is one business action:
atomic, permission- and area-checked, and it keeps history (EnrolmentChange + change log + a domain event that
the notice and timeline pages read). Months are dates on the first of the month.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from accounts.policy import allowed, area_in_scope, scope_prefix
from areas.codes import DISTRICT_PREFIX_LENGTH, area_code_prefix
from audit.models import ChangeLog, DomainEvent, EventType
from audit.services import (
    change_log_bulk_create,
    change_log_write,
    domain_event_write,
    domain_events_bulk_write,
    snapshot,
)
from minzheng.dates import add_months, first_of_month, same_day_months_later
from programs.calculations import Quote, quote_bulk
from programs.calculations.base import PERSON_ALONE
from programs.calculations.money import money
from programs.models import (
    OPEN_STATUSES,
    CareLevel,
    Enrolment,
    EnrolmentChange,
    PolicyParameter,
    Program,
    SupportMode,
)
from programs.rerate import rerate_propose
from programs.selectors import HOLDING_STATUSES, conflicting_enrolments, holding_enrolments, parameter_at
from registry.models import Household, HouseholdMember, Person, Relation

FOUR_PLACES = Decimal("0.0001")
# The 渐退 cap's source, quoted in the refusal (RULES.md §1.1, S4); the figure itself is the general
# parameter `phase_out_max_months`.
PHASE_OUT_SOURCE = "民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》（2022年）"


def _require(user, resource: str, action: str, area_code: str | None = None) -> None:
    if not allowed(user, resource, action):
        raise PermissionDenied("无此操作权限")
    if area_code is not None and not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


def _month(value, field: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: ["请填写月份"]})
    return first_of_month(value)


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [f"请填写{label}"]})
    return value


# ---- 政策参数 -------------------------------------------------------------------------------------------------

def _may_set_area(user, area_code: str) -> bool:
    """The user's own area and below; or, for a district-level user, a figure set above it (重庆市 500000000000
    applies in the district). In a multi-district installation narrow the second rule to city-level users."""
    if area_in_scope(user, area_code):
        return True
    prefix = scope_prefix(user)
    return prefix is not None and len(prefix) <= DISTRICT_PREFIX_LENGTH and prefix.startswith(
        area_code_prefix(area_code))


def _parameter_value(value) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"value": ["数值格式不正确"]}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({"value": ["数值应为不小于0的数"]})
    if number != number.quantize(FOUR_PLACES):
        raise ValidationError({"value": ["数值最多保留4位小数"]})
    if abs(number) >= Decimal("1e8"):
        raise ValidationError({"value": ["数值过大"]})
    return number.quantize(FOUR_PLACES)


def _check_parameter_input(program, key: str, area_code: str, valid_from) -> tuple[Program | None, str]:
    if program is not None and not isinstance(program, Program):
        program = Program.objects.filter(code=program).first()
        if program is None:
            raise ValidationError({"program": ["项目不存在"]})
    key = _text(key, "key", "参数名").lower()
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise ValidationError({"key": ["参数名只能由小写字母、数字和下划线组成"]})
    if not (isinstance(area_code, str) and len(area_code) == 12 and area_code.isdigit()):
        raise ValidationError({"area_code": ["区划代码应为12位数字，重庆市全市适用填 500000000000"]})
    if not isinstance(valid_from, date):
        raise ValidationError({"valid_from": ["请填写生效日期"]})
    return program, key


@transaction.atomic
def policy_parameter_set(*, acting_user, program: Program | str | None, key: str, area_code: str, value,
                         valid_from: date, source: str, verified: bool = True, note: str = "") -> PolicyParameter:
    """设定政策参数: a new value from `valid_from`. The row in force is end-dated the day before (never edited
    in place); a new value from the very day the current row starts is a correction, and leaves the old row
    with an empty period (valid_to < valid_from) so it stays in the history but never applies."""
    if not allowed(acting_user, "policy", "change"):
        raise PermissionDenied("无修改政策参数的权限")
    program, key = _check_parameter_input(program, key, area_code, valid_from)
    if not _may_set_area(acting_user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    number, source = _parameter_value(value), _text(source, "source", "依据文件")
    rows = PolicyParameter.objects.select_for_update().filter(program=program, key=key, area_code=area_code)
    current = rows.filter(valid_to__isnull=True).first()
    _check_period(rows, current, valid_from)
    if current is not None:
        _end_date(current, valid_from, acting_user)
    row = PolicyParameter.objects.create(program=program, key=key, area_code=area_code, value=number,
                                         valid_from=valid_from, source=source, verified=bool(verified),
                                         note=(note or "").strip(), created_by=acting_user)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user, reason="设定政策参数")
    # Amounts follow the standards: the enrolments this figure re-rates wait, as a pending re-rating with its
    # preview, for a district officer's confirmation (programs.rerate).
    rerate_propose(parameter=row, acting_user=acting_user)
    return row


def _check_period(rows, current: PolicyParameter | None, valid_from: date) -> None:
    if current is not None and valid_from < current.valid_from:
        raise ValidationError({"valid_from": [
            f"生效日期不能早于现行参数的生效日期（{current.valid_from:%Y-%m-%d}）"]})
    # An emptied row (a same-day correction: valid_to < valid_from) never applied, so it cannot overlap.
    overlapping = rows.filter(valid_to__gte=valid_from).filter(valid_to__gte=F("valid_from"))
    if overlapping.exists():
        raise ValidationError({"valid_from": ["生效日期与已截止的参数有效期重叠"]})


def _end_date(current: PolicyParameter, valid_from: date, acting_user) -> None:
    before = snapshot(current)
    current.valid_to = valid_from - timedelta(days=1)
    reason = "新参数生效，原参数截止" if valid_from > current.valid_from else "同日更正，原参数作废"
    current.save(update_fields=["valid_to"])
    change_log_write(instance=current, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(current),
                     acting_user=acting_user, reason=reason)


# ---- 享受名单 -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecheckNeeded:
    """A household enrolment to re-check after a member's death (process within `due_by`)."""

    enrolment: Enrolment
    household: Household
    person: Person
    reason: str
    due_by: date


@dataclass(frozen=True)
class DeathOutcome:
    ended: list[Enrolment]
    recheck: list[RecheckNeeded]


def _user_or_none(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _record(*, enrolment: Enrolment, kind: str, before: dict | None, from_amount: Decimal | None,
            from_status: str, reason: str, effective_month: date, acting_user, message: str) -> EnrolmentChange:
    """History of one change: the change row, the field-level change log, and the timeline event (the notice)."""
    change = EnrolmentChange.objects.create(
        enrolment=enrolment, kind=kind, from_amount=from_amount, to_amount=enrolment.monthly_amount,
        from_status=from_status, to_status=enrolment.status, reason=reason, effective_month=effective_month,
        area_id=enrolment.area_id, by=_user_or_none(acting_user))
    action = {EnrolmentChange.Kind.START: ChangeLog.Action.CREATE,
              EnrolmentChange.Kind.END: ChangeLog.Action.DEACTIVATE}.get(kind, ChangeLog.Action.UPDATE)
    change_log_write(instance=enrolment, action=action, before=before, after=snapshot(enrolment),
                     acting_user=acting_user, reason=reason)
    domain_event_write(
        type=EventType(f"enrolment_{kind}"), message=message[:300], household=enrolment.household,
        person=enrolment.person, subject=enrolment, acting_user=acting_user,
        params={"enrolment": enrolment.pk, "program": enrolment.program_id, "change": change.pk,
                "effective_month": effective_month.isoformat(),
                "from_amount": None if from_amount is None else money(from_amount),
                "to_amount": money(enrolment.monthly_amount), "reason": reason})
    return change


def _subject(program: Program, household: Household | None, person: Person | None, alone: bool = False) -> tuple:
    """(household, person, area) of a new enrolment: household programmes name the applicant (户主 by default);
    person programmes have no household; `alone`: a household programme's help to a person with no household
    registered here (PERSON_ALONE, 急难发生地救助)."""
    if program.unit == Program.Unit.PERSON or (alone and household is None and person is not None):
        if person is None:
            raise ValidationError({"person": [f"{program.name}以个人为单位享受，请指定人员"]})
        return None, person, person.area
    if household is None:
        raise ValidationError({"household": [f"{program.name}以家庭为单位享受，请指定家庭"]})
    members = household.members.filter(is_active=True).select_related("person")
    if person is None:
        member = members.filter(relation=Relation.HEAD).first() or members.order_by("id").first()
        if member is None:
            raise ValidationError({"household": ["该家庭无在户成员"]})
        person = member.person
    elif not members.filter(person=person).exists():
        raise ValidationError({"person": ["申请人不是该家庭的在户成员"]})
    return household, person, household.area


def _check_quote(quote: Quote, program: Program, household, person) -> None:
    same_subject = (quote.household_id == household.pk if household is not None
                    else quote.person_id == person.pk)
    if quote.program != program.code or not same_subject:
        raise ValidationError({"quote": ["测算结果与所选项目或对象不一致，请重新测算"]})
    if not quote.eligible:
        raise ValidationError({"quote": ["测算结果为不符合条件：" + "；".join(quote.reasons)]})


def _check_care(quote: Quote, care_level: str, support_mode: str) -> tuple[str, str]:
    care_level = care_level or quote.inputs.get("care_level", "")
    if care_level and care_level not in CareLevel.values:
        raise ValidationError({"care_level": ["护理等级应为 self（全自理）、half（半护理）或 full（全护理）"]})
    if quote.inputs.get("care_level") and care_level != quote.inputs["care_level"]:
        raise ValidationError({"care_level": ["护理等级与测算时不一致，请重新测算"]})
    if support_mode and support_mode not in SupportMode.values:
        raise ValidationError({"support_mode": ["供养方式应为 centralized（集中供养）或 dispersed（分散供养）"]})
    return care_level, support_mode


def _check_not_held(program: Program, household, person) -> None:
    held = holding_enrolments(program=program, household=household, person=None if household else person).first()
    if held is not None:
        raise ValidationError({"program": [
            f"已在享受{program.name}（状态：{held.get_status_display()}），不能重复纳入"]})
    conflicts = conflicting_enrolments(program=program, household=household, person=person)
    if conflicts:
        names = "、".join(dict.fromkeys(e.program.name for e in conflicts))
        held = "；".join(f"{e.program.name} 享受记录 #{e.pk}，{e.start_month:%Y年%m月}起，{e.get_status_display()}"
                        for e in conflicts)
        raise ValidationError({"program": [f"已在享受{names}，与{program.name}不能同时享受（{held}）"]})


@transaction.atomic
def enrolment_start(*, acting_user, program: Program, household: Household | None = None,
                    person: Person | None = None, start_month: date, quote: Quote, care_level: str = "",
                    support_mode: str = "") -> Enrolment:
    """纳入 (审核确认后): enrol the household or person at the quote's amount from `start_month`.

    The quote must be for the same programme and subject and be eligible; its lines and parameters are kept in
    `Enrolment.calculation`. Refused when the subject already holds this programme or an excluded one. A
    one-off programme (`recurring=False`) is recorded as paid for `start_month` only (status ended at once).
    """
    if not program.active:
        raise ValidationError({"program": [f"项目已停用：{program.name}"]})
    household, person, area = _subject(program, household, person, alone=bool(quote.inputs.get(PERSON_ALONE)))
    _require(acting_user, "enrolment", "add", area.code)
    if person.status == Person.Status.DECEASED:
        raise ValidationError({"person": [f"{person.name} 已登记死亡"]})
    _check_quote(quote, program, household, person)
    care_level, support_mode = _check_care(quote, care_level, support_mode)
    start = _month(start_month, "start_month")
    _check_not_held(program, household, person)
    enrolment = Enrolment(program=program, household=household, person=person, area=area,
                          monthly_amount=quote.monthly_amount, start_month=start, care_level=care_level,
                          support_mode=support_mode, calculation=quote.as_json(), decided_by=acting_user)
    if not program.recurring:
        # 一次性发放 (临时救助): paid for the start month only, so it never holds a place and the household can
        # be helped again.
        enrolment.status, enrolment.end_month, enrolment.end_reason = Enrolment.Status.ENDED, start, "一次性发放"
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # Another officer enrolled the same subject in the meantime: the partial unique constraint caught it.
        raise ValidationError({"program": [f"已在享受{program.name}，不能重复纳入"]}) from None
    amount = money(enrolment.monthly_amount)
    message = (f"纳入{program.name}，月发放 {amount} 元，自 {start:%Y年%m月}起" if program.recurring
               else f"给予{program.name} {amount} 元（一次性，{start:%Y年%m月}发放）")
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.START, before=None, from_amount=None, from_status="",
            reason="审核确认纳入", effective_month=start, acting_user=acting_user, message=message)
    return enrolment


# ---- 批量纳入 (免申即享) ------------------------------------------------------------------------------------------

BULK_CHUNK = 2000
BULK_RETRIES = 3


@dataclass
class BulkStarted:
    """What `enrolments_start_bulk` did: the new enrolments, and each subject refused with its reasons."""

    enrolled: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[Household | None, Person, list[str]]] = field(default_factory=list)


def _start_message(program: Program, enrolment: Enrolment, person: Person) -> str:
    amount, start = money(enrolment.monthly_amount), enrolment.start_month
    return (f"纳入{program.name}，月发放 {amount} 元，自 {start:%Y年%m月}起" if program.recurring
            else f"给予{program.name} {amount} 元（一次性，{start:%Y年%m月}发放）")


def enrolments_start_bulk(*, acting_user, program: Program, subjects: list[tuple[Household | None, Person]],
                          start_month: date, reason: str, on: date | None = None,
                          event_type: EventType = EventType.ENROLMENT_START,
                          notice: Callable[[Enrolment, Person], str] | None = None, **inputs) -> BulkStarted:
    """批量纳入 (免申即享 and other data-driven enrolment): `enrolment_start` for many subjects, set-based.

    `subjects` are loaded (household, person) pairs — household None for a person programme; for a household
    programme the person is the applicant. Each is quoted by the programme's registered functions
    (`quote_bulk`: parameters read once, facts judged on `on`), and refused — not raised — when dead, already
    holding the programme, holding an excluded one (both ways round, as `conflicting_enrolments`) or not
    eligible. Per chunk: a few reads, then one insert each of enrolments, their 纳入 changes, change-log rows and
    timeline events (`event_type`, text by `notice(enrolment, person)`, default that of `enrolment_start`).

    Each chunk is its own transaction; one that races another run (the one-open-enrolment constraint) is read
    again. A missing parameter raises `ParameterNotFound` and leaves that chunk unwritten. `acting_user` None is
    the district's own scheduled run (免申即享 needs no officer); a user needs the enrolment grant for every
    subject's area.
    """
    if not program.active:
        raise ValidationError({"program": [f"项目已停用：{program.name}"]})
    user = _user_or_none(acting_user)
    if user is not None:
        _require(user, "enrolment", "add")
        if any(not area_in_scope(user, _area_of(household, person)) for household, person in subjects):
            raise PermissionDenied("该区划不在您的管辖范围内")
    start = _month(start_month, "start_month")
    result = BulkStarted()
    for first in range(0, len(subjects), BULK_CHUNK):
        chunk = subjects[first:first + BULK_CHUNK]
        for attempt in range(BULK_RETRIES):
            try:
                with transaction.atomic():
                    done = _start_chunk(program, chunk, start, reason, on, event_type, notice, user, inputs)
                break
            except IntegrityError:
                if attempt == BULK_RETRIES - 1:
                    raise  # not a race any more: something else is wrong
        result.enrolled += done.enrolled
        result.refused += done.refused
    return result


def _area_of(household: Household | None, person: Person) -> str:
    return household.area_id if household is not None else person.area_id


def _start_chunk(program, chunk, start, reason, on, event_type, notice, user, inputs) -> BulkStarted:
    result = BulkStarted()
    refusals = _bulk_refusals(program, chunk)
    candidates = []
    for index, (household, person) in enumerate(chunk):
        if index in refusals:
            result.refused.append((household, person, refusals[index]))
        else:
            candidates.append((household, person))
    quotes = quote_bulk(program=program, subjects=candidates, month=start, on=on, **inputs)
    rows = []
    for (household, person), quoted in zip(candidates, quotes, strict=True):
        if not quoted.eligible:
            result.refused.append((household, person, quoted.reasons))
            continue
        enrolment = Enrolment(program=program, household=household, person=person,
                              area_id=_area_of(household, person), monthly_amount=quoted.monthly_amount,
                              start_month=start, calculation=quoted.as_json(), decided_by=user)
        if not program.recurring:  # 一次性发放, as in enrolment_start
            enrolment.status, enrolment.end_month, enrolment.end_reason = Enrolment.Status.ENDED, start, "一次性发放"
        rows.append((enrolment, person))
    if not rows:
        return result
    _bulk_insert([e for e, _ in rows])
    changes = EnrolmentChange.objects.bulk_create([
        EnrolmentChange(enrolment_id=e.pk, kind=EnrolmentChange.Kind.START, to_amount=e.monthly_amount,
                        to_status=e.status, reason=reason, effective_month=start, area_id=e.area_id, by=user)
        for e, _ in rows])
    change_log_bulk_create(model=Enrolment, rows=[(str(e.pk), str(e), snapshot(e)) for e, _ in rows],
                           acting_user=user, reason=reason)
    write = notice or (lambda enrolment, person: _start_message(program, enrolment, person))
    domain_events_bulk_write(acting_user=user, subjects=[e for e, _ in rows], events=[
        DomainEvent(type=event_type, household_id=e.household_id, person_id=e.person_id,
                    message=write(e, person)[:300],
                    params={"enrolment": e.pk, "program": program.code, "change": change.pk,
                            "effective_month": start.isoformat(), "from_amount": None,
                            "to_amount": money(e.monthly_amount), "reason": reason})
        for (e, person), change in zip(rows, changes, strict=True)])
    result.enrolled = [e for e, _ in rows]
    return result


def _bulk_insert(enrolments: list[Enrolment]) -> None:
    """One INSERT; without RETURNING (old SQLite) the new ids are read back by subject."""
    before = Enrolment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Enrolment.objects.bulk_create(enrolments)
    if enrolments and enrolments[0].pk is None:
        ids = {(h, p): pk for pk, h, p in Enrolment.objects.filter(pk__gt=before, program=enrolments[0].program_id)
               .values_list("pk", "household_id", "person_id")}
        for e in enrolments:
            e.pk = e.id = ids[(e.household_id, e.person_id)]


def _bulk_refusals(program: Program, chunk: list[tuple]) -> dict[int, list[str]]:
    """Why each subject (by index) may not be enrolled, from one read of memberships and one of holdings: dead,
    already holding this programme, or holding an excluded one (the household's members and the person's
    households count, as in `conflicting_enrolments`)."""
    excluded = {p.code: p.name for p in program.excludes.all()}
    persons = {person.pk for _, person in chunk}
    households = {household.pk for household, _ in chunk if household is not None}
    households_of, members_of = defaultdict(set), defaultdict(set)
    if excluded:
        for person_id, household_id in (HouseholdMember.objects.filter(is_active=True)
                                        .filter(Q(person_id__in=persons) | Q(household_id__in=households))
                                        .values_list("person_id", "household_id")):
            households_of[person_id].add(household_id)
            members_of[household_id].add(person_id)
    all_households = households.union(*households_of.values())
    all_persons = persons.union(*members_of.values())
    held = defaultdict(set)  # ("h" | "p", id) → programme codes held
    for code, household_id, person_id in (
            Enrolment.objects.filter(Q(household_id__in=all_households) | Q(person_id__in=all_persons),
                                     program_id__in=[program.code, *excluded], status__in=HOLDING_STATUSES)
            .values_list("program_id", "household_id", "person_id")):
        if household_id:
            held[("h", household_id)].add(code)
        if person_id:
            held[("p", person_id)].add(code)
    refusals = {}
    for index, (household, person) in enumerate(chunk):
        reasons = []
        if person.status == Person.Status.DECEASED:
            reasons.append(f"{person.name} 已登记死亡")
        own = ("h", household.pk) if household is not None else ("p", person.pk)
        if program.code in held[own]:
            reasons.append(f"已在享受{program.name}，不能重复纳入")
        keys = [("h", h) for h in ({household.pk} if household else set()) | households_of[person.pk]]
        keys += [("p", p) for p in {person.pk} | (members_of[household.pk] if household else set())]
        names = dict.fromkeys(excluded[c] for k in keys for c in sorted(held[k]) if c in excluded)
        if names:
            reasons.append(f"已在享受{'、'.join(names)}，与{program.name}不能同时享受")
        if reasons:
            refusals[index] = reasons
    return refusals


def _lock(enrolment: Enrolment, acting_user, statuses: tuple[str, ...], doing: str) -> tuple[Enrolment, dict]:
    """Re-read the enrolment under a row lock, check the user may change it and its status allows `doing`."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins to household and person.
    locked = Enrolment.objects.select_for_update(of=("self",)).select_related(
        "program", "household", "person").get(pk=enrolment.pk)
    _require(acting_user, "enrolment", "change", locked.area_id)
    if locked.status not in statuses:
        raise ValidationError({"status": [f"当前状态为“{locked.get_status_display()}”，不能{doing}"]})
    return locked, snapshot(locked)


@transaction.atomic
def enrolment_change_amount(*, acting_user, enrolment: Enrolment, quote: Quote, effective_month: date,
                            reason: str) -> Enrolment:
    """调整金额 (复核后): a new eligible quote for the same subject sets the amount from `effective_month`."""
    enrolment, before = _lock(enrolment, acting_user, ("active", "phasing_out"), "调整金额")
    reason = _text(reason, "reason", "调整原因")
    _check_quote(quote, enrolment.program, enrolment.household, enrolment.person)
    care_level, _ = _check_care(quote, "", "")
    month = _month(effective_month, "effective_month")
    old = enrolment.monthly_amount
    enrolment.monthly_amount, enrolment.calculation = quote.monthly_amount, quote.as_json()
    enrolment.care_level = care_level or enrolment.care_level
    enrolment.save(update_fields=["monthly_amount", "calculation", "care_level"])
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.CHANGE, before=before, from_amount=old,
            from_status=enrolment.status, reason=reason, effective_month=month, acting_user=acting_user,
            message=f"{enrolment.program.name}月发放金额由 {money(old)} 元调整为 {money(enrolment.monthly_amount)} 元，"
                    f"自 {month:%Y年%m月}起（{reason}）")
    return enrolment


@transaction.atomic
def enrolment_phase_out(*, acting_user, enrolment: Enrolment, months: int, reason: str,
                        effective_month: date | None = None) -> Enrolment:
    """渐退: income rose above the standard after employment; payment continues for `months` months after the
    decision month (`effective_month`, default this month), i.e. up to and including `phase_out_until` =
    effective_month + months. The cap is the general parameter `phase_out_max_months` (6)."""
    enrolment, before = _lock(enrolment, acting_user, ("active",), "办理渐退")
    reason = _text(reason, "reason", "渐退原因")
    month = _month(effective_month or date.today(), "effective_month")
    cap = int(parameter_at(None, "phase_out_max_months", enrolment.area_id, month).value)
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= cap:
        raise ValidationError({"months": [f"渐退期为1至{cap}个月，最长不超过{cap}个月（{PHASE_OUT_SOURCE}）"]})
    enrolment.status, enrolment.phase_out_until = Enrolment.Status.PHASING_OUT, add_months(month, months)
    enrolment.save(update_fields=["status", "phase_out_until"])
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.PHASE_OUT, before=before,
            from_amount=enrolment.monthly_amount, from_status=Enrolment.Status.ACTIVE, reason=reason,
            effective_month=month, acting_user=acting_user,
            message=f"{enrolment.program.name}进入渐退期 {months} 个月，"
                    f"至 {enrolment.phase_out_until:%Y年%m月}（{reason}）")
    return enrolment


@transaction.atomic
def enrolment_suspend(*, acting_user, enrolment: Enrolment, reason: str, effective_month: date) -> Enrolment:
    """暂停发放 (e.g. 不配合复核): the place is kept; `enrolment_resume` restores the previous status."""
    enrolment, before = _lock(enrolment, acting_user, ("active", "phasing_out"), "暂停")
    reason, month = _text(reason, "reason", "暂停原因"), _month(effective_month, "effective_month")
    previous = enrolment.status
    enrolment.status = Enrolment.Status.SUSPENDED
    enrolment.save(update_fields=["status"])
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.SUSPEND, before=before,
            from_amount=enrolment.monthly_amount, from_status=previous, reason=reason, effective_month=month,
            acting_user=acting_user, message=f"{enrolment.program.name}自 {month:%Y年%m月}起暂停发放（{reason}）")
    return enrolment


@transaction.atomic
def enrolment_resume(*, acting_user, enrolment: Enrolment, reason: str, effective_month: date) -> Enrolment:
    """恢复发放: back to 渐退期 if one had been set, else 正常享受."""
    enrolment, before = _lock(enrolment, acting_user, ("suspended",), "恢复")
    reason, month = _text(reason, "reason", "恢复原因"), _month(effective_month, "effective_month")
    resumed = Enrolment.Status.PHASING_OUT if enrolment.phase_out_until else Enrolment.Status.ACTIVE
    if holding_enrolments(program=enrolment.program, household=enrolment.household,
                          person=enrolment.person).exclude(pk=enrolment.pk).exists():
        raise ValidationError({"status": ["该对象已有另一条享受记录，不能恢复"]})
    enrolment.status = resumed
    enrolment.save(update_fields=["status"])
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.RESUME, before=before,
            from_amount=enrolment.monthly_amount, from_status=Enrolment.Status.SUSPENDED, reason=reason,
            effective_month=month, acting_user=acting_user,
            message=f"{enrolment.program.name}自 {month:%Y年%m月}起恢复发放（{reason}）")
    return enrolment


def _end(enrolment: Enrolment, before: dict, *, reason: str, effective_month: date, acting_user) -> Enrolment:
    previous = enrolment.status
    enrolment.status, enrolment.end_reason = Enrolment.Status.ENDED, reason[:200]
    enrolment.end_month = add_months(effective_month, -1)
    enrolment.save(update_fields=["status", "end_reason", "end_month"])
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.END, before=before,
            from_amount=enrolment.monthly_amount, from_status=previous, reason=reason,
            effective_month=effective_month, acting_user=acting_user,
            message=f"{enrolment.program.name}自 {effective_month:%Y年%m月}起终止（{reason}）")
    return enrolment


@transaction.atomic
def enrolment_end(*, acting_user, enrolment: Enrolment, reason: str, effective_month: date) -> Enrolment:
    """终止: no payment from `effective_month` on; `end_month` (the last month paid) is the month before."""
    enrolment, before = _lock(enrolment, acting_user, ("active", "phasing_out", "suspended"), "终止")
    reason, month = _text(reason, "reason", "终止原因"), _month(effective_month, "effective_month")
    if month < enrolment.start_month:
        raise ValidationError({"effective_month": [
            f"终止月份不能早于起始月份（{enrolment.start_month:%Y年%m月}）"]})
    return _end(enrolment, before, reason=reason, effective_month=month, acting_user=acting_user)


@transaction.atomic
def enrolment_end_on_death(*, person: Person, acting_user=None) -> DeathOutcome:
    """死亡后的处理, after `person_record_death`: the person's own enrolments end, and so does a household
    enrolment when nobody is left in the household; a household with members left is returned for re-check
    (due within `death_recheck_months` of the death, RULES.md §1.1). Payment stops from the month after the
    death. This follows from a recorded death, so it needs no enrolment grant of the user who recorded it."""
    if person.status != Person.Status.DECEASED or person.death_date is None:
        raise ValidationError({"person": [f"{person.name} 未登记死亡"]})
    stop = add_months(first_of_month(person.death_date), 1)
    households = HouseholdMember.objects.filter(person=person).values("household_id")
    rows = (Enrolment.objects.select_for_update(of=("self",))
            .filter(Q(person=person) | Q(household_id__in=households), status__in=("active", "phasing_out",
                                                                                   "suspended"))
            .select_related("program", "household", "person").order_by("id"))
    ended, recheck = [], []
    for enrolment in rows:
        before = snapshot(enrolment)
        left = _members_left(enrolment.household, person) if enrolment.household_id else 0
        if enrolment.household_id and left:
            if enrolment.status in OPEN_STATUSES:
                _after_member_death(enrolment, person, effective_month=max(stop, enrolment.start_month),
                                    acting_user=acting_user)
            recheck.append(_flag_recheck(enrolment, person, acting_user))
            continue
        reason = "享受人死亡" if not enrolment.household_id else "家庭唯一成员死亡"
        ended.append(_end(enrolment, before, reason=reason, effective_month=max(stop, enrolment.start_month),
                          acting_user=acting_user))
    return DeathOutcome(ended=ended, recheck=recheck)


# Who receives a household's benefit when its payee dies: the head, then the spouse, … (oldest first within each).
PAYEE_ORDER = (Relation.HEAD, Relation.SPOUSE, Relation.PARENT, Relation.CHILD, Relation.SIBLING,
               Relation.GRANDCHILD, Relation.OTHER)


def _after_member_death(enrolment: Enrolment, deceased: Person, *, effective_month: date, acting_user) -> None:
    """A household keeps its benefit after a member's death until the re-check, but the money must not keep flowing
    to the dead: a dead payee is replaced by a living member, and the amount is re-computed for the smaller household
    from the month after the death. Both are history rows; the re-check (flagged by the caller) confirms them."""
    if enrolment.person_id == deceased.pk:
        _payee_replace(enrolment, deceased, effective_month=effective_month, acting_user=acting_user)
    _amount_after_death(enrolment, deceased, effective_month=effective_month, acting_user=acting_user)


def _payee_replace(enrolment: Enrolment, deceased: Person, *, effective_month: date, acting_user) -> None:
    members = (enrolment.household.members.filter(is_active=True).exclude(person=deceased)
               .exclude(person__status=Person.Status.DECEASED).select_related("person"))
    rank = {relation: index for index, relation in enumerate(PAYEE_ORDER)}
    chosen = min(members, key=lambda m: (rank.get(m.relation, len(rank)), m.person.birth_date or date.max, m.pk))
    before, old = snapshot(enrolment), enrolment.monthly_amount
    enrolment.person = chosen.person
    enrolment.save(update_fields=["person"])
    reason = f"领取人{deceased.name}死亡，领取人变更为{chosen.person.name}（{chosen.get_relation_display()}）"
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.CHANGE, before=before, from_amount=old,
            from_status=enrolment.status, reason=reason, effective_month=effective_month, acting_user=acting_user,
            message=f"{enrolment.program.name}：{reason}，自 {effective_month:%Y年%m月}起；请核实其银行账户")


def _amount_after_death(enrolment: Enrolment, deceased: Person, *, effective_month: date, acting_user) -> None:
    from programs.calculations import quote

    inputs = (enrolment.calculation or {}).get("inputs") or {}
    try:
        fresh = quote(program=enrolment.program, household=enrolment.household, month=effective_month, **inputs)
    except ValidationError as exc:
        fresh, why = None, "；".join(exc.messages)
    else:
        why = "；".join(fresh.reasons)
    if fresh is None or not fresh.eligible:
        # Not decided here: the re-check decides eligibility; the officer sees why the amount was left as it was.
        domain_event_write(type=EventType.ENROLMENT_AMOUNT_KEPT, message=(
            f"家庭成员{deceased.name}死亡后未能自动重新测算{enrolment.program.name}金额（{why}），请在复核中核定")[:300],
            household=enrolment.household, person=deceased, subject=enrolment, acting_user=acting_user,
            params={"enrolment": enrolment.pk, "program": enrolment.program_id})
        return
    if fresh.monthly_amount == enrolment.monthly_amount:
        return
    before, old = snapshot(enrolment), enrolment.monthly_amount
    enrolment.monthly_amount, enrolment.calculation = fresh.monthly_amount, fresh.as_json()
    enrolment.save(update_fields=["monthly_amount", "calculation"])
    reason = f"家庭成员{deceased.name}死亡，按现有在户人数重新测算"
    _record(enrolment=enrolment, kind=EnrolmentChange.Kind.CHANGE, before=before, from_amount=old,
            from_status=enrolment.status, reason=reason, effective_month=effective_month, acting_user=acting_user,
            message=f"{enrolment.program.name}月发放金额由 {money(old)} 元调整为 {money(enrolment.monthly_amount)} 元，"
                    f"自 {effective_month:%Y年%m月}起（{reason}）")


def _members_left(household: Household, deceased: Person) -> int:
    return (household.members.filter(is_active=True).exclude(person=deceased)
            .exclude(person__status=Person.Status.DECEASED).count())


def _flag_recheck(enrolment: Enrolment, person: Person, acting_user) -> RecheckNeeded:
    months = int(parameter_at(None, "death_recheck_months", enrolment.area_id, person.death_date).value)
    due = same_day_months_later(person.death_date, months)
    reason = f"家庭成员{person.name}死亡，须重新核定家庭人数和{enrolment.program.name}金额"
    domain_event_write(type=EventType.ENROLMENT_RECHECK_NEEDED, message=f"{reason}（{due:%Y年%m月%d日}前办理）",
                       household=enrolment.household, person=person, subject=enrolment, acting_user=acting_user,
                       params={"enrolment": enrolment.pk, "program": enrolment.program_id,
                               "due_by": due.isoformat()})
    return RecheckNeeded(enrolment=enrolment, household=enrolment.household, person=person, reason=reason,
                         due_by=due)
