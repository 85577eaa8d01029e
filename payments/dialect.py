"""The few SQL spellings that differ between PostgreSQL and SQLite (方言), so the set-based statements of
generation and checks are written once.

On SQLite, `ON CONFLICT DO NOTHING` (upsert syntax, 3.24+) is used rather than `INSERT OR IGNORE`: OR IGNORE
would also silently drop rows that break a NOT NULL or CHECK constraint, hiding a bug as a gap in the payroll.
"""

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


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

