"""User lookup (工作人员查询) for integrators and forms: who works where, in the caller's own area and below.

Investigators and handlers are given to the API by user id; this is where a caller finds those ids. It shows no
personal data beyond a staff member's name, area and roles, and never a user outside the caller's scope.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Grant, Role
from accounts.policy import scope_prefix
from api.pagination import KeysetPagination
from minzheng.lookups import prefix_q


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["code", "name"]


class UserLookupSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField(help_text="姓名（未填写时为用户名）")
    area_name = serializers.CharField(source="area.name", default="", help_text="所属区划名称")
    roles = RoleSerializer(many=True, help_text="角色")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "area", "area_name", "roles"]

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


def users_visible(user) -> QuerySet:
    """Active staff whose area is inside the caller's area (a town officer sees the town's and its communities')."""
    prefix = scope_prefix(user)
    users = get_user_model().objects.filter(is_active=True, area__isnull=False)
    if prefix is None:
        return users.none()
    return users.filter(prefix_q("area_id", prefix))


def _can_filter(value: str) -> Q:
    resource, _, action = value.partition(".")
    if not resource or not action:
        raise ValidationError({"can": ["can（可办理的操作）格式为 资源.操作，如 application.investigate"]})
    roles = Grant.objects.filter(resource=resource, action=action).values("role_id")
    return Q(roles__in=roles)


class UserLookupView(generics.ListAPIView):
    serializer_class = UserLookupSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        users = users_visible(self.request.user).select_related("area").prefetch_related(
            Prefetch("roles", queryset=Role.objects.order_by("code")))
        params = self.request.query_params
        if params.get("role"):
            users = users.filter(roles__code=params["role"])
        if params.get("can"):
            users = users.filter(_can_filter(params["can"]))
        area = params.get("area", "")
        if area:
            if not (area.isascii() and area.isdigit() and len(area) <= 12):
                raise ValidationError({"area": ["area（区划代码）应为最多12位数字"]})
            users = users.filter(prefix_q("area_id", area))
        if params.get("q"):
            q = params["q"].strip()
            users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
        return users.distinct()

    @extend_schema(tags=["账号"], summary="工作人员查询（本人管辖范围内）", parameters=[
        OpenApiParameter("role", OpenApiTypes.STR, description="角色代码，如 town_officer"),
        OpenApiParameter("can", OpenApiTypes.STR, description="可办理的操作（资源.操作），如 application.investigate"),
        OpenApiParameter("area", OpenApiTypes.STR, description="区划代码或其前缀"),
        OpenApiParameter("q", OpenApiTypes.STR, description="用户名或姓名包含")])
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UserLookupSerializer(page, many=True).data)
