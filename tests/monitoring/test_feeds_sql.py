"""The set-based validation of department feeds (PostgreSQL) against the per-row path (SQLite's, and PostgreSQL's
with the set-based path switched off) on the same crafted files: the same row errors, row by row and message by
message (bad check digits, unknown persons, bad dates, amounts, code lists, missing cells), the same counts, and
the same facts stored under the same keys."""

from datetime import date, timedelta

from django.db import transaction

from imports import pipeline
from imports.models import StagedRow
from minzheng import sql as dialect
from monitoring.feeds import record_key
from monitoring.models import DeptRecord, MatchReview
from tests.conftest import make_id

OUTSIDER = make_id("500103", "19750505", 1)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


class Rollback(Exception):
    pass


def _outcome(upload, feed_type: str, rows: list[dict], set_based: bool) -> dict:
    """Upload the file with one path, read everything it decided, and roll it all back."""
    result = {}
    pipeline.SET_BASED = set_based
    try:
        with transaction.atomic():
            batch = upload(feed_type, rows)
            staged = StagedRow.objects.filter(batch=batch.import_batch).exclude(status=StagedRow.Status.COMMITTED)
            result = {
                "sql_path": not batch.import_batch.good_rows_staged,
                "status": batch.status,
                "counts": (batch.records_kept, batch.already_kept, batch.non_residents, batch.to_review),
                "rows": (batch.import_batch.total_rows, batch.import_batch.good_rows, batch.import_batch.bad_rows),
                "errors": sorted(staged.filter(status=StagedRow.Status.ERROR)
                                 .values_list("row_number", "errors")),
                "records": sorted(DeptRecord.objects.values_list("person_id", "area_id", "id_number", "name",
                                                                 "event_date", "payload", "period", "dedup_key"),
                                  key=repr),
                "reviews": sorted(MatchReview.objects.values_list("row_number", "candidate_id", "id_number_given",
                                                                  "name", "birth_date", "event_date", "payload"),
                                  key=repr),
            }
            raise Rollback
    except Rollback:
        pass
    finally:
        pipeline.SET_BASED = True
    return result


def _compare(upload, feed_type: str, rows: list[dict]) -> dict:
    by_sql = _outcome(upload, feed_type, rows, set_based=True)
    by_rows = _outcome(upload, feed_type, rows, set_based=False)
    assert by_sql.pop("sql_path") is dialect.is_postgres()  # SQLite keeps the per-row path
    assert by_rows.pop("sql_path") is False
    assert by_sql == by_rows
    return by_sql


