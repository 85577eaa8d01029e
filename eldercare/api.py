"""养老服务接口. Paths are a contract:

- `GET /api/assessments/items/` — the current standard's 26 items `{code, name, dimension, max_score}`;
- `POST /api/assessments/` — record an assessment (`person`, `date`, `reason`, `items` {code: score} for all
  items, `diagnoses`, `risk_events_30d`, `coma`; optional `second_assessor` (user id), `health_problems`) →
  201 `{id, total, dimension_scores, preliminary_level, level, level_name}`. A missing item, an unknown code or a
  score above the item's maximum is a 400 keyed by the item's code;
- `GET /api/care-homes/` — the care homes the caller may see (a care home's own account: its own home only),
  with beds, nursing-type beds, occupancy by care level and the latest monthly figures.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed, restrict
from eldercare.homes import carehomes_visible, occupancy_by_level
from eldercare.models import CareHome
from eldercare.selectors import current_standard, items_of, level_name
from eldercare.services import assessment_record
from registry.models import Person

TAG = ["养老服务"]
ERRORS = {
    400: OpenApiResponse(description="输入有误：以字段名或评估指标代码为键，值为中文说明列表"),
    403: OpenApiResponse(description="无权限：detail 为中文说明"),
}


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField(help_text="一级指标名称")
    max_score = serializers.IntegerField()


class AssessmentInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    date = serializers.DateField()
    reason = serializers.ChoiceField(choices=["first", "routine", "immediate", "review"])
    items = serializers.DictField(child=serializers.JSONField(), help_text="{指标代码: 得分}，26项齐全")
    diagnoses = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    health_problems = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                            default=list)
    risk_events_30d = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    coma = serializers.BooleanField(required=False, default=False)
    second_assessor = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                               help_text="第二评估员的用户编号（与当前用户不同）")


class AssessmentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    total = serializers.IntegerField()
    dimension_scores = serializers.DictField(child=serializers.IntegerField())
    preliminary_level = serializers.IntegerField()
    level = serializers.IntegerField()
    level_name = serializers.CharField()


def _require_view(user) -> None:
    if not allowed(user, "assessment", "view"):
        raise ApiPermissionDenied("无权查看能力评估")


class AssessmentItemsView(APIView):
    @extend_schema(summary="能力评估指标（GB/T 42195-2022 二级指标）", tags=TAG,
                   responses={200: ItemSerializer(many=True), 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        _require_view(request.user)
        rows = [{"code": i.code, "name": i.name, "dimension": i.dimension.name, "max_score": i.max_score}
                for i in items_of(current_standard())]
        return Response(rows)


class AssessmentCreateView(APIView):
    @extend_schema(summary="录入老年人能力评估", tags=TAG, request=AssessmentInSerializer,
                   responses={201: AssessmentOutSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def post(self, request: Request) -> Response:
        data = AssessmentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = restrict(Person.objects.all(), request.user, "view", resource="person").filter(
            pk=v["person"]).first()
        if person is None:
            raise ApiValidationError({"person": ["人员不存在或不在您的管辖范围内"]})
        second = None
        if v.get("second_assessor"):
            second = get_user_model().objects.filter(pk=v["second_assessor"], is_active=True).first()
            if second is None:
                raise ApiValidationError({"second_assessor": ["第二评估员不存在"]})
        try:
            a = assessment_record(acting_user=request.user, person=person, on=v["date"], reason=v["reason"],
                                  items=v["items"], diagnoses=v["diagnoses"], health_problems=v["health_problems"],
                                  risk_events_30d=v["risk_events_30d"], coma=v["coma"], second_assessor=second)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        out = {"id": a.pk, "total": a.total, "dimension_scores": a.dimension_scores,
               "preliminary_level": a.preliminary_level, "level": a.level,
               "level_name": level_name(a.standard, a.level)}
        return Response(out, status=status.HTTP_201_CREATED)


class CareHomeSerializer(serializers.ModelSerializer):
    occupancy_by_level = serializers.SerializerMethodField(help_text="{能力等级: 入住人数}")
    nursing_share = serializers.FloatField(read_only=True, allow_null=True, help_text="护理型床位占比（%）")

    class Meta:
        model = CareHome
        fields = ["id", "name", "area", "public", "beds", "nursing_beds", "nursing_share", "star_rating",
                  "fire_acceptance", "fire_acceptance_date", "staff_total", "staff_carers", "occupancy_by_level"]

    def get_occupancy_by_level(self, home: CareHome) -> dict[str, int]:
        return {str(k): v for k, v in occupancy_by_level(home).items()}


class CareHomeListView(generics.ListAPIView):
    """养老机构 the caller may see (at most 200, by name)."""

    serializer_class = CareHomeSerializer
    pagination_class = None

    def get_queryset(self):
        return carehomes_visible(self.request.user).order_by("name")[:200]

    @extend_schema(summary="养老机构列表（机构账号仅见本机构）", tags=TAG)
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
