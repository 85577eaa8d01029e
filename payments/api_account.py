"""API of bank accounts (银行账户). Paths are a contract:

GET  /api/persons/{id}/bank-account/ — the valid account (masked) and a change waiting for confirmation
POST /api/persons/{id}/bank-account/ {"bank_name", "account_number", "reason"} — register (201, in effect) or, for
     a current payee who has an account, submit a change (202, waits for a second person)
POST /api/bank-account-changes/{id}/confirm/ · POST /api/bank-account-changes/{id}/reject/ {"note"} — a person's or
     a 收款单位's change (organisation payees: payments.api_payees)

Account numbers are always masked in answers. The services check the grants, the scope and maker ≠ checker.
"""

from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed
from api.errors import NOT_FOUND
from payments.models import BankAccount, BankAccountChange
from payments.services import (
    bank_account_change_confirm,
    bank_account_change_reject,
    bank_account_register,
    is_current_payee,
)
from registry.selectors import persons_visible

TAG = "资金发放"
DENIED = OpenApiResponse(description="无权限，或确认人与录入人为同一人")


class BankAccountSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="masked_number", help_text="账号（已遮蔽）")

    class Meta:
        model = BankAccount
        fields = ["id", "bank_name", "account_number", "valid", "updated_at"]


class BankAccountChangeSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="masked_number", help_text="账号（已遮蔽）")
    status_label = serializers.CharField(source="get_status_display", help_text="状态（中文）")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = BankAccountChange
        fields = ["id", "person", "organisation", "bank_name", "account_number", "reason", "status", "status_label",
                  "requested_by", "requested_at", "decided_by", "decided_at", "note"]


class BankAccountStateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    current_payee = serializers.BooleanField(help_text="是否正在发放（变更账户须另一人确认）")
    account = BankAccountSerializer(allow_null=True)
    pending_change = BankAccountChangeSerializer(allow_null=True)


class BankAccountRegisterSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    bank_name = serializers.CharField(label="开户银行", max_length=60,
                                      error_messages={"required": "缺少 bank_name（开户银行）",
                                                      "blank": "bank_name（开户银行）不能为空"})
    account_number = serializers.CharField(label="银行账号", max_length=40,
                                           error_messages={"required": "缺少 account_number（银行账号）",
                                                           "blank": "account_number（银行账号）不能为空"})
    reason = serializers.CharField(label="变更原因", max_length=200, required=False, allow_blank=True)


class RejectNoteSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    note = serializers.CharField(label="退回理由", max_length=200,
                                 error_messages={"required": "缺少 note（退回理由）",
                                                 "blank": "note（退回理由）不能为空"})


def _person(request: Request, pk: int):
    person = persons_visible(request.user).filter(pk=pk).first()
    if person is None:
        raise NotFound(NOT_FOUND)
    return person


def _change(request: Request, pk: int) -> BankAccountChange:
    """A change of a person's or a 收款单位's account, in the user's scope."""
    from payments.payees import organisations_visible

    change = BankAccountChange.objects.filter(
        Q(person__in=persons_visible(request.user)) | Q(organisation__in=organisations_visible(request.user)),
        pk=pk).first()
    if change is None:
        raise NotFound(NOT_FOUND)
    return change


def account_state(**owner) -> dict:
    """The valid account and the change waiting on it, of a person or a 收款单位 (`owner`)."""
    return {"account": BankAccount.objects.filter(**owner, valid=True).first(),
            "pending_change": BankAccountChange.objects.filter(**owner, status="pending")
            .select_related("requested_by", "decided_by").first()}


def registered_response(result: BankAccount | BankAccountChange) -> Response:
    """201 with the account registered, or 202 with the change that waits for a second person."""
    if isinstance(result, BankAccountChange):
        return Response(BankAccountChangeSerializer(result).data, status=status.HTTP_202_ACCEPTED)
    return Response(BankAccountSerializer(result).data, status=status.HTTP_201_CREATED)


def _state(person) -> dict:
    return {"person": person.pk, "current_payee": is_current_payee(person), **account_state(person=person)}


class PersonBankAccountView(APIView):
    @extend_schema(tags=[TAG], summary="人员的银行账户（有效账户与待确认的变更）",
                   responses={200: BankAccountStateSerializer,
                              404: OpenApiResponse(description="不存在或不在管辖范围内")})
    def get(self, request: Request, pk: int) -> Response:
        if not allowed(request.user, "bank_account", "view"):
            raise NotFound(NOT_FOUND)
        return Response(BankAccountStateSerializer(_state(_person(request, pk))).data)

    @extend_schema(tags=[TAG], summary="登记或变更银行账户（在发放对象的账户变更须另一人确认）",
                   request=BankAccountRegisterSerializer,
                   responses={201: BankAccountSerializer, 202: BankAccountChangeSerializer,
                              400: OpenApiResponse(description="账号不正确"), 403: DENIED})
    def post(self, request: Request, pk: int) -> Response:
        person = _person(request, pk)
        form = BankAccountRegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return registered_response(bank_account_register(acting_user=request.user, person=person,
                                                         **form.validated_data))


class ChangeConfirmView(APIView):
    @extend_schema(tags=[TAG], summary="确认银行账户变更（另一名工作人员）", request=None,
                   responses={200: BankAccountSerializer, 400: OpenApiResponse(description="已处理"), 403: DENIED})
    def post(self, request: Request, pk: int) -> Response:
        account = bank_account_change_confirm(acting_user=request.user, change=_change(request, pk))
        return Response(BankAccountSerializer(account).data)


class ChangeRejectView(APIView):
    @extend_schema(tags=[TAG], summary="退回银行账户变更（原账户不变）", request=RejectNoteSerializer,
                   responses={200: BankAccountChangeSerializer,
                              400: OpenApiResponse(description="缺少理由或已处理"), 403: DENIED})
    def post(self, request: Request, pk: int) -> Response:
        change = _change(request, pk)
        form = RejectNoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        change = bank_account_change_reject(acting_user=request.user, change=change, note=form.validated_data["note"])
        return Response(BankAccountChangeSerializer(change).data)
