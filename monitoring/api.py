"""动态监测预警接口. Paths are a contract for outside systems:

- `GET /api/feeds/` — the feed types and their columns;
- `POST /api/feeds/{feed_type}/batches/` (multipart `file`, optional `period`) → 201 with the batch when it
  has been processed, 202 while it is still being processed (poll `GET /api/feed-batches/{id}/`);
- `GET /api/feed-batches/` (scoped history), `GET /api/feed-batches/{id}/`;
- `GET /api/warnings/?status=open&area=<code prefix>&type=<warning type>` (scoped);
- `GET /api/rules/` with preview counts, `PATCH /api/rules/{id}/` (switch on/off, condition, deadline …);
- `GET /api/match-reviews/`, `POST /api/match-reviews/{id}/accept/` and `/reject/`.
"""

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.codes import AREA_PREFIX_VALIDATOR as AREA_PREFIX
from imports.schemas import schema_get
from minzheng.lookups import prefix_q
from monitoring.feeds import FEED_TYPES
from monitoring.models import FeedBatch, MatchReview, Rule, Warning, WarningType
from monitoring.selectors import feed_batches_visible, match_reviews_visible, rules_visible, warnings_visible
from monitoring.services import feed_batch_upload, match_review_accept, match_review_reject, rule_preview, rule_update

TAG = ["动态监测预警"]
MAX_ID = 2**63 - 1
ID = r"[0-9]{1,19}"
MAX_UPLOAD = 200 * 1024 * 1024
ERRORS = {
    400: OpenApiResponse(description="输入有误：以字段名为键，值为中文说明列表"),
    403: OpenApiResponse(description="无权限：detail 为中文说明"),
    404: OpenApiResponse(description="不存在或不在您的管辖范围内"),
}


def _get(queryset, pk: str):
    number = int(pk)
    obj = queryset.filter(pk=number).first() if number <= MAX_ID else None
    if obj is None:
        raise Http404
    return obj


class FeedBatchSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="running / done / failed / duplicate")
    status_label = serializers.CharField(source="get_status_display")
    import_status = serializers.CharField(source="import_batch.status")
    checksum = serializers.CharField(source="import_batch.checksum")
    filename = serializers.CharField(source="import_batch.original_filename")
    total_rows = serializers.IntegerField(source="import_batch.total_rows")
    bad_rows = serializers.IntegerField(source="import_batch.bad_rows")

    class Meta:
        model = FeedBatch
        fields = ["id", "feed_type", "department", "period", "status", "status_label", "import_batch",
                  "import_status", "filename", "checksum", "total_rows", "bad_rows", "records_kept", "already_kept",
                  "non_residents", "to_review", "warnings_created", "error", "created_at", "finished_at"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV 或 XLSX 文件")
    period = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                   help_text="数据期间，如 2026-01")


class FeedColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    header = serializers.CharField()
    required = serializers.BooleanField()


class FeedTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    schema = serializers.CharField(help_text="导入模板代码")
    description = serializers.CharField()
    event_date = serializers.CharField(help_text="发生日期列的表头")
    columns = FeedColumnSerializer(many=True)


