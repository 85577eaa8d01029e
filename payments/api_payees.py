"""API of 收款单位 (organisation payees). Paths are a contract:

GET  /api/organisation-payees/ — the organisations of the user's area, each with its valid account (masked)
POST /api/organisation-payees/ {"name", "credit_code", "area"} — register one (统一社会信用代码 checked)
GET  /api/organisation-payees/{id}/bank-account/ — the valid account (masked) and a change waiting
POST /api/organisation-payees/{id}/bank-account/ {"bank_name", "account_number", "reason"} — register (201) or, for
     an organisation already paid, submit a change (202, confirmed through /api/bank-account-changes/{id}/confirm/)

The same services as the pages; account numbers always masked.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed
from api.errors import NOT_FOUND
from areas.models import Area
from payments.api_account import (
    DENIED,
    TAG,
    BankAccountChangeSerializer,
    BankAccountRegisterSerializer,
    BankAccountSerializer,
    account_state,
    registered_response,
)
from payments.models import OrganisationPayee
from payments.payees import (
    is_current_organisation_payee,
    organisation_account_register,
    organisation_payee_register,
    organisations_visible,
)


class OrganisationPayeeSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", help_text="所在村社区")

    class Meta:
        model = OrganisationPayee
        fields = ["id", "name", "credit_code", "area", "area_name"]


class OrganisationRegisterSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    name = serializers.CharField(label="单位名称", max_length=100)
    credit_code = serializers.CharField(label="统一社会信用代码", max_length=30)
    area = serializers.CharField(label="所在村社区（区划代码）", max_length=12)


class OrganisationAccountStateSerializer(serializers.Serializer):
    organisation = OrganisationPayeeSerializer()
    current_payee = serializers.BooleanField(help_text="是否已有发放明细付给该单位（变更账户须另一人确认）")
    account = BankAccountSerializer(allow_null=True)
    pending_change = BankAccountChangeSerializer(allow_null=True)


def _organisation(request: Request, pk: int) -> OrganisationPayee:
    found = organisations_visible(request.user).select_related("area").filter(pk=pk).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


class OrganisationPayeeListView(APIView):
    @extend_schema(tags=[TAG], summary="收款单位列表（本辖区）",
                   responses={200: OrganisationPayeeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = organisations_visible(request.user).select_related("area").order_by("area_id", "name")[:500]
        return Response(OrganisationPayeeSerializer(rows, many=True).data)

    @extend_schema(tags=[TAG], summary="登记收款单位", request=OrganisationRegisterSerializer,
                   responses={201: OrganisationPayeeSerializer,
                              400: OpenApiResponse(description="信用代码不正确或已登记"), 403: DENIED})
    def post(self, request: Request) -> Response:
        form = OrganisationRegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        area = Area.objects.filter(code=form.validated_data["area"]).first()
        if area is None:
            raise NotFound("区划不存在")
        payee = organisation_payee_register(acting_user=request.user, name=form.validated_data["name"],
                                            credit_code=form.validated_data["credit_code"], area=area)
        return Response(OrganisationPayeeSerializer(payee).data, status=status.HTTP_201_CREATED)


class OrganisationBankAccountView(APIView):
    @extend_schema(tags=[TAG], summary="收款单位的银行账户（有效账户与待确认的变更）",
                   responses={200: OrganisationAccountStateSerializer,
                              404: OpenApiResponse(description="不存在或不在管辖范围内")})
    def get(self, request: Request, pk: int) -> Response:
        if not allowed(request.user, "bank_account", "view"):
            raise NotFound(NOT_FOUND)
        org = _organisation(request, pk)
        return Response(OrganisationAccountStateSerializer({
            "organisation": org, "current_payee": is_current_organisation_payee(org),
            **account_state(organisation=org)}).data)

    @extend_schema(tags=[TAG], summary="登记或变更收款单位的银行账户（已在发放的单位变更须另一人确认）",
                   request=BankAccountRegisterSerializer,
                   responses={201: BankAccountSerializer, 202: BankAccountChangeSerializer,
                              400: OpenApiResponse(description="账号不正确"), 403: DENIED})
    def post(self, request: Request, pk: int) -> Response:
        org = _organisation(request, pk)
        form = BankAccountRegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return registered_response(organisation_account_register(acting_user=request.user, organisation=org,
                                                                 **form.validated_data))
