"""Import pages: permissions and scope, upload errors, the polling status block, template and error sheet."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessLog
from imports.models import ImportBatch
from imports.services import import_batch_stage
from registry.models import Person
from tests.imports.helpers import HEADERS, families, family, to_csv

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.imports.urls")]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def district_batch(stage, areas):
    rows = family("H1", areas["community_a"], 1)
    rows[2][2] = "500106"  # the child's ID number is too short
    return stage(to_csv(rows))


def _upload(client, content: bytes, name: str = "居民.csv"):
    return client.post(reverse("import-upload"), {"schema": "persons_households",
                                                  "file": SimpleUploadedFile(name, content)})


def test_routes_have_the_published_names():
    assert reverse("import-list") == "/imports/"
    assert reverse("import-upload") == "/imports/upload/"
    assert reverse("import-template") == "/imports/template/"
    assert reverse("import-detail", args=[7]) == "/imports/7/"
    assert reverse("import-status", args=[7]) == "/imports/7/status/"
    assert reverse("import-errors", args=[7]) == "/imports/7/errors/"
    assert reverse("import-commit", args=[7]) == "/imports/7/commit/"
    assert reverse("import-discard", args=[7]) == "/imports/7/discard/"


def test_anonymous_is_sent_to_login(client, district_batch):
    for url in (reverse("import-list"), reverse("import-upload"), reverse("import-detail", args=[district_batch.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["community_worker", "outsider", "town_reviewer", "leader"])
def test_without_the_import_grant_list_upload_and_template_are_forbidden(as_user, personas, persona, areas):
    client = as_user(personas[persona])
    assert client.get(reverse("import-list")).status_code == 403
    assert client.get(reverse("import-upload")).status_code == 403
    assert client.get(reverse("import-template")).status_code == 403
    assert _upload(client, to_csv(family("H1", areas["community_a"], 1))).status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["import-detail", "import-status", "import-errors"])
def test_outsider_cannot_see_a_district_batch(as_user, personas, district_batch, name):
    assert as_user(personas["outsider"]).get(reverse(name, args=[district_batch.pk])).status_code == 404


@pytest.mark.parametrize("name", ["import-commit", "import-discard"])
def test_outsider_cannot_act_on_a_district_batch(as_user, personas, district_batch, name):
    assert as_user(personas["outsider"]).post(reverse(name, args=[district_batch.pk])).status_code == 404
    district_batch.refresh_from_db()
    assert district_batch.status == ImportBatch.Status.VALIDATED


def test_a_batch_is_visible_within_scope_only(as_user, personas, stage, areas, town_importer):
    # given a batch uploaded by the town A officer: the district officer sees it, town B's officer does not,
    # even holding the import grant
    batch = stage(to_csv(family("H1", areas["community_a"], 1)), user=town_importer)
    assert batch.area_id == areas["town_a"]
    assert as_user(personas["district_officer"]).get(reverse("import-detail", args=[batch.pk])).status_code == 200
    outsider = as_user(personas["outsider"])
    assert outsider.get(reverse("import-detail", args=[batch.pk])).status_code == 404
    listing = outsider.get(reverse("import-list"))
    assert listing.status_code == 200 and batch.original_filename not in listing.content.decode()


def test_list_shows_the_users_batches(as_user, officer, district_batch):
    page = as_user(officer).get(reverse("import-list")).content.decode()
    assert f'href="/imports/{district_batch.pk}/"' in page and "居民.csv" in page


def test_upload_page_and_a_good_upload(as_user, officer, areas, django_capture_on_commit_callbacks):
    client = as_user(officer)
    page = client.get(reverse("import-upload")).content.decode()
    assert "居民及家庭信息" in page and 'type="file"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, to_csv(families(2, areas["community_a"])))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALIDATED and batch.good_rows == 6
    assert Person.objects.count() == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    (None, None, "请选择要上传的文件"),
    ("居民.txt", b"a,b", "仅支持 CSV 或 XLSX（Excel 2007 及以上）文件"),
    ("居民.csv", b"", "文件为空"),
    ("居民.csv", to_csv([["H1"]], headers=[h for h in HEADERS if h != "与户主关系"]), "缺少必填列「与户主关系」"),
])
def test_upload_errors_are_shown_on_the_form(as_user, officer, name, content, message):
    client = as_user(officer)
    data = {"schema": "persons_households"}
    if name:
        data["file"] = SimpleUploadedFile(name, content)
    response = client.post(reverse("import-upload"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_detail_shows_counts_error_rows_and_choices(as_user, officer, district_batch):
    page = as_user(officer).get(reverse("import-detail", args=[district_batch.pk])).content.decode()
    assert "<html" in page and "导入批次#" in page
    assert "身份证号应为18位" in page
    assert reverse("import-commit", args=[district_batch.pk]) in page
    assert reverse("import-discard", args=[district_batch.pk]) in page
    assert reverse("import-errors", args=[district_batch.pk]) in page
    assert 'hx-trigger="every 1s"' not in page  # validation has finished: no polling


def test_error_rows_on_the_page_show_id_numbers_masked(as_user, officer, stage, areas):
    rows = family("H1", areas["community_a"], 1, size=2)
    rows[1][6] = "外星"  # a bad 户籍类型 on the spouse's row
    batch = stage(to_csv(rows))
    page = as_user(officer).get(reverse("import-detail", args=[batch.pk])).content.decode()
    number = rows[1][2]
    assert "「户籍类型」应为以下之一：城镇、农村（填写的是“外星”）" in page
    assert number not in page and f"{number[:6]}********{number[-4:]}" in page


def test_status_block_polls_while_the_job_runs_and_stops_after(as_user, officer, areas):
    # given a batch whose validation job is still queued (the on-commit enqueue has not run)
    batch = import_batch_stage(acting_user=officer, schema="persons_households", filename="a.csv",
                               content=to_csv(family("H1", areas["community_a"], 1)))
    client = as_user(officer)
    partial = client.get(reverse("import-status", args=[batch.pk])).content.decode()
    assert "<html" not in partial
    assert f'hx-get="{reverse("import-status", args=[batch.pk])}"' in partial and 'hx-trigger="every 1s"' in partial
    same = client.get(reverse("import-detail", args=[batch.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in same and 'hx-trigger="every 1s"' in same
    assert reverse("import-commit", args=[batch.pk]) not in partial  # no choice before validation ends
    # when the job has run, the block no longer polls
    from jobs.services import job_run

    job_run(batch.job_id)
    partial = client.get(reverse("import-status", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in partial and "100%" in partial


def test_commit_and_discard_by_post(as_user, officer, stage, areas, django_capture_on_commit_callbacks):
    client = as_user(officer)
    batch = stage(to_csv(families(2, areas["community_a"])))
    assert client.get(reverse("import-commit", args=[batch.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-commit", args=[batch.pk]))
    assert response.status_code == 302
    assert Person.objects.count() == 6
    other = stage(to_csv(families(2, areas["community_a"], start=10)), filename="b.csv")
    client.post(reverse("import-discard", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == ImportBatch.Status.DISCARDED and Person.objects.count() == 6
    # a second choice on a closed batch is refused with a message, not a crash
    page = client.post(reverse("import-discard", args=[other.pk]), follow=True).content.decode()
    assert "不能再保存或放弃" in page


def test_template_xlsx_has_headers_and_two_examples_that_import(as_user, officer, stage, areas):
    response = as_user(officer).get(reverse("import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS and len(rows) == 3
    assert rows[1][4] == "户主" and rows[2][4] == "配偶"
    batch = stage(response.content, filename="模板.xlsx")
    assert (batch.good_rows, batch.bad_rows) == (2, 0)


def test_template_csv(as_user, officer, stage):
    response = as_user(officer).get(reverse("import-template"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 3
    assert stage(response.content).good_rows == 2


def test_error_sheet_has_every_row_plus_the_error_column_and_is_logged(as_user, officer, district_batch):
    response = as_user(officer).get(reverse("import-errors", args=[district_batch.pk]))
    assert response.status_code == 200 and response.streaming
    rows = list(openpyxl.load_workbook(io.BytesIO(_body(response))).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS + ["错误说明"]
    assert len(rows) == 4
    assert rows[1][1] == "居民1之0" and rows[1][2] == family("H1", "x", 1)[0][2] and rows[1][9] in (None, "")
    assert rows[3][2] == "500106" and rows[3][9] == "身份证号应为18位"
    log = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT, user=officer)
    assert log.detail["rows"] == 3 and log.detail["filters"]["batch"] == district_batch.pk


def test_error_sheet_as_csv_keeps_formulas_as_text(as_user, officer, stage, areas):
    rows = family("H1", areas["community_a"], 1, size=1)
    rows[0][8] = "=HYPERLINK(\"http://x\")"
    batch = stage(to_csv(rows))
    client = as_user(officer)
    text = _body(client.get(reverse("import-errors", args=[batch.pk]), {"format": "csv"})).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][-1] == "错误说明" and lines[1][8] == "'=HYPERLINK(\"http://x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(_body(client.get(reverse("import-errors", args=[batch.pk]))))).active
    assert sheet["I2"].data_type == "s" and sheet["I2"].value == "=HYPERLINK(\"http://x\")"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_large_error_sheet_is_streamed_whole_in_both_formats(as_user, officer, stage, areas):
    """Many error rows (more than one page of staged rows): every row of the file is in the sheet, and the CSV
    arrives in several pieces rather than one body built in memory. (Memory use is measured in
    bench/import_error_sheet.py, not asserted here.)"""
    rows = families(1500, areas["community_a"], size=2)
    for bad in rows[::2]:
        bad[2] = "500106"  # every other row: a malformed ID number
    batch = stage(to_csv(rows))
    assert batch.total_rows == 3000 and batch.bad_rows >= 1500
    client = as_user(officer)
    response = client.get(reverse("import-errors", args=[batch.pk]), {"format": "csv"})
    pieces = list(response.streaming_content)
    lines = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
    assert len(pieces) > 1 and len(lines) == 1 + 3000
    assert sum(1 for line in lines[1:] if line[-1] == "身份证号应为18位") == 1500
    assert [line[1] for line in lines[1:3]] == [rows[0][1], rows[1][1]]  # spreadsheet order
    sheet = openpyxl.load_workbook(io.BytesIO(_body(client.get(reverse("import-errors", args=[batch.pk])))),
                                   read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 1 + 3000
