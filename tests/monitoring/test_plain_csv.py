"""A plain CSV read by splitting its lines (imports.plain_csv) stages exactly what the csv reader stages: the same
rows in the staging table under the same row numbers and cells, the same counts read and dropped by the prefilter,
the same row cap; a file that is not plain is read by the csv reader."""

import json

import pytest

from imports import pipeline, plain_csv
from imports.models import ImportBatch
from imports.schemas import Context, schema_get
from minzheng.files import file_store
from minzheng.sql import Sql
from monitoring.models import FeedBatch
from tests.conftest import make_id

pytestmark = pytest.mark.django_db

HEADER = "身份证号,姓名,出生日期,村社区代码,登记日期,号牌号码,车辆类型,车辆价值（元）"
OUTSIDER = make_id("500103", "19750505", 1)


def _lower_x_outsider() -> str:
    """A valid non-resident number whose check character is X, written with a lower-case x."""
    number = next(n for n in (make_id("500103", "19750505", i) for i in range(2, 400)) if n.endswith("X"))
    return number[:17] + "x"


def _lines(people) -> list[str]:
    a1, b1 = people["a1"].id_number, people["b1"].id_number
    return [
        HEADER,
        f"{a1},张三,,,2025-12-01,渝A1,小型轿车,50000",                   # a resident
        f"{OUTSIDER},外区人,,,2025-12-01,渝B1,小型轿车,1",                 # a non-resident: dropped
        f"{OUTSIDER},外区人,,,不是日期,渝B2,,",                             # dropped with its bad cell
        "",                                                               # blank: skipped, still numbered
        ",,, ,\u3000,,,",                                                 # only empty cells: skipped too
        f"  {b1}\u3000 , 王五 ,,,2025-12-02 ,渝A2,,  ",                     # cells stripped as str.strip() does
        f"{a1},张三,,,2025-12-03,渝A3,,,extra,cells,beyond",                # cut to the header's width
        f"{a1},张三,,,2025-12-04",                                        # short row, trailing empties gone
        "12345,无效,1960-01-01,,2025-12-05,,,",                            # invalid number: kept (review)
        f"{_lower_x_outsider()},外区人,,,2025-12-06,,,",                   # a lower-case x: still dropped
        f"{OUTSIDER[:6]}１９７５{OUTSIDER[10:]},外区人,,,2025-12-07,,,",     # full-width digits: kept
        ",无号,,,2025-12-08,,,",                                          # no number: kept
        f"{a1},",                                                         # id only
    ]


@pytest.fixture
def feed_batch(people, personas, media_root):
    def make(content: bytes) -> Context:
        batch = ImportBatch(schema="feed_vehicle", original_filename="车辆.csv", checksum="x",
                            headers=HEADER.split(","), area_id="500106000000",
                            created_by=personas["district_officer"])
        file_store(batch.file, "车辆.csv", content)
        batch.save()
        FeedBatch.objects.create(import_batch=batch, feed_type="vehicle", department="公安交管",
                                 area_id="500106000000", created_by=personas["district_officer"])
        return Context(batch=batch, user=personas["district_officer"])

    return make


def _stage(ctx: Context, *, csv_reader: bool, monkeypatch) -> tuple:
    """Stage with one reader (as the set-based path does); whether the plain reader ran, and what was staged."""
    split = []
    real = plain_csv.plain_lines

    def spy(content):
        result = None if csv_reader else real(content)
        split.append(result is not None)
        return result

    monkeypatch.setattr(pipeline, "plain_lines", spy)
    counts, _ = pipeline._stage_raw(ctx, schema_get("feed_vehicle"), None)
    rows = [(number, json.loads(data) if isinstance(data, str) else data)
            for number, data in Sql().rows(f"SELECT row_number, data FROM {pipeline.RAW} ORDER BY row_number")]
    non_residents = FeedBatch.objects.get(import_batch=ctx.batch).non_residents
    return split == [True], (counts, rows, non_residents)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", plain_csv.BOM])
def test_a_plain_file_split_is_staged_as_the_csv_reader_stages_it(people, feed_batch, monkeypatch, ending, bom):
    content = bom + ending.join(_lines(people)).encode("utf-8")
    split, by_split = _stage(feed_batch(content), csv_reader=False, monkeypatch=monkeypatch)
    by_csv_split, by_csv = _stage(feed_batch(content), csv_reader=True, monkeypatch=monkeypatch)
    assert split and not by_csv_split
    assert by_split == by_csv
    (read, dropped), rows, non_residents = by_split
    assert (read, dropped, non_residents) == (11, 3, 3)
    assert [number for number, _ in rows] == [2, 7, 8, 9, 10, 12, 13, 14]
    data = dict(rows)
    assert data[7] == [people["b1"].id_number, "王五", "", "", "2025-12-02", "渝A2"]
    assert data[9] == [people["a1"].id_number, "张三", "", "", "2025-12-04"] and data[14] == [people["a1"].id_number]


@pytest.mark.parametrize("content", [
    f'{HEADER}\n"{OUTSIDER}",外区人,,,2025-12-01,"渝B,1",,\n'.encode(),      # quoted cells
    f"{HEADER}\n{OUTSIDER},外区人,,,2025-12-01,,,\n".encode("gb18030"),      # not UTF-8
    f"{HEADER}\r\n{OUTSIDER},外区人,,,2025-12-01,,,\n".encode(),             # mixed line ends
    f"{HEADER}\n{OUTSIDER},外区人,,,2025-12-01,,,{'长' * 140_000}\n".encode(),  # past csv's field size limit
])
def test_a_file_that_is_not_plain_is_read_by_the_csv_reader(people, feed_batch, monkeypatch, content):
    assert plain_csv.plain_lines(content) is None
    if b'"' in content:  # and the pipeline then reads it with the csv reader
        split, (counts, rows, _) = _stage(feed_batch(content), csv_reader=False, monkeypatch=monkeypatch)
        assert not split and counts == (1, 1) and rows == []


@pytest.mark.parametrize("csv_reader", [False, True])
def test_the_row_cap_is_the_same(people, feed_batch, monkeypatch, settings, csv_reader):
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "csv": {**settings.IMPORT_LIMITS["csv"], "max_rows": 3}}
    content = "\n".join([HEADER] + [f"{OUTSIDER},外区人,,,2025-12-0{i},,," for i in range(1, 5)]).encode()
    with pytest.raises(pipeline.FileError, match="文件超过3行数据"):
        _stage(feed_batch(content), csv_reader=csv_reader, monkeypatch=monkeypatch)
