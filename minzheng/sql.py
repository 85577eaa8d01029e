"""The SQL dialect (方言): the one place that knows PostgreSQL from SQLite, so set-based statements are written once.

Two styles, one module: module functions returning SQL fragments for the payroll's statements (generation,
checks, bank returns), and the `Sql` builder of the set-based import path (JSON, patterns, aggregates, temporary
tables). Everything else that must branch on the database asks `is_postgres()` / `is_sqlite()` here rather
than reading `connection.vendor` itself.

On SQLite, `ON CONFLICT DO NOTHING` (upsert syntax, 3.24+) is used rather than `INSERT OR IGNORE`: OR IGNORE
would also silently drop rows that break a NOT NULL or CHECK constraint, hiding a bug as a gap in the payroll.

In the import path every value that is not a column is inlined with `lit` (quoted, and `%` doubled because
statements always run with a parameter list): the inlined values are our own messages, codes and timestamps,
never cells — cells only ever come in through the staging table.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as default_connection


def is_postgres(connection=None) -> bool:
    """Is the (default) connection PostgreSQL?"""
    return (connection or default_connection).vendor == "postgresql"


def is_sqlite(connection=None) -> bool:
    return (connection or default_connection).vendor == "sqlite"


def supported(connection=None) -> bool:
    """One of the two databases the set-based paths are written for (else the callers fall back to the ORM)."""
    return is_postgres(connection) or is_sqlite(connection)


def on_conflict_nothing() -> str:
    """Suffix of an idempotent INSERT … SELECT (the SELECT must have a WHERE clause for SQLite's parser)."""
    return "ON CONFLICT DO NOTHING"


def json_object(*pairs: tuple[str, str]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs."""
    fn = "jsonb_build_object" if is_postgres() else "json_object"
    return f"{fn}(" + ", ".join(f"'{key}', {expr}" for key, expr in pairs) + ")"


def json_id_list(column: str, from_where: str) -> str:
    """A JSON array of `column` over the rows of `from_where` ("FROM … WHERE …"), [] when none."""
    if is_postgres():
        return f"(SELECT COALESCE(jsonb_agg({column} ORDER BY {column}), '[]'::jsonb) {from_where})"
    # json() gives the array its JSON subtype so json_object embeds it as an array, not a string.
    return f"json((SELECT json_group_array({column}) {from_where}))"


def money_text(expr: str) -> str:
    """An amount as text with two decimals ("770.00"): JSON and messages never carry a binary float."""
    if is_postgres():
        return f"CAST(CAST({expr} AS numeric(14, 2)) AS text)"
    # %% because the statement goes through the driver's parameter formatting ("%%" → "%").
    return f"printf('%%.2f', {expr})"


def month_text(expr: str) -> str:
    """A month date as "YYYY-MM"."""
    return f"to_char({expr}, 'YYYY-MM')" if is_postgres() else f"substr({expr}, 1, 7)"


def date_param() -> str:
    """A date placeholder: PostgreSQL needs the type in a SELECT list; SQLite keeps ISO text as it is."""
    return "CAST(%s AS date)" if is_postgres() else "%s"


def number_param() -> str:
    return "CAST(%s AS numeric)" if is_postgres() else "CAST(%s AS NUMERIC)"


def least(*exprs: str) -> str:
    return ("LEAST(" if is_postgres() else "MIN(") + ", ".join(exprs) + ")"


def has_non_digit(expr: str) -> str:
    return f"({expr} !~ '^[0-9]+$')" if is_postgres() else f"({expr} GLOB '*[^0-9]*')"


def left_join_one(table: str, alias: str, columns: str, on: str) -> str:
    """LEFT JOIN of the one row (or none) of `table` matching `on`, found by an index lookup per outer row.

    PostgreSQL: a LATERAL subquery with LIMIT 1, which the planner cannot turn into a hash join. With the whole
    cache warm, one index lookup per chunk row beats hashing the entire person or bank-account table for every
    chunk — which the planner prefers at the default `random_page_cost`, and which made generation grow with
    (chunks × table size): at 1,000,000 enrolments, 50 chunks each hashed 1.7 M persons and 1 M accounts.
    SQLite only joins by nested loops, so the plain join is already a lookup per row. Only for joins that match
    at most one row (a primary key, a unique index), so LIMIT 1 changes nothing in the result."""
    if is_postgres():
        return f"LEFT JOIN LATERAL (SELECT {columns} FROM {table} {alias} WHERE {on} LIMIT 1) {alias} ON TRUE"
    return f"LEFT JOIN {table} {alias} ON {on}"


def cycle_lines_in_id_order(cursor, alias: str, cycle_id: int) -> tuple[str, list]:
    """A WHERE condition (and its parameters) selecting the lines of one cycle, `alias` naming the line table.

    SQLite: when the cycle's lines fill most of their id range (a generation writes them in one run, in
    enrolment order), by that rowid range — a sequential read of the table in line-id order — with the cycle
    test made unusable as an index (`+`). By the (cycle, area, id) index instead, SQLite fetched each ~500-byte
    row in area order, at random over a table larger than the page cache, and every join that followed (payee,
    bank account, last month's line) hopped at random too: 0.8–1.2 s instead of 0.1–0.2 s for 300,000 lines
    with the payee joined. Lines of other cycles inside the range are read and skipped, so the range is used
    only while they are at most as many as the cycle's own. PostgreSQL: the plain test (a bitmap scan already
    reads the heap in physical order)."""
    if is_postgres():
        return f"{alias}.cycle_id = %s", [cycle_id]
    cursor.execute("SELECT COUNT(*), MIN(id), MAX(id) FROM payments_paymentline WHERE cycle_id = %s", [cycle_id])
    count, lo, hi = cursor.fetchone()
    if count and hi - lo + 1 <= 2 * count:
        return f"{alias}.id >= %s AND {alias}.id <= %s AND +{alias}.cycle_id = %s", [lo, hi, cycle_id]
    return f"{alias}.cycle_id = %s", [cycle_id]


def true() -> str:
    return "TRUE" if is_postgres() else "1"


def tune_connection(cursor) -> None:
    """SQLite, for this connection: a 64 MiB page cache instead of the default 2 MiB. Payroll generation and the
    checks read the person, bank-account and line tables hundreds of thousands of times; with 2 MiB nearly
    every B-tree page comes back through a read() system call.
    Memory is taken only as pages are read. The payroll benchmark gives its hand-written statement the same
    connection settings, so the comparison stays fair. PostgreSQL: nothing (shared_buffers is server-wide)."""
    if not is_postgres():
        cursor.execute("PRAGMA cache_size = -65536")


def refresh_statistics(cursor, table: str, columns: tuple[str, ...] = ()) -> None:
    """The planner's statistics of `table` brought up to date after a bulk write. PostgreSQL: ANALYZE (it
    samples, well under a second for a million lines) of `columns` only when given — the row count is updated
    either way; leaving out a wide column nobody filters on (the line's formula JSON, read back from TOAST for
    each sampled row) took the line table's ANALYZE from 0.39 to 0.23 s at 600,000 lines. SQLite, which has no
    autovacuum: a sampled ANALYZE (analysis_limit: about a thousand rows per index, milliseconds), without which
    it chose the (cycle, area) index where the (enrolment, …) one is right — the first generation after a bulk
    load took twice as long."""
    if is_postgres():
        cursor.execute(f"ANALYZE {table}" + (f" ({', '.join(columns)})" if columns else ""))
    else:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute(f"ANALYZE {table}")


def analyze_small_sample(cursor, table: str) -> None:
    """Statistics for a temporary table read once by a few statements, from a small sample: they need its size
    and rough distributions, not the 30,000-row sample of the default statistics target (PostgreSQL: 140–250 ms
    for the checks' 300,000-line copy, 17 ms with a target of 10). SQLite: its ANALYZE of a table without an
    index only counts the rows."""
    if is_postgres():
        cursor.execute("SET LOCAL default_statistics_target = 10")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
    else:
        cursor.execute(f"ANALYZE {table}")


def tune_transaction(cursor) -> None:
    """PostgreSQL, for this transaction only: no JIT — each chunk's statements are compiled anew, and JIT
    compilation (about a second per statement here) costs more than it saves on 20,000-row chunks; and enough
    work_mem for the checks' hash joins over a whole cycle not to spill to disk."""
    if is_postgres():
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def commit_without_waiting_for_disk(cursor) -> None:
    """PostgreSQL, for this transaction only: COMMIT returns before its WAL is flushed to disk.

    Only for the transactions of payroll generation chunks. It is safe for consistency — a crash can lose only
    the last fraction of a second of such commits, whole transactions, never part of one — and what is lost is
    a chunk whose lines AND whose DONE mark vanish together, so re-running the job (idempotent, resumable)
    writes it again. The cycle is marked generated by an ordinary commit afterwards, which flushes every
    earlier WAL record first, so a cycle never reads as generated with a chunk missing. Never for an officer's
    action, whose commit must be durable when the page says it is done."""
    if is_postgres():
        cursor.execute("SET LOCAL synchronous_commit = off")


# ---- the set-based import path ----------------------------------------------------------------------------------

# Statements run with a (possibly empty) parameter list, so a literal percent sign is written `%%`.
MOD = "%%"


def lit(value: str | int | None) -> str:
    """A SQL literal: NULL, an integer, or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''").replace("%", "%%") + "'"


class Sql:
    """The dialect of the current connection (PostgreSQL or SQLite) and the statements to run on it."""

    def __init__(self) -> None:
        self.pg = is_postgres()

    # --- running ---

    def run(self, statement: str, params: list | None = None) -> int:
        with default_connection.cursor() as cursor:
            cursor.execute(statement, params or [])
            return cursor.rowcount

    def rows(self, statement: str, params: list | None = None) -> list[tuple]:
        with default_connection.cursor() as cursor:
            cursor.execute(statement, params or [])
            return cursor.fetchall()

    def drop(self, *tables: str) -> None:
        if self.pg:
            self.run(f"DROP TABLE IF EXISTS {', '.join(tables)}")
        else:  # one table per DROP on SQLite: look up which exist first (usually none at the start)
            marks = ", ".join(["%s"] * len(tables))
            found = self.rows(f"SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name IN ({marks})",
                              list(tables))
            for (table,) in found:
                self.run(f"DROP TABLE temp.{table}")

    def temp_as(self, table: str, select: str) -> None:
        """CREATE TEMP TABLE … AS SELECT; analysed on PostgreSQL (autovacuum never sees temporary tables)."""
        self.run(f"CREATE TEMP TABLE {table} AS {select}")
        if self.pg:
            self.run(f"ANALYZE {table}")

    @contextmanager
    def no_jit(self) -> Iterator[None]:
        """PostgreSQL's JIT compiles these long expressions for longer than they take to run (1.5 s of 1.9 s on
        20,000 rows): off for the block. Not restored on an error — JIT off is harmless for this application."""
        if self.pg:
            self.run("SET jit = off")
        yield
        if self.pg:
            self.run("RESET jit")

    # --- expressions ---

    def json_type(self) -> str:
        return "jsonb" if self.pg else "text"

    def cell(self, column: str, index: int | None) -> str:
        """The index-th cell of a JSON array column as text, '' when absent."""
        if index is None:
            return "''"
        if self.pg:
            return f"COALESCE({column}->>{int(index)}, '')"
        return f"COALESCE(json_extract({column}, '$[{int(index)}]'), '')"

    def jtext(self, column: str, key: str) -> str:
        return f"({column}->>'{key}')" if self.pg else f"json_extract({column}, '$.{key}')"

    def jint(self, column: str, key: str) -> str:
        return f"CAST({self.jtext(column, key)} AS bigint)" if self.pg else f"json_extract({column}, '$.{key}')"

    def jstring(self, expr: str) -> str:
        """A text expression as a JSON string literal (quoted and escaped)."""
        return f"to_json(CAST(({expr}) AS text))::text" if self.pg else f"json_quote(CAST(({expr}) AS text))"

    def message(self, condition: str, text: str) -> str:
        """One error item when the condition holds: a JSON string and a comma, else ''."""
        return f"CASE WHEN {condition} THEN {self.jstring(text)} || ',' ELSE '' END"

    def errors_json(self, items: str) -> str:
        """The concatenated items as a JSON array value for a JSONField column."""
        array = f"'[' || rtrim({items}, ',') || ']'"
        return f"CAST({array} AS jsonb)" if self.pg else array

    def jbool(self, expr: str) -> str:
        return f"({expr})" if self.pg else f"json(CASE WHEN {expr} THEN 'true' ELSE 'false' END)"

    def jobject(self, pairs: dict[str, str], strip_nulls: bool = False) -> str:
        body = ", ".join(f"{lit(key)}, {value}" for key, value in pairs.items())
        if self.pg:
            built = f"jsonb_build_object({body})"
            return f"jsonb_strip_nulls({built})" if strip_nulls else built
        built = f"json_object({body})"
        # A JSON merge patch drops the keys whose value is null.
        return f"json_patch('{{}}', {built})" if strip_nulls else built

    def digits(self, expr: str, count: int) -> str:
        if self.pg:
            return f"({expr}) ~ '^[0-9]{{{count}}}$'"
        return f"({expr}) GLOB '{'[0-9]' * count}'"

    def id_shape(self, expr: str) -> str:
        """17 digits and a digit or X."""
        if self.pg:
            return f"({expr}) ~ '^[0-9]{{17}}[0-9X]$'"
        return f"({expr}) GLOB '{'[0-9]' * 17}[0-9X]'"

    def only_digits(self, expr: str) -> str:
        if self.pg:
            return f"({expr}) ~ '^[0-9]+$'"
        return f"(({expr}) <> '' AND ({expr}) NOT GLOB '*[^0-9]*')"

    def strip_spaces_and_dashes(self, expr: str) -> str:
        """re.sub(r"[\\s-]", "", value) for the spaces people put in phone numbers."""
        if self.pg:
            return f"regexp_replace({expr}, '[\\s-]', '', 'g')"
        out = expr
        for char in ("' '", "'-'", "char(9)", "char(10)", "char(11)", "char(12)", "char(13)", "char(160)",
                     "char(12288)"):
            out = f"replace({out}, {char}, '')"
        return out

    def agg_text(self, expr: str, separator: str, order: str | None = None) -> str:
        """Concatenation over a group; ordered on PostgreSQL, in input order on SQLite (feed it sorted)."""
        if self.pg:
            return f"string_agg(CAST({expr} AS text), {lit(separator)}{f' ORDER BY {order}' if order else ''})"
        return f"group_concat({expr}, {lit(separator)})"

    def translate(self, expr: str, source: str, target: str) -> str:
        """Character-for-character replacement (PostgreSQL translate; nested replace on SQLite, only for values
        that hold something other than ASCII digits and X, which real ID numbers never do)."""
        if self.pg:
            return f"translate({expr}, {lit(source)}, {lit(target)})"
        out = expr
        # SQLite's parser allows only so much nesting: the Basic Multilingual Plane forms (full-width digits)
        pairs = [(a, b) for a, b in zip(source, target, strict=True) if ord(a) <= 0xFFFF]
        for a, b in pairs:
            out = f"replace({out}, {lit(a)}, {lit(b)})"
        return f"CASE WHEN {expr} GLOB '*[^0-9Xx]*' THEN {out} ELSE {expr} END"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS text)"

    def to_date8(self, expr: str) -> str:
        """'YYYYMMDD' (already checked) as a date value."""
        if self.pg:
            return f"to_date({expr}, 'YYYYMMDD')"
        return f"(substr({expr}, 1, 4) || '-' || substr({expr}, 5, 2) || '-' || substr({expr}, 7, 2))"

    def date_iso(self, expr: str) -> str:
        return f"to_char({expr}, 'YYYY-MM-DD')" if self.pg else expr
