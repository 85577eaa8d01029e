"""动态监测预警: department data feeds (部门数据), the records kept about residents, rules as data, warnings.

A feed file is an import batch (`imports.ImportBatch`) of the feed's schema; `FeedBatch` adds what a feed
needs (type, source department, period). Only records about persons in the district's registry are kept
(`DeptRecord`); rows about nobody here are counted and dropped. Rows without a usable ID number that match
exactly one person by name, birth date (and area) wait in `MatchReview`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area


class FeedBatch(models.Model):
    """数据批次: one department file — its type, source, period, and what became of its rows."""

    class Status(models.TextChoices):
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "处理失败"
        DUPLICATE = "duplicate", "重复文件（未写入）"

    import_batch = models.OneToOneField("imports.ImportBatch", on_delete=models.PROTECT, related_name="feed",
                                        verbose_name="导入批次")
    feed_type = models.CharField("数据类型", max_length=20, db_index=True)
    department = models.CharField("来源部门", max_length=40)
    period = models.CharField("数据期间", max_length=20, blank=True, help_text="如 2026-01 或 2026Q1")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    records_kept = models.PositiveIntegerField("保存记录数", default=0)
    already_kept = models.PositiveIntegerField("已有记录数", default=0)
    non_residents = models.PositiveIntegerField("非本区人员（未保存）", default=0)
    to_review = models.PositiveIntegerField("待人工匹配", default=0)
    warnings_created = models.PositiveIntegerField("新增预警数", default=0)
    error = models.TextField("失败原因", blank=True)
    # The uploader's area, copied from the import batch so batch history scopes by prefix.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门数据批次"
        verbose_name_plural = "部门数据批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.department}数据#{self.pk}（{self.period or '未注明期间'}）"


class DeptRecord(models.Model):
    """部门比对记录: one fact from a department about one registered person (matched by ID number)."""

    feed_type = models.CharField("数据类型", max_length=20)
    batch = models.ForeignKey(FeedBatch, on_delete=models.PROTECT, related_name="records", verbose_name="数据批次")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="dept_records",
                               verbose_name="人员")
    # The person's community when the record came in, copied for scoping without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    name = models.CharField("姓名", max_length=50)
    event_date = models.DateField("发生日期")
    payload = models.JSONField("数据内容", default=dict)
    period = models.CharField("数据期间", max_length=20, blank=True)
    # sha256 of (feed_type, id_number, event_date, payload): the same fact twice is stored once.
    dedup_key = models.CharField("去重键", max_length=64, unique=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = "部门比对记录"
        verbose_name_plural = "部门比对记录"
        indexes = [
            models.Index(fields=["feed_type", "person"], name="deptrecord_feed_person"),
            models.Index(fields=["batch", "feed_type"], name="deptrecord_batch"),
            models.Index(fields=["area", "id"], name="deptrecord_area_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.feed_type} {self.name} {self.event_date}"


class MatchReview(models.Model):
    """待人工匹配: a row without a usable ID number whose name, birth date (and area) fit exactly one person."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已确认为本人"
        REJECTED = "rejected", "非本人（已丢弃）"

    feed_type = models.CharField("数据类型", max_length=20)
    batch = models.ForeignKey(FeedBatch, on_delete=models.PROTECT, related_name="reviews", verbose_name="数据批次")
    row_number = models.PositiveIntegerField("行号")
    candidate = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="疑似人员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    id_number_given = models.CharField("文件中的身份证号", max_length=40, blank=True)
    name = models.CharField("姓名", max_length=50)
    birth_date = models.DateField("出生日期")
    event_date = models.DateField("发生日期")
    payload = models.JSONField("数据内容", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    record = models.ForeignKey(DeptRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="确认后的记录")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="确认人")
    reviewed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "待人工匹配记录"
        verbose_name_plural = "待人工匹配记录"
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="matchreview_batch_row")]
        indexes = [models.Index(fields=["area", "id"], name="matchreview_area_keyset")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.row_number}行）"


class WarningType(models.TextChoices):
    DEATH_STOP = "death_stop", "死亡停发"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "可能不再符合条件（复核）"
    POSSIBLY_ELIGIBLE = "possibly_eligible", "可能符合条件未纳入（主动发现）"
    POLICY_NOT_APPLIED = "policy_not_applied", "已纳入但政策未落实"
    AUTO_ENROL = "auto_enrol", "免申即享"


class Severity(models.IntegerChoices):
    CRITICAL = 1, "紧急"
    HIGH = 2, "高"
    MEDIUM = 3, "中"
    LOW = 4, "低"


