"""API of 卡折代管. Paths are a contract:

GET  /api/card-custodies/ — the custody arrangements in the user's area (keyset-paged; filters status, person,
     unchecked=1 for 本月未核对)
POST /api/card-custodies/ (multipart: person, custodian_kind, custodian_name, reason, agreement_number,
     agreement_date, agreement_file, start_date …) — register a custody (201); refused without the agreement
GET  /api/card-custodies/{id}/ — one custody with its monthly checks
POST /api/card-custodies/{id}/checks/ {"month": "YYYY-MM", "result", "note", "custodian_signed"} — the monthly check
POST /api/card-custodies/{id}/end/ {"end_date", "end_reason", "handover_note"} — end the custody

ID and account numbers are masked in every answer; the agreement's bytes are downloaded only from the page (logged).
The services check the grants and the scope; a record out of scope is a 404.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import NOT_FOUND
from minzheng.dates import month_or_none
from payments.custody import selectors, services
from payments.models import BankCardCustody, CustodyCheck
from registry.identity import mask_phone
from registry.selectors import persons_visible

TAG = ["卡折代管"]
ERRORS = {
    400: OpenApiResponse(description="输入有误：以字段名为键，值为中文说明列表"
                                     "（如缺少代管协议、已有有效代管、该月已核对）"),
    403: OpenApiResponse(description="无权限或不在管辖范围内：detail 为中文说明"),
    404: OpenApiResponse(description="不存在或不在您的管辖范围内"),
}


class CustodyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BankCardCustody.Status.choices, label="状态")
    person = django_filters.NumberFilter(field_name="person_id", label="收款人编号")
    unchecked = django_filters.BooleanFilter(method="month_unchecked", label="本月未核对（true）")

    def month_unchecked(self, queryset, name: str, value: bool):
        return selectors.unchecked_in_month(queryset) if value else queryset

    class Meta:
        model = BankCardCustody
        fields = ["status", "person", "unchecked"]


class CustodyCheckSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", help_text="核对月份（年-月）")
    result_label = serializers.CharField(source="get_result_display", help_text="核对结果（中文）")
    checked_by = serializers.CharField(source="checked_by.username", default=None)

    class Meta:
        model = CustodyCheck
        fields = ["id", "month", "result", "result_label", "note", "custodian_signed", "checked_by", "checked_at"]


class CustodySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.masked_id_number", help_text="身份证号（已遮蔽）")
    bank_name = serializers.CharField(source="bank_account.bank_name", help_text="收款人本人账户的开户银行")
    account_number = serializers.CharField(source="bank_account.masked_number", help_text="收款人本人账号（已遮蔽）")
    custodian_kind_label = serializers.CharField(source="get_custodian_kind_display")
    custodian_contact = serializers.SerializerMethodField(help_text="代管人联系电话（已遮蔽）")
    reason_label = serializers.CharField(source="get_reason_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = BankCardCustody
        fields = ["id", "person", "person_name", "id_number", "area", "bank_name", "account_number",
                  "custodian_kind", "custodian_kind_label", "custodian_name", "custodian_contact", "reason",
                  "reason_label", "reason_note", "agreement_number", "agreement_date", "agreement_filename",
                  "agreement_sha256", "start_date", "end_date", "status", "status_label", "end_reason",
                  "handover_note", "created_at"]

    def get_custodian_contact(self, custody: BankCardCustody) -> str:
        return mask_phone(custody.custodian_contact) if custody.custodian_contact else ""


class CustodyDetailSerializer(CustodySerializer):
    checks = CustodyCheckSerializer(many=True, read_only=True, help_text="月度核对记录（新月份在前），含待核对的月份")

    class Meta(CustodySerializer.Meta):
        fields = [*CustodySerializer.Meta.fields, "checks"]


class CustodyCreateSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为表单（multipart/form-data）"}

    person = serializers.IntegerField(help_text="收款人编号", error_messages={"required": "缺少 person（收款人编号）"})
    custodian_kind = serializers.ChoiceField(choices=BankCardCustody.CustodianKind.choices, help_text="代管人类别")
    custodian_name = serializers.CharField(max_length=100, help_text="代管人姓名或单位名称")
    custodian_contact = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=BankCardCustody.Reason.choices, help_text="代管原因")
    reason_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agreement_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                             help_text="代管协议编号（必填，缺少即拒绝）")
    agreement_date = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="协议签订日期（必填）")
    agreement_file = serializers.FileField(required=False, allow_null=True, default=None,
                                           help_text="签字盖章的代管协议（PDF、JPG 或 PNG，不超过10MB；必填）")
    start_date = serializers.DateField(help_text="代管开始日期")


class CustodyCheckCreateSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="核对月份，YYYY-MM")
    result = serializers.ChoiceField(choices=[CustodyCheck.Result.PROPER, CustodyCheck.Result.ISSUE],
                                     help_text="proper 资金使用正常；issue 发现问题（须填写 note）")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    custodian_signed = serializers.BooleanField(required=False, default=False, help_text="代管人已签字确认")

    def validate_month(self, value: str):
        month = month_or_none(value)
        if month is None:
            raise serializers.ValidationError("month（核对月份）格式应为 YYYY-MM，例如 2026-03")
        return month


class CustodyEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(help_text="代管终止日期")
    end_reason = serializers.CharField(max_length=200, help_text="终止原因")
    handover_note = serializers.CharField(max_length=300, help_text="卡折交接情况")


@extend_schema_view(list=extend_schema(tags=TAG, summary="卡折代管名册（本人管辖范围）"))
class CustodyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """卡折代管：登记、月度核对、终止。资金始终发放到收款人本人账户。"""

    queryset = BankCardCustody.objects.none()
    serializer_class = CustodySerializer
    filterset_class = CustodyFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.custodies_visible(self.request.user).select_related("person", "bank_account")

    def _custody(self) -> BankCardCustody:
        custody = self.get_queryset().prefetch_related("checks__checked_by").filter(pk=int(self.kwargs["pk"])).first()
        if custody is None:
            raise NotFound(NOT_FOUND)
        return custody

    def _detail(self, custody: BankCardCustody) -> dict:
        return CustodyDetailSerializer(custody).data

    @extend_schema(tags=TAG, summary="登记卡折代管（须上传书面代管协议）",
                   request={"multipart/form-data": CustodyCreateSerializer},
                   responses={201: CustodySerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        form = CustodyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        person = persons_visible(request.user).filter(pk=data["person"]).first()
        if person is None:
            raise NotFound(NOT_FOUND)
        upload = data["agreement_file"]
        agreement = services.Agreement(number=data["agreement_number"], signed_on=data["agreement_date"],
                                       filename=upload.name if upload else "",
                                       content=upload.read() if upload else None)
        custody = services.custody_start(
            acting_user=request.user, person=person, custodian_kind=data["custodian_kind"],
            custodian_name=data["custodian_name"], custodian_contact=data["custodian_contact"], reason=data["reason"],
            reason_note=data["reason_note"], agreement=agreement, start_date=data["start_date"])
        return Response(CustodySerializer(self.get_queryset().get(pk=custody.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAG, summary="卡折代管详情（含月度核对记录）",
                   responses={200: CustodyDetailSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self._custody()))

    @extend_schema(tags=TAG, summary="记录月度核对（每月一次）", request=CustodyCheckCreateSerializer,
                   responses={201: CustodyCheckSerializer, **ERRORS})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def checks(self, request: Request, pk: str) -> Response:
        custody = self._custody()
        form = CustodyCheckCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        check = services.custody_check_record(acting_user=request.user, custody=custody, **form.validated_data)
        return Response(CustodyCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAG, summary="终止卡折代管", request=CustodyEndSerializer,
                   responses={200: CustodyDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def end(self, request: Request, pk: str) -> Response:
        custody = self._custody()
        form = CustodyEndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.custody_end(acting_user=request.user, custody=custody, end_date=data["end_date"],
                             reason=data["end_reason"], handover_note=data["handover_note"])
        return Response(self._detail(self._custody()))
