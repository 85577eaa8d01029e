"""API of the close-relative register (近亲属备案): `GET/POST /api/close-relatives/`,
`POST /api/close-relatives/{id}/end/`. Scoped by the relative's area; writes go through casework.services."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from casework.models import CloseRelation, CloseRelativeDeclaration
from casework.selectors import close_relatives_visible
from casework.services import close_relative_declare, close_relative_end
from registry.selectors import persons_visible

MAX_ID = 2**63 - 1
TAG = ["近亲属备案"]
ERRORS = {400: OpenApiResponse(description="输入有误：以字段名为键，值为中文说明列表"),
          403: OpenApiResponse(description="无登记近亲属备案的权限，或不在您的管辖范围内"),
          404: OpenApiResponse(description="备案不存在或不在您的管辖范围内")}


def _invalid(message: str) -> dict[str, str]:
    keys = ("invalid", "null", "blank", "max_length", "min_value", "max_value", "max_string_length",
            "invalid_choice", "required")
    return {key: message for key in keys}


class CloseRelativeSerializer(serializers.ModelSerializer):
    relative_name = serializers.CharField(source="relative.name", read_only=True)

    class Meta:
        model = CloseRelativeDeclaration
        fields = ["id", "staff", "committee_member_name", "committee_area", "relative", "relative_name", "relation",
                  "area", "note", "declared_at", "is_active", "ended_at"]


class CloseRelativeCreateSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    staff = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, label="工作人员（用户编号）",
                                     error_messages=_invalid("staff（工作人员用户编号）应为正整数"))
    committee_member_name = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                                  label="村（居）委会成员姓名",
                                                  error_messages=_invalid("committee_member_name 应为不超过50字的姓名"))
    committee_area = serializers.RegexField(r"^[0-9]{12}$", required=False, label="所在村（居）委会区划代码",
                                            error_messages=_invalid("committee_area（区划代码）应为12位数字"))
    relative = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="近亲属（人员编号）",
                                        error_messages=_invalid("relative（近亲属人员编号）应为正整数"))
    relation = serializers.ChoiceField(choices=CloseRelation.choices, label="关系", error_messages=_invalid(
        "relation（关系）应为：" + "、".join(f"{v}（{t}）" for v, t in CloseRelation.choices)))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="备注",
                                 error_messages=_invalid("note（备注）不超过200字"))


class EndSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    reason = serializers.CharField(max_length=200, label="撤销原因",
                                   error_messages=_invalid("请填写 reason（撤销原因）"))


@extend_schema_view(list=extend_schema(summary="近亲属备案列表（本级及下级）", tags=TAG))
class CloseRelativeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """近亲属备案：工作人员或村（居）委会成员的近亲属登记；相关申请自动标记并适用回避。"""

    queryset = CloseRelativeDeclaration.objects.none()
    serializer_class = CloseRelativeSerializer
    parser_classes = [JSONParser]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[CloseRelativeDeclaration]:
        return close_relatives_visible(self.request.user).select_related("relative")

    @extend_schema(summary="登记近亲属备案", tags=TAG, request=CloseRelativeCreateSerializer,
                   responses={201: CloseRelativeSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def create(self, request: Request) -> Response:
        form = CloseRelativeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        relative = persons_visible(request.user).filter(pk=data["relative"]).first()
        if relative is None:
            raise DrfValidationError({"relative": [f"人员（编号 {data['relative']}）不存在或不在您的管辖范围内"]})
        staff = None
        if data.get("staff") is not None:
            staff = get_user_model().objects.filter(pk=data["staff"], is_active=True).first()
            if staff is None:
                raise DrfValidationError({"staff": [f"工作人员（编号 {data['staff']}）不存在或已停用"]})
        declaration = close_relative_declare(
            acting_user=request.user, relative=relative, relation=data["relation"], staff=staff,
            committee_member_name=data.get("committee_member_name", ""),
            committee_area_code=data.get("committee_area"), note=data.get("note", ""))
        return Response(CloseRelativeSerializer(declaration).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="撤销近亲属备案（保留历史）", tags=TAG, request=EndSerializer,
                   responses={200: CloseRelativeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        form = EndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        declaration = self.get_queryset().filter(pk=int(pk)).first() if int(pk) <= MAX_ID else None
        if declaration is None:
            raise Http404
        close_relative_end(acting_user=request.user, declaration=declaration, reason=form.validated_data["reason"])
        declaration.refresh_from_db()
        return Response(CloseRelativeSerializer(declaration).data)
