"""Partitioning by month of the audit tables (minzheng/partitions.py, audit migration 0006): on PostgreSQL the
migration keeps every row and id, the models work as before, and the schedule creates the next month's partition
(idempotently, moving stray rows out of the DEFAULT partition). On SQLite every step is a no-op."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AccessLog, ChangeLog, DomainEvent
from minzheng.celery import app
from minzheng.dates import add_months
from minzheng.partitions import PARTITIONED, is_partitioned, partition_name, partitions_ensure, partitions_of

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning is "
                                   "PostgreSQL's; on SQLite the migration and the job do nothing (tested below)")
BEIJING = ZoneInfo(settings.TIME_ZONE)


def _month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=BEIJING)


def _partition_holding(table: str, row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


def test_on_sqlite_the_schedule_does_nothing(db):
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL run tests the partitions themselves (below)")
    assert partitions_ensure(today=date(2026, 12, 7)) == {table: 0 for table in PARTITIONED}


@postgres_only
def test_audit_tables_are_partitioned_and_the_models_work(db, personas):
    with connection.cursor() as cursor:
        assert all(is_partitioned(cursor, table) for table in PARTITIONED)
    entry = ChangeLog.objects.create(model="registry.person", object_id="1", action=ChangeLog.Action.CREATE)
    event = DomainEvent.objects.create(type="person_registered", message="登记人员")
    access = AccessLog.objects.create(user=personas["admin"], kind=AccessLog.Kind.EXPORT)
    this_month = partition_name("audit_changelog", entry.time.astimezone(BEIJING).date().replace(day=1))
    assert _partition_holding("audit_changelog", entry.pk) == this_month
    assert ChangeLog.objects.get(pk=entry.pk).model == "registry.person"
    assert DomainEvent.objects.get(pk=event.pk).message == "登记人员"
    AccessLog.objects.filter(pk=access.pk).update(request_id="r-1")
    assert AccessLog.objects.get(pk=access.pk).request_id == "r-1"


@postgres_only
def test_the_schedule_creates_next_months_partition_once(db):
    today = date(2031, 5, 20)  # beyond what the migration created
    june = date(2031, 6, 1)
    with connection.cursor() as cursor:
        assert partition_name("audit_changelog", june) not in partitions_of(cursor, "audit_changelog")
    # A row written in June before its partition exists lands in the DEFAULT partition …
    stray = ChangeLog.objects.create(model="registry.person", object_id="9", action=ChangeLog.Action.UPDATE)
    ChangeLog.objects.filter(pk=stray.pk).update(time=_month_start(june) + timedelta(days=3))
    assert _partition_holding("audit_changelog", stray.pk) == "audit_changelog_default"

    created = partitions_ensure(today=today, months_ahead=1)  # May and June
    assert created == {table: 2 for table in PARTITIONED}
    with connection.cursor() as cursor:
        for table in PARTITIONED:
            assert {partition_name(table, date(2031, 5, 1)), partition_name(table, june)} <= set(
                partitions_of(cursor, table))
    # … and moves into June's partition when it is created; the same id, the same row.
    assert _partition_holding("audit_changelog", stray.pk) == partition_name("audit_changelog", june)
    assert ChangeLog.objects.get(pk=stray.pk).object_id == "9"
    assert partitions_ensure(today=today, months_ahead=1) == {table: 0 for table in PARTITIONED}


@postgres_only
def test_the_periodic_task_is_scheduled_and_creates_partitions(db):
    entry = settings.CELERY_BEAT_SCHEDULE["partitions-ahead"]
    app.loader.import_default_modules()  # what the worker does at start: autodiscovery included
    assert entry["task"] in app.tasks
    result = app.tasks[entry["task"]].apply().get()
    assert set(result) == set(PARTITIONED)
    next_month = add_months(date.today().replace(day=1), 1)
    with connection.cursor() as cursor:
        assert partition_name("audit_accesslog", next_month) in partitions_of(cursor, "audit_accesslog")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_row_and_id_both_ways(personas):
    user = personas["admin"]
    old = datetime(2025, 3, 15, 9, 30, tzinfo=BEIJING)
    entries = [ChangeLog.objects.create(model="registry.person", object_id=str(n), action=ChangeLog.Action.CREATE,
                                        user=user, after={"n": n}) for n in range(5)]
    ChangeLog.objects.filter(pk=entries[0].pk).update(time=old)  # a month before the migration ran
    AccessLog.objects.create(user=user, kind=AccessLog.Kind.REVEAL_ID, detail={"why": "核对"})
    before = {t: _rows(t) for t in PARTITIONED}
    executor = MigrationExecutor(connection)
    leaf = ("audit", "0007_partitions_by_month")
    try:
        executor.migrate([("audit", "0006_event_types_december")])
        with connection.cursor() as cursor:
            assert not any(is_partitioned(cursor, t) for t in PARTITIONED)
        assert {t: _rows(t) for t in PARTITIONED} == before
        executor.loader.build_graph()
        executor.migrate([leaf])
    finally:
        executor.loader.build_graph()
        executor.migrate([leaf])
    with connection.cursor() as cursor:
        assert all(is_partitioned(cursor, t) for t in PARTITIONED)
        # the old row has a partition of its month, and the ids continue after the existing ones
        assert _partition_holding("audit_changelog", entries[0].pk) == partition_name("audit_changelog",
                                                                                      date(2025, 3, 1))
    assert {t: _rows(t) for t in PARTITIONED} == before
    newer = ChangeLog.objects.create(model="registry.person", object_id="new", action=ChangeLog.Action.CREATE)
    assert newer.pk > max(e.pk for e in entries)
    # the foreign key to the user came back with its name
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'audit_changelog'::regclass "
                       "AND contype = 'f'")
        assert cursor.fetchone()[0] == 1


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()
