"""探访关爱接口: the roster (`/api/care-roster/`, manual addition, plan), visits (`/api/care-visits/`), weekly
compliance (`/api/care-compliance/`), the people not reached (`/api/care-roster/not-reached/`), smart water
meters (`/api/meters/`), their readings (`POST /api/meter-readings/`) and alarms (`/api/meter-alerts/`). The same
services and selectors as the pages; paths are a contract."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.policy import area_in_scope
from carevisits.meters import meter_bind, readings_ingest
from carevisits.models import Meter, MeterAlert, RosterEntry, Visit
from carevisits.selectors import (
    Week,
    alerts_visible,
    compliance_cells,
    compliance_rollup,
    meters_visible,
    not_reached,
    roster_visible,
    visits_visible,
    with_week,
)
from carevisits.services import roster_add_manual, visit_plan_set, visit_record
from registry.models import Person
from registry.selectors import persons_visible

TAG = ["探访关爱"]
MAX_ID = 2**63 - 1
ERRORS = {400: OpenApiResponse(description="输入有误：以字段名为键，值为中文说明列表"),
          403: OpenApiResponse(description="无权限：detail 为中文说明"),
          404: OpenApiResponse(description="不存在或不在您的管辖范围内")}
WEEK = OpenApiParameter("week", str, description="所在周的任一日期 YYYY-MM-DD（默认本周）")


def week_param(request: Request) -> Week:
    raw = request.query_params.get("week")
    if not raw:
        return Week.of(timezone.localdate())
    try:
        return Week.of(date.fromisoformat(raw))
    except ValueError:
        raise ValidationError({"week": ["日期格式应为 YYYY-MM-DD"]}) from None


class RosterEntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    categories = serializers.ListField(source="category_labels", child=serializers.CharField(),
                                       help_text="类别（中文）：独居、空巢、残疾、高龄、低保、特困、人工纳入")
    home_done = serializers.IntegerField(help_text="本周已上门（已联系上）")
    home_plan = serializers.IntegerField(help_text="每周上门计划")
    calls_done = serializers.IntegerField(help_text="本周已电话（已联系上）")
    calls_plan = serializers.IntegerField(help_text="每周电话计划")

    class Meta:
        model = RosterEntry
        fields = ["id", "person", "person_name", "area", "categories", "living_alone", "empty_nest", "disabled",
                  "very_old", "dibao", "tekun", "manual", "manual_reason", "home_visits_per_week",
                  "phone_calls_per_week", "worker", "home_done", "home_plan", "calls_done", "calls_plan"]


class ManualAddSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="人员编号")
    reason = serializers.CharField(max_length=200, help_text="纳入原因")


class PlanSerializer(serializers.Serializer):
    home_visits_per_week = serializers.IntegerField(min_value=0, max_value=14, allow_null=True, required=False)
    phone_calls_per_week = serializers.IntegerField(min_value=0, max_value=14, allow_null=True, required=False)
    worker = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True, required=False,
                                      help_text="责任探访人（用户编号）")


class RosterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """探访关爱名册（在册人员），含本周探访完成情况。"""

    queryset = RosterEntry.objects.none()
    serializer_class = RosterEntrySerializer
    parser_classes = [JSONParser]
    lookup_value_regex = r"[0-9]{1,19}"

    def get_queryset(self):
        return with_week(roster_visible(self.request.user), week_param(self.request)).select_related("person")

    def _entry(self, pk: str) -> RosterEntry:
        entry = roster_visible(self.request.user).filter(pk=int(pk)).first() if int(pk) <= MAX_ID else None
        if entry is None:
            raise Http404
        return entry

    @extend_schema(summary="在册人员（按主键翻页）", tags=TAG, parameters=[WEEK])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="人工纳入名册", tags=TAG, request=ManualAddSerializer,
                   responses={201: RosterEntrySerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def create(self, request: Request) -> Response:
        form = ManualAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = persons_visible(request.user).filter(pk=form.validated_data["person"]).first()
        if person is None:
            raise ValidationError({"person": ["人员不存在或不在您的管辖范围内"]})
        entry = roster_add_manual(acting_user=request.user, person=person, reason=form.validated_data["reason"])
        return Response(self._one(entry.pk), status=201)

    def _one(self, pk: int) -> dict:
        entry = with_week(RosterEntry.objects.filter(pk=pk), Week.of(timezone.localdate())).select_related(
            "person").get()
        return RosterEntrySerializer(entry).data

    @extend_schema(summary="调整探访计划", tags=TAG, request=PlanSerializer,
                   responses={200: RosterEntrySerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str) -> Response:
        entry = self._entry(pk)
        form = PlanSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        worker = None
        if data.pop("worker", None):
            worker = User.objects.filter(pk=form.validated_data["worker"], is_active=True).first()
            if worker is None or not area_in_scope(request.user, worker.area_id or ""):
                raise ValidationError({"worker": ["责任探访人不存在或不在您的管辖范围内"]})
        visit_plan_set(acting_user=request.user, entry=entry, worker=worker, **data)
        return Response(self._one(entry.pk))

    @extend_schema(summary="本周尚未探访到的人员", tags=TAG, parameters=[WEEK])
    @action(detail=False, methods=["get"], url_path="not-reached")
    def not_reached(self, request: Request) -> Response:
        week = week_param(request)
        rows = self.paginate_queryset(with_week(not_reached(request.user, week), week).select_related("person"))
        return self.get_paginated_response(RosterEntrySerializer(rows, many=True).data)


class VisitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    at = serializers.DateTimeField(required=False, help_text="探访时间（默认当前时间）")

    class Meta:
        model = Visit
        fields = ["id", "entry", "person", "area", "kind", "kind_label", "at", "reached", "health", "safety", "need",
                  "note", "worker", "created_at"]
        read_only_fields = ["person", "area", "worker", "created_at"]
        extra_kwargs = {"entry": {"queryset": RosterEntry.objects.all()}}


class VisitViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """探访记录：录入上门或电话探访及发现的情况；发现需求或安全隐患时生成跟进任务。"""

    queryset = Visit.objects.none()
    serializer_class = VisitSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return visits_visible(self.request.user)

    @extend_schema(summary="录入探访记录", tags=TAG, responses={201: VisitSerializer, 400: ERRORS[400],
                                                          403: ERRORS[403]})
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = VisitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        entry = roster_visible(request.user).filter(pk=data.pop("entry").pk).first()
        if entry is None:
            raise ValidationError({"entry": ["名册对象不存在或不在您的管辖范围内"]})
        visit = visit_record(acting_user=request.user, entry=entry, **data)
        return Response(VisitSerializer(visit).data, status=201)

    @extend_schema(summary="探访记录（按主键翻页）", tags=TAG)
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)


class ComplianceRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="村社区代码或探访人用户编号")
    people = serializers.IntegerField()
    met = serializers.IntegerField(help_text="本周达标人数")
    unreached = serializers.IntegerField(help_text="本周未探访到人数")
    rate = serializers.FloatField(allow_null=True, help_text="达标率（%）")
    home_done_total = serializers.IntegerField()
    home_planned = serializers.IntegerField()
    calls_done_total = serializers.IntegerField()
    calls_planned = serializers.IntegerField()


class ComplianceSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    communities = ComplianceRowSerializer(many=True)
    workers = ComplianceRowSerializer(many=True)


class ComplianceView(APIView):
    """每周探访达标情况：按村社区、按责任探访人。"""

    @extend_schema(summary="每周探访达标情况", tags=TAG, parameters=[WEEK], responses={200: ComplianceSerializer})
    def get(self, request: Request) -> Response:
        week = week_param(request)
        cells = compliance_cells(request.user, week)
        communities = [{**r, "key": r["area_id"]} for r in compliance_rollup(cells, "area_id")]
        workers = [{**r, "key": r["worker_id"]} for r in compliance_rollup(cells, "worker_id")]
        return Response(ComplianceSerializer({"week_start": week.monday, "communities": communities,
                                              "workers": workers}).data)


class MeterSerializer(serializers.ModelSerializer):
    installed_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Meter
        fields = ["id", "code", "person", "area", "installed_at", "active"]
        read_only_fields = ["area", "active"]
        extra_kwargs = {"person": {"queryset": Person.objects.all(), "allow_null": False, "required": True}}


@extend_schema_view(list=extend_schema(tags=TAG))
class MeterViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """智能水表：登记并绑定到名册中的老年人。"""

    queryset = Meter.objects.none()
    serializer_class = MeterSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return meters_visible(self.request.user)

    @extend_schema(summary="登记并绑定智能水表", tags=TAG, responses={201: MeterSerializer, 400: ERRORS[400],
                                                              403: ERRORS[403]})
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = MeterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = persons_visible(request.user).filter(pk=form.validated_data["person"].pk).first()
        if person is None:
            raise ValidationError({"person": ["人员不存在或不在您的管辖范围内"]})
        meter = meter_bind(acting_user=request.user, code=form.validated_data["code"], person=person,
                           installed_at=form.validated_data.get("installed_at"))
        return Response(MeterSerializer(meter).data, status=201)


class ReadingSerializer(serializers.Serializer):
    meter = serializers.CharField(help_text="设备编号")
    time = serializers.DateTimeField(help_text="读数时间，ISO 8601；无时区时按北京时间")
    reading = serializers.DecimalField(max_digits=15, decimal_places=3, help_text="累计读数（立方米）")


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="收到条数")
    stored = serializers.IntegerField(help_text="新存入条数")
    duplicates = serializers.IntegerField(help_text="重复（已存在，忽略）条数")


class MeterReadingsView(APIView):
    """水表读数上报：一批最多五万条；全部有效才存入（错误逐条列出行号和字段），重复读数忽略，乱序读数照收。"""

    parser_classes = [JSONParser]

    @extend_schema(summary="上报水表读数（批量）", tags=TAG, request=ReadingSerializer(many=True),
                   responses={200: IngestResultSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def post(self, request: Request) -> Response:
        # Parsed by the service, not a serializer per row: a platform pushes thousands of rows at once.
        return Response(readings_ingest(acting_user=request.user, rows=request.data))


class MeterAlertSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    meter_code = serializers.CharField(source="meter.code")

    class Meta:
        model = MeterAlert
        fields = ["id", "meter", "meter_code", "person", "area", "kind", "kind_label", "raised_at", "last_reading_at",
                  "resolved_at"]


class MeterAlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """水表告警（未恢复的 resolved_at 为空）。"""

    queryset = MeterAlert.objects.none()
    serializer_class = MeterAlertSerializer

    def get_queryset(self):
        alerts = alerts_visible(self.request.user).select_related("meter")
        if self.request.query_params.get("open") == "1":
            alerts = alerts.filter(resolved_at__isnull=True)
        return alerts

    @extend_schema(summary="水表告警（按主键翻页）", tags=TAG,
                   parameters=[OpenApiParameter("open", str, description="1：只列未恢复的告警")])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)
