"""Reading an uploaded table (读取上传表格): CSV streamed with the csv module, XLSX with openpyxl read-only.

Both yield `(row_number, cells)` where row_number is the number the user sees in the spreadsheet (the header
is row 1) and cells are stripped strings, so everything after this module is the same for both formats.

Limits (settings.IMPORT_LIMITS, per file type): `check_size` refuses a file over its byte cap; an XLSX whose
parts declare more than `max_uncompressed_bytes` is refused before openpyxl opens it (zipfile never inflates a
part beyond its declared size, so the declaration bounds the work); reading stops with a FileError at the first
data row past `max_rows`.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time

import openpyxl
from django.conf import settings

SUPPORTED_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
_SNIFF_BYTES = 64 * 1024


class FileError(ValueError):
    """The file cannot be read at all; the message is Chinese and says what to do."""


def file_kind(filename: str) -> str:
    """'csv' or 'xlsx' from the file name, else a FileError."""
    name = (filename or "").lower()
    for ext, kind in SUPPORTED_EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    raise FileError("仅支持 CSV 或 XLSX（Excel 2007 及以上）文件")


def _limits(kind: str) -> dict:
    return settings.IMPORT_LIMITS[kind]


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}MB"


def check_size(kind: str, content: bytes) -> None:
    """The file's size against its type's cap, and for an XLSX the uncompressed size its parts declare."""
    limits = _limits(kind)
    if len(content) > limits["max_bytes"]:
        raise FileError(f"文件超过{_mb(limits['max_bytes'])}，请分批上传")
    if kind == "xlsx":
        _check_uncompressed(content, limits["max_uncompressed_bytes"])


def _check_uncompressed(content: bytes, limit: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileError("无法读取 XLSX 文件，请确认文件未损坏且为 Excel 2007 及以上格式") from exc
    if declared > limit:
        raise FileError(f"XLSX 文件解压后超过{_mb(limit)}（数据量过大或文件异常），请分批导出，或另存为 CSV 后上传")


def iter_rows(kind: str, content: bytes) -> Iterator[tuple[int, list[str]]]:
    """Every row of the first sheet, header included, as (row_number, cells); a FileError past the row cap."""
    check_size(kind, content)
    rows = _csv_rows(content) if kind == "csv" else _xlsx_rows(content)
    return _capped(rows, _limits(kind)["max_rows"])


def _capped(rows: Iterator[tuple[int, list[str]]], max_rows: int) -> Iterator[tuple[int, list[str]]]:
    data_rows = -1  # the header is not a data row
    for number, cells in rows:
        if any(cells):
            data_rows += 1
            if data_rows > max_rows:
                raise FileError(f"文件超过{max_rows:,}行数据，请分批导入")
        yield number, cells


def read_header(kind: str, content: bytes) -> tuple[list[str], bool]:
    """The header cells and whether any data row follows — cheap, for checking an upload at once."""
    rows = iter_rows(kind, content)
    header = next(rows, None)
    if header is None:
        raise FileError("文件为空")
    has_data = any(any(cells) for _, cells in rows)
    return _trim(header[1]), has_data


def estimate_rows(kind: str, content: bytes) -> int:
    """A quick estimate of the data-row count for the progress bar (the exact count is known at the end)."""
    if kind == "csv":
        return max(content.count(b"\n") - 1 + (0 if content.endswith(b"\n") else 1), 0)
    try:
        check_size(kind, content)  # opening the workbook reads its shared strings: not before the size check
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = workbook.worksheets[0].max_row or 0
        workbook.close()
    except Exception:  # an estimate only; the real reading reports a broken file properly
        return 0
    return max(rows - 1, 0)


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _csv_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM) when the start of the file decodes as UTF-8, else GB18030 (Excel 中文 CSV)."""
    sample = content[:_SNIFF_BYTES]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still UTF-8.
        if not (len(content) > len(sample) and exc.start >= len(sample) - 3):
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(io.BytesIO(content), encoding=_csv_encoding(content), newline="")
    try:
        for number, record in enumerate(csv.reader(text), start=1):
            yield number, [cell.strip() for cell in record]
    except UnicodeDecodeError as exc:
        raise FileError("文件编码无法识别，请将 CSV 另存为 UTF-8 编码后重新上传") from exc
    except csv.Error as exc:
        raise FileError(f"CSV 格式不正确：{exc}") from exc


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileError("无法读取 XLSX 文件，请确认文件未损坏且为 Excel 2007 及以上格式") from exc
    try:
        sheet = workbook.worksheets[0]
        # Some generators write a wrong <dimension>; read every cell that is really there.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A spreadsheet value as the text the user typed: 13800000000 not 13800000000.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
