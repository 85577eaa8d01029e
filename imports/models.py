"""Staged tabular import (数据导入): a batch per uploaded file, its rows in a staging table.

The uploaded bytes are a stored file (`ImportBatch.file`, see minzheng.files): a local folder or an S3-compatible
bucket that every web and worker machine shares. Until December 2026 they were a BinaryField in this table; the
migration `0003_file_storage` moved them out (the database no longer carries hundreds of MB of department files).
The staged rows hold the data anyway, so the file adds no new kind of personal data.
"""

from django.conf import settings
from django.db import models

from minzheng.files import import_file_name


class ImportBatch(models.Model):
    """导入批次: one uploaded file, validated into staged rows, then committed (good rows only) or discarded."""

    class Status(models.TextChoices):
        STAGED = "staged", "已上传，待校验"
        VALIDATED = "validated", "已校验，待确认"
        COMMITTED = "committed", "已保存"
        DISCARDED = "discarded", "已放弃"
        FAILED = "failed", "处理失败"

    class Mode(models.TextChoices):
        GOOD_ONLY = "good_only", "仅保存正确行"
        NOTHING = "nothing", "全部不保存"

    schema = models.CharField("导入模板", max_length=40, db_index=True)
    original_filename = models.CharField("原文件名", max_length=255)
    # Emptied once a department feed is processed (only the checksum is kept): see monitoring.services.
    file = models.FileField("文件", upload_to=import_file_name, max_length=200, blank=True, editable=False)
    checksum = models.CharField("SHA-256 校验值", max_length=64, db_index=True)
    headers = models.JSONField("表头", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.STAGED, db_index=True)
    mode = models.CharField("处理方式", max_length=10, choices=Mode.choices, blank=True)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    good_rows = models.PositiveIntegerField("正确行数", default=0)
    bad_rows = models.PositiveIntegerField("错误行数", default=0)
    committed_rows = models.PositiveIntegerField("已保存行数", default=0)
    skipped_existing = models.PositiveIntegerField("已存在（跳过）行数", default=0)
    # The committed batch with the very same bytes: this one is reported as a re-upload and writes nothing.
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="重复于批次")
    # The uploader's area: the batch is visible to people whose scope contains it (restrict by prefix).
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")
    # The latest job on this batch: validation first, then the commit.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name="后台任务")
    error = models.TextField("失败原因", blank=True)
    summary = models.JSONField("保存结果", default=dict, blank=True)
    # False where the set-based path kept only the rows with something to say (errors, already registered): the
    # good rows are then read from the file itself (error sheet) and from the validation's tables (commit).
    good_rows_staged = models.BooleanField("正确行已暂存", default=True, editable=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-id"]
        indexes = [models.Index(fields=["area", "id"], name="importbatch_area_keyset")]

    def __str__(self) -> str:
        return f"导入批次#{self.pk} {self.original_filename}"

    @property
    def is_open(self) -> bool:
        """Still waiting for the user's choice (保存 or 放弃)."""
        return self.status in (self.Status.STAGED, self.Status.VALIDATED)


class StagedRow(models.Model):
    """暂存行: one data row of the file as read (`data`), as parsed (`clean`), and what is wrong with it."""

    class Status(models.TextChoices):
        OK = "ok", "正确"
        ERROR = "error", "错误"
        COMMITTED = "committed", "已保存"
        DUPLICATE_EXISTING = "duplicate_existing", "已存在"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name="导入批次")
    row_number = models.PositiveIntegerField("行号", help_text="表格中的行号，表头为第1行")
    # The cells as strings, in the order of the batch's headers (a list, not a dict: 1.5M rows repeat no keys).
    data = models.JSONField("原始数据", default=list)
    clean = models.JSONField("解析结果", default=dict)
    errors = models.JSONField("错误说明", default=list)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OK)
    # Set-based checks run in SQL on these two columns: within-file duplicates and per-group (户) checks.
    dedup_key = models.CharField("去重键", max_length=64, blank=True)
    group_key = models.CharField("分组键", max_length=64, blank=True)

    class Meta:
        verbose_name = "暂存行"
        verbose_name_plural = "暂存行"
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="stagedrow_batch_row")]
        indexes = [
            models.Index(fields=["batch", "status", "row_number"], name="stagedrow_status"),
            models.Index(fields=["batch", "dedup_key"], name="stagedrow_dedup"),
            models.Index(fields=["batch", "group_key", "row_number"], name="stagedrow_group"),
        ]

    def __str__(self) -> str:
        return f"第{self.row_number}行"

    @property
    def error_text(self) -> str:
        return "；".join(self.errors or [])
