"""The declarative import schema (导入模板定义) and the value parsers schemas are built from.

A schema says which columns a file has, how each value is parsed, what is checked per row, per chunk
against the database (set-based), per group (e.g. a household) and how the good rows are written. The
pipeline (`imports.pipeline`) runs any schema the same way: department feeds and bank return files are
new `Schema` values, not new import code.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from imports.models import ImportBatch, StagedRow


class CellError(ValueError):
    """One value is wrong; the message is Chinese, complete, and names the column."""


class CommitConflict(Exception):
    """The registry changed between validation and commit; the message says so in Chinese. Nothing is written."""


Parser = Callable[[str], Any]


class RowFilter:
    """预筛 (prefilter): decides, from a row's raw cells, whether the row is staged at all — for files most of whose
    rows are not ours to keep (a city-wide department feed is ~90 % about other districts). A dropped row is never
    written anywhere, not even as a staged row; `finish` is told how many were dropped once the file is read.

    `reads`: the cells `keep` looks at (by index), or None for all. A plain CSV (imports.plain_csv) strips only
    those before asking, and the rest of a row only when it is kept."""

    reads: tuple[int, ...] | None = None

    def keep(self, cells: list[str]) -> bool:
        return True

    def finish(self, dropped: int) -> None:
        return None


@dataclass
class Context:
    """What the checks and the commit may use: the batch, who acts, and lookups kept across chunks."""

    batch: ImportBatch
    user: Any
    cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """列: key (for code), Chinese header (for people), whether a value is required, how it is parsed."""

    key: str
    header: str
    parse: Parser
    required: bool = False
    # The column must be present in the file even if some rows may leave it empty (e.g. 身份证号).
    header_required: bool | None = None
    examples: tuple[str, ...] = ()
    help: str = ""

    @property
    def must_have_header(self) -> bool:
        return self.required if self.header_required is None else self.header_required


def _no_row_check(raw: dict[str, str], clean: dict) -> list[str]:
    return []


def _no_chunk_check(ctx: Context, rows: list[StagedRow]) -> None:
    return None


@dataclass(frozen=True)
class Schema:
    """导入模板. Checks run in this order: prefilter → cells → row_check → db_check (per chunk) → duplicates →
    group_check."""

    key: str
    title: str
    columns: tuple[Column, ...]
    # Writes the good rows of one page (whole groups) set-based; returns counts of what it wrote.
    commit: Callable[[Context, list[StagedRow]], dict[str, int]] | None = None
    # Or writes every good staged row of the batch at once (a few statements over imports_stagedrow), given
    # `report(fraction)`: no page is read into Python and the rows are not marked "committed" one by one.
    commit_batch: Callable[[Context, Callable[[float], None]], dict[str, int]] | None = None
    row_check: Callable[[dict[str, str], dict], list[str]] = _no_row_check
    # Set-based checks against the database for one chunk of rows (a few `__in` queries, never one per row).
    db_check: Callable[[Context, list[StagedRow]], None] = _no_chunk_check
    unique_key: str | None = None
    group_key: str | None = None
    # Checks over whole groups (all rows of a household), given a page of groups at a time.
    group_check: Callable[[Context, list[list[StagedRow]]], None] | None = None
    example_rows: Callable[[Any], list[dict[str, str]]] | None = None
    # The set-based path (PostgreSQL and SQLite): validate the file staged in `import_tmp_raw` (given the header
    # index) and write its StagedRows; commit the good rows given `report(fraction)`. All three or none.
    # Only the rows with something to say are staged; the good ones stay in the session's temporary tables, which
    # `sql_ready` looks for at commit (when absent, the pipeline stages the file again and validates in "recheck"
    # mode, `ctx.cache["recheck"]`: the outcome of every row must be the same, or CommitConflict).
    sql_validate: Callable[[Context, dict[str, int]], None] | None = None
    sql_commit: Callable[[Context, Callable[[float], None]], dict[str, int]] | None = None
    sql_ready: Callable[[Context], bool] | None = None
    # The set-based path on PostgreSQL only (SQLite keeps the per-row path).
    sql_postgres_only: bool = False
    # Rows it rejects are neither staged nor checked (see RowFilter); built per batch from the header index.
    prefilter: Callable[[Context, dict[str, int]], RowFilter] | None = None
    description: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def map_headers(self, headers: list[str]) -> tuple[dict[str, int], list[str]]:
        """Column key → cell index, accepting the Chinese header or the key; errors name the header."""
        lookup = {}
        for column in self.columns:
            lookup[_norm(column.header)] = column.key
            lookup[_norm(column.key)] = column.key
        index: dict[str, int] = {}
        errors = []
        for position, header in enumerate(headers):
            key = lookup.get(_norm(header))
            if key is None:
                continue
            if key in index:
                errors.append(f"表头「{self.column(key).header}」出现了两次")
            index.setdefault(key, position)
        missing = [c.header for c in self.columns if c.must_have_header and c.key not in index]
        errors += [f"缺少必填列「{header}」" for header in missing]
        return index, errors

    def examples(self, user) -> list[dict[str, str]]:
        if self.example_rows is not None:
            return self.example_rows(user)
        count = max((len(c.examples) for c in self.columns), default=0)
        return [{c.key: (c.examples[i] if i < len(c.examples) else "") for c in self.columns} for i in range(count)]


def _norm(header: str) -> str:
    """Headers match ignoring spaces, a leading required-mark '*' and letter case."""
    return re.sub(r"\s+", "", header or "").lstrip("*＊").lower()


def reject(row: StagedRow, message: str) -> None:
    """Mark a row wrong with one more Chinese message (a row collects every reason, not just the first)."""
    if message not in row.errors:
        row.errors.append(message)
    row.status = StagedRow.Status.ERROR


def chunked(values: Iterable, size: int = 900) -> Iterable[list]:
    """Slices of ≤ size for `__in` lists (SQLite allows 999 parameters per statement)."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- value parsers: each returns a clean value or raises CellError with the column's name in it ---


