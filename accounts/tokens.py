"""API tokens (接口令牌): issue, authenticate, list and revoke — idle and absolute limits from settings.

`API_TOKEN_IDLE_SECONDS` (default 8 hours: a working day) and `API_TOKEN_MAX_AGE_SECONDS` (default 7 days) bound
every token. A password change ends every token issued before it, without a signal: each token remembers a mark
of the password hash it was issued under, and a different hash no longer matches.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken

# last_used_at is written at most this often per token, so a busy client does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)
EXPIRED = "认证令牌已过期，请重新获取令牌"
INVALID = "认证令牌无效。"


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_mark(user) -> str:
    return hashlib.sha256(f"minzheng-token:{user.password}".encode()).hexdigest()


def _idle() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "API_TOKEN_IDLE_SECONDS", 8 * 3600)))


def _max_age() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "API_TOKEN_MAX_AGE_SECONDS", 7 * 24 * 3600)))


def api_token_issue(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for this sign-in; returns the record and the key, which is never stored and never shown again."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, digest=api_token_digest(key), prefix=key[:8], name=name[:100],
                                    expires_at=timezone.now() + _max_age(), password_mark=password_mark(user))
    return token, key


def api_token_check(key: str) -> ApiToken:
    """The live token for this key, or AuthenticationFailed naming why (invalid, or expired)."""
    token = (ApiToken.objects.select_related("user", "client").filter(digest=api_token_digest(key),
                                                                      revoked_at__isnull=True).first())
    if token is None or not token.user.is_active or token.password_mark != password_mark(token.user):
        raise exceptions.AuthenticationFailed(INVALID)
    if token.client is not None and token.client.revoked_at is not None:
        raise exceptions.AuthenticationFailed(INVALID)
    now = timezone.now()
    if now >= token.expires_at or now - (token.last_used_at or token.created_at) >= _idle():
        raise exceptions.AuthenticationFailed(EXPIRED)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user):
    """The user's own live tokens, newest first (the list they can revoke from). An interface client's tokens
    are listed on the administrator's clients page (accounts.clients)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by("-id")


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    """注销: only the token's own user ends it here (an administrator deactivates the user instead)."""
    if token.user_id != acting_user.pk:
        raise exceptions.NotFound("令牌不存在")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against `ApiToken` (digest, expiry, idle, password, revocation).
    A request made with an interface client's token is written to the access log."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[1].client_id is not None:
            from accounts.clients import api_client_use_log  # clients builds on this module

            api_client_use_log(token=result[1], method=request.method, path=request.path)
        return result

    def authenticate_credentials(self, key):
        token = api_token_check(key)
        return token.user, token
