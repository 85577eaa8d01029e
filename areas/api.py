"""API of the area tree (行政区划): the areas the user may see — their own area and everything under it."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.policy import restrict
from areas.models import Area, AreaLevel

CODE_PATTERN = r"[0-9]{1,12}"


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True, label="上级区划代码")

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices, label="层级")
    parent = django_filters.CharFilter(field_name="parent_id", label="上级区划代码")

    class Meta:
        model = Area
        fields = ["level", "parent"]


@extend_schema_view(
    list=extend_schema(summary="区划列表（本人管辖范围内）", tags=["区划"]),
    retrieve=extend_schema(summary="区划详情", tags=["区划"]),
)
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """区划：本人所属区划及其下级。?level=town&parent=<区县代码> 列出区县下的镇街，依此类推。"""

    queryset = Area.objects.none()  # the model for the schema; rows come from get_queryset
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
    lookup_value_regex = CODE_PATTERN

    def get_queryset(self) -> QuerySet[Area]:
        return restrict(Area.objects.all(), self.request.user, "view", resource="area", area_field="code")
