"""API of children's welfare (儿童福利接口): the child's file with the parents' situations and care records, the
network's coverage per town, and adoption registration. Recognition of a category and its allowance go through
`/api/applications/` (the programme codes orphan, de_facto_unattended, hardship_child, left_behind_child,
migrant_child) and `/api/programs/{code}/quote/`.

Records are found among those the user may see (else 404); writes call the one service of the action; refusals
are 400 naming the field, 403 naming the grant."""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed, scope_prefix
from api.pagination import KeysetPagination
from areas.codes import AREA_PREFIX_VALIDATOR
from audit.models import AccessLog
from audit.services import access_log_write
from children import serializers as s
from children.adoption import adoption_register
from children.care import assessment_record, home_visit_record, support_record
from children.documents import certificate_pdf
from children.models import NetworkRole, ParentSituation
from children.network import network_role_appoint, town_coverage
from children.selectors import adoptions_visible, child_overview, files_visible
from children.services import child_file_record, parent_situation_end, parent_situation_record
from registry.selectors import persons_visible

TAG = ["儿童福利"]


def _person(user, pk, field: str):
    if pk is None:
        return None
    found = persons_visible(user).filter(pk=pk).first()
    if found is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({field: ["人员不存在或不在您的管辖范围内"]})
    return found


def _form(request: Request, serializer_class) -> dict:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


def _records(view) -> dict:
    return {
        "enrolments": [{"id": e.pk, "label": e.program.name, "date": e.start_month,
                        "detail": f"{e.get_status_display()}，月发放{e.monthly_amount}元"} for e in view.enrolments],
        "cases": [{"id": c.pk, "label": c.program.name if c.program_id else "", "date": c.decided_on or c.accepted_on,
                   "detail": c.state} for c in view.cases],
        "visits": [{"id": v.pk, "label": "儿童主任走访", "date": v.visited_on, "detail": v.findings}
                   for v in view.visits],
        "assessments": [{"id": a.pk, "label": a.get_kind_display(), "date": a.assessed_on,
                         "detail": f"{a.score}分" + ("，需跟进" if a.follow_up else "")} for a in view.assessments],
        "supports": [{"id": x.pk, "label": x.get_kind_display(), "date": x.provided_on, "detail": x.programme}
                     for x in view.supports],
    }


class ChildViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """儿童档案: list, detail (every allowance, case, visit), create/update, and the records against a child."""

    pagination_class = KeysetPagination
    serializer_class = s.ChildFileSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return files_visible(self.request.user).select_related("person")

    def _file(self):
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def _detail(self, file) -> Response:
        view = child_overview(file, self.request.user)
        records = {key: s.RecordSerializer(rows, many=True).data for key, rows in _records(view).items()}
        return Response({**s.ChildFileSerializer(file).data,
                         "situations": s.SituationSerializer(view.situations, many=True).data, **records})

    @extend_schema(tags=TAG, summary="儿童档案列表（本人管辖范围内）")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAG, summary="儿童档案详情：父母情况、全部补贴、案件、走访、评估与帮扶",
                   responses=s.ChildOverviewSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._file())

    @extend_schema(tags=TAG, summary="建立或更新儿童档案", request=s.ChildFileWriteSerializer,
                   responses={201: s.ChildOverviewSerializer})
    def create(self, request: Request) -> Response:
        data = _form(request, s.ChildFileWriteSerializer)
        person = _person(request.user, data.pop("person"), "person")
        guardian = _person(request.user, data.pop("guardian", None), "guardian")
        file = child_file_record(acting_user=request.user, person=person, guardian=guardian, **data)
        response = self._detail(file)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(tags=TAG, summary="登记父母情况（情形与证明材料）", request=s.SituationWriteSerializer,
                   responses=s.ChildOverviewSerializer)
    @action(detail=True, methods=["post"])
    def situations(self, request: Request, pk: str) -> Response:
        file, data = self._file(), _form(request, s.SituationWriteSerializer)
        parent = _person(request.user, data.pop("parent", None), "parent")
        parent_situation_record(acting_user=request.user, file=file, parent=parent, **data)
        return self._detail(file)

    @extend_schema(tags=TAG, summary="登记父母情形消失（刑满释放、寻回、康复），提前复核",
                   request=s.SituationEndSerializer, responses=s.ChildOverviewSerializer)
    @action(detail=True, methods=["post"], url_path="situation-end")
    def situation_end(self, request: Request, pk: str) -> Response:
        file, data = self._file(), _form(request, s.SituationEndSerializer)
        situation = ParentSituation.objects.filter(pk=data["situation"], file=file).first()
        if situation is None:
            raise Http404
        parent_situation_end(acting_user=request.user, situation=situation, ended_on=data["ended_on"],
                             note=data.get("note", ""))
        return self._detail(file)

    @extend_schema(tags=TAG, summary="登记监护评估或心理健康筛查（超过分数线派发跟进任务）",
                   request=s.AssessmentWriteSerializer, responses=s.ChildOverviewSerializer)
    @action(detail=True, methods=["post"])
    def assessments(self, request: Request, pk: str) -> Response:
        file = self._file()
        assessment_record(acting_user=request.user, file=file, **_form(request, s.AssessmentWriteSerializer))
        return self._detail(file)

    @extend_schema(tags=TAG, summary="登记儿童主任走访", request=s.VisitWriteSerializer,
                   responses=s.ChildOverviewSerializer)
    @action(detail=True, methods=["post"])
    def visits(self, request: Request, pk: str) -> Response:
        file, data = self._file(), _form(request, s.VisitWriteSerializer)
        visitor = NetworkRole.objects.filter(pk=data.pop("visitor", None) or 0).first()
        home_visit_record(acting_user=request.user, file=file, visitor=visitor, **data)
        return self._detail(file)

    @extend_schema(tags=TAG, summary="登记教育、医疗帮扶", request=s.SupportWriteSerializer,
                   responses=s.ChildOverviewSerializer)
    @action(detail=True, methods=["post"])
    def supports(self, request: Request, pk: str) -> Response:
        file = self._file()
        support_record(acting_user=request.user, file=file, **_form(request, s.SupportWriteSerializer))
        return self._detail(file)


