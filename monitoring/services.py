"""动态监测预警业务操作: receive a department file, match its rows, run the rules, raise warnings as tasks.

The flow of a feed file (`feed_batch_upload` → job "monitoring.feed_run" → `feed_batch_process`):
the import kernel stages and validates it (`import_batch_stage`), then — because a department feed is not
reviewed row by row — its good rows are committed at once in "good_only" mode (rows with errors stay in the
error sheet; non-residents were blanked at staging), the stored file bytes are cleared (they are mostly about
other districts; the checksum stays, so a re-upload is still recognised), and the active rules run over the
batch's records.

Deaths (decision): a 公安 death record of an enrolled person is applied to the registry at once
(`registry.services.person_record_death`, acting as the uploader). That is the one path that ends benefits:
the assistance app's `person_died` receiver ends the enrolments and brings re-checks forward in the same
transaction. The warning and its task remain for the town to confirm (e.g. the funeral record, the rest of the
household).
"""

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from accounts.policy import allowed
from imports.models import ImportBatch
from imports.services import import_batch_commit, import_batch_file_drop, import_batch_stage
from jobs.models import Job
from jobs.services import job_run, job_start
from minzheng.dates import years_before
from monitoring.conditions import compile_condition, condition_check
from monitoring.feed_facts import facts_from_feed
from monitoring.feeds import feed_type_get, record_key
from monitoring.models import DeptRecord, FeedBatch, MatchReview, Rule, RuleFailure, Warning, WarningType
from monitoring.rule_writes import WARNING_SOURCE, statistics_fresh, warnings_and_tasks_insert
from monitoring.selectors import match_reviews_visible
from programs.models import Enrolment
from programs.selectors import parameter_at
from registry.models import Person
from tasks.models import Task
from tasks.services import deadline_at

log = logging.getLogger(__name__)
FEED_RUN = "monitoring.feed_run"
WAIT_SECONDS = 15
PERIOD_MAX = 20


# ---- 部门数据上传与处理 ------------------------------------------------------------------------------------------


def _require(user, resource: str, action: str, message: str) -> None:
    if not allowed(user, resource, action):
        raise PermissionDenied(message)


def feed_batch_upload(*, acting_user, feed_type: str, filename: str, content: bytes, period: str = "") -> FeedBatch:
    """上传部门数据: stage the file through the import kernel and start the feed job (validate → commit → rules)."""
    _require(acting_user, "feed", "run", "无部门数据导入权限")
    feed = feed_type_get(feed_type)
    if feed is None:
        raise ValidationError({"feed_type": [f"未知的部门数据类型：{feed_type}"]})
    period = (period or "").strip()
    if len(period) > PERIOD_MAX:
        raise ValidationError({"period": [f"数据期间不能超过{PERIOD_MAX}个字符"]})
    with transaction.atomic():
        batch = import_batch_stage(acting_user=acting_user, schema=feed.schema_key, filename=filename,
                                   content=content)
        feed_batch = FeedBatch.objects.create(import_batch=batch, feed_type=feed.code, department=feed.department,
                                              period=period, area_id=batch.area_id, created_by=acting_user)
        job_start(kind=FEED_RUN, params={"feed_batch_id": feed_batch.pk}, acting_user=acting_user)
    feed_batch.refresh_from_db()
    return feed_batch


class NotReady(Exception):
    """Another worker holds the batch's validation or commit: look again shortly."""


