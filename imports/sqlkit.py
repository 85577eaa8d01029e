"""SQL building blocks for the set-based import path (集合式导入): one spelling per idea, PostgreSQL and SQLite.

The set-based path validates and writes a whole file with a handful of INSERT … SELECT statements over temporary
tables; these helpers hide the few places where the two databases spell things differently (JSON, patterns,
aggregates). Every value that is not a column is inlined with `lit` (quoted, and `%` doubled because statements
always run with a parameter list): the inlined values are our own messages, codes and timestamps, never cells —
cells only ever come in through the staging table.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

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
        self.pg = connection.vendor == "postgresql"

    # --- running ---

    def run(self, statement: str, params: list | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, params or [])
            return cursor.rowcount

    def rows(self, statement: str, params: list | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
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
