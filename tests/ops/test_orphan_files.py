"""无主文件 (minzheng.orphan_files): a stored file under the upload prefixes that no row names is removed once it is
older than STORED_FILES_GRACE_HOURS — on the local folder and on an S3-compatible bucket (moto) alike; a row
deleted with its file removes the file once the deletion commits."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import DomainEvent, EventType
from casework.models import CaseDocument
from imports.models import ImportBatch
from minzheng.files import file_store
from minzheng.orphan_files import file_fields, orphan_files_sweep, upload_prefixes
from minzheng.periodic import sweep_orphan_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(personas):
    return personas["district_officer"]


def _batch(officer, areas) -> ImportBatch:
    """A batch whose row names its stored file (what an upload leaves once it commits)."""
    batch = ImportBatch(schema="persons_households", original_filename="户.csv", checksum="x",
                        area_id=areas["district"], created_by=officer)
    file_store(batch.file, "户.csv", b"a,b\n1,2\n")
    batch.save()
    return batch


def _orphan(name: str) -> str:
    """Bytes stored with no row (a rolled-back upload)."""
    return default_storage.save(name, ContentFile(b"orphan"))


def _age(media_root, name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(Path(media_root) / name, (then, then))


def test_the_fields_and_prefixes_come_from_the_app_registry():
    fields = {(model._meta.label, field.name) for model, field in file_fields()}
    assert {("imports.ImportBatch", "file"), ("payments.BankFile", "file"), ("casework.CaseDocument", "file")} <= fields
    assert upload_prefixes() == ["bankfiles", "cases", "imports"]


def test_an_old_orphan_goes_a_referenced_or_young_file_stays(officer, areas, media_root):
    batch = _batch(officer, areas)
    old, young = _orphan("imports/2026/11/old.csv"), _orphan("bankfiles/2026/12/young.txt")
    outside = _orphan("elsewhere/old.csv")  # not an upload prefix: never touched
    for name in (batch.file.name, old, outside):
        _age(media_root, name, 25)
    _age(media_root, young, 23)

    result = orphan_files_sweep()

    assert result.orphans == [old] and result.removed == 1
    assert (result.scanned, result.referenced, result.young) == (3, 1, 1)
    assert not default_storage.exists(old)
    assert all(default_storage.exists(name) for name in (batch.file.name, young, outside))
    event = DomainEvent.objects.get(type=EventType.ORPHAN_FILES_SWEPT)
    assert event.params == {"scanned": 3, "referenced": 1, "young": 1, "removed": 1, "failed": 0, "dry_run": False}
    assert "删除1个" in event.message


def test_a_second_run_removes_nothing_more(officer, areas, media_root):
    _age(media_root, _orphan("cases/2026/10/old.pdf"), 48)
    assert orphan_files_sweep().removed == 1
    again = orphan_files_sweep()
    assert (again.scanned, again.removed) == (0, 0)
    assert DomainEvent.objects.filter(type=EventType.ORPHAN_FILES_SWEPT).count() == 2  # one event per run


def test_a_dry_run_lists_and_removes_nothing(officer, areas, media_root):
    old = _orphan("imports/2026/11/old.csv")
    _age(media_root, old, 25)
    result = orphan_files_sweep(dry_run=True)
    assert result.orphans == [old] and result.removed == 0
    assert default_storage.exists(old)
    assert not DomainEvent.objects.filter(type=EventType.ORPHAN_FILES_SWEPT).exists()


def test_the_grace_period_is_a_setting(settings, media_root):
    old = _orphan("imports/2026/11/old.csv")
    _age(media_root, old, 25)
    settings.STORED_FILES_GRACE_HOURS = 30
    assert orphan_files_sweep().removed == 0
    settings.STORED_FILES_GRACE_HOURS = 24
    assert orphan_files_sweep().removed == 1


def test_the_command_dry_run_prints_what_it_would_remove(media_root, capsys):
    old = _orphan("imports/2026/11/old.csv")
    _age(media_root, old, 25)
    call_command("sweep_orphan_files", "--dry-run")
    out = capsys.readouterr().out
    assert f"将删除 {old}" in out and "试运行" in out
    assert default_storage.exists(old)
    call_command("sweep_orphan_files")
    assert f"已删除 {old}" in capsys.readouterr().out
    assert not default_storage.exists(old)


def test_the_beat_task_sweeps(settings, media_root):
    assert settings.CELERY_BEAT_SCHEDULE["sweep-orphan-files"]["task"] == "periodic.sweep_orphan_files"
    _age(media_root, _orphan("imports/2026/11/old.csv"), 25)
    assert sweep_orphan_files.apply().get()["removed"] == 1
    assert DomainEvent.objects.get(type=EventType.ORPHAN_FILES_SWEPT).params["removed"] == 1


def test_a_deleted_row_takes_its_file_once_the_deletion_commits(officer, areas, django_capture_on_commit_callbacks):
    batch = _batch(officer, areas)
    name = batch.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ImportBatch.objects.filter(pk=batch.pk).delete()
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


def test_a_rolled_back_deletion_keeps_the_file(officer, areas, django_capture_on_commit_callbacks):
    batch = _batch(officer, areas)
    pk, name = batch.pk, batch.file.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            batch.delete()
            raise RuntimeError("rolled back")
    assert ImportBatch.objects.filter(pk=pk).exists() and default_storage.exists(name)


def test_only_models_with_a_file_field_get_the_receiver():
    from django.db.models.signals import post_delete

    from imports.models import StagedRow

    assert post_delete.has_listeners(CaseDocument) and post_delete.has_listeners(ImportBatch)
    assert not post_delete.has_listeners(StagedRow)  # its bulk deletes stay fast (no row fetched)


def test_on_s3_an_old_orphan_goes_a_referenced_or_young_one_stays(officer, areas, s3_storage, media_root):
    batch = _batch(officer, areas)
    orphan = _orphan("imports/2026/11/orphan.csv")
    keys = {o["Key"] for o in s3_storage.list_objects_v2(Bucket="minzheng")["Contents"]}
    assert keys == {batch.file.name, orphan}

    young = orphan_files_sweep()  # both written just now: within the grace period
    assert (young.scanned, young.referenced, young.young, young.removed) == (2, 1, 1, 0)
    dry = orphan_files_sweep(dry_run=True, now=timezone.now() + timedelta(hours=25))
    assert dry.orphans == [orphan] and len(s3_storage.list_objects_v2(Bucket="minzheng")["Contents"]) == 2

    result = orphan_files_sweep(now=timezone.now() + timedelta(hours=25))

    assert result.orphans == [orphan] and result.removed == 1
    keys = {o["Key"] for o in s3_storage.list_objects_v2(Bucket="minzheng")["Contents"]}
    assert keys == {batch.file.name}
