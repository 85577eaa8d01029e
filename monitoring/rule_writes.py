"""预警与任务的集合式写入 (set-based writes of a rule run): the warnings, their tasks and the tasks' "created" events
of one rule as three INSERT … SELECT statements, whatever the number of people flagged.

The candidates come from `monitoring.services.rule_candidates` compiled by the ORM (the condition vocabulary stays
the one place that builds filters); nothing is read into Python. What the per-object path did in Python is done in
the SELECT: the subject's name (task title), community and active household, the queue the task sits in at its
handling level (the community, its town, or the district — `tasks.services.level_areas`), the task's detail.
Columns the statements do not name get their model default, so a field added to Task or Warning later does not
break the insert (a required field without a default does, loudly).

On PostgreSQL the three are one statement (INSERT … RETURNING feeding the next INSERT through WITH), so the tasks
and events are exactly those of the warnings just written. On SQLite (one writer at a time) "this run's warnings"
are the rule's warnings above the largest id seen before the insert that have no task yet (and, for the events,
tasks without their 'created' event).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, models
from django.utils import timezone

from minzheng import sql as dialect
from minzheng.sql import Sql, lit
from monitoring.models import Rule, Warning
from tasks.models import Task, TaskEvent

WARNING_SOURCE = "monitoring.warning"


def _insert_sql(model: type[models.Model], values: dict[str, str], tail: str) -> tuple[str, list]:
    """INSERT INTO model (…) SELECT values … tail, and the parameters of the defaults: unnamed columns get their
    default (a parameter, standing in the SELECT list before any parameter of the tail) or NULL."""
    columns, selects, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in values:
            selects.append(values[field.attname])
        elif field.null and not field.has_default():
            continue
        else:
            default = field.get_default()  # '' for a text field without a default, as a model instance gets
            if default is None:
                raise ValueError(f"{model.__name__}.{field.name}: no value and no default for the set-based insert")
            selects.append("%s")
            defaults.append(field.get_db_prep_save(default, connection))
        columns.append(connection.ops.quote_name(field.column))
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} {tail}", defaults


def _run(statement: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _moment(value: datetime) -> str:
    """A datetime as the literal the backend stores (UTC text on SQLite, timestamptz on PostgreSQL)."""
    adapted = connection.ops.adapt_datetimefield_value(value)
    return f"CAST({lit(str(adapted))} AS timestamptz)" if dialect.is_postgres() else lit(str(adapted))


def _statistics_at_least(model: type[models.Model], rows: int) -> None:
    """ANALYZE the table when its statistics count fewer rows than were just written to it. The foreign-key
    check at commit of each task event (`TaskEvent.task`, the one key of these rows that keeps its constraint)
    runs as a generic plan; on a table the statistics call empty — a fresh installation, a table just emptied
    and vacuumed — that plan is a sequential scan, and the commit of 19,398 warnings took 10 s instead of
    1.3 s. Only the key column is sampled: the check's plan needs the row count, not the other columns'
    statistics (0.02 s instead of 0.1 s at 19,008 tasks)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = CAST(%s AS regclass)", [table])
        found = cursor.fetchone()
        if found is not None and found[0] < rows:
            quote = connection.ops.quote_name
            cursor.execute(f"ANALYZE {quote(table)} ({quote(model._meta.pk.column)})")


def statistics_fresh(model: type[models.Model]) -> None:
    """ANALYZE the table when more of its rows changed since its last ANALYZE than autovacuum's own threshold
    (50 + 10 %) — autovacuum may be off or behind right after a feed's commit. The rule's candidate query is
    planned from these statistics: with `monitoring_deptrecord` analysed while it was empty and a million records
    written since, the planner expected 2,405 vehicle records instead of 980,000 and the 10 M rule run took 30 %
    longer. Called once per rule run (`monitoring.services.rules_run`), not per rule: records do not change between
    rules. PostgreSQL only (SQLite keeps no such counters)."""
    if not dialect.is_postgres():
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT s.n_mod_since_analyze, c.reltuples FROM pg_stat_user_tables s "
                       "JOIN pg_class c ON c.oid = s.relid WHERE s.relid = CAST(%s AS regclass)", [table])
        found = cursor.fetchone()
        if found is not None and found[0] > 50 + 0.1 * max(found[1], 0):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@contextmanager
def _index_scans_only(*, when: bool) -> Iterator[None]:
    """No sequential scans for the block, when `when` (PostgreSQL): for the first warnings ever written. On an
    empty `monitoring_warning` whose statistics say so (a fresh installation, a table emptied and vacuumed) the
    planner runs the candidates' two NOT EXISTS against warnings as a nested loop over a sequential scan of the
    table the same statement is filling, so every record re-reads the pages written so far: 4.3 s instead of
    0.8 s for 19,008 warnings. With sequential scans priced out they probe `warning_rule_person` and the
    dept_record index instead (0.8 s). Only then: on a table with rows and statistics the planner chooses well.
    (Nested loops off instead cured it too, but made the small death rule hash whole tables: +0.2 s.) Not restored
    on an error — harmless, as `Sql.no_jit`."""
    if when:
        _run("SET enable_seqscan = off", [])
    yield
    if when:
        _run("RESET enable_seqscan", [])


def _max_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0]


