"""API of disability welfare (残疾人福利): the coverage of the two subsidies (`GET /api/coverage/disability/`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disability.coverage import PROGRAMS
from disability.selectors import DEFAULT_LIMIT, coverage_report
from programs.api import parse_month

TAG = ["残疾人福利"]
MAX_LIMIT = 10000


class CoverageQuerySerializer(serializers.Serializer):
    area = serializers.CharField(required=False, help_text="12位区划代码（区、街道或村社区）；默认本人辖区")
    month = serializers.CharField(help_text="YYYY-MM", error_messages={
        "required": "缺少 month（核查月份，格式 YYYY-MM）", "blank": "month（核查月份）不能为空，格式 YYYY-MM"})
    program = serializers.ChoiceField(required=False, choices=[(p, p) for p in PROGRAMS], error_messages={
        "invalid_choice": "program 应为 disability_living（困难残疾人生活补贴）"
                          "或 disability_care（重度残疾人护理补贴）"})
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT,
                                     error_messages={"invalid": f"limit 应为1至{MAX_LIMIT}的整数",
                                                     "min_value": f"limit 应为1至{MAX_LIMIT}的整数",
                                                     "max_value": f"limit 应为1至{MAX_LIMIT}的整数"})

    def validate_month(self, value: str):
        return parse_month(value)


_PERSON_ROW = {"person": serializers.IntegerField(), "name": serializers.CharField(),
               "id_number": serializers.CharField(help_text="脱敏身份证号"), "area": serializers.CharField(),
               "program": serializers.CharField(), "program_name": serializers.CharField()}
_FIGURES = {"eligible": serializers.IntegerField(help_text="应享人数"),
            "enrolled": serializers.IntegerField(help_text="应享人员中已享人数"),
            "rate": serializers.FloatField(allow_null=True, help_text="覆盖率 = 已享 ÷ 应享；无应享人员为 null")}
CoverageResponse = inline_serializer("DisabilityCoverage", fields={
    "area": serializers.CharField(), "month": serializers.CharField(), **_FIGURES,
    "missing": inline_serializer("DisabilityCoverageMissing", many=True, fields=_PERSON_ROW),
    "ineligible_enrolled": inline_serializer("DisabilityCoverageIneligible", many=True, fields={
        **_PERSON_ROW, "enrolment": serializers.IntegerField(), "reason": serializers.CharField()}),
    "missing_count": serializers.IntegerField(), "ineligible_enrolled_count": serializers.IntegerField(),
    "programs": serializers.DictField(help_text="按项目：name, eligible, enrolled, rate, missing_count, "
                                                "ineligible_enrolled_count"),
})
_ERROR = inline_serializer("DisabilityError", fields={"detail": serializers.CharField(required=False)})


class DisabilityCoverageView(APIView):
    """两项补贴覆盖情况: the eligible, the enrolled, the rate, who is missing and who is enrolled but no longer
    eligible, for an area inside the user's own and a month."""

    @extend_schema(
        operation_id="coverage_disability", summary="残疾人两项补贴覆盖情况（应享、已享、覆盖率、应享未享、不再符合）",
        tags=TAG, parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, description="12位区划代码，默认本人辖区"),
            OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM"),
            OpenApiParameter("program", OpenApiTypes.STR, enum=list(PROGRAMS), description="只看一项补贴"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"名单最多行数（默认{DEFAULT_LIMIT}）")],
        responses={200: CoverageResponse, 400: OpenApiResponse(_ERROR, description="参数错误（以字段名为键）"),
                   403: OpenApiResponse(_ERROR, description="无权限或区划不在辖区内")})
    def get(self, request: Request) -> Response:
        form = CoverageQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        programs = (data["program"],) if data.get("program") else PROGRAMS
        # A Django ValidationError / PermissionDenied becomes a 400 / 403 (api.errors).
        return Response(coverage_report(user=request.user, month=data["month"], area_code=data.get("area"),
                                        programs=programs, limit=data["limit"]))
