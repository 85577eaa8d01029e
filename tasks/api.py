"""任务接口: `GET /api/tasks/` (scoped; filters status, kind, area prefix, queue=mine), `GET /api/tasks/{id}/`
(with its timeline), `POST /api/tasks/{id}/start/`, `POST /api/tasks/{id}/close/` with an outcome,
`GET /api/tasks/overdue/` (per community). Paths are a contract for outside systems."""

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from areas.codes import AREA_PREFIX_VALIDATOR as AREA_PREFIX
from minzheng.lookups import prefix_q
from tasks.models import Task, TaskEvent
from tasks.selectors import overdue_counts, tasks_visible, with_overdue, work_queue
from tasks.services import task_close, task_start

TAG = ["任务"]
MAX_ID = 2**63 - 1
ERRORS = {
    400: OpenApiResponse(description="输入有误：以字段名为键，值为中文说明列表"),
    403: OpenApiResponse(description="无权限或任务已升级至上级承办：detail 为中文说明"),
    404: OpenApiResponse(description="任务不存在或不在您的管辖范围内"),
}


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Task.Status.choices, label="状态")
    kind = django_filters.CharFilter(max_length=30, label="任务类型")
    area = django_filters.CharFilter(method="area_prefix", max_length=12, validators=[AREA_PREFIX],
                                     label="区划代码（前缀）")

    def area_prefix(self, queryset, name: str, value: str):
        return queryset.filter(prefix_q("area_id", value))

    class Meta:
        model = Task
        fields = ["status", "kind", "area"]


class TaskEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    def area_prefix(self, queryset, name: str, value: str):
        return queryset.filter(prefix_q("area_id", value))

    class Meta:
        model = TaskEvent
        fields = ["kind", "kind_label", "message", "at", "by"]


class TaskSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open / in_progress / closed")
    status_label = serializers.CharField(source="get_status_display")
    handling_level_label = serializers.CharField(source="get_handling_level_display")
    outcome_label = serializers.CharField(source="get_outcome_display")
    overdue = serializers.BooleanField()

    def area_prefix(self, queryset, name: str, value: str):
        return queryset.filter(prefix_q("area_id", value))

    class Meta:
        model = Task
        fields = ["id", "kind", "title", "person", "household", "area", "handling_level", "handling_level_label",
                  "assigned_area", "deadline", "overdue", "status", "status_label", "outcome", "outcome_label",
                  "outcome_note", "handed_to", "evidence", "escalation_level", "escalated_at", "source_type",
                  "source_id", "detail", "created_at", "closed_at", "closed_by"]


class TaskDetailSerializer(TaskSerializer):
    events = TaskEventSerializer(many=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "events"]


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Task.Outcome.choices, help_text="办理结果")
    note = serializers.CharField(max_length=2000, help_text="办理说明")
    handed_to = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    evidence = serializers.DictField(required=False, default=dict, help_text="佐证材料（如照片编号、文书号）")


class OverdueRowSerializer(serializers.Serializer):
    area_id = serializers.CharField()
    open = serializers.IntegerField()
    open_overdue = serializers.IntegerField()
    escalated = serializers.IntegerField()


@extend_schema_view(list=extend_schema(tags=TAG))
class TaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """任务：查看、办理、办结。`?queue=mine` 只列出本级待办。"""

    queryset = Task.objects.none()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    parser_classes = [JSONParser]
    lookup_value_regex = r"[0-9]{1,19}"

    def get_queryset(self) -> QuerySet[Task]:
        if self.request.query_params.get("queue") == "mine":
            return work_queue(self.request.user)
        return with_overdue(tasks_visible(self.request.user))

    def _task(self) -> Task:
        pk = int(self.kwargs["pk"])
        if pk > MAX_ID:
            raise Http404
        task = with_overdue(tasks_visible(self.request.user)).filter(pk=pk).prefetch_related("events").first()
        if task is None:
            raise Http404
        return task

    @extend_schema(summary="任务详情（含时间线）", tags=TAG, responses={200: TaskDetailSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TaskDetailSerializer(self._task()).data)

    @extend_schema(summary="开始办理", tags=TAG, request=None,
                   responses={200: TaskDetailSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        task_start(acting_user=request.user, task=self._task())
        return Response(TaskDetailSerializer(self._task()).data)

    @extend_schema(summary="办结（须填写办理结果）", tags=TAG, request=CloseSerializer,
                   responses={200: TaskDetailSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        task = self._task()
        form = CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        task_close(acting_user=request.user, task=task, **form.validated_data)
        return Response(TaskDetailSerializer(self._task()).data)

    @extend_schema(summary="超期统计（按村社区）", tags=TAG, responses={200: OverdueRowSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def overdue(self, request: Request) -> Response:
        return Response(OverdueRowSerializer(overdue_counts(request.user), many=True).data)
