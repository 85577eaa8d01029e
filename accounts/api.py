"""API sign-in (接口令牌): exchange a username and password for a token sent as `Authorization: Token <key>`.

The password is checked through `django.contrib.auth.authenticate`, so django-axes counts failures and locks
the account exactly as on the login page.
"""

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

BAD_CREDENTIALS = "用户名或密码不正确"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150, trim_whitespace=False)
    password = serializers.CharField(label="密码", max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌", help_text="请求时放在请求头：Authorization: Token <令牌>")


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
        request=TokenRequestSerializer,
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
        form = TokenRequestSerializer(data=request.data)
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