def feed_batch_process(*, feed_batch: FeedBatch, job: Job | None = None) -> dict:
    """Advance the batch as far as it goes: validation, commit (good rows), rules. Every step is idempotent;
    a step held by another worker makes the job re-queue itself instead of waiting."""
    batch = ImportBatch.objects.get(pk=feed_batch.import_batch_id)
    if batch.status == ImportBatch.Status.STAGED and batch.job_id:
        _run_quietly(batch.job_id)  # runs the validation here unless a worker has already claimed it
        batch.refresh_from_db()
    if batch.status == ImportBatch.Status.VALIDATED and not batch.mode and not batch.error:
        commit_job = import_batch_commit(acting_user=feed_batch.created_by, batch=batch)
        _run_quietly(commit_job.pk)
        batch.refresh_from_db()
    busy = batch.status == ImportBatch.Status.STAGED or (batch.status == ImportBatch.Status.VALIDATED
                                                        and not batch.error)
    if busy:
        raise NotReady
    if batch.status != ImportBatch.Status.COMMITTED:  # failed, discarded, or a commit that failed
        reason = batch.error or f"导入批次状态为“{batch.get_status_display()}”"
        FeedBatch.objects.filter(pk=feed_batch.pk).update(status=FeedBatch.Status.FAILED, error=reason,
                                                          finished_at=timezone.now())
        return {"status": "failed", "error": reason}
    # The file's bytes are mostly about people who are not ours: only its checksum is kept.
    import_batch_file_drop(batch=batch)
    if batch.duplicate_of_id:
        FeedBatch.objects.filter(pk=feed_batch.pk).update(status=FeedBatch.Status.DUPLICATE,
                                                          finished_at=timezone.now())
        return {"status": "duplicate", "duplicate_of": batch.duplicate_of_id}
    feed_batch.refresh_from_db()
    facts_from_feed(feed_batch=feed_batch, acting_user=feed_batch.created_by)
    result = rules_run(feed_batch=feed_batch, acting_user=feed_batch.created_by)
    FeedBatch.objects.filter(pk=feed_batch.pk).update(
        status=FeedBatch.Status.DONE, warnings_created=result["warnings"], finished_at=timezone.now())
    return {"status": "done", **result}


def _run_quietly(job_id: int) -> None:
    """Run an import job here; its failure is already on the job and the batch, which the caller reads."""
    try:
        job_run(job_id)
    except Exception:  # noqa: BLE001, S110 — the import kernel has recorded it (batch.error, job.error)
        log.info("import job %s failed; the batch says why", job_id)


def feed_job_requeue(job: Job) -> Job:
    """The same feed job again, a little later (the batch is busy in another worker)."""
    from jobs.tasks import run_job

    again = Job.objects.create(kind=FEED_RUN, params=job.params, created_by=job.created_by)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return again  # in-process: nobody else can hold the batch; left pending for an explicit run
    transaction.on_commit(lambda: run_job.apply_async((again.pk,), countdown=WAIT_SECONDS))
    return again


# ---- 人工匹配 -------------------------------------------------------------------------------------------------


def _lock_review(user, review: MatchReview) -> MatchReview:
    _require(user, "feed", "review", "无人工匹配的权限")
    locked = match_reviews_visible(user).select_for_update().filter(pk=review.pk).first()
    if locked is None:
        raise PermissionDenied("该记录不在您的管辖范围内")
    if locked.status != MatchReview.Status.PENDING:
        raise ValidationError({"status": [f"该记录已处理（{locked.get_status_display()}）"]})
    return locked


@transaction.atomic
def match_review_accept(*, acting_user, review: MatchReview) -> DeptRecord:
    """确认为本人: the row becomes a record of the candidate (the registered ID number is used)."""
    review = _lock_review(acting_user, review)
    person = Person.objects.get(pk=review.candidate_id)
    number = person.id_number or ""
    key = record_key(review.feed_type, number or f"review:{review.pk}", review.event_date.isoformat(),
                     review.payload)
    batch = review.batch
    record, created = DeptRecord.objects.get_or_create(dedup_key=key, defaults={
        "feed_type": review.feed_type, "batch": batch, "person": person, "area_id": person.area_id,
        "id_number": number, "name": review.name, "event_date": review.event_date, "payload": review.payload,
        "period": batch.period})
    review.status, review.record = MatchReview.Status.ACCEPTED, record
    review.reviewed_by, review.reviewed_at = acting_user, timezone.now()
    review.save(update_fields=["status", "record", "reviewed_by", "reviewed_at"])
    if created:
        FeedBatch.objects.filter(pk=batch.pk).update(records_kept=batch.records_kept + 1)
    return record


@transaction.atomic
def match_review_reject(*, acting_user, review: MatchReview) -> MatchReview:
    """非本人: the row is dropped — its contents are erased, only the decision stays."""
    review = _lock_review(acting_user, review)
    review.status, review.payload, review.id_number_given = MatchReview.Status.REJECTED, {}, ""
    review.reviewed_by, review.reviewed_at = acting_user, timezone.now()
    review.save(update_fields=["status", "payload", "id_number_given", "reviewed_by", "reviewed_at"])
    return review


# ---- 规则 -----------------------------------------------------------------------------------------------------


