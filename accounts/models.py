"""Accounts (账号): a user belongs to one area and holds roles; roles hold grants."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.Model):
    """角色: e.g. 镇街经办人. Its grants decide what its holders may do; the user's area decides where."""

    code = models.CharField("代码", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=40)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """授权: role may do `action` on `resource` (within the holder's area)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants", verbose_name="角色")
    resource = models.CharField("资源", max_length=40)
    action = models.CharField("操作", max_length=20)

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [models.UniqueConstraint(fields=["role", "resource", "action"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.resource}.{self.action}"


class User(AbstractUser):
    """用户: staff of the bureau at one level of the area tree."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.ManyToManyField(Role, verbose_name="角色", blank=True, related_name="users")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
