"""Filters of registry lists (居民信息库查询条件), shared by the API and the list pages.

They narrow a queryset that is already restricted to the user's area; none of them widens it.
"""

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from areas.codes import AREA_PREFIX_VALIDATOR as AREA_PREFIX
from registry.models import Asset, Disability, Household, HukouType, Income, Person
from registry.selectors import person_search

MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A record id: a whole number within bigint, so a bad value is a 400 and never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def area_prefix_filter(label: str = "区划代码（前缀：镇街代码列出全镇街）") -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name="area__code", lookup_expr="startswith", label=label,
                                     validators=[AREA_PREFIX], max_length=12)


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=50,
                                       label="姓名（一字查姓，两字查开头或结尾，三字以上查任意位置）、全拼、首字母，或身份证号（完整、前7位以上、后4至6位）")
    area = area_prefix_filter()
    status = django_filters.ChoiceFilter(choices=Person.Status.choices, label="状态")

    class Meta:
        model = Person
        fields = ["search", "area", "status"]

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        # The selector is the one search rule; ANDing keeps whatever the other filters already narrowed.
        return queryset & person_search(user=self.request.user, query=value)


class HouseholdFilter(django_filters.FilterSet):
    area = area_prefix_filter()
    status = django_filters.ChoiceFilter(choices=Household.Status.choices, label="状态")
    hukou_type = django_filters.ChoiceFilter(choices=HukouType.choices, label="户籍类型")

    class Meta:
        model = Household
        fields = ["area", "status", "hukou_type"]


class IncomeFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="家庭编号")
    person = IdFilter(field_name="person_id", label="成员编号")
    category = django_filters.CharFilter(field_name="category_id", max_length=30, label="收入类别代码")
    area = area_prefix_filter()

    class Meta:
        model = Income
        fields = ["household", "person", "category", "area"]


class AssetFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="家庭编号")
    person = IdFilter(field_name="person_id", label="所有人编号")
    kind = django_filters.ChoiceFilter(choices=Asset.Kind.choices, label="类别")
    area = area_prefix_filter()

    class Meta:
        model = Asset
        fields = ["household", "person", "kind", "area"]


class DisabilityFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id", label="人员编号")
    category = django_filters.ChoiceFilter(choices=Disability.Category.choices, label="残疾类别")
    # A typed choice, not BooleanFilter: that one ignores a value it cannot read instead of refusing it.
    is_current = django_filters.TypedChoiceFilter(choices=[("true", "是"), ("false", "否")],
                                                  coerce=lambda value: value == "true", label="是否当前有效")
    area = area_prefix_filter()

    class Meta:
        model = Disability
        fields = ["person", "category", "is_current", "area"]
