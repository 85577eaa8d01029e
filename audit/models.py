"""Audit (审计): the change log, domain events, and the access log of personal data."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    PAGE = "page", "页面"
    API = "api", "接口"
    IMPORT = "import", "导入"
    JOB = "job", "后台任务"
    COMMAND = "command", "命令"


class ChangeLog(models.Model):
    """变更记录: who changed which record, when, through what, with the fields before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DEACTIVATE = "deactivate", "停用"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="操作人", related_name="+")
    request_id = models.CharField("请求标识", max_length=40, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.COMMAND)
    model = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象标识", max_length=40)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("动作", max_length=12, choices=Action.choices)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        indexes = [models.Index(fields=["model", "object_id", "time"], name="changelog_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model}#{self.object_id}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
        return [(k, before.get(k), after.get(k)) for k in keys]


class DomainEvent(models.Model):
    """业务事件: a readable step in a person's or household's timeline (e.g. 登记死亡, 加入家庭)."""

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="操作人", related_name="+")
    type = models.CharField("事件类型", max_length=40)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="events", verbose_name="人员")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="events", verbose_name="家庭")
    message = models.CharField("说明", max_length=300)
    params = models.JSONField("参数", default=dict, blank=True)

    class Meta:
        verbose_name = "业务事件"
        verbose_name_plural = "业务事件"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return self.message


class AccessLog(models.Model):
    """个人信息访问记录: every full view of an ID number and every export of personal data."""

    class Kind(models.TextChoices):
        REVEAL_ID = "reveal_id", "查看完整身份证号"
        REVEAL_PHONE = "reveal_phone", "查看完整联系电话"
        REVEAL_CERT = "reveal_cert", "查看完整残疾人证号"
        DENIED = "denied", "查看个人信息被拒绝"
        EXPORT = "export", "导出个人信息"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="操作人",
                             related_name="+")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="人员")
    detail = models.JSONField("详情", default=dict, blank=True)
    request_id = models.CharField("请求标识", max_length=40, blank=True)

    class Meta:
        verbose_name = "访问记录"
        verbose_name_plural = "访问记录"
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id}→{self.person_id}"
