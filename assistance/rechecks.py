"""Re-checks after enrolment (享受期间定期核查与动态管理).

Each open enrolment of a recurring, means-tested programme (`Program.means_tested`: 低保, 特困 …; never 高龄津贴,
which rests on age alone) has one re-check due (`Recheck`), its interval by household type
from the policy parameters `recheck_months_*` (seeded by migration 0005 with their sources). Completing a
re-check keeps the enrolment (and schedules the next), changes the amount, starts a 渐退 period of at most the
parameter `phase_out_max_months`, or ends it — the enrolment itself only ever changes through
programs.services, which keeps its EnrolmentChange history. Every completion writes a notice to the household
(变更通知: a DomainEvent of type `recheck_notice`, its text also kept on the re-check) and a change-log entry.

A death goes through `on_person_death`: programs.services.enrolment_end_on_death ends what the death ends, and
a household with members left gets a re-check due within `death_recheck_months`.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Least
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, restrict
from assistance.models import Recheck
from audit.models import ChangeLog, EventType
from audit.services import change_log_bulk_create, change_log_write, domain_event_write, snapshot
from casework import clock
from minzheng.dates import add_months, first_of_month, month_end, same_day_months_later
from programs.calculations import Quote, quote
from programs.calculations.money import money
from programs.models import OPEN_STATUSES, Enrolment, PolicyParameter, Program
from programs.selectors import ParameterNotFound, parameter_at
from programs.services import (
    DeathOutcome,
    enrolment_change_amount,
    enrolment_end,
    enrolment_end_on_death,
    enrolment_phase_out,
)
from registry.models import HukouType, Person
from registry.selectors import current_household_of

RESOURCE = "enrolment"
# Which enrolments are re-checked at all: this app decides, every scheduler below (and monitoring's warnings) uses it.
RECHECKED = Q(program__recurring=True, program__means_tested=True)
INTERVAL_KEYS = {Recheck.Kind.STABLE: "recheck_months_stable", Recheck.Kind.UNSTABLE: "recheck_months_unstable"}
UNEMPLOYED_KEYS = {HukouType.URBAN: "recheck_months_unemployed_urban",
                   HukouType.RURAL: "recheck_months_unemployed_rural"}
KIND_SHORT = {Recheck.Kind.STABLE: "收入基本无变化", Recheck.Kind.UNSTABLE: "收入有变化",
              Recheck.Kind.UNEMPLOYED: "有劳动能力尚未就业"}
# Rechecks due within this many days show in the work queue as due work.
DUE_SOON_DAYS = 30
CHUNK = 1000
PHASE_OUT_RULE = ("渐退适用于就业后家庭收入超过低保标准的情形"
                  "（《最低生活保障审核确认办法》动态管理；民政部等2022年通知）")


# ---- intervals ---------------------------------------------------------------------------------------------

def _hukou(enrolment: Enrolment) -> str:
    household = enrolment.household or (current_household_of(enrolment.person) if enrolment.person_id else None)
    return household.hukou_type if household is not None else HukouType.URBAN


def interval_key(enrolment: Enrolment, kind: str) -> str:
    if kind == Recheck.Kind.UNEMPLOYED:
        return UNEMPLOYED_KEYS.get(_hukou(enrolment), UNEMPLOYED_KEYS[HukouType.URBAN])
    return INTERVAL_KEYS[kind]


def interval_parameter(program_id: str, key: str, area_code: str, on: date) -> PolicyParameter:
    """The programme's own row if it has one, else the general row (program = None)."""
    try:
        return parameter_at(program_id, key, area_code, on)
    except ParameterNotFound:
        return parameter_at(None, key, area_code, on)


def _check_kind(kind: str) -> str:
    if kind not in Recheck.Kind.values:
        options = "、".join(f"{value}（{label}）" for value, label in Recheck.Kind.choices)
        raise ValidationError({"household_kind": [f"家庭类别应为：{options}"]})
    return kind


