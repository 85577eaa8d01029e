"""Set-based inserts for batch work (批量写入): COPY on PostgreSQL, one executemany on SQLite.

`bulk_create` is set-based too, but on 10⁵–10⁶ rows its per-value ORM compilation (and on PostgreSQL the
text-array encoding of its UNNEST insert) costs more than the database work. These helpers keep the same
model instances and field preparation (`pre_save`, `get_db_prep_save` for dates and JSON) and hand the rows
to the driver in one statement. Any other database falls back to `bulk_create`.

Primary keys, when the caller needs them (to point members at persons), are reserved first: from the
sequence on PostgreSQL (safe under concurrency); on SQLite from the table's maximum, which is safe because
SQLite has one writer and the caller's transaction already holds the write lock (see `batch_commit`).
"""

from django.db import connection, models, transaction

from minzheng import sql as dialect

SPECIAL_TYPES = {"DateField", "DateTimeField", "JSONField", "DecimalField"}


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, reserved without inserting anything."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if dialect.is_postgres():
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM {quoted}")
        start = cursor.fetchone()[0] or 0
        if dialect.is_sqlite():  # AUTOINCREMENT never reuses an id, even of a deleted row
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            start = max(start, found[0] if found else 0)
    return list(range(start + 1, start + 1 + count))


def bulk_insert(objs: list[models.Model], *, with_ids: bool = False, ignore_conflicts: bool = False) -> int:
    """Insert unsaved instances of one model; with_ids reserves and sets their primary keys first. With
    ignore_conflicts, rows that would break a unique constraint are skipped (PostgreSQL: COPY into a temporary
    table, then one INSERT … SELECT … ON CONFLICT DO NOTHING; SQLite: INSERT OR IGNORE). Returns how many rows
    were inserted."""
    if not objs:
        return 0
    model = type(objs[0])
    if with_ids:
        for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
            obj.pk = pk
    if not dialect.supported():
        return len(model.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=ignore_conflicts))
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    special = [f.get_internal_type() in SPECIAL_TYPES for f in fields]
    rows = [_values(obj, fields, special) for obj in objs]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # One transaction per call: SQLite in autocommit would otherwise commit (and sync) every row of executemany.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if dialect.is_postgres():
            target = "imports_tmp_bulk" if ignore_conflicts else table
            if ignore_conflicts:
                cursor.execute(f"DROP TABLE IF EXISTS {target}")
                cursor.execute(f"CREATE TEMP TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            inserted = len(rows)
            if ignore_conflicts:
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} "
                               "ON CONFLICT DO NOTHING")
                inserted = cursor.rowcount
                cursor.execute(f"DROP TABLE {target}")
        else:
            verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
            cursor.executemany(f"{verb} INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows)
            inserted = cursor.rowcount if ignore_conflicts else len(rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return inserted


def _values(obj: models.Model, fields: list[models.Field], special: list[bool]) -> tuple:
    values = []
    for field, prepare in zip(fields, special, strict=True):
        value = field.pre_save(obj, True)  # fills auto_now / auto_now_add like save() does
        if prepare and value is not None:
            value = field.get_db_prep_save(value, connection)
        values.append(value)
    return tuple(values)