def sql_form(parse: Parser, kind: str, label: str, **options) -> Parser:
    """Say what a parser does, for a set-based path that checks the same cells in SQL (`parse.sql_form`, a dict:
    kind, label and the kind's options). A parser without one is run in Python for every non-empty cell."""
    parse.sql_form = {"kind": kind, "label": label, **options}
    return parse


def text(label: str, max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"「{label}」不能超过{max_length}个字")
        return value

    return sql_form(parse, "text", label, max_length=max_length)


def choice(label: str, choices: type[models.TextChoices], aliases: dict[str, str] | None = None) -> Parser:
    """A code or its Chinese label (e.g. 'head' or '户主'); the error lists the labels to choose from."""
    lookup = {c.value.lower(): c.value for c in choices} | {str(c.label): c.value for c in choices}
    lookup |= aliases or {}
    options = "、".join(str(c.label) for c in choices)

    def parse(value: str) -> str:
        code = lookup.get(value) or lookup.get(value.lower())
        if code is None:
            raise CellError(f"「{label}」应为以下之一：{options}（填写的是“{value}”）")
        return code

    return sql_form(parse, "choice", label, lookup=lookup, options=options)


def digits(label: str, length: int) -> Parser:
    def parse(value: str) -> str:
        if not re.fullmatch(rf"\d{{{length}}}", value):
            raise CellError(f"「{label}」应为{length}位数字（填写的是“{value}”）")
        return value

    return sql_form(parse, "digits", label, length=length)


def phone(label: str) -> Parser:
    def parse(value: str) -> str:
        compact = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(r"\+?\d{5,20}", compact):
            raise CellError(f"「{label}」格式不正确（填写的是“{value}”）")
        return compact

    return parse