class FeedTypesView(APIView):
    """部门数据类型及其列。"""

    @extend_schema(summary="部门数据类型及其列", tags=TAG, responses={200: FeedTypeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response([{"code": f.code, "name": f.name, "department": f.department, "schema": f.schema_key,
                          "description": f.description, "event_date": f.event_header,
                          "columns": [{"key": c.key, "header": c.header, "required": c.required}
                                      for c in schema_get(f.schema_key).columns]} for f in FEED_TYPES.values()])


class FeedUploadView(APIView):
    """上传一份部门数据文件。"""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="上传部门数据（校验后自动保存正确行并运行预警规则）", tags=TAG, request=UploadSerializer,
                   responses={201: FeedBatchSerializer, 202: FeedBatchSerializer, 400: ERRORS[400],
                              403: ERRORS[403]})
    def post(self, request: Request, feed_type: str) -> Response:
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_UPLOAD:
            raise serializers.ValidationError({"file": ["文件不能超过200MB"]})
        batch = feed_batch_upload(acting_user=request.user, feed_type=feed_type, filename=upload.name,
                                  content=upload.read(), period=form.validated_data["period"])
        batch = FeedBatch.objects.select_related("import_batch").get(pk=batch.pk)
        code = status.HTTP_202_ACCEPTED if batch.status == FeedBatch.Status.RUNNING else status.HTTP_201_CREATED
        return Response(FeedBatchSerializer(batch).data, status=code)


@extend_schema_view(list=extend_schema(tags=TAG))
class FeedBatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """部门数据批次（历史）。"""

    queryset = FeedBatch.objects.none()
    serializer_class = FeedBatchSerializer
    lookup_value_regex = ID
    filterset_fields = ["feed_type", "status"]

    def get_queryset(self):
        return feed_batches_visible(self.request.user).select_related("import_batch")

    @extend_schema(summary="数据批次详情", tags=TAG, responses={200: FeedBatchSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(FeedBatchSerializer(_get(self.get_queryset(), pk)).data)


class WarningFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Warning.Status.choices, label="状态")
    type = django_filters.ChoiceFilter(field_name="warning_type", choices=WarningType.choices, label="预警类型")
    area = django_filters.CharFilter(method="area_prefix", max_length=12, validators=[AREA_PREFIX],
                                     label="区划代码（前缀）")
    rule = django_filters.CharFilter(field_name="rule__code", max_length=40, label="规则代码")

    def area_prefix(self, queryset, name: str, value: str):
        return queryset.filter(prefix_q("area_id", value))

    class Meta:
        model = Warning
        fields = ["status", "type", "area", "rule"]


class WarningSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open / closed")
    warning_type_label = serializers.CharField(source="get_warning_type_display")
    severity_label = serializers.CharField(source="get_severity_display")
    rule_code = serializers.CharField(source="rule.code")
    rule_name = serializers.CharField(source="rule.name")
    person_name = serializers.CharField(source="person.name")
    task = serializers.IntegerField(source="task_id", allow_null=True)
    task_deadline = serializers.DateTimeField(allow_null=True)
    task_assigned_area = serializers.CharField(allow_null=True)

    def area_prefix(self, queryset, name: str, value: str):
        return queryset.filter(prefix_q("area_id", value))

    class Meta:
        model = Warning
        fields = ["id", "rule_code", "rule_name", "warning_type", "warning_type_label", "severity",
                  "severity_label", "person", "person_name", "household", "dept_record", "area", "status", "outcome",
                  "task", "task_deadline", "task_assigned_area", "created_at", "closed_at"]


@extend_schema_view(list=extend_schema(tags=TAG))
class WarningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """预警：按状态、类型、区划查看。"""

    queryset = Warning.objects.none()
    serializer_class = WarningSerializer
    filterset_class = WarningFilter
    lookup_value_regex = ID

    def get_queryset(self):
        return warnings_visible(self.request.user).select_related("rule", "person")

    @extend_schema(summary="预警详情", tags=TAG, responses={200: WarningSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WarningSerializer(_get(self.get_queryset(), pk)).data)


class RuleSerializer(serializers.ModelSerializer):
    warning_type_label = serializers.CharField(source="get_warning_type_display", read_only=True)
    preview = serializers.SerializerMethodField(help_text="现在启用将新增预警的人数；error 为无法运行的原因")

    class Meta:
        model = Rule
        fields = ["id", "code", "name", "feed_type", "condition", "warning_type", "warning_type_label", "severity",
                  "handling_level", "deadline_working_days", "deadline_hours", "action", "advice", "active", "note",
                  "updated_at", "preview"]
        read_only_fields = ["code", "feed_type", "warning_type", "action", "updated_at"]

    def get_preview(self, rule: Rule) -> dict:
        return rule_preview(rule)


@extend_schema_view(list=extend_schema(tags=TAG))
class RuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """预警规则及预览人数。"""

    queryset = Rule.objects.none()
    serializer_class = RuleSerializer
    parser_classes = [JSONParser]
    pagination_class = None
    lookup_value_regex = ID

    def get_queryset(self):
        return rules_visible(self.request.user).order_by("severity", "code")

    @extend_schema(summary="规则详情（含预览人数）", tags=TAG, responses={200: RuleSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RuleSerializer(_get(self.get_queryset(), pk)).data)

    @extend_schema(summary="修改规则（启用/停用、条件、期限）", tags=TAG, request=RuleSerializer,
                   responses={200: RuleSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    def partial_update(self, request: Request, pk: str) -> Response:
        rule = _get(self.get_queryset(), pk)
        form = RuleSerializer(rule, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        changes = {k: v for k, v in form.validated_data.items()}
        rule = rule_update(acting_user=request.user, rule=rule, **changes)
        return Response(RuleSerializer(rule).data)


class MatchReviewSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / accepted / rejected")
    candidate_name = serializers.CharField(source="candidate.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = MatchReview
        fields = ["id", "feed_type", "batch", "row_number", "candidate", "candidate_name", "area",
                  "id_number_given", "name", "birth_date", "event_date", "payload", "status", "status_label",
                  "record", "reviewed_at"]


@extend_schema_view(list=extend_schema(tags=TAG))
class MatchReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """待人工匹配记录：确认为本人或丢弃。"""

    queryset = MatchReview.objects.none()
    serializer_class = MatchReviewSerializer
    parser_classes = [JSONParser]
    lookup_value_regex = ID
    filterset_fields = ["status", "feed_type"]

    def get_queryset(self):
        return match_reviews_visible(self.request.user).select_related("candidate")

    @extend_schema(summary="确认为本人", tags=TAG, request=None,
                   responses={200: MatchReviewSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        review = _get(self.get_queryset(), pk)
        match_review_accept(acting_user=request.user, review=review)
        return Response(MatchReviewSerializer(_get(self.get_queryset(), pk)).data)

    @extend_schema(summary="非本人，丢弃", tags=TAG, request=None,
                   responses={200: MatchReviewSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        review = _get(self.get_queryset(), pk)
        match_review_reject(acting_user=request.user, review=review)
        return Response(MatchReviewSerializer(_get(self.get_queryset(), pk)).data)
