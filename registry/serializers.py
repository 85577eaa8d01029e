"""Serializers of the registry API (居民信息库接口): input shapes that parse, output shapes that render.

Input serializers only parse and check form; the business rules live in registry.services. ID numbers are
always rendered masked; the full number is given only by the logged reveal endpoint.
"""

import re
from collections.abc import Mapping
from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict

from registry.models import (
    Asset,
    Disability,
    Household,
    HouseholdMember,
    HukouType,
    Income,
    IncomeCategory,
    Person,
    Relation,
    Sex,
)

MAX_ID = 2**63 - 1  # a bigint: larger numbers are refused here rather than overflow in the database
MONTH_RE = re.compile(r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$")


def money(max_digits: int = 12, **kwargs) -> serializers.DecimalField:
    """Money (元) as a string with two decimals, so no client turns it into a float."""
    return serializers.DecimalField(max_digits=max_digits, decimal_places=2, coerce_to_string=True, **kwargs)


def record_id(label: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(label=label, min_value=1, max_value=MAX_ID, **kwargs)


def date_field(**kwargs) -> serializers.DateField:
    return serializers.DateField(input_formats=["%Y-%m-%d"], **kwargs)


@extend_schema_field({"type": "string", "pattern": MONTH_RE.pattern, "example": "2026-01"})
class MonthField(serializers.Field):
    """A month as `YYYY-MM` (stored as the first day of the month)."""

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or not MONTH_RE.match(data):
            raise serializers.ValidationError(f"{self.field_name}（{self.label}）格式应为 YYYY-MM，如 2026-01")
        year, month = data.split("-")
        return date(int(year), int(month), 1)

    def to_representation(self, value: date) -> str:
        return value.strftime("%Y-%m")


class StrictSerializer(serializers.Serializer):
    """An input shape that refuses unknown fields: a misspelt field name must not be dropped silently."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = [str(key) for key in data if key not in writable]
            if unknown:
                raise serializers.ValidationError({key: ["不支持该字段"] for key in unknown})
        return super().to_internal_value(data)

    @property
    def errors(self):
        errors = super().errors
        # DRF's message for a `null` body is English and not translated.
        if [getattr(e, "code", None) for e in errors.get(api_settings.NON_FIELD_ERRORS_KEY, [])] == ["null"]:
            return ReturnDict({api_settings.NON_FIELD_ERRORS_KEY: [
                ErrorDetail("请求内容为空，请提交 JSON 对象", code="null")]}, serializer=self)
        return errors


def _blank(**kwargs) -> dict:
    return {"required": False, "allow_blank": True, **kwargs}


# ---------------------------------------------------------------- persons (人员)


class PersonCreateSerializer(StrictSerializer):
    id_number = serializers.CharField(label="身份证号", max_length=32, allow_null=True, **_blank())
    no_id_reason = serializers.ChoiceField(label="无身份证号原因", choices=Person.NoIdReason.choices, **_blank(
        help_text="没有身份证号时必填"))
    name = serializers.CharField(label="姓名", max_length=50)
    area = serializers.CharField(label="居住村社区代码", max_length=12)
    phone = serializers.CharField(label="联系电话", max_length=20, **_blank())
    other_document = serializers.CharField(label="其他证件号", max_length=40, **_blank(help_text="如护照号"))
    sex = serializers.ChoiceField(label="性别", choices=Sex.choices, **_blank(help_text="有身份证号时由号码得出"))
    birth_date = date_field(label="出生日期", required=False, allow_null=True,
                            help_text="YYYY-MM-DD；有身份证号时由号码得出")


class PersonUpdateSerializer(StrictSerializer):
    name = serializers.CharField(label="姓名", max_length=50, required=False)
    phone = serializers.CharField(label="联系电话", max_length=20, **_blank())
    area = serializers.CharField(label="居住村社区代码", max_length=12, required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("请至少提供一个要修改的字段（name、phone、area）")
        return attrs


class PersonDeathSerializer(StrictSerializer):
    death_date = date_field(label="死亡日期", help_text="YYYY-MM-DD")


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True, label="身份证号（脱敏）")
    phone = serializers.CharField(source="masked_phone", read_only=True, label="联系电话（脱敏）")
    area = serializers.CharField(source="area_id", read_only=True, label="居住村社区代码")
    household = serializers.SerializerMethodField(label="当前所在家庭编号")

    class Meta:
        model = Person
        fields = ["id", "id_number", "no_id_reason", "name", "sex", "birth_date", "area", "phone", "status",
                  "death_date", "household"]
        read_only_fields = fields

    def get_household(self, person: Person) -> int | None:
        # Reads the prefetched memberships (see the viewset), so a page of people costs one extra query.
        return next((m.household_id for m in person.memberships.all() if m.is_active), None)


class IdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(label="完整身份证号", read_only=True)


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(label="完整联系电话", read_only=True)


class CertificateNumberSerializer(serializers.Serializer):
    certificate_number = serializers.CharField(label="完整残疾人证号", read_only=True)


# ---------------------------------------------------------------- households (家庭)


class MemberInputSerializer(StrictSerializer):
    person = record_id("人员编号")
    relation = serializers.ChoiceField(label="与户主关系", choices=Relation.choices)


class HouseholdCreateSerializer(StrictSerializer):
    area = serializers.CharField(label="所在村社区代码", max_length=12)
    hukou_type = serializers.ChoiceField(label="户籍类型", choices=HukouType.choices)
    address = serializers.CharField(label="住址", max_length=200, **_blank())
    members = MemberInputSerializer(many=True, label="家庭成员", allow_empty=False)


class HouseholdUpdateSerializer(StrictSerializer):
    hukou_type = serializers.ChoiceField(label="户籍类型", choices=HukouType.choices, required=False)
    address = serializers.CharField(label="住址", max_length=200, **_blank())

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("请至少提供一个要修改的字段（hukou_type、address）")
        return attrs


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True, label="姓名")
    id_number = serializers.CharField(source="person.masked_id_number", read_only=True, label="身份证号（脱敏）")

    class Meta:
        model = HouseholdMember
        fields = ["person", "name", "id_number", "relation", "is_active", "joined_on", "left_on"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_id", read_only=True, label="所在村社区代码")
    members = MemberSerializer(many=True, read_only=True, label="家庭成员（含已离开的）")

    class Meta:
        model = Household
        fields = ["id", "area", "hukou_type", "address", "status", "members"]
        read_only_fields = fields


# ---------------------------------------------------------------- income, assets, disability


class IncomeCategorySerializer(serializers.ModelSerializer):
    counted = serializers.SerializerMethodField(label="是否计入家庭收入")

    class Meta:
        model = IncomeCategory
        fields = ["code", "name", "kind", "counted", "source"]
        read_only_fields = fields

    def get_counted(self, category: IncomeCategory) -> bool:
        return category.kind == IncomeCategory.Kind.COUNTED


class IncomeCreateSerializer(StrictSerializer):
    person = record_id("成员编号")
    category = serializers.CharField(label="收入类别代码", max_length=30)
    monthly_amount = money(label="月收入（元）", min_value=0)
    start_month = MonthField(label="起始月份")
    end_month = MonthField(label="截止月份", required=False, allow_null=True)
    note = serializers.CharField(label="备注", max_length=200, **_blank())


class IncomeSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_id", read_only=True, label="村社区代码")
    category_name = serializers.CharField(source="category.name", read_only=True, label="收入类别")
    kind = serializers.CharField(source="category.kind", read_only=True, label="计算方式")
    counted = serializers.SerializerMethodField(label="是否计入家庭收入")
    monthly_amount = money(label="月收入（元）", read_only=True)
    start_month = MonthField(label="起始月份", read_only=True)
    end_month = MonthField(label="截止月份", read_only=True, allow_null=True)

    class Meta:
        model = Income
        fields = ["id", "household", "person", "area", "category", "category_name", "kind", "counted",
                  "monthly_amount", "start_month", "end_month", "note"]
        read_only_fields = fields

    def get_counted(self, income: Income) -> bool:
        return income.category.kind == IncomeCategory.Kind.COUNTED


class AssetCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(label="类别", choices=Asset.Kind.choices)
    value = money(max_digits=14, label="价值（元）")
    description = serializers.CharField(label="说明", max_length=200, **_blank())
    exempt = serializers.BooleanField(label="生产生活必需（豁免）", required=False, default=False)
    person = record_id("所有人编号", required=False, allow_null=True)


class AssetSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_id", read_only=True, label="村社区代码")
    value = money(max_digits=14, label="价值（元）", read_only=True)

    class Meta:
        model = Asset
        fields = ["id", "household", "person", "area", "kind", "description", "value", "exempt"]
        read_only_fields = fields


class DisabilityCreateSerializer(StrictSerializer):
    category = serializers.ChoiceField(label="残疾类别", choices=Disability.Category.choices)
    grade = serializers.ChoiceField(label="残疾等级", choices=Disability.Grade.choices)
    certificate_number = serializers.CharField(label="残疾人证号", max_length=30, **_blank())
    issued_on = date_field(label="发证日期", required=False, allow_null=True)


class DisabilitySerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_id", read_only=True, label="村社区代码")
    certificate_number = serializers.CharField(source="masked_certificate_number", read_only=True,
                                               label="残疾人证号（脱敏）")
    is_severe = serializers.BooleanField(read_only=True, label="重度残疾（一、二级）")

    class Meta:
        model = Disability
        fields = ["id", "person", "area", "category", "grade", "certificate_number", "issued_on", "is_current",
                  "is_severe"]
        read_only_fields = fields