class Rule(models.Model):
    """预警规则: a condition in a small safe vocabulary (see `monitoring.conditions`) over one feed's records."""

    class Action(models.TextChoices):
        NONE = "", "仅预警"
        RECORD_DEATH = "record_death", "登记死亡并停发（公安死亡数据）"
        RECHECK = "recheck", "安排复核（享受对象提前复核）"

    code = models.SlugField("规则代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    feed_type = models.CharField("数据类型", max_length=20)
    condition = models.JSONField("条件", default=dict, blank=True)
    warning_type = models.CharField("预警类型", max_length=20, choices=WarningType.choices)
    severity = models.PositiveSmallIntegerField("紧急程度", choices=Severity.choices, default=Severity.MEDIUM)
    handling_level = models.CharField("办理层级", max_length=10, choices=[
        ("community", "村（社区）"), ("town", "乡镇（街道）"), ("district", "区（县）")])
    deadline_working_days = models.PositiveSmallIntegerField("办理时限（工作日）", null=True, blank=True)
    deadline_hours = models.PositiveSmallIntegerField("办理时限（小时）", null=True, blank=True)
    action = models.CharField("自动处置", max_length=20, choices=Action.choices, blank=True)
    advice = models.CharField("处置建议", max_length=200, blank=True,
                              help_text="写入任务，如“建议引导申请低保、临时救助”")
    active = models.BooleanField("启用", default=False)
    note = models.CharField("备注", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="修改人")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["severity", "code"]
        constraints = [models.CheckConstraint(
            condition=Q(deadline_working_days__isnull=False) | Q(deadline_hours__isnull=False),
            name="rule_has_deadline")]

    def __str__(self) -> str:
        return self.name


class Warning(models.Model):  # noqa: A001 — the domain's word (预警); never imported as a bare name elsewhere
    """预警: one rule flagging one person on one record; each warning owns one task (source "monitoring.warning")."""

    class Status(models.TextChoices):
        OPEN = "open", "处理中"
        CLOSED = "closed", "已办结"

    # Written in bulk by the rule run (one INSERT … SELECT per rule, tens of thousands of rows), so the keys carry
    # no database constraint: each constraint is a trigger per inserted row, checked at commit (measured: ~1.7 M
    # checks, 10.5 s of a 21 s rule run at 10 M records — more than the rule queries and the inserts together),
    # and a table distributed by household on Citus cannot keep them. The values are copied, in the same
    # statement, from rows that carry their own constraints (the department record, its person, the person's
    # active membership and community); rules, persons, households, records and areas are never deleted
    # (PROTECT, no hard delete of personal data, rules are switched off). Django keeps the relations and PROTECT.
    # Indexes only where a query needs one (each is paid on every insert): person and household for the
    # household chain (监测链条), dept_record for "this record already warned" of `rule_candidates`; rule and area
    # are served by the composite indexes below.
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="warnings", db_index=False,
                             db_constraint=False, verbose_name="规则")
    warning_type = models.CharField("预警类型", max_length=20, choices=WarningType.choices)
    severity = models.PositiveSmallIntegerField("紧急程度", choices=Severity.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="warnings",
                               db_constraint=False, verbose_name="人员")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="warnings", db_constraint=False, verbose_name="家庭")
    dept_record = models.ForeignKey(DeptRecord, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="warnings", db_constraint=False, verbose_name="部门记录")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("办理结果", max_length=14, blank=True)
    # rule code + record (or person): re-running the rules creates nothing new. Unique as a constraint, not
    # `unique=True`, which on PostgreSQL adds a second (LIKE pattern) index that no query uses.
    dedup_key = models.CharField("去重键", max_length=80)
    created_at = models.DateTimeField("预警时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="warning_dedup_key")]
        indexes = [
            # scoping (a range on the area code, `accounts.policy.restrict`) and keyset paging
            models.Index(fields=["area", "id"], name="warning_area_keyset"),
            # `rule_candidates`: "an open warning of this rule for this person"; any query by rule
            models.Index(fields=["rule", "person", "status"], name="warning_rule_person"),
            # the warning list's filters (状态, 预警类型)
            models.Index(fields=["status", "warning_type"], name="warning_status_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_warning_type_display()} · {self.person_id}"


class RuleFailure(models.Model):
    """规则运行异常: a rule (or one record of it) that could not be evaluated — reviewable, never silently skipped."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="failures", verbose_name="规则")
    batch = models.ForeignKey(FeedBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="数据批次")
    dept_record = models.ForeignKey(DeptRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="部门记录")
    error = models.TextField("异常说明")
    resolved = models.BooleanField("已处理", default=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="处理人")
    created_at = models.DateTimeField("发生时间", auto_now_add=True)

    class Meta:
        verbose_name = "规则运行异常"
        verbose_name_plural = "规则运行异常"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.rule.code}: {self.error[:40]}"
