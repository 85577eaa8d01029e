"""特困人员 after the town's work (《特困人员认定办法》, RULES.md §2): the district's spot check of at least 30 % of
a town's recognitions (a reproducible draw from a recorded seed), the re-assessment within 10 working days after
a change in self-care capacity is reported, and the 7-day notice before a termination.

Every figure is a PolicyParameter (`tekun_spot_check_rate`, `tekun_reassessment_wd`, `termination_notice_days`,
seeded by migration 0012 with their sources)."""

import hashlib
import math
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from accounts.policy import allowed, area_in_scope, restrict
from areas.codes import TOWN_PREFIX_LENGTH
from areas.models import Area, AreaLevel
from assistance.models import CareLevelChange, Recheck, SpotCheck, TerminationNotice
from assistance.rechecks import _create as recheck_create
from assistance.workflows import TEKUN
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from casework.models import Case
from minzheng.dates import add_months, first_of_month
from minzheng.lookups import prefix_q
from programs.models import OPEN_STATUSES, CareLevel, Enrolment, Program
from programs.selectors import parameter_or_default
from programs.services import enrolment_end
from workcalendar.services import add_working_days

SPOT_CHECK_RESOURCE = "spot_check"
# Cases the town has sent up (初审 done): the population of the district's spot check.
SENT_UP = ("reviewed", "publicised", "confirmed", "rejected")


def _require(user, resource: str, action: str, area_code: str) -> None:
    if not allowed(user, resource, action):
        raise PermissionDenied(f"无此操作权限（{resource}.{action}）")
    if not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


# ---- 抽查 (spot check) ----------------------------------------------------------------------------------------


def spot_check_rank(seed: str, case_id: int) -> str:
    """The rank of a case in the draw: SHA-256 of "seed:case id" (hex). Public, so anyone can re-draw."""
    return hashlib.sha256(f"{seed}:{case_id}".encode()).hexdigest()


def spot_check_sample(seed: str, population: list[int], rate: Decimal) -> list[int]:
    """The sample: the ceil(rate × N) cases of lowest rank, in case-id order. Same seed, same population → same
    sample."""
    size = math.ceil(Decimal(len(population)) * rate)
    ranked = sorted(population, key=lambda pk: spot_check_rank(seed, pk))
    return sorted(ranked[:size])


def _tekun_programs() -> list[str]:
    return list(Program.objects.filter(workflow=TEKUN).values_list("code", flat=True))


def spot_check_population(*, town: Area, period_from: date, period_to: date) -> list[int]:
    """The town's 特困 cases accepted in the period whose 初审 is done (sent to the district), by id."""
    cases = Case.objects.filter(prefix_q("area_id", town.code[:TOWN_PREFIX_LENGTH]), program_id__in=_tekun_programs(),
                                accepted_on__range=(period_from, period_to), state__in=SENT_UP)
    return sorted(cases.values_list("pk", flat=True))


@transaction.atomic
def spot_check_draw(*, acting_user, town_code: str, period_from: date, period_to: date,
                    seed: str | None = None) -> SpotCheck:
    """抽取抽查案件: the district draws ≥ `tekun_spot_check_rate` of the town's recognitions; the seed (given, or a
    fresh random one), the population and the sample are recorded with who drew them and when."""
    town = Area.objects.filter(code=town_code, level=AreaLevel.TOWN).first()
    if town is None:
        raise ValidationError({"town": [f"乡镇（街道）区划代码不存在：{town_code}"]})
    _require(acting_user, SPOT_CHECK_RESOURCE, "add", town.code)
    if period_to < period_from:
        raise ValidationError({"period_to": ["截止日期不能早于起始日期"]})
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > 40:
        raise ValidationError({"seed": ["随机种子不能超过40个字符"]})
    row = parameter_or_default("tekun", "tekun_spot_check_rate", town.code, period_to)
    population = spot_check_population(town=town, period_from=period_from, period_to=period_to)
    if not population:
        raise ValidationError({"period_from": ["该期间本乡镇（街道）没有已初审的特困人员认定案件"]})
    check = SpotCheck.objects.create(
        area=town, period_from=period_from, period_to=period_to, seed=seed, rate=row.value,
        basis={"key": row.key, "source": row.source, "verified": row.verified, "parameter": row.pk},
        population=population, sample=spot_check_sample(seed, population, row.value), drawn_by=acting_user)
    change_log_write(instance=check, action=ChangeLog.Action.CREATE, before=None, after=snapshot(check),
                     acting_user=acting_user, reason="特困认定抽查")
    domain_event_write(type=EventType.SPOT_CHECK_DRAWN, subject=check, acting_user=acting_user,
                       message=f"{town.name}特困认定抽查：{len(check.population)}件中抽取{len(check.sample)}件",
                       params={"seed": seed, "sample": check.sample})
    return check