def _typo(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_vehicle_feed_row_errors_counts_and_records_are_the_per_row_paths(people, upload):
    a1, a2, b1, c1 = (people[k].id_number for k in ("a1", "a2", "b1", "c1"))
    v = {"name": "某人", "event_date": "2025-12-01", "plate": "渝A00001", "vehicle_type": "小型轿车"}
    rows = [
        {**v, "id_number": a1, "value": "50000"},                      # kept
        {**v, "id_number": a1, "value": "50000"},                      # the same fact again in the file
        {**v, "id_number": a1, "value": "50000.00", "plate": "渝A00002"},
        {**v, "id_number": a2, "value": "12.345"},                     # rounded half to even: 12.34
        {**v, "id_number": b1, "value": "12.355", "event_date": "20251130"},
        {**v, "id_number": b1, "value": "1,000", "event_date": "2025/11/29"},
        {**v, "id_number": c1, "event_date": "2025.11.28", "value": ""},
        {**v, "id_number": c1, "event_date": "2025-11-27 10:30:00", "vehicle_type": ""},
        {**v, "id_number": a2, "event_date": "2025-1-5"},              # a form only Python reads
        {**v, "id_number": OUTSIDER},                                   # valid number, nobody here: dropped
        {**v, "id_number": _typo(a1), "name": "张三", "birth_date": "1980-01-01"},  # bad check digit → review
        {**v, "id_number": _typo(b1), "name": "无此人", "birth_date": "1970-03-03"},  # → nobody: dropped
        {**v, "id_number": _typo(c1), "name": "赵六"},                  # bad check digit, no birth date: error
        {**v, "id_number": "", "name": "王五", "birth_date": "1970-03-03"},
        {**v, "id_number": a1.translate(FULL_WIDTH)},                   # full-width digits: parse_id_number
        # bad cells of residents' rows: errors with their row numbers
        {**v, "id_number": a1, "event_date": "2025-13-01"},
        {**v, "id_number": a1, "event_date": "2025-02-30"},
        {**v, "id_number": a2, "event_date": "20250230"},
        {**v, "id_number": a2, "event_date": "不是日期"},
        {**v, "id_number": b1, "event_date": TOMORROW},
        {**v, "id_number": b1, "event_date": ""},
        {**v, "id_number": c1, "value": "1000000000000"},
        {**v, "id_number": c1, "value": "很贵"},
        {**v, "id_number": c1, "value": "-5"},
        {**v, "id_number": a1, "plate": ""},
        {**v, "id_number": a1, "plate": "渝" * 21},
        {**v, "id_number": a2, "name": ""},
        {**v, "id_number": a2, "area_code": "12345"},
        {**v, "id_number": a2, "area_code": "500106001001"},
        {**v, "id_number": b1, "birth_date": "1970-02-30"},
        {**v, "id_number": b1, "event_date": "2025-13-01", "plate": "", "value": "1000000000000", "name": ""},
    ]
    outcome = _compare(upload, "vehicle", rows)
    errors = dict(outcome["errors"])
    assert errors[17] == ["「登记日期」应为日期，如 2026-01-31（填写的是“2025-13-01”）"]
    assert errors[21] == [f"「登记日期」不能晚于今天（填写的是“{TOMORROW}”）"]
    assert errors[23] == ["「车辆价值（元）」应为不小于0的数字（填写的是“1000000000000”）"]
    assert len(errors[32]) == 4
    assert outcome["counts"][3] == 2  # 张三 and 王五 to the review queue
    payloads = {(r[0], r[5]["value"]) for r in outcome["records"] if "value" in r[5]}
    assert (people["a2"].pk, "12.34") in payloads and (people["b1"].pk, "12.36") in payloads
    for _, _, number, _, day, payload, _, key in outcome["records"]:
        assert key == record_key("vehicle", number, day.isoformat(), payload)


def test_death_and_hukou_feeds_agree_too(people, upload):
    a1, b1, c1 = (people[k].id_number for k in ("a1", "b1", "c1"))
    deaths = [{"id_number": a1, "name": "张三", "event_date": "2025-10-01", "cause": "疾病",
               "cancelled_on": "2025-10-09"},
              {"id_number": b1, "name": "王五", "event_date": "2025-10-02", "cancelled_on": "2025-10-40"},
              {"id_number": c1, "name": "赵六", "event_date": "2025-10-03", "cause": 'a "quoted"\\ cause'}]
    assert len(_compare(upload, "death", deaths)["records"]) == 2
    hukou = [{"id_number": a1, "name": "张三", "event_date": "2025-10-01", "change_type": "迁出",
              "destination_code": "500103"},
             {"id_number": b1, "name": "王五", "event_date": "2025-10-02", "change_type": "MOVE_IN"},
             {"id_number": c1, "name": "赵六", "event_date": "2025-10-03", "change_type": "户口迁出"},
             {"id_number": c1, "name": "赵六", "event_date": "2025-10-04", "change_type": "搬家"},
             {"id_number": a1, "name": "张三", "event_date": "2025-10-05", "change_type": "move_out",
              "destination_code": "5001"}]
    outcome = _compare(upload, "hukou", hukou)
    assert [n for n, _ in outcome["errors"]] == [5, 6]


def test_reupload_of_a_committed_file_stages_its_rows_as_present(people, upload):
    rows = [{"id_number": people["a1"].id_number, "name": "张三", "event_date": "2025-12-01", "plate": "渝A1"},
            {"id_number": people["b1"].id_number, "name": "王五", "event_date": "不是日期", "plate": "渝A2"}]
    first = upload("vehicle", rows)
    again = upload("vehicle", rows)
    assert (first.records_kept, again.records_kept) == (1, 0)
    assert DeptRecord.objects.count() == 1
    statuses = dict(StagedRow.objects.filter(batch=again.import_batch).values_list("row_number", "status"))
    assert statuses == {2: StagedRow.Status.DUPLICATE_EXISTING, 3: StagedRow.Status.ERROR}
