"""Interface clients (接口客户端): other departments' systems calling the API with short-lived tokens.

A client is a user account flagged `is_api_client`, with no usable password and only a narrow role (e.g.
接口客户端（部门数据报送）: push department feed batches, read their status), at the registering administrator's
area. It exchanges its client id and secret for a token valid `API_CLIENT_TOKEN_SECONDS` (default 3600: one
hour), separate from the idle and absolute limits of people's tokens (accounts.tokens). The district
administrator registers, lists and revokes clients ("api_client" grant); revoking ends every token at once.
Every token issued and every request made with one is written to the access log (访问记录, kind 接口客户端调用).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiClient, ApiToken, Role, User
from accounts.policy import allowed, restrict
from accounts.roles import API_CLIENT_FEEDS, ROLE_NAMES
from accounts.tokens import api_token_digest, password_mark
from audit.models import AccessLog, ChangeLog
from audit.services import access_log_write, change_log_write, snapshot

# The roles a client may be given: only those meant for systems, never a person's role.
CLIENT_ROLES = {API_CLIENT_FEEDS: ROLE_NAMES[API_CLIENT_FEEDS]}
BAD_CREDENTIALS = "接口客户端编号或密钥不正确，或该客户端已停用"


def client_token_lifetime() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "API_CLIENT_TOKEN_SECONDS", 3600)))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_manage(user) -> None:
    if not allowed(user, "api_client", "change"):
        raise PermissionDenied("无管理接口客户端的权限（api_client.change）")


def api_clients_visible(user) -> QuerySet[ApiClient]:
    """The clients registered within the user's area (the administrator's district)."""
    query = ApiClient.objects.select_related("user", "created_by", "revoked_by", "user__area")
    return restrict(query, user, "view", resource="api_client", area_field="user__area__code")


@transaction.atomic
def api_client_register(*, acting_user, name: str, role: str = API_CLIENT_FEEDS) -> tuple[ApiClient, str]:
    """登记接口客户端: its account (at the administrator's area, the given client role only) and its credentials.
    Returns the client and the secret, which is never stored and never shown again."""
    _require_manage(acting_user)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写对接系统名称，如“区水务公司抄表系统”"]})
    if len(name) > 100:
        raise ValidationError({"name": ["对接系统名称不能超过100个字符"]})
    if role not in CLIENT_ROLES:
        raise ValidationError({"role": [f"接口客户端只能授予接口角色：{'、'.join(CLIENT_ROLES.values())}"]})
    if acting_user.area_id is None:
        raise PermissionDenied("您的账号未设置所属区划，不能登记接口客户端")
    client_id = f"mzc_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    user = User(username=client_id, first_name=name[:150], area_id=acting_user.area_id, is_api_client=True)
    user.set_unusable_password()
    user.save()
    user.roles.set(Role.objects.filter(code=role))
    client = ApiClient.objects.create(user=user, name=name, client_id=client_id, secret_digest=_digest(secret),
                                      created_by=acting_user)
    change_log_write(instance=client, action=ChangeLog.Action.CREATE, before=None,
                     after=snapshot(client, ["id", "name", "client_id", "user_id"]) | {"role": role},
                     acting_user=acting_user, reason="登记接口客户端")
    return client, secret


@transaction.atomic
def api_client_revoke(*, acting_user, client: ApiClient) -> ApiClient:
    """停用接口客户端: no new token, and every token it holds ends now."""
    _require_manage(acting_user)
    if not api_clients_visible(acting_user).filter(pk=client.pk).exists():
        raise PermissionDenied("该接口客户端不在您的管辖范围内")
    now = timezone.now()
    if ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now,
                                                                               revoked_by=acting_user):
        ApiToken.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=now)
        User.objects.filter(pk=client.user_id).update(is_active=False)
        change_log_write(instance=client, action=ChangeLog.Action.UPDATE, before={"revoked_at": None},
                         after={"revoked_at": now.isoformat()}, acting_user=acting_user, reason="停用接口客户端")
    client.refresh_from_db()
    return client


def api_client_token_issue(*, client_id: str, secret: str) -> tuple[ApiToken, str]:
    """签发客户端令牌: the client id and secret for a token of `API_CLIENT_TOKEN_SECONDS`; logged."""
    client = ApiClient.objects.select_related("user").filter(client_id=client_id or "").first()
    # compare digests in constant time, and do the same work whether or not the client exists
    given = _digest(secret or "")
    stored = client.secret_digest if client is not None else _digest(secrets.token_hex(16))
    if client is None or not hmac.compare_digest(given, stored) or client.revoked_at or not client.user.is_active:
        raise ValidationError({"client_secret": [BAD_CREDENTIALS]})
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=client.user, client=client, digest=api_token_digest(key), prefix=key[:8],
                                    name=client.name[:100], expires_at=timezone.now() + client_token_lifetime(),
                                    password_mark=password_mark(client.user))
    access_log_write(user=client.user, kind=AccessLog.Kind.API_CLIENT,
                     detail={"action": "签发令牌", "client": client.client_id, "token": token.prefix})
    return token, key


def api_client_use_log(*, token: ApiToken, method: str, path: str) -> None:
    """Every request a client makes with its token: who (the client), when, what (method and path)."""
    access_log_write(user=token.user, kind=AccessLog.Kind.API_CLIENT,
                     detail={"action": "调用接口", "client": token.client.client_id, "token": token.prefix,
                             "method": method, "path": path[:300]})


def api_client_tokens_live(client: ApiClient) -> QuerySet[ApiToken]:
    return client.tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by("-id")


def api_client_token_revoke(*, acting_user, token: ApiToken) -> None:
    """注销客户端的一个令牌 (the administrator, from the clients page)."""
    _require_manage(acting_user)
    if token.client_id is None or not api_clients_visible(acting_user).filter(pk=token.client_id).exists():
        raise PermissionDenied("该令牌不属于您管辖范围内的接口客户端")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