def _due(enrolment: Enrolment, kind: str, base: date) -> tuple[date, dict]:
    key = interval_key(enrolment, kind)
    row = interval_parameter(enrolment.program_id, key, enrolment.area_id, base)
    months = int(row.value)
    due = same_day_months_later(base, months)
    return due, {"key": key, "months": months, "from": base.isoformat(), "parameter": row.pk, "source": row.source,
                 "verified": row.verified}


# ---- scheduling ----------------------------------------------------------------------------------------------

def _subject_name(enrolment: Enrolment) -> str:
    return enrolment.person.name if enrolment.person_id else f"家庭{enrolment.household_id}"


def _create(enrolment: Enrolment, *, kind: str, trigger: str, due_on: date, basis: dict, acting_user,
            note: str = "") -> Recheck:
    try:
        with transaction.atomic():
            recheck = Recheck.objects.create(enrolment=enrolment, area_id=enrolment.area_id, kind=kind,
                                             trigger=trigger, due_on=due_on, basis=basis, note=note,
                                             scheduled_by=_user_or_none(acting_user))
    except IntegrityError:
        raise ValidationError({"enrolment": ["该享受对象已有待办的复核"]}) from None
    change_log_write(instance=recheck, action=ChangeLog.Action.CREATE, before=None, after=snapshot(recheck),
                     acting_user=acting_user, reason=Recheck.Trigger(trigger).label)
    domain_event_write(
        type=EventType.RECHECK_SCHEDULED, household=enrolment.household, person=enrolment.person, subject=recheck,
        acting_user=acting_user,
        message=f"安排{enrolment.program.name}{Recheck.Trigger(trigger).label}：{due_on:%Y-%m-%d}前办理"
                f"（{KIND_SHORT[kind]}）",
        params={"recheck": recheck.pk, "enrolment": enrolment.pk, "due_on": due_on.isoformat(), "kind": kind})
    return recheck


