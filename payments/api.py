"""API of payments (资金发放). Paths are a contract for outside systems:

POST /api/payment-cycles/ {"month": "YYYY-MM"} → 201 · GET /api/payment-cycles/ · GET /api/payment-cycles/{id}/
POST /api/payment-cycles/{id}/generate/ → 202 with the job · GET /api/payment-cycles/{id}/lines/ (keyset)
POST /api/payment-cycles/{id}/approve/ · GET /api/payment-cycles/{id}/exceptions/
POST /api/payment-exceptions/{id}/accept/ {"reason": "…"}

Views parse, authorise through the services and selectors, and render; a cycle outside the user's scope is a
404 like one that does not exist. ID and account numbers are masked in every list.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import NOT_FOUND
from areas.codes import area_code_prefix
from minzheng.lookups import prefix_q
from payments import selectors, services
from payments.models import PaymentCycle, PaymentException, PaymentLine, mask_account
from programs.api import parse_month
from registry.identity import mask_id_number

TAG = "资金发放"


def _choices_text(choices) -> str:
    return "；".join(f"{value}：{label}" for value, label in choices)


class MonthSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    month = serializers.CharField(label="发放月份", help_text="YYYY-MM",
                                  error_messages={"required": "缺少 month（发放月份，格式 YYYY-MM）",
                                                  "blank": "month（发放月份）不能为空，格式 YYYY-MM",
                                                  "invalid": "month（发放月份）格式应为 YYYY-MM",
                                                  "null": "month（发放月份）不能为空，格式 YYYY-MM"})

    def validate_month(self, value: str):
        return parse_month(value)


class ReasonSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    reason = serializers.CharField(label="认可理由", max_length=300,
                                   error_messages={"required": "缺少 reason（认可理由）",
                                                   "blank": "reason（认可理由）不能为空",
                                                   "invalid": "reason（认可理由）应为文字",
                                                   "null": "reason（认可理由）不能为空",
                                                   "max_length": "reason（认可理由）不能超过300个字"})


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending 排队中；running 运行中；done 已完成；failed 失败")
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    error = serializers.CharField()


class CycleSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", help_text="YYYY-MM")
    status = serializers.CharField(help_text=_choices_text(PaymentCycle.Status.choices))
    status_display = serializers.CharField(source="get_status_display")
    created_by = serializers.CharField(source="created_by.username", help_text="建立人（经办）")
    generated_by = serializers.CharField(source="generated_by.username", allow_null=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    line_count = serializers.SerializerMethodField(help_text="明细条数（镇街、村社区用户为本辖区的）")
    total_amount = serializers.SerializerMethodField(help_text="合计金额（镇街、村社区用户为本辖区的）")
    totals = serializers.SerializerMethodField(help_text="按类型合计：{kind: {count, amount}}（本人辖区）")
    exceptions = serializers.SerializerMethodField(help_text="发放异常：待处理条数与总条数（本人辖区）")
    job = serializers.SerializerMethodField()

    class Meta:
        model = PaymentCycle
        fields = ["id", "month", "status", "status_display", "district", "created_by", "generated_by",
                  "approved_by", "approved_at", "line_count", "total_amount", "totals", "exceptions", "job"]

    @extend_schema_field({"type": "object", "additionalProperties": {
        "type": "object", "properties": {"count": {"type": "integer"}, "amount": {"type": "string"}}}})
    def get_totals(self, cycle: PaymentCycle) -> dict:
        return self._figures(cycle)["totals"]

    @extend_schema_field({"type": "object", "properties": {"open": {"type": "integer"}, "total": {"type": "integer"}}})
    def get_exceptions(self, cycle: PaymentCycle) -> dict:
        return self._figures(cycle)["exceptions"]

    def get_line_count(self, cycle: PaymentCycle) -> int:
        return self._figures(cycle)["line_count"]

    @extend_schema_field({"type": "string", "format": "decimal"})
    def get_total_amount(self, cycle: PaymentCycle) -> str:
        return f"{self._figures(cycle)['total_amount']:.2f}"

    def _figures(self, cycle: PaymentCycle) -> dict:
        """Figures as the requesting user may see them (computed once per cycle per serialisation)."""
        cache = self.context.setdefault("figures", {})
        if cycle.pk not in cache:
            cache.update(selectors.cycles_figures(self.context["request"].user, [cycle]))
        return cache[cycle.pk]

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_job(self, cycle: PaymentCycle) -> dict | None:
        return JobSerializer(cycle.job).data if cycle.job_id else None


class LineSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name")
    payee = serializers.IntegerField(source="person_id", allow_null=True, help_text="收款人编号")
    payee_name = serializers.SerializerMethodField()
    payee_id_number = serializers.SerializerMethodField(help_text="收款人身份证号（已脱敏）")
    kind = serializers.CharField(help_text=_choices_text(PaymentLine.Kind.choices))
    kind_display = serializers.CharField(source="get_kind_display")
    covered_month = serializers.DateField(format="%Y-%m")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    account_number = serializers.SerializerMethodField(help_text="银行账号（已脱敏）")
    status = serializers.CharField(help_text=_choices_text(PaymentLine.Status.choices))
    formula = serializers.JSONField(help_text="计算依据：参数与公式")

    class Meta:
        model = PaymentLine
        fields = ["id", "enrolment", "program", "program_name", "payee", "payee_name", "payee_id_number", "household",
                  "area", "kind", "kind_display", "covered_month", "amount", "bank_name", "account_number", "status",
                  "formula"]

    def get_payee_name(self, line: PaymentLine) -> str:
        return line.person.name if line.person_id else ""

    def get_payee_id_number(self, line: PaymentLine) -> str:
        return mask_id_number(line.person.id_number) if line.person_id else ""

    def get_account_number(self, line: PaymentLine) -> str:
        return mask_account(line.account_number)


class ExceptionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=_choices_text(PaymentException.Kind.choices))
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.CharField(help_text=_choices_text(PaymentException.Status.choices))
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, default=None)

    class Meta:
        model = PaymentException
        fields = ["id", "cycle", "line", "area", "kind", "kind_display", "detail", "status", "resolution",
                  "resolved_by", "resolved_at", "found_at"]


class GenerateResponseSerializer(serializers.Serializer):
    job = serializers.IntegerField(help_text="后台任务编号")
    cycle = CycleSerializer()


def _cycle(request: Request, pk: int) -> PaymentCycle:
    cycle = (selectors.cycles_visible(request.user).select_related("created_by", "generated_by", "approved_by", "job")
             .filter(pk=pk).first())
    if cycle is None:
        raise NotFound(NOT_FOUND)
    return cycle


def cycle_data(request: Request, pk: int) -> dict:
    """The cycle as the requesting user may see it (their area's figures below district level)."""
    return CycleSerializer(_cycle(request, pk), context={"request": request}).data


def _choice(request: Request, name: str, label: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value and value not in dict(choices):
        raise ValidationError({name: [f"{name}（{label}）应为：{_choices_text(choices)}"]})
    return value or None


class CycleListCreateView(generics.GenericAPIView):
    serializer_class = CycleSerializer

    def get_queryset(self):
        return selectors.cycles_visible(self.request.user).select_related(
            "created_by", "generated_by", "approved_by", "job")

    @extend_schema(tags=[TAG], summary="发放批次列表", operation_id="payment_cycles_list")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        figures = selectors.cycles_figures(request.user, page)  # the page's figures in two queries
        return self.get_paginated_response(
            CycleSerializer(page, many=True, context={"request": request, "figures": figures}).data)

    @extend_schema(tags=[TAG], summary="建立发放批次（每月一个）", request=MonthSerializer,
                   responses={201: CycleSerializer, 400: OpenApiResponse(description="月份格式错误或该月批次已存在"),
                              403: OpenApiResponse(description="无权限")})
    def post(self, request: Request) -> Response:
        form = MonthSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        cycle = services.cycle_open(acting_user=request.user, month=form.validated_data["month"])
        return Response(cycle_data(request, cycle.pk), status=status.HTTP_201_CREATED)


class CycleDetailView(APIView):
    @extend_schema(tags=[TAG], summary="发放批次：状态、合计、异常数与生成进度", responses={200: CycleSerializer},
                   operation_id="payment_cycles_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(cycle_data(request, pk))


class CycleGenerateView(APIView):
    @extend_schema(tags=[TAG], summary="生成发放明细（后台任务）", request=None,
                   responses={202: GenerateResponseSerializer, 400: OpenApiResponse(description="状态不允许"),
                              403: OpenApiResponse(description="无权限")})
    def post(self, request: Request, pk: int) -> Response:
        job = services.cycle_generate(acting_user=request.user, cycle=_cycle(request, pk))
        # With Celery eager (no broker) the job has already run on commit of the service's transaction.
        return Response({"job": job.pk, "cycle": cycle_data(request, pk)},
                        status=status.HTTP_202_ACCEPTED)


class CycleApproveView(APIView):
    @extend_schema(tags=[TAG], summary="审批发放批次（经办与复核分离）", request=None,
                   responses={200: CycleSerializer, 400: OpenApiResponse(description="状态不允许或有未处理异常"),
                              403: OpenApiResponse(description="无权限或经办人不能审批")})
    def post(self, request: Request, pk: int) -> Response:
        services.cycle_approve(acting_user=request.user, cycle=_cycle(request, pk))
        return Response(cycle_data(request, pk))


class CycleLinesView(generics.GenericAPIView):
    serializer_class = LineSerializer

    def get_queryset(self):
        cycle = _cycle(self.request, self.kwargs["pk"])
        rows = selectors.lines_visible(self.request.user, cycle).select_related("program", "person")
        program = self.request.query_params.get("program")
        if program:
            rows = rows.filter(program_id=program)
        kind = _choice(self.request, "kind", "类型", PaymentLine.Kind.choices)
        if kind:
            rows = rows.filter(kind=kind)
        area = self.request.query_params.get("area")
        if area:
            if not (area.isascii() and area.isdigit() and len(area) <= 12):
                raise ValidationError({"area": ["area（区划代码）应为最多12位数字"]})
            rows = rows.filter(prefix_q("area_id", area_code_prefix(area.ljust(12, "0"))))
        return rows

    @extend_schema(tags=[TAG], summary="发放明细（可按项目、区划、类型筛选）", parameters=[
        OpenApiParameter("program", OpenApiTypes.STR, description="项目代码，如 dibao"),
        OpenApiParameter("area", OpenApiTypes.STR, description="区划代码（镇街或村社区，12位或其前缀）"),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=PaymentLine.Kind.values,
                         description=_choices_text(PaymentLine.Kind.choices))])
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LineSerializer(page, many=True).data)


class CycleExceptionsView(generics.GenericAPIView):
    serializer_class = ExceptionSerializer

    def get_queryset(self):
        cycle = _cycle(self.request, self.kwargs["pk"])
        rows = selectors.exceptions_visible(self.request.user, cycle).select_related("resolved_by")
        status_ = _choice(self.request, "status", "处理状态", PaymentException.Status.choices)
        return rows.filter(status=status_) if status_ else rows

    @extend_schema(tags=[TAG], summary="发放异常", parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=PaymentException.Status.values,
                         description=_choices_text(PaymentException.Status.choices))])
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ExceptionSerializer(page, many=True).data)