@transaction.atomic
def spot_check_result_record(*, acting_user, check: SpotCheck, case_id: int, result: str, note: str = "") -> SpotCheck:
    """登记抽查结论 for one sampled case: 符合 (agree) or 不符合 (disagree, with the reason)."""
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    _require(acting_user, SPOT_CHECK_RESOURCE, "add", check.area_id)
    if case_id not in check.sample:
        raise ValidationError({"case": ["该案件不在本次抽查样本中"]})
    if result not in ("agree", "disagree"):
        raise ValidationError({"result": ["result（抽查结论）应为 agree（符合）或 disagree（不符合）"]})
    if result == "disagree" and not (note or "").strip():
        raise ValidationError({"note": ["抽查不符合须说明理由"]})
    before = snapshot(check)
    check.results = {**check.results, str(case_id): {"result": result, "note": (note or "").strip(),
                                                     "by": acting_user.pk, "on": clock.today().isoformat()}}
    check.save(update_fields=["results"])
    change_log_write(instance=check, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(check),
                     acting_user=acting_user, reason=f"抽查结论（案件{case_id}）")
    return check


def spot_checks_visible(user) -> QuerySet[SpotCheck]:
    return restrict(SpotCheck.objects.all(), user, "view", resource=SPOT_CHECK_RESOURCE)


# ---- 重新评估 (re-assessment after a change of self-care capacity) ----------------------------------------------


@transaction.atomic
def tekun_reassessment_schedule(*, acting_user, enrolment: Enrolment, reported_on: date, note: str = "") -> Recheck:
    """生活自理能力变化: the county re-assesses within `tekun_reassessment_wd` (10) working days of the report
    (《特困人员认定办法》第二十三条). A re-check already due later is brought forward to that date."""
    _require(acting_user, "enrolment", "change", enrolment.area_id)
    if enrolment.program.workflow != TEKUN:
        raise ValidationError({"enrolment": ["生活自理能力重新评估仅适用于特困人员"]})
    if reported_on > clock.today():
        raise ValidationError({"reported_on": ["报告日期不能晚于今天"]})
    row = parameter_or_default(enrolment.program_id, "tekun_reassessment_wd", enrolment.area_id, reported_on)
    due = add_working_days(reported_on, int(row.value))
    basis = {"key": row.key, "working_days": int(row.value), "from": reported_on.isoformat(), "source": row.source,
             "verified": row.verified, "parameter": row.pk}
    current = Recheck.objects.select_for_update().filter(enrolment=enrolment, status=Recheck.Status.DUE).first()
    if current is None:
        return recheck_create(enrolment, kind=Recheck.Kind.STABLE, trigger=Recheck.Trigger.CARE_CHANGE, due_on=due,
                              basis=basis, acting_user=acting_user, note=note)
    if current.due_on > due:
        before = snapshot(current)
        current.due_on, current.trigger, current.basis = due, Recheck.Trigger.CARE_CHANGE, basis
        current.save(update_fields=["due_on", "trigger", "basis"])
        change_log_write(instance=current, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(current),
                         acting_user=acting_user, reason=Recheck.Trigger.CARE_CHANGE.label)
    return current


# ---- 照料护理等级变更 (care level after an ability assessment) ---------------------------------------------------


def tekun_enrolment_of(person) -> Enrolment | None:
    """The person's open 特困 enrolment (a programme of the 特困 workflow), if any."""
    return (Enrolment.objects.filter(person=person, program__workflow=TEKUN, status__in=OPEN_STATUSES)
            .select_related("program").order_by("-start_month", "-id").first())


@transaction.atomic
def tekun_care_level_record(*, acting_user, enrolment: Enrolment, care_level: str, effective_month: date,
                            basis: dict, reason: str) -> CareLevelChange | None:
    """照料护理等级变更: the enrolment's care level becomes `care_level` from `effective_month`; its 照料护理补贴 is
    re-rated from that month by the re-rating of a person's own facts before the payroll (no amount is written
    here). Nothing happens when the level is already that one (returns None).

    Who may record it: the holder of the enrolment grant, or whoever may record the ability assessment the level
    follows from (the mapping decides the level, not the user); always within the user's area."""
    if not (allowed(acting_user, "enrolment", "change") or allowed(acting_user, "assessment", "add")):
        raise PermissionDenied("无权变更照料护理等级")
    if not area_in_scope(acting_user, enrolment.area_id):
        raise PermissionDenied("该区划不在您的管辖范围内")
    if care_level not in CareLevel.values:
        raise ValidationError({"care_level": ["照料护理等级应为全自理、半护理或全护理"]})
    enrolment = (Enrolment.objects.select_for_update(of=("self",)).select_related("program", "person")
                 .get(pk=enrolment.pk))
    if enrolment.program.workflow != TEKUN or enrolment.status not in OPEN_STATUSES:
        raise ValidationError({"enrolment": ["照料护理等级只适用于正在享受的特困人员救助供养"]})
    if enrolment.care_level == care_level:
        return None
    before = snapshot(enrolment)
    change = CareLevelChange.objects.create(
        enrolment=enrolment, area_id=enrolment.area_id, from_level=enrolment.care_level, to_level=care_level,
        effective_month=first_of_month(effective_month), basis=basis, recorded_by=acting_user)
    old = enrolment.get_care_level_display() or "未定"
    enrolment.care_level = care_level
    enrolment.save(update_fields=["care_level"])
    change_log_write(instance=enrolment, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(enrolment),
                     acting_user=acting_user, reason=reason)
    domain_event_write(type=EventType.CARE_LEVEL_CHANGED, person=enrolment.person, subject=enrolment,
                       acting_user=acting_user,
                       message=f"照料护理等级由{old}变更为{enrolment.get_care_level_display()}，"
                               f"自{change.effective_month:%Y年%m月}起按新等级计发（{reason}）",
                       params={"from": change.from_level, "to": care_level,
                               "effective_month": change.effective_month.isoformat()})
    return change