def _district_code() -> str:
    return f"{settings.MINZHENG_DISTRICT_CODE}000000"


def _resolver(today: date):
    def param(key: str):
        program, _, name = key.rpartition(":")  # "dibao:standard_urban" is a programme's parameter
        return parameter_at(program or None, name, _district_code(), today).value

    return param


def rule_candidates(rule: Rule, *, feed_batch: FeedBatch | None = None, today: date | None = None) -> QuerySet:
    """The records the rule flags now and has not flagged before (no warning on the record, no open warning
    of the rule for the person). Raises ConditionError / ParameterNotFound."""
    today = today or timezone.localdate()
    q, aliases, _ = compile_condition(rule.condition or {}, param=_resolver(today), today=today)
    rows = DeptRecord.objects.filter(feed_type=rule.feed_type)
    if feed_batch is not None:
        rows = rows.filter(batch=feed_batch)
    rows = rows.alias(**aliases).filter(q)
    warned = Warning.objects.filter(rule=rule, dept_record=OuterRef("pk"))
    open_for_person = Warning.objects.filter(rule=rule, person=OuterRef("person_id"), status=Warning.Status.OPEN)
    return rows.filter(~Exists(warned), ~Exists(open_for_person))


def rule_preview(rule: Rule, *, today: date | None = None) -> dict:
    """预览: how many people the rule would flag now (one count query), or why it cannot run."""
    try:
        count = rule_candidates(rule, today=today).values("person_id").distinct().count()
    except ValidationError as exc:
        return {"count": None, "error": "；".join(exc.messages)}
    return {"count": count, "error": ""}


RULE_FIELDS = {"name", "condition", "severity", "handling_level", "deadline_working_days", "deadline_hours",
               "active", "advice", "note"}


@transaction.atomic
def rule_update(*, acting_user, rule: Rule, **changes) -> Rule:
    """修改规则 (incl. 启用/停用): the condition must be in the vocabulary; the preview is shown before.

    Switching a rule on (or changing an active rule's condition) runs it at once over the department records
    already stored, so the count its preview promised comes true instead of waiting for the next feed. The
    result is left on `rule.run_result` for the page's message."""
    _require(acting_user, "rule", "change", "无修改预警规则的权限")
    unknown = set(changes) - RULE_FIELDS
    if unknown:
        raise ValidationError({"rule": [f"不能修改：{'、'.join(sorted(unknown))}"]})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    for name, value in changes.items():
        setattr(rule, name, value)
    if "condition" in changes:
        condition_check(rule.condition)
    if rule.deadline_working_days is None and rule.deadline_hours is None:
        raise ValidationError({"deadline_working_days": ["请设置办理时限（工作日或小时）"]})
    was_active = Rule.objects.filter(pk=rule.pk).values_list("active", flat=True).get()
    rule.updated_by = acting_user
    rule.full_clean(exclude=["updated_by"])
    rule.save()
    rule.run_result = None
    if rule.active and (not was_active or "condition" in changes):
        rule.run_result = rules_run(acting_user=acting_user, only=[rule])
    return rule


def _run_rule(rule: Rule, feed_batch: FeedBatch | None, today: date, acting_user) -> tuple[int, list[Warning]]:
    """The people flagged (first record each) → warnings, tasks and task events, three INSERT … SELECT
    (`monitoring.rule_writes`). Returns the count, and the new warnings themselves only when the rule has an
    action that needs them (登记死亡, 提前复核)."""
    pairs = (rule_candidates(rule, feed_batch=feed_batch, today=today).order_by()
             .values("person_id").annotate(record_id=Min("id")).values_list("person_id", "record_id"))
    due = deadline_at(now=timezone.now(), working_days=rule.deadline_working_days, hours=rule.deadline_hours)
    count, before = warnings_and_tasks_insert(rule=rule, candidates=pairs, deadline=due, acting_user=acting_user)
    if not count or not rule.action:
        return count, []
    return count, list(Warning.objects.filter(rule=rule, pk__gt=before).order_by("pk"))


