"""Accounts (账号): a user belongs to one area and holds roles; roles hold grants."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

AUTH_USER = settings.AUTH_USER_MODEL


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
    # 接口客户端: another department's system, not a person: no password sign-in, tokens from its client secret.
    is_api_client = models.BooleanField("接口客户端", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """接口令牌: one sign-in of one client. Only the SHA-256 of the key is kept, so a leaked database gives no
    usable token; the key is shown once, when issued. A token ends at its absolute expiry, after an idle period,
    when revoked (logout, the user's own revocation), or when the user's password changes (`password_mark`)."""

    user = models.ForeignKey(AUTH_USER, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=8, help_text="便于本人辨认，不足以使用")
    name = models.CharField("客户端", max_length=100, blank=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    password_mark = models.CharField("签发时口令标记", max_length=64)
    # Set for a token an interface client obtained with its client id and secret (short-lived, every use logged).
    client = models.ForeignKey("ApiClient", null=True, blank=True, on_delete=models.CASCADE, related_name="tokens",
                               verbose_name="接口客户端")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user")]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name or '接口登录'}）"


class ApiClient(models.Model):
    """接口客户端: another department's system (区大数据局、水务公司…) that calls the API as its own user account —
    flagged `is_api_client`, holding only a narrow role — and obtains short-lived tokens with a client id and a
    secret. Only the secret's SHA-256 is kept; it is shown once, when the client is registered. Revoking the
    client ends its tokens at once."""

    user = models.OneToOneField(AUTH_USER, on_delete=models.PROTECT, related_name="api_client",
                                verbose_name="客户端账号")
    name = models.CharField("对接系统名称", max_length=100)
    client_id = models.CharField("客户端编号", max_length=40, unique=True)
    secret_digest = models.CharField("密钥摘要", max_length=64)
    created_by = models.ForeignKey(AUTH_USER, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    revoked_by = models.ForeignKey(AUTH_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="停用人")

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name