# ---- 终止公示 (notice before termination) ----------------------------------------------------------------------


@transaction.atomic
def termination_notice_post(*, acting_user, enrolment: Enrolment, ground: str, reason: str,
                            starts_on: date | None = None) -> TerminationNotice:
    """终止公示: the ground posted for `termination_notice_days` (7) days, counted from `starts_on` inclusive."""
    _require(acting_user, "enrolment", "change", enrolment.area_id)
    if enrolment.status not in ("active", "phasing_out", "suspended"):
        raise ValidationError({"enrolment": ["该享受对象已终止"]})
    if ground not in TerminationNotice.Ground.values:
        raise ValidationError({"ground": ["终止事由不在可选范围内"]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明终止的具体情况"]})
    starts = starts_on or clock.today()
    row = parameter_or_default(enrolment.program_id, "termination_notice_days", enrolment.area_id, starts)
    days = int(row.value)
    if enrolment.termination_notices.filter(status=TerminationNotice.Status.OPEN).exists():
        raise ValidationError({"enrolment": ["该享受对象已有公示中的终止公示"]})
    notice = TerminationNotice.objects.create(
        enrolment=enrolment, area_id=enrolment.area_id, ground=ground, reason=reason.strip(), starts_on=starts,
        ends_on=starts + timedelta(days=days - 1), days=days, created_by=acting_user,
        basis={"key": row.key, "source": row.source, "verified": row.verified, "parameter": row.pk})
    change_log_write(instance=notice, action=ChangeLog.Action.CREATE, before=None, after=snapshot(notice),
                     acting_user=acting_user)
    domain_event_write(type=EventType.TERMINATION_NOTICE, subject=notice, household=enrolment.household,
                       person=enrolment.person, acting_user=acting_user,
                       message=f"终止公示（{notice.get_ground_display()}）：{starts:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}")
    return notice


@transaction.atomic
def termination_after_notice(*, acting_user, notice: TerminationNotice) -> Enrolment:
    """终止待遇 once the notice has run without an upheld objection: payment stops from the month after."""
    notice = TerminationNotice.objects.select_for_update().get(pk=notice.pk)
    _require(acting_user, "enrolment", "change", notice.area_id)
    if notice.status != TerminationNotice.Status.OPEN:
        raise ValidationError({"status": ["该终止公示已处理"]})
    today = clock.today()
    if today <= notice.ends_on:
        raise ValidationError({"status": [f"终止公示期未满（{notice.ends_on:%Y-%m-%d}截止），不能终止"]})
    enrolment = enrolment_end(acting_user=acting_user, enrolment=notice.enrolment,
                              reason=f"{notice.get_ground_display()}：{notice.reason}"[:200],
                              effective_month=max(add_months(first_of_month(today), 1),
                                                  notice.enrolment.start_month))
    before = snapshot(notice)
    notice.status = TerminationNotice.Status.ENDED
    notice.save(update_fields=["status"])
    change_log_write(instance=notice, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(notice),
                     acting_user=acting_user, reason="公示期满终止")
    return enrolment


@transaction.atomic
def termination_notice_withdraw(*, acting_user, notice: TerminationNotice, reason: str) -> TerminationNotice:
    """异议成立: the notice is withdrawn and the enrolment continues."""
    notice = TerminationNotice.objects.select_for_update().get(pk=notice.pk)
    _require(acting_user, "enrolment", "change", notice.area_id)
    if notice.status != TerminationNotice.Status.OPEN or not (reason or "").strip():
        raise ValidationError({"reason": ["仅公示中的终止公示可撤回，且须说明异议成立的理由"]})
    before = snapshot(notice)
    notice.status = TerminationNotice.Status.WITHDRAWN
    notice.save(update_fields=["status"])
    change_log_write(instance=notice, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(notice),
                     acting_user=acting_user, reason=reason.strip())
    return notice
