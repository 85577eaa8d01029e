"""REST API of the resident registry (居民信息库接口).

Views parse, look up within the user's area, call one service with `acting_user`, and render. Reads go
through the selectors (`restrict()` underneath), so a record outside the user's area is a 404, never a leak;
writes go through registry.services, which check the grant and the area and write the audit trail.
Nothing is deleted through the API: DELETE is 405 everywhere.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.policy import restrict
from registry.disclosure import certificate_number_reveal, id_number_reveal, phone_reveal
from registry.filters import AssetFilter, DisabilityFilter, HouseholdFilter, IncomeFilter, PersonFilter
from registry.models import Asset, Disability, Household, HouseholdMember, Income, IncomeCategory, Person
from registry.selectors import household_detail, households_visible, person_detail, persons_visible
from registry.serializers import (
    AssetCreateSerializer,
    AssetSerializer,
    CertificateNumberSerializer,
    DisabilityCreateSerializer,
    DisabilitySerializer,
    HouseholdCreateSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    IdNumberSerializer,
    IncomeCategorySerializer,
    IncomeCreateSerializer,
    IncomeSerializer,
    PersonCreateSerializer,
    PersonDeathSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    PhoneSerializer,
)
from registry.services import (
    asset_add,
    disability_record,
    household_create,
    household_update,
    income_add,
    person_create,
    person_record_death,
    person_update,
)

# Bodies are JSON only: nested members do not fit a form, and one format keeps the contract simple.
JSON_ONLY = [JSONParser]
ID_PATTERN = r"[0-9]{1,18}"  # a bigint in the URL; anything else is a 404 before any query runs
_MAX_ID = 2**63 - 1

_PERSON_TAG, _HOUSEHOLD_TAG = ["人员"], ["家庭"]
_ERRORS = {
    400: OpenApiResponse(description="输入有误：以字段名为键，值为中文错误说明列表"),
    403: OpenApiResponse(description="无此操作权限，或区划不在您的管辖范围内"),
    404: OpenApiResponse(description="记录不存在或不在您的管辖范围内"),
}


def _record_pk(raw) -> int:
    """The id from the URL; the route already allows only digits, the bound keeps it a bigint."""
    value = int(raw)
    if value > _MAX_ID:
        raise Http404
    return value


def _not_visible(what: str, pk: int) -> str:
    return f"{what}（编号 {pk}）不存在或不在您的管辖范围内"


def _visible_person(user, pk: int, field: str = "person") -> Person:
    """A person named in a request body: one the user may not see is a 400 on that field, not a 404."""
    person = persons_visible(user).filter(pk=pk).first()
    if person is None:
        raise serializers.ValidationError({field: [_not_visible("人员", pk)]})
    return person


def _active_memberships() -> Prefetch:
    return Prefetch("memberships", queryset=HouseholdMember.objects.filter(is_active=True))


def _members() -> Prefetch:
    return Prefetch("members", queryset=HouseholdMember.objects.select_related("person").order_by("-is_active", "id"))


# ---------------------------------------------------------------- persons (人员)


@extend_schema_view(
    list=extend_schema(summary="人员列表与查询", tags=_PERSON_TAG),
    retrieve=extend_schema(summary="人员详情（身份证号脱敏）", tags=_PERSON_TAG, responses={200: PersonSerializer,
                                                                                      404: _ERRORS[404]}),
)
class PersonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """人员：登记、查询、查看（身份证号脱敏）、修改、登记死亡。人员记录不删除。"""

    queryset = Person.objects.none()  # the model for the schema; rows come from get_queryset
    parser_classes = JSON_ONLY
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Person]:
        return persons_visible(self.request.user).prefetch_related(_active_memberships())

    def _person(self) -> Person:
        try:
            return person_detail(user=self.request.user, pk=_record_pk(self.kwargs["pk"]))
        except Person.DoesNotExist as exc:
            raise Http404 from exc

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PersonSerializer(self._person()).data)

    @extend_schema(summary="登记人员", tags=_PERSON_TAG, request=PersonCreateSerializer,
                   responses={201: PersonSerializer, 400: _ERRORS[400], 403: _ERRORS[403]})
    def create(self, request: Request) -> Response:
        form = PersonCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        person = person_create(acting_user=request.user, area_code=data.pop("area"), **data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改人员信息（姓名、电话、村社区）", tags=_PERSON_TAG, request=PersonUpdateSerializer,
                   responses={200: PersonSerializer, **_ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        person = self._person()
        form = PersonUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        if "area" in changes:
            changes["area_id"] = changes.pop("area")
        person_update(acting_user=request.user, person=person, **changes)
        return Response(PersonSerializer(self._person()).data)

    @extend_schema(summary="查看完整身份证号（记录查看日志）", tags=_PERSON_TAG, request=None,
                   responses={200: IdNumberSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-id", url_name="reveal-id")
    def reveal_id(self, request: Request, pk: str) -> Response:
        # POST, not GET: every call writes an access-log row, and no cache or prefetch should make one.
        return Response({"id_number": id_number_reveal(user=request.user, person=self._person())})

    @extend_schema(summary="查看完整联系电话（记录查看日志）", tags=_PERSON_TAG, request=None,
                   responses={200: PhoneSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-phone", url_name="reveal-phone")
    def reveal_phone(self, request: Request, pk: str) -> Response:
        return Response({"phone": phone_reveal(user=request.user, person=self._person())})

    @extend_schema(summary="登记死亡", tags=_PERSON_TAG, request=PersonDeathSerializer,
                   responses={200: PersonSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def death(self, request: Request, pk: str) -> Response:
        person = self._person()
        form = PersonDeathSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person_record_death(acting_user=request.user, person=person, death_date=form.validated_data["death_date"])
        return Response(PersonSerializer(self._person()).data)


# ---------------------------------------------------------------- households (家庭)


@extend_schema_view(
    list=extend_schema(summary="家庭列表", tags=_HOUSEHOLD_TAG),
    retrieve=extend_schema(summary="家庭详情（含成员）", tags=_HOUSEHOLD_TAG,
                           responses={200: HouseholdSerializer, 404: _ERRORS[404]}),
)
class HouseholdViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """家庭：新建（含成员）、查看、修改户籍类型和住址。家庭记录不删除。"""

    queryset = Household.objects.none()
    parser_classes = JSON_ONLY
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Household]:
        return households_visible(self.request.user).prefetch_related(_members())

    def _household(self) -> Household:
        try:
            return household_detail(user=self.request.user, pk=_record_pk(self.kwargs["pk"]))
        except Household.DoesNotExist as exc:
            raise Http404 from exc

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(HouseholdSerializer(self._household()).data)

    @extend_schema(summary="新建家庭及成员", tags=_HOUSEHOLD_TAG, request=HouseholdCreateSerializer,
                   responses={201: HouseholdSerializer, 400: _ERRORS[400], 403: _ERRORS[403]})
    def create(self, request: Request) -> Response:
        form = HouseholdCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        members = self._members(data["members"])
        household = household_create(acting_user=request.user, area_code=data["area"], hukou_type=data["hukou_type"],
                                     address=data.get("address", ""), members=members)
        # Re-read with the members the service just added (one query for them, not one per member).
        created = Household.objects.prefetch_related(_members()).get(pk=household.pk)
        return Response(HouseholdSerializer(created).data, status=status.HTTP_201_CREATED)

    def _members(self, rows: list[dict]) -> list[dict]:
        """Resolve member ids to people the user may see; an unseen one is an error at its index."""
        wanted = [row["person"] for row in rows]
        found = persons_visible(self.request.user).in_bulk(wanted)
        errors = [{} if row["person"] in found else {"person": [f"第 {index + 1} 名成员："
                                                              + _not_visible("人员", row["person"])]}
                  for index, row in enumerate(rows)]
        if any(errors):
            raise serializers.ValidationError({"members": errors})
        return [{"person": found[row["person"]], "relation": row["relation"]} for row in rows]

    @extend_schema(summary="修改家庭信息（户籍类型、住址）", tags=_HOUSEHOLD_TAG, request=HouseholdUpdateSerializer,
                   responses={200: HouseholdSerializer, **_ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        household = self._household()
        form = HouseholdUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        household_update(acting_user=request.user, household=household, **form.validated_data)
        return Response(HouseholdSerializer(self._household()).data)


# ---------------------------------------------------------------- records under a household or a person


def _parent_parameter(name: str, label: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=label)


class _NestedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # Records listed and added under a parent in the URL; a parent outside the user's area is a 404.

    parent_kwarg = ""
    parser_classes = JSON_ONLY

    def visible_parents(self) -> QuerySet:
        raise NotImplementedError

    def parent(self):
        found = self.visible_parents().filter(pk=_record_pk(self.kwargs[self.parent_kwarg])).first()
        if found is None:
            raise Http404
        return found


class _HouseholdRecordsViewSet(_NestedViewSet):
    parent_kwarg = "household_pk"

    def visible_parents(self) -> QuerySet[Household]:
        return households_visible(self.request.user)


_HOUSEHOLD_PK = _parent_parameter("household_pk", "家庭编号")
_PERSON_PK = _parent_parameter("person_pk", "人员编号")


@extend_schema_view(list=extend_schema(summary="家庭的收入", tags=_HOUSEHOLD_TAG, parameters=[_HOUSEHOLD_PK]))
class HouseholdIncomeViewSet(_HouseholdRecordsViewSet):
    """家庭的收入；counted 表示该收入类别是否计入家庭收入。"""

    queryset = Income.objects.none()
    serializer_class = IncomeSerializer

    def get_queryset(self) -> QuerySet[Income]:
        incomes = Income.objects.filter(household=self.parent()).select_related("category")
        return restrict(incomes, self.request.user, "view")

    @extend_schema(summary="登记收入", tags=_HOUSEHOLD_TAG, parameters=[_HOUSEHOLD_PK], request=IncomeCreateSerializer,
                   responses={201: IncomeSerializer, **_ERRORS})
    def create(self, request: Request, household_pk: str) -> Response:
        household = self.parent()
        form = IncomeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        data["person"] = _visible_person(request.user, data["person"])
        income = income_add(acting_user=request.user, household=household, **data)
        return Response(IncomeSerializer(income).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="家庭的财产", tags=_HOUSEHOLD_TAG, parameters=[_HOUSEHOLD_PK]))
class HouseholdAssetViewSet(_HouseholdRecordsViewSet):
    """家庭的财产。"""

    queryset = Asset.objects.none()
    serializer_class = AssetSerializer

    def get_queryset(self) -> QuerySet[Asset]:
        return restrict(Asset.objects.filter(household=self.parent()), self.request.user, "view")

    @extend_schema(summary="登记家庭财产", tags=_HOUSEHOLD_TAG, parameters=[_HOUSEHOLD_PK],
                   request=AssetCreateSerializer, responses={201: AssetSerializer, **_ERRORS})
    def create(self, request: Request, household_pk: str) -> Response:
        household = self.parent()
        form = AssetCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if data.get("person") is not None:
            data["person"] = _visible_person(request.user, data["person"])
        asset = asset_add(acting_user=request.user, household=household, **data)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="人员的残疾情况", tags=_PERSON_TAG, parameters=[_PERSON_PK]))
class PersonDisabilityViewSet(_NestedViewSet):
    """人员的残疾情况；新登记一条后，此前的记录标为非当前有效。"""

    queryset = Disability.objects.none()
    serializer_class = DisabilitySerializer
    parent_kwarg = "person_pk"

    def visible_parents(self) -> QuerySet[Person]:
        return persons_visible(self.request.user)

    def get_queryset(self) -> QuerySet[Disability]:
        return restrict(Disability.objects.filter(person=self.parent()), self.request.user, "view")

    @extend_schema(summary="登记残疾情况", tags=_PERSON_TAG, parameters=[_PERSON_PK],
                   request=DisabilityCreateSerializer, responses={201: DisabilitySerializer, **_ERRORS})
    def create(self, request: Request, person_pk: str) -> Response:
        person = self.parent()
        form = DisabilityCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = disability_record(acting_user=request.user, person=person, **form.validated_data)
        return Response(DisabilitySerializer(record).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- area-wide read-only lists


class _ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # A registry record kind across the user's whole area; changed only through its own actions.

    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet:
        return restrict(self.queryset.model.objects.all(), self.request.user, "view")

    def get_object(self):
        queryset = self.get_queryset().filter(pk=_record_pk(self.kwargs["pk"]))
        found = queryset.first()
        if found is None:
            raise Http404
        return found


@extend_schema_view(list=extend_schema(summary="收入列表（本人管辖范围内）", tags=["收入"]),
                    retrieve=extend_schema(summary="收入详情", tags=["收入"]))
class IncomeViewSet(_ScopedReadOnlyViewSet):
    """收入：本人管辖范围内的全部收入记录（只读；登记收入请用家庭下的接口）。"""

    queryset = Income.objects.none()
    serializer_class = IncomeSerializer
    filterset_class = IncomeFilter

    def get_queryset(self) -> QuerySet[Income]:
        return super().get_queryset().select_related("category")


@extend_schema_view(list=extend_schema(summary="家庭财产列表（本人管辖范围内）", tags=["家庭财产"]),
                    retrieve=extend_schema(summary="家庭财产详情", tags=["家庭财产"]))
class AssetViewSet(_ScopedReadOnlyViewSet):
    """家庭财产：本人管辖范围内的全部财产记录（只读；登记财产请用家庭下的接口）。"""

    queryset = Asset.objects.none()
    serializer_class = AssetSerializer
    filterset_class = AssetFilter


@extend_schema_view(list=extend_schema(summary="残疾情况列表（本人管辖范围内）", tags=["残疾情况"]),
                    retrieve=extend_schema(summary="残疾情况详情", tags=["残疾情况"]))
class DisabilityViewSet(_ScopedReadOnlyViewSet):
    """残疾情况：本人管辖范围内的全部残疾记录（只读；登记请用人员下的接口）。"""

    queryset = Disability.objects.none()
    serializer_class = DisabilitySerializer
    filterset_class = DisabilityFilter

    @extend_schema(summary="查看完整残疾人证号（记录查看日志）", tags=["残疾情况"], request=None,
                   responses={200: CertificateNumberSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-certificate", url_name="reveal-certificate")
    def reveal_certificate(self, request: Request, pk: str) -> Response:
        disability = self.get_object()
        return Response({"certificate_number": certificate_number_reveal(user=request.user, disability=disability)})


@extend_schema_view(list=extend_schema(summary="收入类别（是否计入家庭收入）", tags=["收入"]))
class IncomeCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """收入类别：各区划通用的基础数据，kind 说明计入、不计入或可扣减。"""

    queryset = IncomeCategory.objects.all()
    serializer_class = IncomeCategorySerializer
