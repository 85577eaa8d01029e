"""Partitioning by month (按月分区) of the append-only tables, PostgreSQL only (SQLite: nothing to do).

Which tables, and why these (docs/scaling.md):
- `audit_changelog`, `audit_accesslog`, `audit_domainevent` — written on every change, every full view and export,
  read by object or person and by time, never updated, referenced by no foreign key: partitioned by `time`.
- Not (yet) `monitoring_deptrecord` and `payments_paymentline`: other tables keep foreign keys to them (a
  partitioned table's unique keys must include the partition key, so `id` alone could no longer be referenced),
  and the department records' `dedup_key` is unique over all periods. See docs/scaling.md for the path.

The primary key of a partitioned table must include the partition key: the database's key is (id, time). Django
keeps `id` as the model's primary key — every lookup by id still finds one row, because ids come from one identity
sequence and are never written by hand — so models, admin, API and `pk` stay as they were.

A month's partition is `<table>_pYYYY_MM`, bounded by Beijing months (TIME_ZONE). A DEFAULT partition takes rows
of a month without one, so an audit write never fails because the schedule did not run; `partitions_ensure`
moves such rows into the month's partition when it creates it. The schedule (Celery beat
"partitions-ahead", daily) creates the current and the next MONTHS_AHEAD months' partitions, idempotently.
"""

from datetime import date

from django.conf import settings
from django.db import connection, transaction

from minzheng.dates import add_months

PARTITIONED = {"audit_changelog": "time", "audit_accesslog": "time", "audit_domainevent": "time"}
MONTHS_AHEAD = 2


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def _bound(month: date) -> str:
    """The start of a Beijing month as a timestamptz literal (the bound of a range partition)."""
    return f"'{month:%Y-%m-%d} 00:00:00 {settings.TIME_ZONE}'"


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT c.relkind = 'p' FROM pg_class c WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                   [table])
    row = cursor.fetchone()
    return bool(row and row[0])


def partitions_of(cursor, table: str) -> list[str]:
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname", [table])
    return [row[0] for row in cursor.fetchall()]


def _create_month(cursor, table: str, column: str, month: date) -> bool:
    """The month's partition, unless it exists; rows already in the DEFAULT partition for that month move into it
    (ATTACH would refuse while they are there). Returns whether it was created."""
    name = partition_name(table, month)
    if name in partitions_of(cursor, table):
        return False
    start, end = _bound(month), _bound(add_months(month, 1))
    default = f"{table}_default"
    cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    if default in partitions_of(cursor, table):
        moved = f"{_q(column)} >= {start}::timestamptz AND {_q(column)} < {end}::timestamptz"
        cursor.execute(f"INSERT INTO {_q(name)} SELECT * FROM {_q(default)} WHERE {moved}")
        cursor.execute(f"DELETE FROM {_q(default)} WHERE {moved}")
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM ({start}) TO ({end})")
    return True


def partitions_ensure(*, today: date, months_ahead: int = MONTHS_AHEAD) -> dict[str, int]:
    """分区预建: this month's and the next `months_ahead` months' partitions of every partitioned table; returns
    how many were created per table (0 on a re-run, and on SQLite)."""
    created = {table: 0 for table in PARTITIONED}
    if connection.vendor != "postgresql":
        return created
    first = today.replace(day=1)
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in PARTITIONED.items():
            if not is_partitioned(cursor, table):
                continue
            # One creator at a time per table (two schedulers, or the job and a migration).
            cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
            for ahead in range(months_ahead + 1):
                created[table] += _create_month(cursor, table, column, add_months(first, ahead))
    return created


def _definitions(cursor, table: str) -> tuple[list[str], list[tuple[str, str]], str | None]:
    """The table's secondary indexes (CREATE statements) and its non-key constraints (name, definition), and the
    identity sequence of `id`."""
    cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN ("
                   "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                   [table, table])
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                   "AND contype IN ('f', 'c', 'u') ORDER BY conname", [table])
    constraints = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return indexes, constraints, cursor.fetchone()[0]


def _months_spanned(cursor, table: str, column: str, today: date) -> list[date]:
    cursor.execute(f"SELECT MIN({_q(column)} AT TIME ZONE %s)::date FROM {_q(table)}", [settings.TIME_ZONE])
    oldest = cursor.fetchone()[0] or today
    month, last, months = oldest.replace(day=1), add_months(today.replace(day=1), MONTHS_AHEAD), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _rebuild(cursor, table: str, column: str, *, partitioned: bool, today: date) -> None:
    """Replace `table` by a partitioned (or, going back, a plain) table holding the same rows, the same indexes,
    constraints and names, and an identity sequence that continues where the old one stood."""
    old = f"{table}_unpartitioned" if partitioned else f"{table}_partitioned"
    indexes, constraints, sequence = _definitions(cursor, table)
    cursor.execute(f"SELECT last_value FROM {sequence}" if sequence else "SELECT NULL")
    last_id = cursor.fetchone()[0]
    months = _months_spanned(cursor, table, column, today) if partitioned else []
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [old])
    for (key_name,) in cursor.fetchall():  # frees the name <table>_pkey for the new table's key
        cursor.execute(f"ALTER TABLE {_q(old)} RENAME CONSTRAINT {_q(key_name)} TO {_q(old + '_pkey')}")
    by = f" PARTITION BY RANGE ({_q(column)})" if partitioned else ""
    cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY){by}")
    key = f"id, {_q(column)}" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY ({key})")
    if partitioned:
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
        for month in months:
            _create_month(cursor, table, column, month)
    cursor.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}")
    cursor.execute(f"DROP TABLE {_q(old)} CASCADE")  # drops its partitions, indexes and constraints (names freed)
    # The definitions were read before the rename: they name `table`, now the new one. ("ON ONLY" is how a
    # partitioned table's index reads back; going back to a plain table it is a plain index.)
    for statement in indexes:
        cursor.execute(statement.replace(f" ON ONLY public.{table} ", f" ON public.{table} "))
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    if last_id is not None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        new_sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [new_sequence, last_id])
        if new_sequence != sequence:  # the old name was taken while both tables existed
            cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {_q(sequence.split('.')[-1])}")


def to_partitioned(apps, schema_editor) -> None:
    """Migration step: each table of PARTITIONED becomes partitioned by month, keeping its rows (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.utils import timezone

    with schema_editor.connection.cursor() as cursor:
        for table, column in PARTITIONED.items():
            if not is_partitioned(cursor, table):
                _rebuild(cursor, table, column, partitioned=True, today=timezone.localdate())


def to_plain(apps, schema_editor) -> None:
    """Reverse migration step: back to plain tables, keeping the rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in PARTITIONED.items():
            if is_partitioned(cursor, table):
                _rebuild(cursor, table, column, partitioned=False, today=date.today())
