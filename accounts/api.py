"""API sign-in (接口令牌): exchange a username and password for a token sent as `Authorization: Token <key>`;
list one's own tokens, revoke one, or log out (revoke the token in use).

The password is checked through `django.contrib.auth.authenticate`, so django-axes counts failures and locks
exactly as on the login page. Each sign-in issues its own token (`accounts.tokens`), which expires.
"""

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle
from rest_framework.views import APIView

from accounts.clients import api_client_token_issue
from accounts.models import ApiToken
from accounts.tokens import api_token_issue, api_token_revoke, api_tokens_of

BAD_CREDENTIALS = "用户名或密码不正确"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150, trim_whitespace=False)
    password = serializers.CharField(label="密码", max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenRequestNameSerializer(TokenRequestSerializer):
    client = serializers.CharField(label="客户端名称", max_length=100, required=False, allow_blank=True,
                                   help_text="便于在令牌列表中辨认，如“区大数据局对接”")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌", help_text="请求时放在请求头：Authorization: Token <令牌>；只显示这一次")
    expires_at = serializers.DateTimeField(label="到期时间", help_text="另有闲置时限：长时间不用即失效")


def lockout_message(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)  # axes reads AXES_COOLOFF_TIME in any of its accepted forms
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    wait = f"请 {minutes} 分钟后再试" if minutes else "请联系系统管理员解锁"
    return f"登录失败次数过多，账号已被锁定，{wait}"


class TokenObtainView(APIView):
    """获取接口令牌."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list[type[BaseThrottle]] = []

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="获取接口令牌",
        tags=["认证"],
        request=TokenRequestNameSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="用户名或密码不正确，或缺少字段"),
            429: OpenApiResponse(
                response=inline_serializer("TokenLockedOut", fields={"detail": serializers.CharField()}),
                description="登录失败次数过多，账号已被临时锁定",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestNameSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        http_request = request._request  # axes keeps its lockout flag on Django's request, not DRF's wrapper
        user = authenticate(request=http_request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                # Answer in JSON here; left set, the flag makes AxesMiddleware swap in its HTML lockout page.
                http_request.axes_locked_out = False
                return Response({"detail": lockout_message(http_request)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response({"non_field_errors": [BAD_CREDENTIALS]}, status=status.HTTP_400_BAD_REQUEST)
        # A token sign-in is a login: last_login is updated and axes clears the account's failure count.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        token, key = api_token_issue(user=user, name=form.validated_data.get("client", ""))
        return Response({"token": key, "expires_at": token.expires_at})


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="是否为本次请求所用的令牌")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "name", "created_at", "last_used_at", "expires_at", "current"]

    def get_current(self, token) -> bool:
        used = self.context.get("current")
        return used is not None and used.pk == token.pk


class TokenListView(APIView):
    """本人的接口令牌."""

    pagination_class = None

    @extend_schema(operation_id="auth_tokens_list", summary="本人的有效接口令牌", tags=["认证"],
                   responses={200: ApiTokenSerializer(many=True)})
    def get(self, request: Request) -> Response:
        current = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(ApiTokenSerializer(api_tokens_of(request.user), many=True, context={"current": current}).data)


class TokenRevokeView(APIView):
    """注销本人的一个接口令牌."""

    @extend_schema(operation_id="auth_tokens_revoke", summary="注销本人的一个接口令牌", tags=["认证"],
                   request=None, responses={204: None, 404: OpenApiResponse(description="令牌不存在")})
    def post(self, request: Request, pk: int) -> Response:
        token = api_tokens_of(request.user).filter(pk=pk).first()
        if token is None:
            return Response({"detail": "令牌不存在"}, status=status.HTTP_404_NOT_FOUND)
        api_token_revoke(token=token, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """退出：注销本次请求所用的令牌."""

    @extend_schema(operation_id="auth_logout", summary="退出（注销本次请求所用的令牌）", tags=["认证"],
                   request=None, responses={204: None, 400: OpenApiResponse(description="本次请求未使用令牌")})
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            return Response({"detail": "本次请求未使用接口令牌，无需退出"}, status=status.HTTP_400_BAD_REQUEST)
        api_token_revoke(token=request.auth, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientTokenRequestSerializer(serializers.Serializer):
    client_id = serializers.CharField(label="客户端编号", max_length=40)
    client_secret = serializers.CharField(label="客户端密钥", max_length=200, trim_whitespace=False,
                                          style={"input_type": "password"})


class ClientTokenView(APIView):
    """接口客户端获取令牌."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        operation_id="auth_client_token_obtain",
        summary="接口客户端获取令牌（客户端编号 + 密钥；令牌有效期默认 1 小时，每次使用均记录）",
        tags=["认证"],
        request=ClientTokenRequestSerializer,
        responses={200: TokenResponseSerializer,
                   400: OpenApiResponse(description="客户端编号或密钥不正确、客户端已停用，或缺少字段")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = ClientTokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            token, key = api_client_token_issue(client_id=form.validated_data["client_id"],
                                                secret=form.validated_data["client_secret"])
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": key, "expires_at": token.expires_at})
