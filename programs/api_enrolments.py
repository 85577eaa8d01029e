"""Enrolments for integrators (享受对象查询): who receives what, from when, at what amount — within the caller's
area, filterable by programme, status, household and person. Reads only; changes go through the case and
re-check services. ID numbers are masked as on every list."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import KeysetPagination
from minzheng.lookups import prefix_q
from programs.models import Enrolment
from programs.selectors import enrolments_visible
from registry.identity import mask_id_number


def _choices_text(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


class EnrolmentSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name")
    status_display = serializers.CharField(source="get_status_display")
    person_name = serializers.CharField(source="person.name", default="", help_text="享受人或申请人（户主）")
    person_id_number = serializers.SerializerMethodField(help_text="身份证号（脱敏）")
    area_name = serializers.CharField(source="area.name")
    start_month = serializers.DateField(format="%Y-%m", help_text="YYYY-MM")
    end_month = serializers.DateField(format="%Y-%m", allow_null=True, help_text="YYYY-MM，为空表示长期")
    care_level_display = serializers.CharField(source="get_care_level_display")

    class Meta:
        model = Enrolment
        fields = ["id", "program", "program_name", "household", "person", "person_name", "person_id_number", "area",
                  "area_name", "status", "status_display", "monthly_amount", "start_month", "end_month",
                  "phase_out_until", "care_level", "care_level_display"]

    def get_person_id_number(self, enrolment) -> str:
        return mask_id_number(enrolment.person.id_number) if enrolment.person_id else ""


def _digits(request: Request, name: str, label: str, max_length: int = 18) -> str:
    value = request.query_params.get(name, "")
    if value and not (value.isascii() and value.isdigit() and len(value) <= max_length):
        raise ValidationError({name: [f"{name}（{label}）应为数字"]})
    return value


class EnrolmentListView(generics.ListAPIView):
    serializer_class = EnrolmentSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        rows = enrolments_visible(self.request.user).select_related("program", "person", "area")
        params = self.request.query_params
        if params.get("program"):
            rows = rows.filter(program_id=params["program"])
        if params.get("status"):
            if params["status"] not in Enrolment.Status.values:
                raise ValidationError({"status": [f"status（状态）可选：{_choices_text(Enrolment.Status.choices)}"]})
            rows = rows.filter(status=params["status"])
        for name, label in (("household", "家庭编号"), ("person", "人员编号")):
            value = _digits(self.request, name, label)
            if value:
                rows = rows.filter(**{f"{name}_id": int(value)})
        area = _digits(self.request, "area", "区划代码", 12)
        if area:
            rows = rows.filter(prefix_q("area_id", area))
        return rows

    @extend_schema(tags=["救助与补贴项目"], summary="享受对象（本人管辖范围内，可按项目、状态、家庭、人员、区划筛选）",
                   parameters=[
                       OpenApiParameter("program", OpenApiTypes.STR, description="项目代码，如 dibao"),
                       OpenApiParameter("status", OpenApiTypes.STR, enum=Enrolment.Status.values,
                                        description=_choices_text(Enrolment.Status.choices)),
                       OpenApiParameter("household", OpenApiTypes.INT, description="家庭编号"),
                       OpenApiParameter("person", OpenApiTypes.INT, description="人员编号（个人项目的享受人）"),
                       OpenApiParameter("area", OpenApiTypes.STR, description="区划代码或其前缀")])
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)
