"""API of the indicators (指标接口):

GET /api/indicators/ → [{code, name, unit, direction, target, source, status}]
GET /api/indicators/{code}/values/?area=<12-digit code>&period=YYYY-MM
    → {value, numerator, denominator, target, status: "computed"|"not_collected", computed_at}
GET /api/indicators/{code}/values/?area=<code>&from=YYYY-MM&to=YYYY-MM → a list of those, one per month
GET /api/indicators/{code}/values/?area=<code>&period=YYYY-MM&by=<dimension>
    → {period, area, by, by_label, note, items: [{key, label, value, numerator, denominator}]} (分项, e.g. by=program)

Figures are strings (Decimal, exact). An area outside the caller's own is refused (403), never answered empty.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.codes import AREA_CODE_VALIDATOR
from indicators import selectors
from indicators.models import Indicator
from minzheng.dates import add_months, month_or_none

TAG = "指标（数字驾驶舱）"
MAX_MONTHS = 120


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField(help_text="higher 越高越好；lower 越低越好")
    target = serializers.CharField(help_text="目标（含年份），如“不低于85%（2025年）”；无目标为空")
    source = serializers.CharField(help_text="目标来源：文件与条目")
    status = serializers.CharField(help_text="collected 已采集；not_collected 尚未采集")
    breakdowns = serializers.ListField(child=serializers.DictField(child=serializers.CharField()),
                                       help_text="可用的分项维度：[{by, label}]，by 用于取值接口的 by 参数")


class BreakdownItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="分项代码（空为未分类）")
    label = serializers.CharField(help_text="分项名称")
    value = serializers.CharField(allow_null=True)
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    area = serializers.CharField()
    by = serializers.CharField(help_text="分项维度")
    by_label = serializers.CharField(help_text="分项维度名称，如“按项目”")
    note = serializers.CharField(help_text="分项口径说明")
    items = BreakdownItemSerializer(many=True)


class ValueSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    area = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    target = serializers.CharField()
    status = serializers.CharField(help_text="computed 已计算；not_collected 尚未采集")
    computed_at = serializers.DateTimeField(allow_null=True)


def _text(value):
    return None if value is None else f"{value.normalize():f}"


def reading_dict(reading: selectors.Reading) -> dict:
    return {"period": f"{reading.month:%Y-%m}", "area": reading.area_code, "value": _text(reading.value),
            "numerator": _text(reading.numerator), "denominator": _text(reading.denominator),
            "target": reading.indicator.target_label, "status": reading.status,
            "computed_at": reading.computed_at}


class IndicatorListView(APIView):
    @extend_schema(tags=[TAG], summary="指标目录", responses=IndicatorSerializer(many=True))
    def get(self, request: Request) -> Response:
        selectors.check_view(request.user)
        data = [{"code": i.code, "name": i.name, "unit": i.unit, "direction": i.direction, "target": i.target_label,
                 "source": i.source, "status": i.status,
                 "breakdowns": [{"by": b.code, "label": b.label} for b in selectors.breakdowns_of(i)]}
                for i in selectors.indicators_all()]
        return Response(IndicatorSerializer(data, many=True).data)


def _month(request: Request, name: str, label: str):
    text = request.query_params.get(name, "")
    month = month_or_none(text)
    if month is None:
        raise ValidationError({name: [f"{label}应为 YYYY-MM，如 2026-01"]})
    return month


class IndicatorValuesView(APIView):
    @extend_schema(tags=[TAG], summary="指标值（单月、序列或分项）", responses=PolymorphicProxySerializer(
        component_name="IndicatorValueOrSeries", resource_type_field_name=None,
        serializers=[ValueSerializer, ValueSerializer(many=True), BreakdownSerializer], many=False), parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, required=True, description="区划12位代码（本人辖区内）"),
        OpenApiParameter("period", OpenApiTypes.STR, description="统计月份 YYYY-MM（单月，返回一个对象）"),
        OpenApiParameter("from", OpenApiTypes.STR, description="序列起始月份 YYYY-MM（与 to 一起，返回列表）"),
        OpenApiParameter("to", OpenApiTypes.STR, description="序列截止月份 YYYY-MM（含）"),
        OpenApiParameter("by", OpenApiTypes.STR, description="分项维度（与 period 一起，返回该月各分项），"
                         "取值见指标目录的 breakdowns，如 program（按项目）、stage（按办理环节）"),
    ])
    def get(self, request: Request, code: str) -> Response:
        selectors.check_view(request.user)
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise Http404("没有该指标")
        area = request.query_params.get("area", "")
        try:
            AREA_CODE_VALIDATOR(area)
        except Exception as error:
            raise ValidationError({"area": ["区划代码应为12位数字"]}) from error
        if request.query_params.get("by"):
            return Response(BreakdownSerializer(self._breakdown(request, indicator, area)).data)
        if "period" in request.query_params or "from" not in request.query_params:
            reading = selectors.reading(request.user, indicator, area, _month(request, "period", "统计月份"))
            return Response(ValueSerializer(reading_dict(reading)).data)
        start, end = _month(request, "from", "起始月份"), _month(request, "to", "截止月份")
        if end < start:
            raise ValidationError({"to": ["截止月份不能早于起始月份"]})
        if add_months(start, MAX_MONTHS) <= end:
            raise ValidationError({"from": [f"一次最多查询{MAX_MONTHS}个月"]})
        readings = selectors.series(request.user, indicator, area, start, end)
        return Response(ValueSerializer([reading_dict(r) for r in readings], many=True).data)

    def _breakdown(self, request: Request, indicator: Indicator, area: str) -> dict:
        dimension = request.query_params["by"]
        split = next((b for b in selectors.breakdowns_of(indicator) if b.code == dimension), None)
        if split is None:
            choices = "、".join(b.code for b in selectors.breakdowns_of(indicator)) or "无"
            raise ValidationError({"by": [f"该指标没有分项“{dimension}”（可用：{choices}）"]})
        month = _month(request, "period", "统计月份")
        parts = selectors.breakdown(request.user, indicator, area, month, dimension)
        return {"period": f"{month:%Y-%m}", "area": area, "by": split.code, "by_label": split.label,
                "note": split.note, "items": [{"key": p.key, "label": p.label, "value": _text(p.value),
                                               "numerator": _text(p.numerator), "denominator": _text(p.denominator)}
                                              for p in parts]}