def warnings_and_tasks_insert(*, rule: Rule, candidates, deadline: datetime, acting_user,
                              dedup_suffix: str | None = None) -> tuple[int, int]:
    """Insert a warning for each (person_id, record_id) of `candidates` (a values_list query), a task for each and
    the task's 'created' event. Returns (how many warnings, the largest warning id before them): this run's
    warnings are those of the rule above that id.

    A check over the registry rather than a department feed (e.g. the disability coverage check) gives record_id
    NULL and a `dedup_suffix` (e.g. the month "2026-02"): the key is then rule code, person and suffix.

    PostgreSQL: one statement — the warnings' INSERT … RETURNING feeds the tasks' INSERT … RETURNING, which feeds
    the events' INSERT — so no statement looks for "the rows just written" (on freshly emptied tables the planner's
    estimates of such a look-up are off by the whole run: a nested loop over a sequential scan). SQLite: three
    statements, the later two finding this run's rows by id and by the missing task / event."""
    sql = Sql()
    if sql.pg and connection.in_atomic_block and not connection.savepoint_ids:
        # The rule's own transaction (not nested in a caller's): its commit need not wait for the WAL flush. A
        # crash may lose the last such commits — the next run makes the same warnings again (they are keyed by
        # rule and record) — and any later synchronous commit (the batch marked done) flushes them first.
        sql.run("SET LOCAL synchronous_commit TO OFF")
    before = _max_id(Warning)
    now = timezone.now()
    user = acting_user.pk if getattr(acting_user, "pk", None) else None
    pick, pick_params = candidates.query.sql_with_params()
    warning_sql, warning_defaults = _insert_sql(Warning, {
        "rule_id": lit(rule.pk), "warning_type": lit(rule.warning_type), "severity": lit(rule.severity),
        "person_id": "c.person_id",
        "household_id": ("(SELECT MIN(m.household_id) FROM registry_householdmember m "
                         "WHERE m.person_id = c.person_id AND m.is_active)"),
        "dept_record_id": "c.record_id", "area_id": "p.area_id",
        "dedup_key": (f"{lit(rule.code + ':')} || CAST(c.record_id AS text)" if dedup_suffix is None else
                      f"{lit(rule.code + ':')} || CAST(c.person_id AS text) || {lit(':' + dedup_suffix)}"),
        "created_at": _moment(now),
    }, f"FROM ({pick}) c JOIN registry_person p ON p.id = c.person_id")
    assigned = {Task.Level.COMMUNITY: "w.area_id", Task.Level.TOWN: "COALESCE(a.parent_id, w.area_id)",
                Task.Level.DISTRICT: "COALESCE(up.parent_id, a.parent_id, w.area_id)"}[rule.handling_level]
    detail = sql.jobject({"warning_type": lit(rule.warning_type), "rule": lit(rule.code), "advice": lit(rule.advice),
                          "severity": lit(rule.severity), "dept_record": "w.dept_record_id"})
    task_values = {
        "kind": lit("warning"), "title": f"substr({lit(rule.name + '：')} || p.name, 1, 200)",
        "person_id": "w.person_id", "household_id": "w.household_id", "area_id": "w.area_id",
        "handling_level": lit(rule.handling_level), "assigned_area_id": assigned, "deadline": _moment(deadline),
        "source_type": lit(WARNING_SOURCE), "source_id": "w.id", "detail": detail, "created_by_id": lit(user),
        "created_at": _moment(now),
    }
    task_from = ("JOIN registry_person p ON p.id = w.person_id LEFT JOIN areas_area a ON a.code = w.area_id "
                 "LEFT JOIN areas_area up ON up.code = a.parent_id")
    level = Task.Level(rule.handling_level).label
    message = f"创建任务，{level}办理，期限 {timezone.localtime(deadline):%Y-%m-%d %H:%M}"
    event_values = {"task_id": "x.id", "kind": lit(TaskEvent.Kind.CREATED), "message": lit(message[:300]),
                    "by_id": lit(user), "at": _moment(now)}
    if sql.pg:
        task_sql, task_defaults = _insert_sql(Task, task_values, f"FROM new_warnings w {task_from}")
        event_sql, event_defaults = _insert_sql(TaskEvent, event_values, "FROM new_tasks x")
        statement = (f"WITH new_warnings AS ({warning_sql} RETURNING id, person_id, household_id, area_id, "
                     f"dept_record_id), new_tasks AS ({task_sql} RETURNING id) {event_sql}")
        # No JIT: the planner prices the rule's EXISTS filters per record far above what they cost, so JIT
        # compiled this statement for ~0.75 s of its 1.5 s (1 M records, 19,008 warnings) and saved nothing.
        with sql.no_jit(), _index_scans_only(when=before == 0):
            warned = _run(statement, warning_defaults + list(pick_params) + task_defaults + event_defaults)
        _statistics_at_least(Task, warned)
        return warned, before
    warned = _run(warning_sql, warning_defaults + list(pick_params))
    if not warned:
        return 0, before
    task_sql, task_defaults = _insert_sql(Task, task_values, f"""FROM monitoring_warning w {task_from}
           WHERE w.rule_id = {lit(rule.pk)} AND w.id > {lit(before)}
             AND NOT EXISTS (SELECT 1 FROM tasks_task x WHERE x.source_type = {lit(WARNING_SOURCE)}
                             AND x.source_id = w.id)""")
    _run(task_sql, task_defaults)
    event_sql, event_defaults = _insert_sql(TaskEvent, event_values, f"""FROM tasks_task x
           JOIN monitoring_warning w ON w.id = x.source_id
           WHERE x.source_type = {lit(WARNING_SOURCE)} AND w.rule_id = {lit(rule.pk)} AND w.id > {lit(before)}
             AND NOT EXISTS (SELECT 1 FROM tasks_taskevent e WHERE e.task_id = x.id
                             AND e.kind = {lit(TaskEvent.Kind.CREATED)})""")
    _run(event_sql, event_defaults)
    return warned, before
