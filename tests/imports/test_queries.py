"""Set-based work: the queries of validation and commit do not grow with the number of rows.

Compared as the sequence of statements run, where one bulk INSERT that the database backend splits into
several statements counts once: SQLite allows 999 parameters per statement, so Django sends a 300-row
bulk_create as a few INSERTs there (on PostgreSQL the total count is equal too). A per-row query or create()
would change the sequence, and would blow the fixed budget of the 300-row file.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import ImportBatch
from imports.services import import_file_run
from tests.imports.helpers import families, row, to_csv

pytestmark = pytest.mark.django_db


def _file(areas, households: int, start: int) -> bytes:
    """Households of three plus a few bad rows, so every check runs on every size."""
    rows = families(households, areas["community_a"], start=start)
    rows.append(row("BAD", "坏行", "123", area="500106999999"))
    return to_csv(rows)


def _queries(officer, content: bytes) -> tuple[list[str], ImportBatch]:
    with CaptureQueriesContext(connection) as captured:
        batch = import_file_run(acting_user=officer, schema="persons_households", filename="q.csv", content=content)
    return _shape([q["sql"] for q in captured.captured_queries]), batch


def _shape(statements: list[str]) -> list[str]:
    """Each statement's start with numbers blanked; consecutive INSERTs into one table (a split bulk) once."""
    shape: list[str] = []
    for sql in statements:
        key = re.sub(r"[0-9a-f]{6,}|\d+", "N", sql)[:70]
        if not (sql.startswith("INSERT") and shape and shape[-1] == key):
            shape.append(key)
    return shape


def test_the_shape_collapses_only_split_bulk_inserts():
    statements = ['INSERT INTO "a" VALUES (1)', 'INSERT INTO "a" VALUES (2)', 'SELECT 1', 'INSERT INTO "a" VALUES (3)']
    assert _shape(statements) == ['INSERT INTO "a" VALUES (N)', "SELECT N", 'INSERT INTO "a" VALUES (N)']
    per_row = ["SELECT 1 FROM t WHERE id = 1", "SELECT 1 FROM t WHERE id = 2"]
    assert _shape(per_row) == ["SELECT N FROM t WHERE id = N"] * 2


def test_query_count_does_not_grow_with_rows(officer, areas):
    _queries(officer, _file(areas, 2, start=900))  # warm-up: the officer's grants and area are cached per object
    small, small_batch = _queries(officer, _file(areas, 33, start=1))  # 100 rows
    large, large_batch = _queries(officer, _file(areas, 100, start=200))  # 301 rows
    assert (small_batch.total_rows, large_batch.total_rows) == (100, 301)
    assert large_batch.committed_rows == 300 and small_batch.committed_rows == 99
    assert large == small
    if connection.vendor == "postgresql":  # bulk batches are ours (≤ 1000 rows) there: the totals are equal too
        assert len(large) == len(small)


def test_validation_and_commit_of_300_rows_stay_within_a_fixed_budget(officer, areas, django_assert_max_num_queries):
    content = _file(areas, 100, start=1)
    # a fixed number of statements (temporary tables made, filled, checked for and dropped one by one on SQLite)
    with django_assert_max_num_queries(90):
        batch = import_file_run(acting_user=officer, schema="persons_households", filename="q.csv", content=content)
    assert batch.committed_rows == 300


def test_reimport_with_registered_persons_is_set_based_too(officer, areas):
    # the "already present" path (persons and households in the registry) must not query per row either
    small_file, large_file = _file(areas, 33, start=1), _file(areas, 100, start=200)
    _queries(officer, small_file)
    _queries(officer, large_file)
    small, small_batch = _queries(officer, small_file + b"\n")  # new bytes: no checksum short-cut
    large, large_batch = _queries(officer, large_file + b"\n")
    assert (small_batch.skipped_existing, large_batch.skipped_existing) == (99, 300)
    assert large == small