def _apply_deaths(rule: Rule, warnings: list[Warning], feed_batch: FeedBatch | None, acting_user) -> int:
    """登记死亡 for each flagged person (a few a month): each in its own savepoint; a failure is reviewable."""
    from registry.services import person_record_death

    records = {r.pk: r for r in DeptRecord.objects.filter(pk__in=[w.dept_record_id for w in warnings])}
    applied = 0
    for warning in warnings:
        record = records[warning.dept_record_id]
        person = Person.objects.get(pk=warning.person_id)
        if person.status == Person.Status.DECEASED:
            continue
        try:
            with transaction.atomic():
                person_record_death(acting_user=acting_user, person=person, death_date=record.event_date)
            applied += 1
        except (ValidationError, PermissionDenied) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            RuleFailure.objects.create(rule=rule, batch=feed_batch, dept_record=record,
                                       error=f"自动登记死亡失败（{person.name}）：{message}，请人工核实处理")
    return applied


def rules_run(*, feed_batch: FeedBatch | None = None, acting_user=None, today: date | None = None,
              only: list[Rule] | None = None) -> dict:
    """运行规则: every active rule (or the active ones of `only`), set-based, each in its own transaction; a
    failing rule leaves a `RuleFailure` and the others still run. Re-running creates nothing new (dedup per rule
    and record, and no second open warning of a rule for a person)."""
    today = today or timezone.localdate()
    created, failures, deaths, rechecks = 0, 0, 0, 0
    statistics_fresh(DeptRecord)
    rules = Rule.objects.filter(active=True).order_by("severity", "code")
    if only is not None:
        rules = rules.filter(pk__in=[r.pk for r in only])
    for rule in rules:
        if feed_batch is not None and rule.feed_type != feed_batch.feed_type:
            continue
        try:
            with transaction.atomic():
                count, warnings = _run_rule(rule, feed_batch, today, acting_user)
        except Exception as exc:  # noqa: BLE001 — recorded for review, never a silent skip
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
            log.warning("rule %s failed: %s", rule.code, message)
            RuleFailure.objects.create(rule=rule, batch=feed_batch, error=f"规则运行失败：{message}"[:2000])
            failures += 1
            continue
        created += count
        if rule.action == Rule.Action.RECORD_DEATH and warnings:
            if acting_user is None:
                RuleFailure.objects.create(rule=rule, batch=feed_batch,
                                           error="未指定操作人，未自动登记死亡，请人工处理")
                failures += 1
            else:
                deaths += _apply_deaths(rule, warnings, feed_batch, acting_user)
        if rule.action == Rule.Action.RECHECK and warnings:
            rechecks += _schedule_rechecks(rule, warnings, acting_user)
    return {"warnings": created, "rule_failures": failures, "deaths_recorded": deaths, "rechecks": rechecks}


def _schedule_rechecks(rule: Rule, warnings: list[Warning], acting_user) -> int:
    """提前复核: the assistance app decides which enrolments are re-checked (means-tested programmes only) and
    schedules them, due by the warning's deadline."""
    from assistance.rechecks import Flagged, rechecks_schedule_for_warnings

    due_on = deadline_at(now=timezone.now(), working_days=rule.deadline_working_days,
                         hours=rule.deadline_hours).date()
    flagged = [Flagged(person_id=w.person_id, household_id=w.household_id, warning_id=w.pk) for w in warnings]
    return rechecks_schedule_for_warnings(flagged=flagged, due_on=due_on, rule_code=rule.code, rule_name=rule.name,
                                          acting_user=acting_user)


def warning_close_for_task(*, task, acting_user=None) -> None:
    """A warning's task was closed: the warning is closed with the same outcome (闭环), and a confirmed warning's
    consequence is carried out through the owning services in the same transaction — so a warning is never
    "handled" while the money still flows. A consequence that cannot be carried out refuses the close."""
    if task.source_type != WARNING_SOURCE or task.source_id is None:
        return
    closed = Warning.objects.filter(pk=task.source_id, status=Warning.Status.OPEN).update(
        status=Warning.Status.CLOSED, outcome=task.outcome, closed_at=timezone.now())
    if closed and task.outcome == Task.Outcome.CONFIRMED:
        _warning_consequence(Warning.objects.select_related("person", "dept_record", "rule").get(pk=task.source_id),
                             acting_user)


