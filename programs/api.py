"""API of programmes (救助与补贴项目): the catalogue, the parameters with their history, and the quote (测算).

`POST /api/programs/{code}/quote/` runs the same `programs.calculations.quote` the case and re-checks use.
The household or person must be one the user may see (else 404, the same answer as "does not exist").
"""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed
from api.errors import NOT_FOUND
from minzheng.dates import month_or_none
from programs.calculations import quote
from programs.models import CareLevel, PolicyParameter, Program, Rerate
from programs.rerate import rerate_confirm, rerates_visible
from programs.selectors import parameters_of, programs_active
from programs.services import policy_parameter_set
from registry.selectors import households_visible, persons_visible

MAX_ID = 2**63 - 1
TAG = "救助与补贴项目"


def parse_month(value: str, field: str = "month") -> date:
    """"YYYY-MM" → the first day of that month; anything else is a field error naming `field`."""
    month = month_or_none(value) if value == (value or "").strip() else None  # no surrounding spaces here
    if month is None or month.year < 1900:
        raise serializers.ValidationError(f"{field}（月份）格式应为 YYYY-MM，例如 2026-02")
    return month


def _id_field(name: str, label: str) -> serializers.IntegerField:
    message = f"{name}（{label}）应为正整数"
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, label=label,
        error_messages={"invalid": message, "min_value": message, "max_value": message,
                        "max_string_length": message, "null": message})


def _amount_field(name: str, label: str) -> serializers.DecimalField:
    message = f"{name}（{label}）应为不小于0、最多两位小数的金额（元）"
    return serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0, label=label, coerce_to_string=True,
        error_messages={key: message for key in ("invalid", "max_digits", "max_decimal_places", "max_whole_digits",
                                                 "min_value", "max_string_length", "null")})


def _choice_field(name: str, label: str, choices) -> serializers.ChoiceField:
    options = "、".join(f"{value}（{text}）" for value, text in choices)
    return serializers.ChoiceField(choices=choices, required=False, label=label,
                                   error_messages={"invalid_choice": f"{name}（{label}）应为：{options}",
                                                   "null": f"{name}（{label}）不能为空"})


class QuoteRequestSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    household = _id_field("household", "家庭编号")
    person = _id_field("person", "人员编号")
    month = serializers.CharField(label="测算月份", help_text="YYYY-MM",
                                  error_messages={"required": "缺少 month（测算月份，格式 YYYY-MM）",
                                                  "blank": "month（测算月份）不能为空，格式 YYYY-MM",
                                                  "invalid": "month（测算月份）格式应为 YYYY-MM",
                                                  "null": "month（测算月份）不能为空，格式 YYYY-MM"})
    care_level = _choice_field("care_level", "护理等级（特困）", CareLevel.choices)
    no_supporter = serializers.BooleanField(
        required=False, label="无法定义务人或义务人无履行能力（特困，经办人确认）",
        error_messages={"invalid": "no_supporter 应为 true 或 false", "null": "no_supporter 应为 true 或 false"})
    work_injury_care = serializers.BooleanField(
        required=False, label="已领取工伤保险生活护理费（重度残疾人护理补贴，经办人确认）",
        error_messages={"invalid": "work_injury_care 应为 true 或 false",
                        "null": "work_injury_care 应为 true 或 false"})
    linshi_kind = _choice_field("linshi_kind", "临时救助类型", [("jinan", "急难型"), ("zhichu", "支出型")])
    amount = _amount_field("amount", "临时救助金额")
    rigid_expenditure = _amount_field("rigid_expenditure", "近12个月刚性支出合计")
    income_12m = _amount_field("income_12m", "近12个月家庭总收入")

    def validate_month(self, value: str) -> date:
        return parse_month(value)


