"""残疾人福利的业务操作 (services): the monthly coverage check of the two subsidies, 精康融合, 福康工程.

The coverage check (两项补贴全覆盖核查) runs every month (minzheng.periodic, or `manage.py
disability_coverage_check`). For each subsidy:

- the people eligible but not enrolled (`coverage.missing`): in a community where the district chose 免申即享
  for the subsidy (`PolicyParameter` `auto_enrol` = 1 of the programme, most specific area wins) they are enrolled
  at once through `programs.services.enrolments_start_bulk` (quoted by the registered functions, exclusions
  checked set-based, a notice per person); elsewhere a 政策找人 warning and its task go to the community worker
  (`monitoring.rule_writes.warnings_and_tasks_insert`, rule `disability_<x>_missing`);
- the enrolments whose person is no longer eligible (`coverage.ineligible_enrolled`): a re-check warning and task
  for the town (rule `disability_<x>_recheck`).

Re-running never duplicates: a person with an open warning of the rule, or one of the rule for this month, is
skipped (the warning's key is rule, person and month), and an enrolled person is no longer missing.
"""

from datetime import date

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from audit.models import EventType
from disability.coverage import PROGRAMS, ineligible_enrolled, missing, null_record
from minzheng.dates import first_of_month
from monitoring.models import Rule, Warning
from monitoring.rule_writes import warnings_and_tasks_insert
from programs.calculations.money import money
from programs.models import Enrolment, Program
from programs.selectors import ParameterNotFound, ParametersInForce
from programs.services import enrolments_start_bulk
from registry.models import Person
from tasks.services import deadline_at

AUTO_ENROL_CHUNK = 2000


def _not_warned(rule: Rule, month: date, person: str = "pk", *, also: str | None = None) -> Q:
    """No open warning of the rule (or of the 残联-feed rule `also`) for the person, and none of the rule for this
    month."""
    warned = Warning.objects.filter(rule=rule, person_id=OuterRef(person)).filter(
        Q(status=Warning.Status.OPEN) | Q(dedup_key__endswith=f":{month:%Y-%m}"))
    condition = ~Q(Exists(warned))
    if also:
        condition &= ~Q(Exists(Warning.objects.filter(rule__code=also, person_id=OuterRef(person),
                                                      status=Warning.Status.OPEN)))
    return condition


def _warn(rule: Rule, candidates, month: date, acting_user) -> int:
    if not rule.active:
        return 0
    due = deadline_at(now=timezone.now(), working_days=rule.deadline_working_days, hours=rule.deadline_hours)
    with transaction.atomic():
        count, _ = warnings_and_tasks_insert(rule=rule, candidates=candidates, deadline=due, acting_user=acting_user,
                                             dedup_suffix=f"{month:%Y-%m}")
    return count


def auto_enrol_areas(program: Program, month: date, areas: set[str]) -> set[str]:
    """The communities among `areas` where the district chose 免申即享 for the subsidy (`auto_enrol` = 1); an area
    without the setting is not (the check then warns)."""
    source, chosen = ParametersInForce(), set()
    for area in areas:
        try:
            if source(program, "auto_enrol", area, month).value == 1:
                chosen.add(area)
        except ParameterNotFound:
            continue
    return chosen


def _notice(program: Program):
    def write(enrolment: Enrolment, person: Person) -> str:
        return (f"免申即享：经残疾人证与低保数据核查，{person.name}纳入{program.name}，月发放 "
                f"{money(enrolment.monthly_amount)} 元，自 {enrolment.start_month:%Y年%m月}起")
    return write


def _auto_enrol(program: Program, people, month: date, acting_user) -> tuple[int, int]:
    enrolled, refused, after = 0, 0, 0
    while True:
        chunk = list(people.filter(pk__gt=after).order_by("pk")
                     .only("id", "name", "area_id", "status")[:AUTO_ENROL_CHUNK])
        if not chunk:
            return enrolled, refused
        started = enrolments_start_bulk(
            acting_user=acting_user, program=program, subjects=[(None, person) for person in chunk],
            start_month=month, reason="免申即享：残疾人证与低保数据核查通过，自动纳入",
            event_type=EventType.AUTO_ENROL_NOTICE, notice=_notice(program))
        enrolled, refused = enrolled + len(started.enrolled), refused + len(started.refused)
        after = chunk[-1].pk


def coverage_check_run(*, month: date, acting_user=None, area_prefix: str = "") -> dict:
    """两项补贴全覆盖核查 for `month` (default area: the whole installation). Returns, per subsidy, how many were
    enrolled (免申即享), warned (政策找人), refused by the bulk enrolment, and flagged for a re-check."""
    month = first_of_month(month)
    report = {}
    for code in PROGRAMS:
        program = Program.objects.get(code=code)
        gaps = missing(code, month, area_prefix)
        auto = auto_enrol_areas(program, month, set(gaps.order_by().values_list("area_id", flat=True).distinct()))
        enrolled, refused = _auto_enrol(program, gaps.filter(area_id__in=auto), month, acting_user) if auto else (0, 0)
        rule = Rule.objects.get(code=f"{code}_missing")
        feed_rule = f"disability_feed_{code.removeprefix('disability_')}_missing"
        to_warn = (gaps.exclude(area_id__in=auto).filter(_not_warned(rule, month, also=feed_rule)).order_by()
                   .values(person_id=F("pk"), record_id=null_record()).values_list("person_id", "record_id"))
        warned = _warn(rule, to_warn, month, acting_user)
        recheck = Rule.objects.get(code=f"{code}_recheck")
        stale = (ineligible_enrolled(code, month, area_prefix)
                 .filter(_not_warned(recheck, month, "person_id")).order_by()
                 .values("person_id", record_id=null_record()).values_list("person_id", "record_id").distinct())
        rechecks = _warn(recheck, stale, month, acting_user)
        report[code] = {"auto_enrolled": enrolled, "auto_refused": refused, "warned": warned, "rechecks": rechecks}
    return {"month": month.isoformat(), "programs": report}