def _warning_consequence(warning: Warning, acting_user) -> None:
    """死亡停发 confirmed: the death is registered (its own receivers end or re-rate the enrolments), unless the rule
    already registered it. 可能不再符合条件 confirmed: the household's means-tested enrolments get a re-check due
    today — the officer has confirmed the facts, so the re-check (which may reduce or end the benefit) starts now."""
    if warning.warning_type == WarningType.NO_LONGER_ELIGIBLE:
        from assistance.rechecks import Flagged, rechecks_schedule_for_warnings

        rechecks_schedule_for_warnings(
            flagged=[Flagged(person_id=warning.person_id, household_id=warning.household_id, warning_id=warning.pk)],
            due_on=timezone.localdate(), rule_code=warning.rule.code, rule_name=warning.rule.name,
            acting_user=acting_user)
    if warning.warning_type == WarningType.DEATH_STOP and warning.person.status != Person.Status.DECEASED:
        from registry.services import person_record_death

        record = warning.dept_record
        if record is None or record.event_date is None:
            raise ValidationError({"outcome": ["该预警没有死亡日期，请先在人员页登记死亡，再办结"]})
        person_record_death(acting_user=acting_user, person=warning.person, death_date=record.event_date)


# ---- 免申即享：高龄津贴自动纳入 ------------------------------------------------------------------------------------

OLD_AGE_PROGRAM = "gaoling"
AUTO_ENROL_CHUNK = 2000


def old_age_candidates(*, today: date) -> QuerySet[Person]:
    """数据核查: registry persons aged 80 or more today, alive (status active — neither dead nor moved out),
    living in a community of the district, with a birth date, not recorded with a 户籍地 outside Chongqing (the
    allowance is for 重庆户籍: `registry.facts.hukou_outside_chongqing`, one subquery for all of them), and not
    holding a 高龄津贴 enrolment (open or suspended); nor someone known here only through an emergency (户籍 in another
    district, no household here: `registry.facts.nonresidents_without_household`) — their own district pays it."""
    from minzheng.lookups import prefix_q
    from programs.selectors import HOLDING_STATUSES
    from registry.facts import hukou_outside_chongqing, nonresidents_without_household

    holding = Enrolment.objects.filter(program_id=OLD_AGE_PROGRAM, person_id=OuterRef("pk"),
                                       status__in=HOLDING_STATUSES)
    return (Person.objects.filter(prefix_q("area_id", settings.MINZHENG_DISTRICT_CODE), status=Person.Status.ACTIVE,
                                  birth_date__isnull=False, birth_date__lte=years_before(today, 80))
            .filter(~Exists(holding)).exclude(pk__in=hukou_outside_chongqing(today))
            .exclude(pk__in=nonresidents_without_household(today)))


def auto_enrol_old_age(*, today: date | None = None, acting_user=None) -> dict:
    """免申即享：高龄津贴 — every candidate (`old_age_candidates`, the data check this app owns) is enrolled without
    an application through `programs.services.enrolments_start_bulk`: the amount is the registered 高龄津贴
    calculator's (the band of their age today, the amounts in force this month), from the current month (arrears
    are an officer's decision, not the job's), with a notice (DomainEvent `auto_enrol_notice`).

    Candidates are walked by primary key in chunks; the bulk service writes each chunk set-based and re-reads a
    chunk that races another run. A second run finds nobody (they hold an enrolment now). A missing band amount
    stops the run with a ParameterNotFound naming it.
    """
    from audit.models import EventType
    from programs.models import Program
    from programs.services import enrolments_start_bulk

    today = today or timezone.localdate()
    month = today.replace(day=1)
    program = Program.objects.get(code=OLD_AGE_PROGRAM)
    enrolled, after = 0, 0
    while True:
        chunk = list(old_age_candidates(today=today).filter(pk__gt=after).order_by("pk")
                     .only("id", "name", "area_id", "birth_date", "status")[:AUTO_ENROL_CHUNK])
        if not chunk:
            return {"enrolled": enrolled, "month": month.isoformat()}
        started = enrolments_start_bulk(
            acting_user=acting_user, program=program, subjects=[(None, person) for person in chunk],
            start_month=month, on=today, reason="免申即享：数据核查通过，自动纳入",
            event_type=EventType.AUTO_ENROL_NOTICE,
            notice=_old_age_notice)
        enrolled += len(started.enrolled)
        after = chunk[-1].pk


def _old_age_notice(enrolment: Enrolment, person: Person) -> str:
    return (f"高龄津贴发放告知：{person.name}已年满80周岁，经数据核查自动纳入高龄津贴（免申即享），"
            f"自{enrolment.start_month:%Y年%m月}起每月{enrolment.monthly_amount}元")
