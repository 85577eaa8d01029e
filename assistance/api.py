"""API of social-assistance applications (社会救助申请接口). Paths are a contract for outside systems:

`POST /api/applications/`, `GET /api/applications/` (scoped, filters, keyset), `GET /api/applications/{id}/`,
one `POST /api/applications/{id}/<action>/` per workflow step, `GET /api/applications/overdue/` (per town and
per officer) and `GET /api/work-queue/` (what is due at my level, by deadline).

Views parse, find the case among those the user may see (else 404, the same answer as "does not exist"),
call the one service of the step and answer with the case as it now is. A step out of order is a 400, a user
without the grant, at the wrong level or recused is a 403 — each naming the rule, in Chinese.
"""

from datetime import date

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.codes import AREA_PREFIX_VALIDATOR as AREA_PREFIX
from assistance import serializers as s
from assistance import services
from assistance.nonresident import PROGRAM as NONRESIDENT_PROGRAM
from assistance.nonresident import nonresident_urgent_submit
from assistance.selectors import (
    DaysLeft,
    application_detail,
    application_view,
    application_work_queue,
    applications_visible,
    overdue_summary,
    queue_after,
)
from assistance.workflows import STATES, assistance_programs
from casework import clock
from casework.models import Case
from casework.workflows import workflow_get
from registry.models import Household, Person
from registry.selectors import households_visible, persons_visible

ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 2**63 - 1
TAG = ["社会救助申请"]
ERRORS = {
    400: OpenApiResponse(description="输入有误或办理顺序不符：以字段名（或 status）为键，值为中文说明列表"),
    403: OpenApiResponse(description="无此环节权限、非本级办理、需回避或违反职责分离：detail 为中文说明"),
    404: OpenApiResponse(description="申请不存在或不在您的管辖范围内"),
}
# The deadline kinds the API always lists (null when the case has none of that kind).
DEADLINE_KINDS = ("investigation_due", "verification_due", "town_review_due", "confirmation_due", "overall_due")


class ApplicationFilter(django_filters.FilterSet):
    """申请列表查询条件 (shared with the list page): status, programme, area prefix."""

    status = django_filters.ChoiceFilter(field_name="state", choices=list(STATES.items()), label="状态")
    # Choices are read when a request (or the schema) asks, so a programme added as a row is offered at once.
    program = django_filters.ChoiceFilter(field_name="program_id", label="项目",
                                          choices=lambda: [(p, p) for p in assistance_programs()],
                                          help_text="项目代码：受理申请的项目（如 dibao、tekun，以项目配置为准，"
                                                    "见 /api/programs/）")
    area = django_filters.CharFilter(field_name="area__code", lookup_expr="startswith", max_length=12,
                                     validators=[AREA_PREFIX], label="区划代码（前缀：镇街代码列出全镇街）")

    class Meta:
        model = Case
        fields = ["status", "program", "area"]


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def list_row(case: Case, days: DaysLeft) -> dict:
    workflow, deadline = workflow_get(case.workflow), days.of(case)
    return {"id": case.pk, "program": case.program_id, "program_name": case.program.name if case.program_id else "",
            "status": case.state, "status_label": workflow.state_label(case.state), "household": case.household_id,
            "person": case.person_id, "applicant_name": case.applicant.name if case.applicant_id else "",
            "area": case.area_id, "accepted_on": case.accepted_on, "deadline": deadline.due,
            "deadline_provisional": deadline.provisional, "working_days_left": deadline.working_days_left,
            "overdue": deadline.overdue, "monthly_amount": case.application.monthly_amount,
            "close_relative_filed": case.close_relative_filed}


def _records(case: Case) -> list[dict]:
    rows = [{"id": v.pk, "kind": "verification", "on": v.checked_on, "result": v.result,
             "detail": {"sources": v.sources}, "note": v.note, "_at": v.recorded_at} for v in case.verifications.all()]
    rows += [{"id": e.pk, "kind": "evaluation", "on": e.held_on, "result": e.result,
              "detail": {"participants": e.participants}, "note": e.note, "_at": e.recorded_at}
             for e in case.evaluations.all()]
    return sorted(rows, key=lambda row: row.pop("_at"))