class BulkAcceptSerializer(ReasonSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=5000,
                                label="异常编号", help_text="要认可的异常编号；与 kind 二选一或同时使用")
    kind = serializers.ChoiceField(choices=PaymentException.Kind.choices, required=False, label="异常类型",
                                   help_text="认可本批次该类型的全部未处理异常（本人管辖范围内）")


class BulkAcceptResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="本次认可的异常条数")


class CycleExceptionsAcceptView(APIView):
    @extend_schema(tags=[TAG], summary="批量核实认可发放异常（同一理由）", request=BulkAcceptSerializer,
                   responses={200: BulkAcceptResponseSerializer,
                              400: OpenApiResponse(description="缺少理由、未选择异常、异常已处理或不在管辖范围内"),
                              403: OpenApiResponse(description="无权限")})
    def post(self, request: Request, pk: int) -> Response:
        form = BulkAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        count = services.exceptions_accept_bulk(acting_user=request.user, cycle=_cycle(request, pk),
                                                ids=data.get("ids"), kind=data.get("kind", ""), reason=data["reason"])
        return Response({"accepted": count})


class ExceptionAcceptView(APIView):
    @extend_schema(tags=[TAG], summary="核实认可发放异常（须填写理由）", request=ReasonSerializer,
                   responses={200: ExceptionSerializer, 400: OpenApiResponse(description="缺少理由或已处理"),
                              403: OpenApiResponse(description="无权限")})
    def post(self, request: Request, pk: int) -> Response:
        exception = selectors.exceptions_visible(request.user).filter(
            pk=pk, cycle__in=selectors.cycles_visible(request.user)).first()
        if exception is None:
            raise NotFound(NOT_FOUND)
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        exception = services.exception_accept(acting_user=request.user, exception=exception,
                                              reason=form.validated_data["reason"])
        return Response(ExceptionSerializer(exception).data)
