"""Interface-client pages (接口客户端管理): the district administrator lists, registers and revokes the other
departments' systems and their live tokens. Parse, authorise, call accounts.clients, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.clients import (
    CLIENT_ROLES,
    api_client_register,
    api_client_revoke,
    api_client_token_revoke,
    api_client_tokens_live,
    api_clients_visible,
    client_token_lifetime,
)
from accounts.models import ApiToken
from accounts.policy import allowed


def _require(user, action: str) -> None:
    if not allowed(user, "api_client", action):
        raise PermissionDenied("无管理接口客户端的权限")


def _context(user, **extra) -> dict:
    clients = list(api_clients_visible(user).order_by("-id")[:200])
    for client in clients:
        client.live_tokens = list(api_client_tokens_live(client))
        client.role_names = "、".join(r.name for r in client.user.roles.all())
    return {"clients": clients, "roles": CLIENT_ROLES, "can_change": allowed(user, "api_client", "change"),
            "lifetime_minutes": int(client_token_lifetime().total_seconds() // 60), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request):
    """The list, and 登记 (POST): the new secret is shown on this response only, never again."""
    _require(request.user, "view")
    if request.method == "GET":
        return render(request, "accounts/clients.html", _context(request.user))
    _require(request.user, "change")
    try:
        client, secret = api_client_register(acting_user=request.user, name=request.POST.get("name", ""),
                                             role=request.POST.get("role", ""))
    except ValidationError as exc:
        errors = [f"{'对接系统名称' if field == 'name' else '角色'}：{m}" for field, ms in exc.message_dict.items()
                  for m in ms]
        return render(request, "accounts/clients.html", _context(request.user, errors=errors,
                                                                 name=request.POST.get("name", "")), status=400)
    return render(request, "accounts/clients.html", _context(request.user, issued=client, secret=secret))


@login_required
@require_POST
def client_revoke(request, pk: int):
    _require(request.user, "change")
    client = get_object_or_404(api_clients_visible(request.user), pk=pk)
    api_client_revoke(acting_user=request.user, client=client)
    messages.success(request, f"已停用接口客户端“{client.name}”，其全部令牌已失效")
    return redirect("api-client-list")


@login_required
@require_POST
def client_token_revoke(request, pk: int, token_pk: int):
    _require(request.user, "change")
    client = get_object_or_404(api_clients_visible(request.user), pk=pk)
    token = get_object_or_404(ApiToken, pk=token_pk, client=client)
    api_client_token_revoke(acting_user=request.user, token=token)
    messages.success(request, f"已注销“{client.name}”的令牌 {token.prefix}…")
    return redirect("api-client-list")
