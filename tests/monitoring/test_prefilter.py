"""The prefilter of department feeds (预筛): rows about non-residents are dropped as the file is read — never staged,
only counted — while every other row is decided as before (kept, review queue, row error by row number)."""

import random

import pytest

from imports.models import ImportBatch, StagedRow
from jobs.models import Job
from monitoring.feeds import plain_id_number
from monitoring.models import DeptRecord, FeedBatch, MatchReview
from registry.identity import InvalidIdNumber, parse_id_number
from tests.conftest import make_id

OUTSIDERS = [make_id("500103", "19750505", n) for n in range(1, 6)]  # 渝中区: not in this district's registry
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def vehicle(id_number: str, plate: str, **more) -> dict:
    return {"id_number": id_number, "name": "某人", "event_date": "2025-12-01", "plate": plate, **more}


def staged_numbers(batch: FeedBatch) -> list[int]:
    return list(StagedRow.objects.filter(batch=batch.import_batch).order_by("row_number")
                .values_list("row_number", flat=True))


def test_non_residents_are_counted_not_staged_even_with_bad_cells(people, upload):
    rows = [vehicle(n, f"渝B{i}") for i, n in enumerate(OUTSIDERS)]
    # a non-resident's bad cell: dropped with the row, not reported
    rows.append(vehicle(OUTSIDERS[0], "渝B9", event_date="不是日期"))
    rows.append(vehicle(people["a1"].id_number, "渝A1"))
    batch = upload("vehicle", rows)
    assert (batch.records_kept, batch.non_residents, batch.to_review) == (1, 6, 0)
    # the header is row 1: only the resident's row 8 was ever staged — by the per-row path (SQLite); the
    # set-based path (PostgreSQL) stages no good row at all
    assert staged_numbers(batch) == ([8] if batch.import_batch.good_rows_staged else [])
    assert batch.import_batch.bad_rows == 0
    assert not DeptRecord.objects.exclude(person=people["a1"]).exists()


def test_a_bad_cell_in_a_residents_row_is_a_row_error_with_its_number(people, upload):
    batch = upload("vehicle", [vehicle(OUTSIDERS[0], "渝B1"),
                               vehicle(people["a1"].id_number, "渝A1", value="很贵"),
                               vehicle(people["b1"].id_number, "渝A2", value="1000")])
    bad = StagedRow.objects.get(batch=batch.import_batch, status=StagedRow.Status.ERROR)
    assert bad.row_number == 3 and "车辆价值（元）" in bad.error_text and "很贵" in bad.error_text
    assert (batch.records_kept, batch.non_residents) == (1, 1)
    assert DeptRecord.objects.get().person == people["b1"]


def test_a_residents_number_with_a_wrong_check_digit_goes_to_review_not_away(people, upload):
    number = people["c1"].id_number
    typo = number[:17] + ("0" if number[17] != "0" else "1")
    batch = upload("unemployment", [{"id_number": typo, "name": "赵六", "birth_date": "1960-06-06",
                                     "event_date": "2025-11-01"},
                                    {"id_number": OUTSIDERS[1], "name": "赵六", "event_date": "2025-11-02"}])
    review = MatchReview.objects.get()
    assert review.candidate == people["c1"] and review.id_number_given == typo and review.row_number == 2
    assert (batch.to_review, batch.non_residents, batch.records_kept) == (1, 1, 0)


def test_an_invalid_number_without_birth_date_is_a_row_error_named_by_row(people, upload):
    batch = upload("unemployment", [{"id_number": OUTSIDERS[0], "name": "外区人", "event_date": "2025-11-01"},
                                    {"id_number": "50010619600606", "name": "赵六", "event_date": "2025-11-02"}])
    row = StagedRow.objects.get(batch=batch.import_batch)
    assert row.row_number == 3 and row.status == StagedRow.Status.ERROR and "出生日期" in row.error_text
    assert batch.non_residents == 1


def test_numbers_only_the_full_parser_reads_are_still_matched(people, upload):
    """Full-width digits or a lower-case x are not 'plain': the prefilter lets them through to parse_id_number."""
    number = people["a1"].id_number
    batch = upload("vehicle", [vehicle(number.translate(FULL_WIDTH), "渝A1"),
                               vehicle(OUTSIDERS[2].translate(FULL_WIDTH), "渝B1")])
    assert (batch.records_kept, batch.non_residents) == (1, 1)
    record = DeptRecord.objects.get()
    assert record.id_number == number and record.person == people["a1"]
    # the full-width non-resident reached staging (the prefilter cannot tell) but was blanked there
    staged = StagedRow.objects.get(batch=batch.import_batch, row_number=3)
    assert staged.data == [] and OUTSIDERS[2] not in str(staged.clean)


def test_reimport_changes_nothing_and_stages_no_non_resident(people, upload):
    rows = [vehicle(OUTSIDERS[0], "渝B1"), vehicle(people["a1"].id_number, "渝A1")]
    first = upload("vehicle", rows)
    again = upload("vehicle", rows)
    assert again.status == FeedBatch.Status.DUPLICATE and again.records_kept == 0
    assert again.import_batch.duplicate_of_id == first.import_batch_id
    assert DeptRecord.objects.count() == 1
    assert staged_numbers(again) == [3]
    assert not ImportBatch.objects.get(pk=again.import_batch_id).file


def test_progress_counts_every_row_read(people, upload):
    rows = [vehicle(n, f"渝B{i}") for i, n in enumerate(OUTSIDERS)] + [vehicle(people["a1"].id_number, "渝A1")]
    upload("vehicle", rows)
    validate = Job.objects.get(kind="import.validate")
    assert (validate.progress_done, validate.progress_total) == (6, 6)
    assert "5行经预筛未暂存" in validate.log


@pytest.mark.parametrize("seed", [1, 2])
def test_plain_id_number_agrees_with_parse_id_number(seed):
    rng = random.Random(seed)
    for _ in range(5000):
        body = (f"{rng.randint(100000, 999999)}{rng.randint(1870, 2035)}{rng.randint(0, 13):02d}"
                f"{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}")
        value = body + rng.choice("0123456789Xx")
        try:
            facts = parse_id_number(value)
            expected = (facts.number, facts.birth_date.isoformat())
        except InvalidIdNumber:
            expected = None
        assert plain_id_number(value) == expected, value
    assert plain_id_number(make_id("500106", "19800101", 1)) is not None
