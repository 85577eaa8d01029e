"""任务 (Task): something someone must do by a deadline at an area level, closed in a loop with an outcome.

A monitoring warning, a re-check due, a visit, a sensor alert, a hotline call … each owns one task through the
generic pointer (source_type, source_id). A task belongs to its community (`area`, for scoping and for counting
overdue work against the area) and sits in the queue of `assigned_area` — the community itself, its town or the
district. An open task past its deadline moves one level up (`services.tasks_escalate_overdue`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area

# 任务类型 in words: `kind` is free text set by whoever creates tasks (the rules write "warning"); pages show these.
KIND_LABELS = {"warning": "预警核查", "recheck": "复核", "visit": "走访", "reassessment": "能力复评",
               "hazard": "隐患整改", "meter_alarm": "水表用水异常", "meter_offline": "水表设备离线",
               "custody_check": "卡折代管月度核对"}


class Task(models.Model):
    """任务: 限期办理、分级督办、闭环销号."""

    class Level(models.TextChoices):
        COMMUNITY = "community", "村（社区）"
        TOWN = "town", "乡镇（街道）"
        DISTRICT = "district", "区（县）"

    class Status(models.TextChoices):
        OPEN = "open", "待办理"
        IN_PROGRESS = "in_progress", "办理中"
        CLOSED = "closed", "已办结"

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "情况属实，已处置"
        NOT_CONFIRMED = "not_confirmed", "经核实不属实"
        HANDED_OVER = "handed_over", "已转交其他部门"

    # Tasks are written in bulk (a rule run: one INSERT … SELECT per rule, tens of thousands of rows), so the
    # keys carry no database constraint: each constraint is a trigger per inserted row, checked at commit (the
    # rule run's warnings, tasks and events: ~1.7 M checks, 10.5 s of 21 s at 10 M records), and a table
    # distributed by household on Citus cannot keep them. The values come from rows that carry their own
    # constraints (the warning's person, household and community, the area tree, the acting user), and persons,
    # households, areas and users are never deleted (PROTECT, no hard delete of personal data; a user who acted
    # is held by the audit log's PROTECT). Django keeps the relations and PROTECT. Indexes only where a query
    # needs one (each is paid on every insert): person and household for the household chain; area and
    # assigned_area are served by `task_area_keyset` and `task_queue`; kind by `task_kind` below (without the
    # LIKE-pattern twin `db_index=True` adds on PostgreSQL); nothing looks tasks up by who created or closed them.
    kind = models.CharField("任务类型", max_length=30, help_text="如 warning（预警）、recheck、visit")
    title = models.CharField("标题", max_length=200)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="tasks", db_constraint=False, verbose_name="人员")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="tasks", db_constraint=False, verbose_name="家庭")
    # The community the task is about: scoping and the overdue count use it, whoever holds the task now.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="所属村社区")
    handling_level = models.CharField("办理层级", max_length=10, choices=Level.choices)
    assigned_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False,
                                      db_constraint=False, verbose_name="承办区划",
                                      help_text="任务所在的待办队列：本村社区、所属镇街或区")
    deadline = models.DateTimeField("办理期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("办理结果", max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("办理说明", blank=True)
    evidence = models.JSONField("佐证材料", default=dict, blank=True)
    handed_to = models.CharField("转交部门", max_length=100, blank=True)
    escalation_level = models.PositiveSmallIntegerField("超期升级次数", default=0)
    escalated_at = models.DateTimeField("最近升级时间", null=True, blank=True)
    source_type = models.CharField("来源类型", max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField("来源编号", null=True, blank=True)
    detail = models.JSONField("任务说明", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False, db_constraint=False, verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False, db_constraint=False, verbose_name="办结人")

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["deadline", "id"]
        constraints = [
            # One task per source (a warning, a re-check): creating it twice is a no-op, not a second task.
            models.UniqueConstraint(fields=["source_type", "source_id"], name="task_one_per_source",
                                    condition=Q(source_id__isnull=False)),
            # Closed in a loop: a closed task always says how it ended.
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="task_closed_has_outcome"),
        ]
        indexes = [
            models.Index(fields=["area", "id"], name="task_area_keyset"),
            models.Index(fields=["assigned_area", "status", "deadline"], name="task_queue"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
            models.Index(fields=["kind"], name="task_kind"),  # the API's kind filter (任务类型)
            # 超期任务, oldest first (the cockpit's list, the escalation job): a status IN-list cannot walk
            # task_status_deadline in deadline order, so without this every open task is sorted; closed tasks,
            # most of the table after a few years, are not in it.
            models.Index(fields=["deadline", "id"], name="task_open_deadline",
                         condition=Q(status__in=["open", "in_progress"])),
        ]

    def __str__(self) -> str:
        return f"任务#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "其他任务")


class TaskEvent(models.Model):
    """任务时间线: created, started, escalated, closed — who, when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", "创建"
        STARTED = "started", "开始办理"
        ESCALATED = "escalated", "超期升级"
        CLOSED = "closed", "办结"

    # The one key of the task tables that keeps its database constraint: an event is part of its task (CASCADE)
    # and means nothing without it; one check per event, a twelfth of what the rule run's rows used to check.
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events", verbose_name="任务")
    kind = models.CharField("事件", max_length=12, choices=Kind.choices)
    message = models.CharField("说明", max_length=300)
    params = models.JSONField("参数", default=dict, blank=True)
    # The acting user (held by the audit log's PROTECT, never deleted): no constraint, no index (nothing looks
    # events up by user).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+", db_index=False, db_constraint=False, verbose_name="操作人")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "任务事件"
        verbose_name_plural = "任务事件"
        ordering = ["task_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message}"
