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


def true() -> str:
    return "TRUE" if is_postgres() else "1"


def tune_transaction(cursor) -> None:
    """PostgreSQL, for this transaction only: no JIT — each chunk's statements are compiled anew, and JIT
    compilation (about a second per statement here) costs more than it saves on 20,000-row chunks; and enough
    work_mem for the checks' hash joins over a whole cycle not to spill to disk."""
    if is_postgres():
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
