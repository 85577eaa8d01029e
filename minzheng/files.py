"""Stored files (存储文件): where uploads and generated files live, and how their bytes are read back.

The bytes go to Django's default storage (`STORAGES["default"]`): a local folder (MEDIA_ROOT) by default, an
S3-compatible bucket with `FILE_STORAGE=s3`. Every web and worker machine must see the same storage (a shared
folder or the bucket). Stored names are random (`imports/2026/12/<hex>.csv`): the original file name, which may
name a person, stays in the database only. No file is ever served by URL; downloads stream through views that
check the grant and log the export (`web.downloads.stream_attachment`).

A stored file is written before its row commits. If the transaction then rolls back, the file stays behind
without a row pointing at it: never reachable from a page; the daily sweep (minzheng.orphan_files) removes it once
it is older than STORED_FILES_GRACE_HOURS. A row deleted with its file takes the file with it on commit.
"""

import os
import uuid
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

CHUNK = 1024 * 1024


def _random_name(prefix: str, filename: str) -> str:
    extension = os.path.splitext(filename or "")[1].lower()[:10]
    return f"{prefix}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{extension}"


def import_file_name(instance, filename: str) -> str:
    """upload_to of 导入批次 files."""
    return _random_name("imports", filename)


def bank_file_name(instance, filename: str) -> str:
    """upload_to of 银行代发文件."""
    return _random_name("bankfiles", filename)


def case_file_name(instance, filename: str) -> str:
    """upload_to of 案件文书 files."""
    return _random_name("cases", filename)


def file_store(field: FieldFile, filename: str, content: bytes) -> None:
    """Write the bytes under a new random name and point the field at it (the caller saves the row)."""
    field.save(filename, ContentFile(content), save=False)


def file_read(field: FieldFile) -> bytes:
    """The whole file (b"" when there is none)."""
    if not field:
        return b""
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def file_chunks(field: FieldFile) -> Iterator[bytes]:
    """The file in 1 MB pieces, for a streamed download."""
    if not field:
        return
    with field.storage.open(field.name, "rb") as handle:
        while piece := handle.read(CHUNK):
            yield piece


def file_delete(field: FieldFile) -> None:
    """Remove the stored bytes (the row keeps its checksum); a file already gone is not an error."""
    if field and field.storage.exists(field.name):
        field.storage.delete(field.name)