def _user_or_none(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def recheck_schedule(*, enrolment: Enrolment, household_kind: str, acting_user=None,
                     base: date | None = None) -> Recheck | None:
    """安排定期核查 when an enrolment starts (or after a re-check): due `recheck_months_<kind>` months after
    `base` (default the start month). A one-off programme (临时救助), one that is not means-tested (高龄津贴) or a
    closed enrolment gets none.

    Called inside the action that started the enrolment (审核确认), which has checked the user; it checks nothing
    else itself.
    """
    kind = _check_kind(household_kind)
    if not (enrolment.program.recurring and enrolment.program.means_tested) or not enrolment.is_open:
        return None
    base = base or enrolment.start_month
    due_on, basis = _due(enrolment, kind, base)
    return _create(enrolment, kind=kind, trigger=Recheck.Trigger.PERIODIC, due_on=due_on, basis=basis,
                   acting_user=acting_user)


def _missing(after: int) -> QuerySet[Enrolment]:
    due = Recheck.objects.filter(enrolment=OuterRef("pk"), status=Recheck.Status.DUE)
    done = Recheck.objects.filter(enrolment=OuterRef("pk"), status=Recheck.Status.DONE).order_by("-done_on", "-id")
    latest = Recheck.objects.filter(enrolment=OuterRef("pk")).order_by("-id")
    return (Enrolment.objects.filter(RECHECKED, status=Enrolment.Status.ACTIVE, pk__gt=after)
            .filter(~Exists(due))
            .annotate(last_kind=Subquery(latest.values("kind")[:1]), last_done=Subquery(done.values("done_on")[:1]))
            .select_related("program", "household").order_by("pk"))


def rechecks_schedule_missing(*, default_kind: str = Recheck.Kind.UNSTABLE) -> int:
    """Give every active enrolment of a recurring means-tested programme without a re-check due its next one;
    returns how many.

    For enrolments confirmed outside the pages (API, import). Walked by primary key in chunks; each chunk is one
    bulk insert plus one bulk change-log insert; parameters are read once per (programme, key, area). The kind
    is that of the enrolment's latest re-check, else `default_kind` (six-monthly, the more frequent national
    rule) until an officer classifies the household at its first re-check. Safe to re-run: an enrolment with a
    re-check due is skipped, and a chunk that races an officer scheduling the same enrolment is read again.
    """
    _check_kind(default_kind)
    created, after, cache = 0, 0, {}
    while True:
        chunk = list(_missing(after)[:CHUNK])
        if not chunk:
            return created
        rows = [_missing_row(enrolment, default_kind, cache) for enrolment in chunk]
        try:
            with transaction.atomic():
                Recheck.objects.bulk_create(rows)
                change_log_bulk_create(model=Recheck, rows=[(str(r.pk), str(r), snapshot(r)) for r in rows],
                                       reason="补充安排定期核查")
        except IntegrityError:
            continue  # someone scheduled one of these meanwhile: the chunk, read again, no longer has it
        created += len(rows)
        after = chunk[-1].pk


def _missing_row(enrolment: Enrolment, default_kind: str, cache: dict) -> Recheck:
    kind = enrolment.last_kind or default_kind
    base = enrolment.last_done or enrolment.start_month
    key = interval_key(enrolment, kind)
    cache_key = (enrolment.program_id, key, enrolment.area_id, first_of_month(base))
    if cache_key not in cache:
        cache[cache_key] = interval_parameter(enrolment.program_id, key, enrolment.area_id, base)
    row = cache[cache_key]
    due = same_day_months_later(base, int(row.value))
    return Recheck(enrolment=enrolment, area_id=enrolment.area_id, kind=kind, trigger=Recheck.Trigger.PERIODIC,
                   due_on=due, basis={"key": key, "months": int(row.value), "from": base.isoformat(),
                                      "parameter": row.pk, "source": row.source, "verified": row.verified})


@dataclass(frozen=True)
class Flagged:
    """A person a department-data warning is about (and their household, if any): the warning is cited."""

    person_id: int
    household_id: int | None
    warning_id: int


@transaction.atomic
def rechecks_schedule_for_warnings(*, flagged: list[Flagged], due_on: date, rule_code: str, rule_name: str,
                                   acting_user=None) -> int:
    """提前复核 after a department-data warning (e.g. a pension lifts income to the standard): every open
    enrolment of a means-tested programme (`RECHECKED`) held by a flagged household — or by the flagged person —
    gets a re-check due by `due_on`: a due one is brought forward (never pushed back), a missing one is inserted
    (kind "unstable": the data says the income changed). A 高龄津贴 the same person receives is left alone.

    Set-based: per chunk of flagged people one read, one UPDATE, one INSERT and one change-log insert. Returns the
    number of enrolments touched. The caller (the rule run) has checked nothing about the user: a warning is the
    district's data, not an officer's decision."""
    by_household = {f.household_id: f.warning_id for f in flagged if f.household_id}
    by_person = {f.person_id: f.warning_id for f in flagged}
    user = _user_or_none(acting_user)
    label = Recheck.Trigger.DATA.label
    touched = 0
    for start in range(0, len(flagged), CHUNK):
        households, persons = list(by_household)[start:start + CHUNK], list(by_person)[start:start + CHUNK]
        enrolments = list(Enrolment.objects.filter(RECHECKED, status__in=OPEN_STATUSES)
                          .filter(Q(household_id__in=households) | Q(person_id__in=persons))
                          .values_list("pk", "area_id", "household_id", "person_id"))
        if not enrolments:
            continue
        due = Recheck.objects.filter(enrolment_id__in=[e[0] for e in enrolments], status=Recheck.Status.DUE)
        has_due = set(due.values_list("enrolment_id", flat=True))
        due.update(due_on=Least(F("due_on"), Value(due_on)), trigger=Recheck.Trigger.DATA,
                   note=f"{label}（{rule_name}），提前复核")
        rows = [Recheck(enrolment_id=pk, area_id=area, kind=Recheck.Kind.UNSTABLE, trigger=Recheck.Trigger.DATA,
                        due_on=due_on, scheduled_by=user, note=f"{label}（{rule_name}）",
                        basis={"rule": rule_code, "warning": by_household.get(household) or by_person.get(person),
                               "due_by": due_on.isoformat()})
                for pk, area, household, person in enrolments if pk not in has_due]
        Recheck.objects.bulk_create(rows)
        if rows and rows[0].pk is None:  # no RETURNING: read the new ids back
            fresh = dict(Recheck.objects.filter(enrolment_id__in=[r.enrolment_id for r in rows],
                                                status=Recheck.Status.DUE).values_list("enrolment_id", "pk"))
            for r in rows:
                r.pk = r.id = fresh[r.enrolment_id]
        change_log_bulk_create(model=Recheck, rows=[(str(r.pk), str(r), snapshot(r)) for r in rows],
                               acting_user=acting_user, reason=f"{label}：{rule_name}")
        touched += len(enrolments)
    return touched


# ---- reads ---------------------------------------------------------------------------------------------------

def rechecks_visible(user, action: str = "view") -> QuerySet[Recheck]:
    return restrict(Recheck.objects.all(), user, action, resource=RESOURCE)


def rechecks_due(user, today: date | None = None) -> QuerySet[Recheck]:
    """到期复核: re-checks due (or overdue) within DUE_SOON_DAYS, earliest first."""
    today = today or clock.today()
    horizon = date.fromordinal(today.toordinal() + DUE_SOON_DAYS)
    return (rechecks_visible(user).filter(status=Recheck.Status.DUE, due_on__lte=horizon)
            .select_related("enrolment", "enrolment__program", "enrolment__person", "area")
            .order_by("due_on", "id"))


def recheck_quote(enrolment: Enrolment, month: date) -> Quote:
    """测算 now, with the officer's inputs kept from the enrolment's own quote (护理等级 …)."""
    inputs = dict((enrolment.calculation or {}).get("inputs") or {})
    subject = ({"person": enrolment.person} if enrolment.program.unit == Program.Unit.PERSON
               else {"household": enrolment.household})
    return quote(program=enrolment.program, month=month, **subject, **inputs)


# ---- completing a re-check -------------------------------------------------------------------------------------

@dataclass
class Decision:
    outcome: str
    reason: str
    quote: Quote | None
    phase_out_months: int | None
    next_kind: str
    month: date


def _lock(recheck: Recheck, acting_user) -> Recheck:
    locked = (Recheck.objects.select_for_update(of=("self",))
              .select_related("enrolment", "enrolment__program", "enrolment__household", "enrolment__person")
              .get(pk=recheck.pk))
    if not allowed(acting_user, RESOURCE, "change"):
        raise PermissionDenied(f"无办理复核的权限（{RESOURCE}.change）")
    if not area_in_scope(acting_user, locked.area_id):
        raise PermissionDenied("该享受对象不在您的管辖范围内")
    if locked.status != Recheck.Status.DUE:
        raise ValidationError({"status": [f"该复核{locked.get_status_display()}，不能再次办理"]})
    return locked


@transaction.atomic
def recheck_complete(*, acting_user, recheck: Recheck, outcome: str, reason: str, quote: Quote | None = None,
                     phase_out_months: int | None = None, household_kind: str | None = None) -> Recheck:
    """办理复核: keep (维持, the next re-check is scheduled), change the amount (调整, from next month, by a new
    eligible quote), 渐退 (this month + `phase_out_months`, at most the parameter cap; only when the household
    no longer qualifies), or end (终止, from next month). `household_kind` re-classifies the household for the
    next re-check. Writes the notice (变更通知) and the history."""
    recheck = _lock(recheck, acting_user)
    before = snapshot(recheck)
    if outcome not in Recheck.Outcome.values:
        options = "、".join(f"{value}（{label}）" for value, label in Recheck.Outcome.choices)
        raise ValidationError({"outcome": [f"复核结论应为：{options}"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写复核意见（核查情况与结论理由）"]})
    if recheck.trigger == Recheck.Trigger.PHASE_OUT_END and outcome != Recheck.Outcome.END:
        raise ValidationError({"outcome": ["渐退期满，应终止享受；家庭收入如再次低于标准，请重新申请"]})
    today = clock.today()
    decision = Decision(outcome=outcome, reason=reason[:200], quote=quote, phase_out_months=phase_out_months,
                        next_kind=_check_kind(household_kind or recheck.kind), month=first_of_month(today))
    text = OUTCOMES[outcome](recheck, decision, acting_user)
    recheck.status, recheck.outcome, recheck.note = Recheck.Status.DONE, outcome, reason
    recheck.done_by, recheck.done_at, recheck.done_on = acting_user, timezone.now(), today
    recheck.notice = {"title": "变更通知" if outcome != Recheck.Outcome.KEEP else "复核结果通知", "text": text,
                      "date": today.isoformat()}
    recheck.save()
    change_log_write(instance=recheck, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(recheck),
                     acting_user=acting_user, reason=f"复核：{recheck.get_outcome_display()}")
    enrolment = recheck.enrolment
    domain_event_write(type=EventType.RECHECK_NOTICE, message=f"{recheck.notice['title']}：{text}"[:300],
                       household=enrolment.household, person=enrolment.person, subject=recheck,
                       acting_user=acting_user,
                       params={"recheck": recheck.pk, "enrolment": enrolment.pk, "outcome": outcome})
    _schedule_next(recheck, decision, acting_user, today)
    return recheck


def _keep(recheck: Recheck, decision: Decision, acting_user) -> str:
    enrolment = recheck.enrolment
    return (f"经复核，{_subject_name(enrolment)}的家庭情况无明显变化，{enrolment.program.name}"
            f"月发放金额 {money(enrolment.monthly_amount)} 元不变（{decision.reason}）")


def _fresh_quote(recheck: Recheck, decision: Decision, month: date) -> Quote:
    return decision.quote or recheck_quote(recheck.enrolment, month)


def _change(recheck: Recheck, decision: Decision, acting_user) -> str:
    month = add_months(decision.month, 1)
    result = _fresh_quote(recheck, decision, month)
    if not result.eligible:
        raise ValidationError({"outcome": [
            f"测算结果为不符合条件（{'；'.join(result.reasons)}），不能调整金额；请选择渐退或终止"]})
    old = recheck.enrolment.monthly_amount
    enrolment = enrolment_change_amount(acting_user=acting_user, enrolment=recheck.enrolment, quote=result,
                                        effective_month=month, reason=f"定期核查：{decision.reason}")
    return (f"经复核，{enrolment.program.name}月发放金额由 {money(old)} 元调整为 {money(enrolment.monthly_amount)} 元，"
            f"自 {month:%Y年%m月}起执行（{decision.reason}）")


def _phase_out(recheck: Recheck, decision: Decision, acting_user) -> str:
    months = decision.phase_out_months
    if months is None:
        raise ValidationError({"phase_out_months": ["请填写渐退期月数"]})
    result = _fresh_quote(recheck, decision, decision.month)
    if result.eligible:
        raise ValidationError({"outcome": [
            f"测算结果仍符合条件（月金额 {money(result.monthly_amount)} 元），不适用渐退；{PHASE_OUT_RULE}"]})
    try:
        enrolment = enrolment_phase_out(acting_user=acting_user, enrolment=recheck.enrolment, months=months,
                                        reason=f"定期核查：{decision.reason}", effective_month=decision.month)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "months" in exc.error_dict:
            raise ValidationError({"phase_out_months": exc.error_dict["months"]}) from None
        raise
    return (f"经复核，家庭收入已超过{enrolment.program.name}标准，给予渐退期 {months} 个月，"
            f"{money(enrolment.monthly_amount)} 元/月发放至 {enrolment.phase_out_until:%Y年%m月}（{decision.reason}）")


def _end(recheck: Recheck, decision: Decision, acting_user) -> str:
    month = add_months(decision.month, 1)
    enrolment = enrolment_end(acting_user=acting_user, enrolment=recheck.enrolment, effective_month=month,
                              reason=f"定期核查：{decision.reason}")
    return f"经复核，自 {month:%Y年%m月}起停发{enrolment.program.name}（{decision.reason}）"


OUTCOMES = {Recheck.Outcome.KEEP: _keep, Recheck.Outcome.CHANGE: _change, Recheck.Outcome.PHASE_OUT: _phase_out,
            Recheck.Outcome.END: _end}


def _schedule_next(recheck: Recheck, decision: Decision, acting_user, today: date) -> None:
    enrolment = Enrolment.objects.select_related("program", "household", "person").get(pk=recheck.enrolment_id)
    if decision.outcome == Recheck.Outcome.END or not enrolment.is_open:
        return
    if decision.outcome == Recheck.Outcome.PHASE_OUT:
        # The period's last paid month ends it: someone must end the enrolment before the next payroll.
        due_on = month_end(enrolment.phase_out_until)
        _create(enrolment, kind=decision.next_kind, trigger=Recheck.Trigger.PHASE_OUT_END, due_on=due_on,
                basis={"phase_out_until": enrolment.phase_out_until.isoformat()}, acting_user=acting_user)
        return
    due_on, basis = _due(enrolment, decision.next_kind, today)
    _create(enrolment, kind=decision.next_kind, trigger=Recheck.Trigger.PERIODIC, due_on=due_on, basis=basis,
            acting_user=acting_user)


# ---- death ----------------------------------------------------------------------------------------------------

@transaction.atomic
def on_person_death(person: Person, acting_user=None) -> DeathOutcome:
    """死亡后的处理, right after registry.services.person_record_death (same transaction): the enrolments the death
    ends are ended (their due re-checks cancelled); a household with members left gets its re-check brought
    forward to, or created for, the date by which the household must be re-assessed (death_recheck_months)."""
    outcome = enrolment_end_on_death(person=person, acting_user=acting_user)
    for enrolment in outcome.ended:
        _cancel_due(enrolment, f"{person.name}死亡，享受已终止", acting_user)
    for needed in outcome.recheck:
        _death_recheck(needed.enrolment, needed.due_by, needed.reason, acting_user)
    return outcome


def _cancel_due(enrolment: Enrolment, why: str, acting_user) -> None:
    for recheck in Recheck.objects.select_for_update(of=("self",)).filter(enrolment=enrolment,
                                                                          status=Recheck.Status.DUE):
        before = snapshot(recheck)
        recheck.status, recheck.note = Recheck.Status.CANCELLED, why
        recheck.save(update_fields=["status", "note"])
        change_log_write(instance=recheck, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(recheck),
                         acting_user=acting_user, reason=why)


def _death_recheck(enrolment: Enrolment, due_by: date, reason: str, acting_user) -> Recheck:
    current = Recheck.objects.select_for_update(of=("self",)).filter(enrolment=enrolment,
                                                                     status=Recheck.Status.DUE).first()
    basis = {"death_due_by": due_by.isoformat(), "key": "death_recheck_months"}
    if current is None:
        last = enrolment.rechecks.filter(status=Recheck.Status.DONE).order_by("-done_at", "-id").first()
        kind = last.kind if last else Recheck.Kind.UNSTABLE
        return _create(enrolment, kind=kind, trigger=Recheck.Trigger.MEMBER_DEATH, due_on=due_by, basis=basis,
                       acting_user=acting_user, note=reason)
    before = snapshot(current)
    current.due_on, current.trigger = min(current.due_on, due_by), Recheck.Trigger.MEMBER_DEATH
    current.basis, current.note = {**current.basis, **basis}, reason
    current.save(update_fields=["due_on", "trigger", "basis", "note"])
    change_log_write(instance=current, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(current),
                     acting_user=acting_user, reason=reason[:200])
    return current
