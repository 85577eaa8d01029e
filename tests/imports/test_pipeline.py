"""The paging under validation and commit: whole groups, keyset order, status filter, small pages."""

import functools

import pytest

from imports import pipeline
from imports.models import StagedRow
from registry.models import Household
from tests.imports.helpers import families, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def per_row_path(monkeypatch):
    """The paging serves the per-row path (the set-based one stages only rows with something to say)."""
    monkeypatch.setattr(pipeline, "SET_BASED", False)


def _rows(groups: list[list[StagedRow]]) -> list[tuple[str, int]]:
    return [(r.group_key, r.row_number) for group in groups for r in group]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 100])
def test_group_pages_never_split_a_group(stage, areas, size):
    batch = stage(to_csv(families(5, areas["community_a"])))
    pages = list(pipeline.group_pages(batch, size=size))
    groups = [group for page in pages for group in page]
    assert [len(g) for g in groups] == [3] * 5
    assert all(len({r.group_key for r in g}) == 1 for g in groups)
    assert _rows(groups) == sorted(_rows(groups))


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_group_pages_filter_by_status_keeps_groups_whole(stage, areas, size):
    rows = families(4, areas["community_a"])
    rows[4][2] = "bad"  # H00002's spouse: an error row
    rows[9][2] = "bad"  # H00004's head: the whole household is bad
    batch = stage(to_csv(rows))
    groups = [g for page in pipeline.group_pages(batch, [StagedRow.Status.OK], size=size) for g in page]
    assert [(g[0].group_key, len(g)) for g in groups] == [("H00001", 3), ("H00002", 2), ("H00003", 3)]


def test_commit_over_many_small_pages(stage, commit, areas, monkeypatch):
    monkeypatch.setattr(pipeline, "group_pages", functools.partial(pipeline.group_pages, size=4))
    batch = commit(stage(to_csv(families(7, areas["community_a"]))))
    assert batch.committed_rows == 21
    assert Household.objects.count() == 7
    assert sorted(h.members.count() for h in Household.objects.all()) == [3] * 7
    for household in Household.objects.all():
        assert len({m.person.name.split("之")[0] for m in household.members.all()}) == 1