def _money_out(help_text: str, allow_null: bool = False) -> serializers.DecimalField:
    """Money in a response: a decimal string with two places (schema: type string, format decimal)."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, allow_null=allow_null,
                                    help_text=help_text)


class QuoteLineSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="计算项（含公式与依据）")
    value = serializers.CharField(help_text="数值（金额为两位小数）")


class ParameterUsedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.CharField(allow_null=True)
    key = serializers.CharField()
    area_code = serializers.CharField()
    value = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    source = serializers.CharField(help_text="依据文件")
    verified = serializers.BooleanField(help_text="false：未核实")


class QuoteResponseSerializer(serializers.Serializer):
    program = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    household = serializers.IntegerField(allow_null=True)
    person = serializers.IntegerField(allow_null=True)
    eligible = serializers.BooleanField(help_text="是否符合条件")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="不符合条件的原因")
    standard = _money_out("适用标准（元，两位小数）", allow_null=True)
    household_size = serializers.IntegerField(allow_null=True, help_text="家庭人数（当月在户成员）")
    total_income = _money_out("月总收入（计入部分，元）", allow_null=True)
    per_capita_income = _money_out("月人均收入（元，四舍五入到分）", allow_null=True)
    monthly_amount = _money_out("金额（元，两位小数）；不符合条件为 0.00")
    lines = QuoteLineSerializer(many=True, help_text="逐行计算过程")
    parameters = ParameterUsedSerializer(many=True, help_text="所用政策参数及依据")
    unverified = serializers.BooleanField(help_text="是否使用了未核实的参数")
    inputs = serializers.DictField(help_text="经办人录入或确认的事项")
    flags = serializers.DictField(help_text="附加结论，如 town_first_approval（乡镇可先行审批）")


_ERROR = inline_serializer("ProgramsError", fields={"detail": serializers.CharField(required=False)})
_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="项目代码，如 dibao、tekun")


def _program_or_404(code: str, *, active_only: bool) -> Program:
    rows = Program.objects.filter(active=True) if active_only else Program.objects.all()
    program = rows.filter(code=code).first()
    if program is None:
        raise NotFound(NOT_FOUND)
    return program


def _visible_or_404(queryset, pk: int | None):
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


class QuoteView(APIView):
    """测算: whether a household (or person) qualifies and for how much, line by line."""

    @extend_schema(
        operation_id="programs_quote", summary="测算（是否符合条件及金额）", tags=[TAG], parameters=[_CODE],
        request=QuoteRequestSerializer,
        responses={200: QuoteResponseSerializer,
                   400: OpenApiResponse(_ERROR, description="参数错误（以字段名为键），或缺少有效的政策参数（detail）"),
                   404: OpenApiResponse(_ERROR, description="项目不存在，或家庭/人员不存在或不在管辖范围内")},
    )
    def post(self, request: Request, code: str) -> Response:
        program = _program_or_404(code, active_only=True)
        form = QuoteRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        inputs = dict(form.validated_data)
        household = _visible_or_404(households_visible(request.user), inputs.pop("household", None))
        person = _visible_or_404(persons_visible(request.user), inputs.pop("person", None))
        result = quote(program=program, household=household, person=person, month=inputs.pop("month"), **inputs)
        return Response(result.as_json())


class ProgramSerializer(serializers.ModelSerializer):
    excludes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True,
                                            help_text="不可同时享受的项目代码")

    class Meta:
        model = Program
        fields = ["code", "name", "unit", "recurring", "monthly_payment_day", "excludes", "description"]


class ProgramListView(generics.ListAPIView):
    """启用的项目 — a short configuration list, so it is not paginated."""

    serializer_class = ProgramSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return programs_active()

    @extend_schema(operation_id="programs_list", summary="项目列表", tags=[TAG])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class PolicyParameterSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="参数名称")
    unit = serializers.CharField(read_only=True, help_text="单位")

    class Meta:
        model = PolicyParameter
        fields = ["id", "program", "key", "label", "unit", "area_code", "value", "valid_from", "valid_to", "source",
                  "verified", "note", "created_at"]


class _ParameterQuery(serializers.Serializer):
    key = serializers.SlugField(required=False, max_length=40,
                                error_messages={"invalid": "key（参数名）只能包含字母、数字和下划线"})
    month = serializers.CharField(required=False)

    def validate_month(self, value: str) -> date:
        return parse_month(value)


class ParameterSetSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    key = serializers.SlugField(max_length=40, label="参数名", error_messages={
        "required": "缺少 key（参数名）", "invalid": "key（参数名）只能包含字母、数字和下划线"})
    value = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, label="数值", error_messages={
        key: "value（数值）应为不小于0、最多4位小数的数" for key in (
            "invalid", "max_digits", "max_decimal_places", "max_whole_digits", "min_value", "null")} | {
        "required": "缺少 value（数值）"})
    valid_from = serializers.DateField(label="生效日期", error_messages={
        "required": "缺少 valid_from（生效日期，YYYY-MM-DD）", "invalid": "valid_from（生效日期）格式应为 YYYY-MM-DD"})
    area = serializers.RegexField(r"^[0-9]{12}$", label="适用区划代码", error_messages={
        "required": "缺少 area（适用区划代码，12位）",
        "invalid": "area（适用区划代码）应为12位数字，重庆市全市适用填 500000000000"})
    source = serializers.CharField(max_length=200, label="依据文件", error_messages={
        "required": "缺少 source（依据文件）", "blank": "source（依据文件）不能为空"})
    verified = serializers.BooleanField(required=False, default=True, label="已核实")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, label="备注")


class ParameterSetResponseSerializer(PolicyParameterSerializer):
    rerates = serializers.SerializerMethodField(
        help_text="因此产生的待确认调整待遇编号（GET /api/rerates/?status=pending）")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_rerates(self, row: PolicyParameter) -> list[int]:
        return list(Rerate.objects.filter(parameter=row, status=Rerate.Status.PENDING).order_by("id")
                    .values_list("id", flat=True))

    class Meta(PolicyParameterSerializer.Meta):
        fields = [*PolicyParameterSerializer.Meta.fields, "rerates"]


class ParameterListView(APIView):
    """政策参数: a programme's parameters with their history (or those in force in `?month=YYYY-MM`); POST sets
    a new value (区民政经办人或审批人), which creates the pending re-ratings it causes."""

    @extend_schema(
        operation_id="programs_parameter_set", summary="设定政策参数（产生待确认的调整待遇）", tags=[TAG],
        parameters=[_CODE], request=ParameterSetSerializer,
        responses={201: ParameterSetResponseSerializer,
                   400: OpenApiResponse(_ERROR, description="参数错误（以字段名为键）"),
                   403: OpenApiResponse(_ERROR, description="无修改政策参数的权限，或区划不在管辖范围内"),
                   404: OpenApiResponse(_ERROR, description="项目不存在")},
    )
    def post(self, request: Request, code: str) -> Response:
        if not allowed(request.user, "policy", "change"):
            raise PermissionDenied("无修改政策参数的权限")
        program = _program_or_404(code, active_only=False)
        form = ParameterSetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        row = policy_parameter_set(acting_user=request.user, program=program, key=data["key"],
                                   area_code=data["area"], value=data["value"], valid_from=data["valid_from"],
                                   source=data["source"], verified=data["verified"], note=data.get("note", ""))
        return Response(ParameterSetResponseSerializer(row).data, status=201)

    @extend_schema(
        operation_id="programs_parameters", summary="项目的政策参数（含历史）", tags=[TAG],
        parameters=[_CODE,
                    OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.QUERY, description="只看该参数"),
                    OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.QUERY,
                                     description="只看该月有效的参数，YYYY-MM")],
        responses={200: PolicyParameterSerializer(many=True),
                   400: OpenApiResponse(_ERROR, description="参数错误"),
                   403: OpenApiResponse(_ERROR, description="无查看政策参数的权限"),
                   404: OpenApiResponse(_ERROR, description="项目不存在")},
    )
    def get(self, request: Request, code: str) -> Response:
        if not allowed(request.user, "policy", "view"):
            raise PermissionDenied("无查看政策参数的权限")
        program = _program_or_404(code, active_only=False)
        query = _ParameterQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = parameters_of(program, key=query.validated_data.get("key"), month=query.validated_data.get("month"))
        return Response(PolicyParameterSerializer(rows, many=True).data)


# ---- 调整待遇 ---------------------------------------------------------------------------------------------------

RERATE_TAG = "调整待遇"


class RerateSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program_id", help_text="项目代码")
    valid_from = serializers.DateField(help_text="调整起始月份（当月1日）")
    enrolments = serializers.IntegerField(help_text="金额变化的享受对象数")
    monthly_difference = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True,
                                                  help_text="月发放金额变化合计（元，两位小数）")

    class Meta:
        model = Rerate
        fields = ["id", "program", "valid_from", "enrolments", "monthly_difference"]


class _RerateQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Rerate.Status.choices, required=False, error_messages={
        "invalid_choice": "status 应为：" + "、".join(f"{v}（{t}）" for v, t in Rerate.Status.choices)})


class RerateListView(APIView):
    """调整待遇: the re-ratings the user may see (policy grant, area), newest first; a short list, not paginated."""

    @extend_schema(
        operation_id="rerates_list", summary="调整待遇列表（含测算预览）", tags=[RERATE_TAG],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, OpenApiParameter.QUERY,
                                     enum=Rerate.Status.values, description="pending：待确认")],
        responses={200: RerateSerializer(many=True), 400: OpenApiResponse(_ERROR, description="参数错误")},
    )
    def get(self, request: Request) -> Response:
        query = _RerateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = rerates_visible(request.user, status=query.validated_data.get("status"))
        return Response(RerateSerializer(rows, many=True).data)


class RerateConfirmView(APIView):
    """确认调整待遇: applies the re-rating (区民政); the payroll then pays the new amounts and the back pay."""

    @extend_schema(
        operation_id="rerates_confirm", summary="确认调整待遇", tags=[RERATE_TAG], request=None,
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="调整待遇编号")],
        responses={200: RerateSerializer,
                   400: OpenApiResponse(_ERROR, description="状态不允许确认"),
                   403: OpenApiResponse(_ERROR, description="无确认调整待遇的权限"),
                   404: OpenApiResponse(_ERROR, description="不存在或不在管辖范围内")},
    )
    def post(self, request: Request, pk: int) -> Response:
        rerate = rerates_visible(request.user).filter(pk=pk).first()
        if rerate is None:
            raise NotFound(NOT_FOUND)
        rerate = rerate_confirm(rerate=rerate, acting_user=request.user)
        return Response(RerateSerializer(rerate).data)
