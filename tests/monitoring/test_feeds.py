"""Department feeds: matching by ID number, data minimisation, the review queue, idempotent re-import."""

import pytest

from imports.models import ImportBatch, StagedRow
from monitoring.models import DeptRecord, FeedBatch, MatchReview
from monitoring.services import match_review_accept, match_review_reject
from tests.conftest import make_id

OUTSIDER_ID = make_id("500103", "19750505", 9)  # 渝中区: not in this district's registry

def test_residents_kept_non_residents_dropped_and_not_stored(people, upload, media_root):
    batch = upload("vehicle", [
        {"id_number": people["a1"].id_number, "name": "张三", "event_date": "2025-12-01", "plate": "渝A11111",
         "value": "80000"},
        {"id_number": OUTSIDER_ID, "name": "外区人", "event_date": "2025-12-02", "plate": "渝A22222"},
    ])
    assert batch.status == FeedBatch.Status.DONE
    assert (batch.records_kept, batch.non_residents, batch.to_review) == (1, 1, 0)
    record = DeptRecord.objects.get()
    assert record.person == people["a1"] and record.area_id == people["a1"].area_id
    assert record.payload == {"plate": "渝A11111", "value": "80000.00"}
    assert record.period == "2026-01"
    # nothing about the non-resident is kept anywhere: not as a record, not as a staged row, not the file
    assert not DeptRecord.objects.filter(id_number=OUTSIDER_ID).exists()
    assert not StagedRow.objects.filter(batch=batch.import_batch, row_number=3).exists()
    # the resident's good row is staged by the per-row path (SQLite) only; the set-based path (PostgreSQL) keeps
    # it in the session's temporary table until the commit
    staged = 1 if batch.import_batch.good_rows_staged else 0
    assert StagedRow.objects.filter(batch=batch.import_batch).count() == staged
    assert not ImportBatch.objects.get(pk=batch.import_batch_id).file
    assert not [p for p in media_root.rglob("*") if p.is_file()]  # the stored upload is gone from the storage

def test_reimport_of_the_same_file_changes_nothing(people, upload):
    rows = [{"id_number": people["a1"].id_number, "name": "张三", "event_date": "2025-12-01", "plate": "渝A11111"}]
    first = upload("vehicle", rows)
    again = upload("vehicle", rows)
    assert first.records_kept == 1
    assert again.status == FeedBatch.Status.DUPLICATE and again.records_kept == 0
    assert DeptRecord.objects.count() == 1

def test_the_same_fact_in_another_file_is_stored_once(people, upload):
    row = {"id_number": people["a1"].id_number, "name": "张三", "event_date": "2025-12-01", "plate": "渝A11111"}
    upload("vehicle", [row])
    other = upload("vehicle", [row, {**row, "plate": "渝A33333"}], period="2026-02")
    assert (other.records_kept, other.already_kept) == (1, 1)
    assert DeptRecord.objects.count() == 2

def test_row_errors_are_reported_and_good_rows_still_committed(people, upload):
    batch = upload("medical", [
        {"id_number": people["b1"].id_number, "name": "王五", "event_date": "2025-12-01", "settlement_no": "S1",
         "out_of_pocket": "12000"},
        {"id_number": people["b1"].id_number, "name": "王五", "event_date": "2025-12-05", "settlement_no": "S2",
         "out_of_pocket": "很多"},
    ])
    assert batch.status == FeedBatch.Status.DONE and batch.records_kept == 1
    bad = StagedRow.objects.get(batch=batch.import_batch, status=StagedRow.Status.ERROR)
    assert "个人自付（元）" in bad.error_text

def test_missing_id_with_unique_name_and_birth_goes_to_review(people, upload, personas):
    batch = upload("unemployment", [
        {"id_number": "", "name": "赵六", "birth_date": "1960-06-06", "event_date": "2025-11-01"},
        {"id_number": "5001061960", "name": "赵六", "birth_date": "1960-06-06", "event_date": "2025-11-02"},
        {"id_number": "", "name": "查无此人", "birth_date": "1990-01-01", "event_date": "2025-11-03"},
    ])
    assert (batch.records_kept, batch.to_review, batch.non_residents) == (0, 2, 1)
    first, second = MatchReview.objects.order_by("row_number")
    assert first.candidate == people["c1"] and second.id_number_given == "5001061960"
    record = match_review_accept(acting_user=personas["district_officer"], review=first)
    assert record.person == people["c1"] and record.id_number == people["c1"].id_number
    rejected = match_review_reject(acting_user=personas["district_officer"], review=second)
    assert rejected.status == MatchReview.Status.REJECTED and rejected.payload == {}
    assert DeptRecord.objects.filter(person=people["c1"]).count() == 1
    with pytest.raises(Exception, match="已处理"):
        match_review_accept(acting_user=personas["district_officer"], review=second)

def test_review_with_area_narrows_the_candidates(people, upload, personas, areas):
    batch = upload("unemployment", [
        {"name": "赵六", "birth_date": "1960-06-06", "area_code": areas["community_b"], "event_date": "2025-11-01"},
    ])
    assert batch.to_review == 0 and batch.non_residents == 1

def test_review_queue_needs_the_grant_and_scope(people, upload, personas):
    from django.core.exceptions import PermissionDenied

    upload("unemployment", [{"name": "赵六", "birth_date": "1960-06-06", "event_date": "2025-11-01"}])
    review = MatchReview.objects.get()
    with pytest.raises(PermissionDenied):
        match_review_accept(acting_user=personas["town_officer"], review=review)

def test_missing_id_and_birth_date_is_a_row_error(people, upload):
    batch = upload("unemployment", [{"name": "赵六", "event_date": "2025-11-01"}])
    row = StagedRow.objects.get(batch=batch.import_batch)
    assert row.status == StagedRow.Status.ERROR and "出生日期" in row.error_text

def test_unknown_feed_type_and_missing_header(personas):
    from django.core.exceptions import ValidationError

    from monitoring.services import feed_batch_upload

    with pytest.raises(ValidationError, match="未知的部门数据类型"):
        feed_batch_upload(acting_user=personas["district_officer"], feed_type="nope", filename="a.csv",
                          content=b"a\n1\n")
    with pytest.raises(ValidationError, match="缺少必填列"):
        feed_batch_upload(acting_user=personas["district_officer"], feed_type="vehicle", filename="a.csv",
                          content="身份证号,姓名\n1,2\n".encode())

def test_upload_needs_the_feed_grant(personas):
    from django.core.exceptions import PermissionDenied

    from monitoring.services import feed_batch_upload

    with pytest.raises(PermissionDenied):
        feed_batch_upload(acting_user=personas["community_worker"], feed_type="vehicle", filename="a.csv",
                          content=b"x")

def test_event_date_in_the_future_is_refused(people, upload):
    batch = upload("death", [{"id_number": people["a1"].id_number, "name": "张三", "event_date": "2999-01-01"}])
    assert batch.import_batch.bad_rows == 1 and batch.records_kept == 0
