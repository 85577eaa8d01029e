"""Upload limits (settings.IMPORT_LIMITS): a byte cap and a row cap per file type, and an XLSX zip bomb refused
from its declared uncompressed size before a row is read or stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from imports.models import ImportBatch, StagedRow
from imports.reading import FileError, iter_rows
from imports.services import import_batch_stage
from tests.imports.helpers import HEADERS, families, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def _cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def zip_bomb(rows: int) -> bytes:
    """A valid XLSX of `rows` identical person rows: deflate squeezes the repeated XML ~300-fold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            sheet.write(("<row>" + "".join(_cell(h) for h in HEADERS) + "</row>").encode())
            line = ("<row>" + _cell("H00001") + _cell("张三") + _cell("500106199001011234") + "</row>").encode()
            block = line * 10_000
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_a_zip_bomb_of_two_million_rows_is_refused_at_upload_before_any_row_is_read(officer, areas, monkeypatch):
    bomb = zip_bomb(2_000_000)
    assert len(bomb) < 2 * 1024 * 1024  # about a megabyte on the wire, over 200 MB of sheet XML inside

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened: its rows would be read")

    monkeypatch.setattr("imports.reading.openpyxl.load_workbook", never)
    with pytest.raises(ValidationError) as refused:
        import_batch_stage(acting_user=officer, schema="persons_households", filename="居民.xlsx", content=bomb)
    assert "解压后超过150MB" in str(refused.value)
    assert not ImportBatch.objects.exists() and not StagedRow.objects.exists()


def test_the_uncompressed_cap_is_a_setting(settings, areas):
    content = to_xlsx(families(50, areas["community_a"]))
    assert len(list(iter_rows("xlsx", content))) == 151
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "xlsx": {**settings.IMPORT_LIMITS["xlsx"],
                                                                   "max_uncompressed_bytes": 10_000}}
    with pytest.raises(FileError, match="解压后超过"):
        iter_rows("xlsx", content)


def test_a_file_over_its_types_byte_cap_is_refused(settings, officer, areas):
    content = to_csv(families(20, areas["community_a"]))
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "csv": {**settings.IMPORT_LIMITS["csv"],
                                                                  "max_bytes": len(content) - 1}}
    with pytest.raises(ValidationError, match="文件超过0MB"):
        import_batch_stage(acting_user=officer, schema="persons_households", filename="居民.csv", content=content)
    # the XLSX cap is its own
    import_batch_stage(acting_user=officer, schema="persons_households", filename="居民.xlsx",
                       content=to_xlsx(families(20, areas["community_a"])))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_past_the_cap_stop_the_reading_and_fail_the_batch(kind, settings, stage, areas):
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, kind: {**settings.IMPORT_LIMITS[kind], "max_rows": 10}}
    rows = families(4, areas["community_a"])  # 12 data rows
    content = to_csv(rows) if kind == "csv" else to_xlsx(rows)
    with pytest.raises(FileError, match="文件超过10行数据"):
        list(iter_rows(kind, content))
    batch = stage(content, filename=f"居民.{kind}")
    assert batch.status == ImportBatch.Status.FAILED and "超过10行数据" in batch.error
    assert len(list(iter_rows(kind, to_csv(rows[:10]) if kind == "csv" else to_xlsx(rows[:10])))) == 11
