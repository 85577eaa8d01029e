"""The benchmark's measuring code on a small demo district: the figures are computed from real calls."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from bench import measure
from registry.identity import parse_id_number
from registry.models import Household, Person


@pytest.fixture
def district(db):
    call_command("load_demo", persons=300, cases=0, allow_non_debug=True, stdout=StringIO())
    return measure.officer()


def test_summary_takes_median_and_95th_percentile():
    figure = measure.summary_ms([float(n) for n in range(1, 101)])
    assert (figure["n"], figure["median_ms"], figure["p95_ms"], figure["max_ms"]) == (100, 50.5, 95.0, 100.0)


def test_lookups_and_searches_run_through_person_search(district):
    rng = random.Random(1)
    lookup = measure.id_lookups(user=district, rng=rng, count=20)
    assert lookup["n"] == 20 and 0 < lookup["median_ms"] <= lookup["p95_ms"] <= lookup["max_ms"]
    searches = measure.name_searches(user=district, rng=rng, count=9)
    assert searches["all"]["n"] == 9
    assert all(q.isascii() for q in searches["pinyin_prefix"]["examples"])


def test_import_csv_is_accepted_by_the_import_and_cleaned_up_afterwards(district):
    content = measure.import_csv(rows=40, seed=2)
    lines = content.decode().splitlines()
    assert lines[0].split(",") == measure.IMPORT_HEADERS and len(lines) == 41
    assert all(parse_id_number(line.split(",")[2]) for line in lines[1:] if line.split(",")[2])
    before = (Person.objects.count(), Household.objects.count())
    result = measure.import_run(user=district, content=content, rows=40)
    assert result.get("committed_rows") == 40, result
    assert (Person.objects.count(), Household.objects.count()) == before
    assert result["cleanup_rows_removed"] > 40


def test_raw_bulk_path_loads_every_row_of_the_file(district):
    content = measure.import_csv(rows=25, seed=3)
    result = measure.raw_bulk(content=content, rows=25)
    assert result["rows_per_s"] > 0 and ("COPY" in result["how"] or "executemany" in result["how"])
