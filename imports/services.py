"""Import actions (数据导入业务操作): stage a file, save its good rows, discard it, export its error sheet.

Pages and an API call these same functions. Long work runs in jobs ("import.validate", "import.commit") whose
bodies live in `imports.pipeline`; `import_file_run` runs the same bodies in-process for benchmarks and
commands.
"""

import hashlib
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.policy import allowed, restrict
from areas.models import Area
from imports.models import ImportBatch
from imports.pipeline import sheet_pages
from imports.reading import FileError, file_kind, read_header
from imports.schemas import schema_get
from imports.sheets import error_sheet_csv_chunks, error_sheet_rows, error_sheet_xlsx_chunks
from jobs.models import Job
from jobs.services import job_run, job_start
from minzheng.files import file_delete, file_store
from registry.disclosure import personal_export_log

VALIDATE = "import.validate"
COMMIT = "import.commit"


def _require_run(user) -> None:
    if not allowed(user, "import", "run"):
        raise PermissionDenied("无数据导入权限")


def _require_visible(user, batch: ImportBatch) -> None:
    """The batch must be inside the user's scope (the same rule as the pages' 404)."""
    if not restrict(ImportBatch.objects.filter(pk=batch.pk), user, "view", resource="import").exists():
        raise PermissionDenied("该导入批次不在您的管辖范围内")


def _uploader_area(user) -> Area:
    code = user.area_id or (f"{settings.MINZHENG_DISTRICT_CODE}000000" if user.is_superuser else None)
    area = Area.objects.filter(code=code).first() if code else None
    if area is None:
        raise PermissionDenied("您的账号未设置所属区划，不能导入数据")
    return area


def _checked_upload(schema_key: str, filename: str, content: bytes) -> list[str]:
    """Check at once what can be checked without reading every row; errors are field errors on 'file'."""
    schema = schema_get(schema_key)
    try:
        kind = file_kind(filename)
        if not content:
            raise FileError("文件为空")
        headers, has_data = read_header(kind, content)
    except FileError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    _, errors = schema.map_headers(headers)
    if errors:
        raise ValidationError({"file": errors})
    if not has_data:
        raise ValidationError({"file": ["文件中只有表头，没有数据行"]})
    return headers


def _batch_create(acting_user, schema: str, filename: str, content: bytes) -> ImportBatch:
    _require_run(acting_user)
    headers = _checked_upload(schema, filename, content)
    batch = ImportBatch(schema=schema, original_filename=filename[:255], headers=headers,
                        checksum=hashlib.sha256(content).hexdigest(), area=_uploader_area(acting_user),
                        created_by=acting_user)
    file_store(batch.file, filename, content)
    batch.save()
    return batch


def import_batch_stage(*, acting_user, schema: str, filename: str, content: bytes) -> ImportBatch:
    """上传: store the file as a batch and start its validation job (enqueued once this transaction commits)."""
    with transaction.atomic():
        batch = _batch_create(acting_user, schema, filename, content)
        batch.job = job_start(kind=VALIDATE, params={"batch_id": batch.pk}, acting_user=acting_user)
        batch.save(update_fields=["job", "updated_at"])
    # in eager mode the job has already run
    return ImportBatch.objects.get(pk=batch.pk)


def import_batch_file_drop(*, batch: ImportBatch) -> None:
    """Forget the uploaded file once its rows are processed (a department feed is mostly about people who are not
    ours): the row keeps its checksum, so a re-upload is still recognised; the bytes leave the storage once this
    transaction commits."""
    ImportBatch.objects.filter(pk=batch.pk).update(file="")
    if batch.file:
        stored = batch.file
        transaction.on_commit(lambda: file_delete(stored))
    batch.file = ""


def _claim_for_commit(batch: ImportBatch, job: Job) -> None:
    """VALIDATED and not yet chosen → good_only, by a conditional update, so two clicks start one commit."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED, mode="").update(
        mode=ImportBatch.Mode.GOOD_ONLY, job=job, error="", updated_at=timezone.now())
    if not claimed:
        raise ValidationError({"batch": [_not_open_message(batch)]})


def _not_open_message(batch: ImportBatch) -> str:
    batch.refresh_from_db(fields=["status", "mode"])
    if batch.status == ImportBatch.Status.STAGED:
        return "该批次正在校验，请稍候再操作"
    if batch.status == ImportBatch.Status.VALIDATED:
        return "该批次正在保存，请勿重复提交"
    return f"该批次状态为“{batch.get_status_display()}”，不能再保存或放弃"


def import_batch_commit(*, acting_user, batch: ImportBatch) -> Job:
    """仅保存正确行: start the commit job; it writes exactly the good rows, all or nothing."""
    _require_run(acting_user)
    _require_visible(acting_user, batch)
    with transaction.atomic():
        job = job_start(kind=COMMIT, params={"batch_id": batch.pk}, acting_user=acting_user)
        _claim_for_commit(batch, job)
    job.refresh_from_db()
    return job


def import_batch_discard(*, acting_user, batch: ImportBatch) -> ImportBatch:
    """全部不保存: nothing from the file is written; the staged rows stay for the error sheet."""
    _require_run(acting_user)
    _require_visible(acting_user, batch)
    discarded = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED], mode="",
    ).update(status=ImportBatch.Status.DISCARDED, mode=ImportBatch.Mode.NOTHING, finished_at=timezone.now(),
             updated_at=timezone.now())
    if not discarded:
        raise ValidationError({"batch": [_not_open_message(batch)]})
    batch.refresh_from_db()
    return batch


def import_error_sheet(*, acting_user, batch: ImportBatch, fmt: str = "xlsx") -> Iterator[bytes]:
    """错误清单: every row as uploaded plus 错误说明, in pieces for a streamed download (a file of millions of rows
    is never held in memory: CSV is written as the staged rows are read page by page, XLSX goes through a
    temporary file). An export of personal data, so it is logged (before the first piece)."""
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"format": ["格式只能是 xlsx 或 csv"]})
    _require_visible(acting_user, batch)
    personal_export_log(user=acting_user, what=f"导入错误清单（导入批次#{batch.pk}）", count=batch.total_rows,
                        filters={"batch": batch.pk, "format": fmt})
    headers, rows = error_sheet_rows(batch, sheet_pages(batch))
    return error_sheet_xlsx_chunks(headers, rows) if fmt == "xlsx" else error_sheet_csv_chunks(headers, rows)


def _job_inline(*, kind: str, batch: ImportBatch, acting_user) -> Job:
    """A job record for work run here and now (not through the queue), so progress and log are kept alike."""
    return Job.objects.create(kind=kind, params={"batch_id": batch.pk}, created_by=acting_user)


def import_file_run(*, acting_user, schema: str, filename: str, content: bytes,
                    mode: str = ImportBatch.Mode.GOOD_ONLY) -> ImportBatch:
    """Stage, validate and commit (or discard) synchronously in this process — the job bodies, called directly."""
    if mode not in ImportBatch.Mode.values:
        raise ValidationError({"mode": ["处理方式只能是 good_only 或 nothing"]})
    batch = _batch_create(acting_user, schema, filename, content)
    job = _job_inline(kind=VALIDATE, batch=batch, acting_user=acting_user)
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    job_run(job.pk)
    batch.refresh_from_db()
    if mode == ImportBatch.Mode.NOTHING:
        return import_batch_discard(acting_user=acting_user, batch=batch)
    job = _job_inline(kind=COMMIT, batch=batch, acting_user=acting_user)
    _claim_for_commit(batch, job)
    job_run(job.pk)
    batch.refresh_from_db()
    return batch