class CoverageView(APIView):
    """儿童关爱服务网络覆盖：每个乡镇（街道）的儿童主任覆盖率、儿童督导员、未成年人保护工作站与缺口。"""

    @extend_schema(tags=TAG, summary="儿童关爱服务网络覆盖（按乡镇街道）",
                   parameters=[OpenApiParameter("area", str, description="区划代码前缀（默认本人管辖范围）")],
                   responses=s.TownCoverageSerializer(many=True))
    def get(self, request: Request) -> Response:
        prefix = scope_prefix(request.user)
        if prefix is None or not allowed(request.user, "child_network", "view"):
            raise PermissionDenied("无查看儿童关爱服务网络的权限（child_network.view）")
        area = request.query_params.get("area") or prefix
        AREA_PREFIX_VALIDATOR(area)
        if not area.startswith(prefix) and not prefix.startswith(area):
            raise Http404
        rows = town_coverage(area if area.startswith(prefix) else prefix)
        return Response(s.TownCoverageSerializer(rows, many=True).data)


class NetworkRoleView(APIView):
    @extend_schema(tags=TAG, summary="任命儿童主任或儿童督导员", request=s.NetworkRoleWriteSerializer,
                   responses={201: s.TownCoverageSerializer(many=True)})
    def post(self, request: Request) -> Response:
        data = _form(request, s.NetworkRoleWriteSerializer)
        role = network_role_appoint(acting_user=request.user, area_code=data.pop("area"), **data)
        rows = town_coverage(role.area_id[:9])
        return Response(s.TownCoverageSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class AdoptionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """收养登记: list, detail, register (or refuse, naming the article), the certificate PDF."""

    pagination_class = KeysetPagination
    serializer_class = s.AdoptionSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return adoptions_visible(self.request.user).select_related("child", "adopter")

    def _adoption(self):
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(tags=TAG, summary="收养登记列表")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAG, summary="收养登记详情（法定条件审查结果）")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.AdoptionSerializer(self._adoption()).data)

    @extend_schema(tags=TAG, summary="办理收养登记（不符合条件的不予登记，并说明所依据的民法典条款）",
                   request=s.AdoptionWriteSerializer, responses={201: s.AdoptionSerializer})
    def create(self, request: Request) -> Response:
        data = _form(request, s.AdoptionWriteSerializer)
        adoption = adoption_register(
            acting_user=request.user, child=_person(request.user, data["child"], "child"),
            adopter=_person(request.user, data["adopter"], "adopter"),
            spouse=_person(request.user, data.get("spouse"), "spouse"), attestations=data["attestations"])
        return Response(s.AdoptionSerializer(adoption).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAG, summary="收养登记证（PDF）", responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def certificate(self, request: Request, pk: str) -> HttpResponse:
        adoption = self._adoption()
        if adoption.status != "registered":
            raise Http404
        access_log_write(user=request.user, kind=AccessLog.Kind.EXPORT, person=adoption.child,
                         detail={"what": "收养登记证", "adoption": adoption.pk})
        response = HttpResponse(certificate_pdf(adoption), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="adoption-{adoption.pk}.pdf"'
        return response