def detail_data(case: Case, user) -> dict:
    view = application_view(case, user=user)
    row = list_row(case, DaysLeft(clock.today()))
    return {
        **row, "workflow": case.workflow, "variant": case.variant, "applicant": case.applicant_id,
        "channel": case.channel, "authorised_data_check": case.application.authorised_data_check,
        "authorised_at": case.application.authorised_at, "submitted_at": case.submitted_at, "inputs": case.inputs,
        "missing_materials": case.application.missing_materials, "handler": case.handler_id,
        "deadlines": {kind: case.due(kind) and case.due(kind).isoformat() for kind in DEADLINE_KINDS},
        "deadline_basis": {kind: row.basis for kind, row in case.deadline_rows.items()},
        "extended": case.application.extended, "extension_reason": case.application.extension_reason,
        "calculation": case.application.calculation, "enrolment": case.enrolment_id,
        "advance_approved_on": case.application.advance_approved_on, "decided_on": case.decided_on,
        "decision_reasons": case.application.decision_reasons, "closed_at": case.closed_at, "actions": view["actions"],
        "steps": [{"id": i["step"].pk, "action": i["step"].action, "label": i["label"],
                   "from_state": i["step"].from_state, "to_state": i["step"].to_state, "to_label": i["to_label"],
                   "user": i["step"].user_id, "user_name": _name(i["step"].user), "at": i["step"].at,
                   "note": i["step"].note, "params": i["step"].params} for i in view["steps"]],
        "investigations": [{"id": r.pk, "visited_on": r.visited_on, "method": r.method,
                            "investigators": [u.pk for u in r.investigators.all()],
                            "district_investigation": r.district_investigation, "findings": r.findings,
                            "note": r.note} for r in case.investigations.all()],
        "records": _records(case),
        "notices": [{"id": n.pk, "starts_on": n.starts_on, "ends_on": n.ends_on, "days": n.days,
                     "republication": n.republication, "status": n.status, "content": n.content}
                    for n in case.notices.all()],
        "objections": [{"id": o.pk, "objector": o.objector, "content": o.content, "received_on": o.received_on,
                        "status": o.status, "handling": o.handling} for o in case.objections.all()],
        "documents": [{"id": d.pk, "kind": d.kind, "title": d.title, "content": d.content,
                       "created_at": d.created_at} for d in case.documents.all()],
    }


