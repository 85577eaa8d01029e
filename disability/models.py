"""残疾人服务记录: 精康融合 (community mental-health rehabilitation) and 福康工程 (assistive devices).

The two subsidies themselves are `programs.Program` rows and enrolments (disability migration 0001); the
certificates are the registry's `registry.Disability`. These tables record services, each row carrying the
person's community (`area`) so lists scope by area-code prefix without a join.
"""

from django.conf import settings
from django.db import models

from areas.models import Area


class RehabSite(models.Model):
    """精康融合服务站点: a community rehabilitation site (精神障碍社区康复服务机构/站点)."""

    name = models.CharField("站点名称", max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在村社区或街道")
    address = models.CharField("地址", max_length=200, blank=True)
    operator = models.CharField("运营机构", max_length=100, blank=True)
    active = models.BooleanField("运营中", default=True)

    class Meta:
        verbose_name = "精康融合服务站点"
        verbose_name_plural = "精康融合服务站点"
        ordering = ["area_id", "name"]

    def __str__(self) -> str:
        return self.name


class RehabParticipant(models.Model):
    """精康融合服务对象: a person taking part at a site, from a date (to a date when they leave)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="rehab_participations",
                               verbose_name="人员")
    site = models.ForeignKey(RehabSite, on_delete=models.PROTECT, related_name="participants", verbose_name="站点")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    joined_on = models.DateField("纳入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "精康融合服务对象"
        verbose_name_plural = "精康融合服务对象"
        indexes = [models.Index(fields=["area", "id"], name="rehab_participant_area")]

    def __str__(self) -> str:
        return f"{self.person} · {self.site}"


class RehabSession(models.Model):
    """精康融合服务记录: one session a participant attended (or missed)."""

    participant = models.ForeignKey(RehabParticipant, on_delete=models.PROTECT, related_name="sessions",
                                    verbose_name="服务对象")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    held_on = models.DateField("服务日期")
    activity = models.CharField("服务内容", max_length=100, help_text="如 生活技能训练、职业康复、心理疏导")
    attended = models.BooleanField("到场", default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="记录人")

    class Meta:
        verbose_name = "精康融合服务记录"
        verbose_name_plural = "精康融合服务记录"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.activity}"


class DeviceApplication(models.Model):
    """福康工程 / 辅助器具适配: an application, its assessment, the device issued and the follow-up visit."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已申请"
        ASSESSED = "assessed", "已评估"
        REFUSED = "refused", "评估不适配"
        ISSUED = "issued", "已发放"
        FOLLOWED_UP = "followed_up", "已回访"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="device_applications",
                               verbose_name="人员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    device = models.CharField("辅助器具", max_length=100, help_text="如 轮椅、助听器、假肢")
    fukang = models.BooleanField("福康工程项目", default=False, help_text="是：纳入福康工程（假肢、矫形器等）")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField("申请日期")
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    assessment = models.CharField("评估意见", max_length=300, blank=True)
    issued_on = models.DateField("发放日期", null=True, blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.CharField("回访情况", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "辅助器具适配（福康工程）"
        verbose_name_plural = "辅助器具适配（福康工程）"
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["area", "id"], name="device_application_area")]

    def __str__(self) -> str:
        return f"{self.person} · {self.device}"
