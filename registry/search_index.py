"""Name search indexes (姓名检索索引) that Django's model indexes cannot express, one per database engine.

PostgreSQL: a `pg_trgm` GIN index on `registry_person.name`. pg_trgm pads each word with blanks, so besides
`LIKE '%建国强%'` (three characters or more) it also serves `LIKE '王伟%'` and `LIKE '%建国'`: the two-character
queries person_search turns into "starts with or ends with". `CREATE EXTENSION pg_trgm` needs a superuser (or,
from PostgreSQL 13, a database owner with CREATE, pg_trgm being a trusted extension); in production a DBA runs
`CREATE EXTENSION IF NOT EXISTS pg_trgm;` in the database once, and the migration's own IF NOT EXISTS is then a
no-op. The database's LC_CTYPE must be a UTF-8 locale (C.UTF-8, zh_CN.UTF-8 …) so Chinese characters count as
letters for pg_trgm; under plain C/SQL_ASCII they would yield no trigrams and the index would find nothing.

SQLite: an FTS5 table with the trigram tokenizer (SQLite ≥ 3.34), contentless, holding each name as
'^' + name + '$' so that "starts with 王伟" is the trigram phrase "^王伟" and "ends with 建国" is "建国$".
Triggers keep it in step with every write to registry_person, raw SQL and bulk loads included. Django rebuilds a
SQLite table to alter it (new table, copy, drop, rename), which drops the triggers: `ensure` (run after every
`migrate`) puts them back and refills the table when they were missing.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from minzheng import sql as dialect

FTS_TABLE = "registry_person_name_fts"
TRIGGERS = ("registry_person_name_fts_ai", "registry_person_name_fts_ad", "registry_person_name_fts_au")
PG_INDEX = "person_name_trgm"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS registry_person_name_fts_ai AFTER INSERT ON registry_person BEGIN
        INSERT INTO {FTS_TABLE} (rowid, name) VALUES (new.id, '^' || new.name || '$');
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS registry_person_name_fts_ad AFTER DELETE ON registry_person BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name) VALUES ('delete', old.id, '^' || old.name || '$');
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS registry_person_name_fts_au AFTER UPDATE OF id, name ON registry_person BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name) VALUES ('delete', old.id, '^' || old.name || '$');
        INSERT INTO {FTS_TABLE} (rowid, name) VALUES (new.id, '^' || new.name || '$');
    END""",
]


def install(connection) -> None:
    """Create the index for this engine and fill it from the rows already there (one statement, set-based)."""
    with connection.cursor() as cursor:
        if dialect.is_postgres(connection):
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON registry_person USING gin (name gin_trgm_ops)")
            # Statistics of the new expression index (reversed ID number): without them the planner guesses 0.5 %
            # of the table for a 尾号 range and prefers walking the primary key for the first page (seconds at
            # 1.5 M people) over the index (a millisecond). ANALYZE samples, so it is quick at any size.
            cursor.execute("ANALYZE registry_person")
        elif dialect.is_sqlite(connection):
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(name, content='', "
                           "tokenize='trigram')")
            _refill_sqlite(cursor)
            for statement in _SQLITE_TRIGGERS:
                cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if dialect.is_postgres(connection):
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")  # the extension stays: other objects may use it
        elif dialect.is_sqlite(connection):
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def ensure(connection) -> bool:
    """SQLite: put back triggers a table rebuild dropped, refilling the FTS table; True when it had to."""
    if not dialect.is_sqlite(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
                       f"({', '.join(['%s'] * (1 + len(TRIGGERS)))})", [FTS_TABLE, *TRIGGERS])
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present or present == {FTS_TABLE, *TRIGGERS}:
            return False  # not installed yet (before the migration) or intact
        _refill_sqlite(cursor)
        for statement in _SQLITE_TRIGGERS:
            cursor.execute(statement)
    return True


@contextmanager
def bulk_inserts(connection) -> Iterator[None]:
    """Around a bulk load of new people (ids above today's highest) inside a transaction: on SQLite the insert
    trigger is set aside and the new names go into the FTS table with one INSERT … SELECT at the end — row by row
    through the trigger, FTS5 costs about ten times as much. Updates and deletes keep their triggers."""
    if not dialect.is_sqlite(connection) or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGERS[0]])
        if not cursor.fetchone():
            installed = False
        else:
            installed = True
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_person")
            (top,) = cursor.fetchone()
            cursor.execute(f"DROP TRIGGER {TRIGGERS[0]}")
    yield
    if installed:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, name) SELECT id, '^' || name || '$' FROM registry_person "
                           "WHERE id > %s", [top])
            cursor.execute(_SQLITE_TRIGGERS[0])


def _refill_sqlite(cursor) -> None:
    cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
    cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, name) SELECT id, '^' || name || '$' FROM registry_person")