def _visible(queryset: QuerySet, pk: int | None, field: str, what: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise DrfValidationError({field: [f"{what}（编号 {pk}）不存在或不在您的管辖范围内"]})
    return found


def _step(summary: str, request_serializer):
    """One workflow step endpoint: POST /api/applications/{id}/<name>/ → the application as it now is."""
    return extend_schema(summary=summary, tags=TAG, request=request_serializer,
                         responses={200: s.ApplicationSerializer, **ERRORS})


@extend_schema_view(
    list=extend_schema(summary="申请列表（本级及下级，可按状态、项目、区划筛选）", tags=TAG,
                       responses={200: s.ApplicationListSerializer(many=True)}),
)
class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """社会救助申请：提交、查看、逐环节办理。"""

    queryset = Case.objects.none()
    parser_classes = [JSONParser]
    serializer_class = s.ApplicationListSerializer
    filterset_class = ApplicationFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Case]:
        return (applications_visible(self.request.user).select_related("program", "applicant", "application")
                .prefetch_related("deadlines"))

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        days = DaysLeft(clock.today())
        return self.get_paginated_response(s.ApplicationListSerializer([list_row(c, days) for c in page],
                                                                       many=True).data)

    def _case(self) -> Case:
        pk = int(self.kwargs["pk"])
        if pk > MAX_ID:
            raise Http404
        try:
            return application_detail(user=self.request.user, pk=pk)
        except Case.DoesNotExist as exc:
            raise Http404 from exc

    def _answer(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        fresh = application_detail(user=self.request.user, pk=case.pk)
        return Response(s.ApplicationSerializer(detail_data(fresh, self.request.user)).data, status=code)

    def _form(self, serializer_class) -> dict:
        form = serializer_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    @extend_schema(summary="申请详情：状态、期限、剩余工作日、金额计算过程、时间线", tags=TAG,
                   responses={200: s.ApplicationSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        case = self._case()
        return Response(s.ApplicationSerializer(detail_data(case, request.user)).data)

    @extend_schema(summary="提交申请（居民网上申请或工作人员代为申请）", tags=TAG,
                   request=s.ApplicationCreateSerializer,
                   responses={201: s.ApplicationSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def create(self, request: Request) -> Response:
        data = self._form(s.ApplicationCreateSerializer)
        user = request.user
        if data.get("nonresident"):
            return self._answer(self._nonresident(data), status.HTTP_201_CREATED)
        household: Household | None = _visible(households_visible(user), data.pop("household", None), "household",
                                               "家庭")
        person: Person | None = _visible(persons_visible(user), data.pop("person", None), "person", "人员")
        applicant: Person | None = _visible(persons_visible(user), data.pop("applicant", None), "applicant", "申请人")
        case = services.application_submit(
            acting_user=user, program=data.pop("program"), household=household, person=person, applicant=applicant,
            channel=data.pop("channel", "worker"), authorised_data_check=data.pop("authorised_data_check", False),
            note=data.pop("note", ""), submitted_on=data.pop("submitted_on", None), inputs=data)
        return self._answer(case, status.HTTP_201_CREATED)

    def _nonresident(self, data: dict) -> Case:
        """急难发生地救助 (assistance.nonresident): a 急难型 临时救助 for a person with no household here."""
        if data.get("program") != NONRESIDENT_PROGRAM or data.get("household") or data.get("person"):
            raise DrfValidationError({"nonresident": [
                "急难发生地救助仅适用于临时救助（program=linshi），且不填写 household、person"]})
        if data.get("amount") is None:
            raise DrfValidationError({"amount": ["请填写 amount（临时救助金额）"]})
        who = data["nonresident"]
        return nonresident_urgent_submit(
            acting_user=self.request.user, name=who["name"], id_number=who["id_number"],
            hukou_place=who["hukou_place"], phone=who.get("phone", ""), area_code=who["area"], amount=data["amount"],
            channel=data.get("channel", "worker"), note=data.get("note", ""),
            authorised_data_check=data.get("authorised_data_check", False))

    @_step("受理（可补录受理日期 date；材料不全时以 missing 一次性告知）", s.AcceptSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.AcceptSerializer), self._case()
        services.application_accept(acting_user=request.user, case=case, accepted_on=data.get("date"),
                                    missing=data.get("missing"), note=data.get("note", ""),
                                    authorised_data_check=data.get("authorised_data_check", False))
        return self._answer(case)

    @_step("入户调查（至少两名不同的调查人员；收入、财产与评估结果）", s.InvestigateSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.InvestigateSerializer), self._case()
        keys = ("care_level", "support_mode", "no_supporter", "linshi_kind", "amount", "rigid_expenditure",
                "income_12m", "self_care_failed")
        assessment = {k: data.pop(k) for k in keys if k in data}
        services.application_investigate(
            acting_user=request.user, case=case, investigators=data["investigators"], visited_on=data.get("visited_on"),
            method=data.get("method", "home"), incomes=[dict(i) for i in data.get("incomes", [])],
            assets=[dict(a) for a in data.get("assets", [])], assessment=assessment,
            members_present=data.get("members_present", ""), note=data.get("note", ""))
        return self._answer(case)

    @_step("登记申请人核对家庭经济状况的电子授权", s.NoteSerializer)
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk: str) -> Response:
        self._form(s.NoteSerializer)
        case = self._case()
        services.application_authorise(case=case, acting_user=request.user)
        return self._answer(case)

    @_step("信息核对（核对事项与结果）", s.VerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.VerifySerializer), self._case()
        services.application_verify(acting_user=request.user, case=case, sources=data["sources"],
                                    result=data["result"], checked_on=data.get("checked_on"), note=data.get("note", ""))
        return self._answer(case)

    @_step("群众评议（重庆规则）", s.EvaluateSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.EvaluateSerializer), self._case()
        services.application_evaluate(acting_user=request.user, case=case, participants=data["participants"],
                                      result=data["result"], held_on=data.get("held_on"), note=data.get("note", ""))
        return self._answer(case)

    @_step("初审（计算金额并留存计算过程）", s.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.ReviewSerializer), self._case()
        services.application_review(acting_user=request.user, case=case, opinion=data["opinion"],
                                    reviewed_on=data.get("reviewed_on"), note=data.get("note", ""))
        return self._answer(case)

    @_step("公示（7日；重庆规则异议成立后重新公示3日）", s.PublishSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.PublishSerializer), self._case()
        services.application_publish(acting_user=request.user, case=case, starts_on=data.get("date"),
                                     note=data.get("note", ""))
        return self._answer(case)

    @_step("公示异议：登记和/或处理（异议成立则重新调查）", s.ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def objection(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.ObjectionSerializer), self._case()
        services.application_objection(
            acting_user=request.user, case=case, content=data.get("content", ""), objector=data.get("objector", ""),
            received_on=data.get("received_on"), objection_id=data.get("objection"),
            decision=data.get("decision", ""), handling=data.get("handling", ""))
        return self._answer(case)

    @_step("审核确认（纳入，计算金额与起始月份；可补录决定日期 decided_on）", s.ConfirmSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.ConfirmSerializer), self._case()
        services.application_confirm(acting_user=request.user, case=case, note=data.get("note", ""),
                                     decided_on=data.get("decided_on"))
        return self._answer(case)

    @_step("不予确认（须书面说明理由）", s.RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.RejectSerializer), self._case()
        services.application_reject(acting_user=request.user, case=case, reasons=data["reasons"])
        return self._answer(case)

    @_step("延期（须说明理由，办结期限延至45个工作日）", s.ExtendSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.ExtendSerializer), self._case()
        services.application_extend(acting_user=request.user, case=case, reason=data["reason"])
        return self._answer(case)

    @_step("撤回申请（审核确认前）", s.WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.WithdrawSerializer), self._case()
        services.application_withdraw(acting_user=request.user, case=case, reason=data.get("reason", ""))
        return self._answer(case)

    @_step("先行救助审批（临时救助急难型，乡镇限额内）", s.UrgentApproveSerializer)
    @action(detail=True, methods=["post"], url_path="urgent_approve")
    def urgent_approve(self, request: Request, pk: str) -> Response:
        data, case = self._form(s.UrgentApproveSerializer), self._case()
        services.application_urgent_approve(acting_user=request.user, case=case, amount=data.get("amount"),
                                            note=data.get("note", ""))
        return self._answer(case)

    @extend_schema(summary="超期申请统计（按镇街、按经办人）", tags=TAG, responses={200: s.OverdueSerializer})
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def overdue(self, request: Request) -> Response:
        return Response(s.OverdueSerializer(overdue_summary(request.user)).data)


class DueKeyset:
    """Keyset on (deadline, id), cases without a deadline (new, to accept) first: `?after=<YYYY-MM-DD or ->.<id>`."""

    size = 50

    @staticmethod
    def parse(raw: str | None) -> tuple[date | None, int] | None:
        if not raw:
            return None
        due, _, pk = raw.partition(".")
        try:
            cursor = (None if due == "-" else date.fromisoformat(due)), int(pk)
        except ValueError:
            cursor = None
        if cursor is None or not 0 < cursor[1] <= MAX_ID or len(raw) > 40:
            raise DrfValidationError({"after": ["after（翻页游标）不正确，请使用上一页返回的 next 链接"]})
        return cursor

    @staticmethod
    def after(queryset: QuerySet[Case], cursor: tuple[date | None, int]) -> QuerySet[Case]:
        return queue_after(queryset, cursor)


class WorkQueueView(APIView):
    """待办：本级待办理的申请，新申请（待受理）在前，其余按期限先后排列。"""

    @extend_schema(summary="工作队列：本级待办理的申请，新申请在前，其余按期限先后排列", tags=TAG,
                   parameters=[OpenApiParameter("after", str, description="翻页游标（取自 next 链接）")],
                   responses={200: s.WorkQueueSerializer, 400: ERRORS[400]})
    def get(self, request: Request) -> Response:
        queryset, cursor = application_work_queue(request.user), DueKeyset.parse(request.query_params.get("after"))
        if cursor is not None:
            queryset = DueKeyset.after(queryset, cursor)
        rows = list(queryset[: DueKeyset.size + 1])
        page, more = rows[: DueKeyset.size], len(rows) > DueKeyset.size
        next_url = None
        if more:
            last = page[-1]
            key = f"{last.next_due.isoformat() if last.next_due else '-'}.{last.pk}"
            next_url = request.build_absolute_uri(f"{request.path}?after={key}")
        days = DaysLeft(clock.today())
        results = s.ApplicationListSerializer([list_row(c, days) for c in page], many=True).data
        return Response({"next": next_url, "results": results})
