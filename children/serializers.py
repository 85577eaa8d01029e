"""Request and response shapes of the children's API (儿童福利接口). ID numbers are masked; labels are given
beside every code."""

from rest_framework import serializers

from children.models import Assessment, Category, ChildFile, NetworkRole, ParentSituation, Support
from registry.identity import mask_id_number

_ID = {"min_value": 1, "max_value": 2**63 - 1}


class ChildFileWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="儿童的人员编号", **_ID)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), required=False,
                                       help_text="摸底登记的儿童类别")
    placement = serializers.ChoiceField(choices=ChildFile.Placement.choices, required=False,
                                        help_text="养育方式：institution 集中供养；family 散居")
    guardian = serializers.IntegerField(required=False, allow_null=True, help_text="监护人的人员编号", **_ID)
    full_time_education = serializers.BooleanField(required=False, help_text="在全日制学校就读")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SituationWriteSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ParentSituation.Role.choices)
    reason = serializers.CharField(max_length=40, help_text="情形代码（如 imprisoned 服刑在押）")
    evidence = serializers.CharField(max_length=300, help_text="证明材料")
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=80)
    since = serializers.DateField(help_text="情形发生日期")
    parent = serializers.IntegerField(required=False, allow_null=True, help_text="父或母的人员编号", **_ID)


class SituationEndSerializer(serializers.Serializer):
    situation = serializers.IntegerField(help_text="父母情况编号", **_ID)
    ended_on = serializers.DateField(help_text="情形消失日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="如“刑满释放”")


class AssessmentWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Assessment.Kind.choices)
    score = serializers.DecimalField(max_digits=6, decimal_places=1)
    assessed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class VisitWriteSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    findings = serializers.CharField(max_length=500)
    visitor = serializers.IntegerField(required=False, allow_null=True, help_text="儿童主任编号", **_ID)


class SupportWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Support.Kind.choices)
    programme = serializers.CharField(max_length=100)
    provided_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SituationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    reason = serializers.CharField(source="reason_id")
    reason_name = serializers.CharField(source="reason.name")
    evidence = serializers.CharField()
    since = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    end_note = serializers.CharField()


class ChildFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    id_number = serializers.SerializerMethodField(help_text="身份证号（脱敏）")
    birth_date = serializers.DateField(source="person.birth_date", allow_null=True)
    area = serializers.CharField(source="area_id")
    categories = serializers.ListField(child=serializers.CharField())
    category_names = serializers.SerializerMethodField()
    placement = serializers.CharField()
    placement_display = serializers.CharField(source="get_placement_display")
    full_time_education = serializers.BooleanField()

    def get_id_number(self, file) -> str:
        return mask_id_number(file.person.id_number)

    def get_category_names(self, file) -> list[str]:
        return [Category(c).label for c in file.categories if c in Category.values]


class RecordSerializer(serializers.Serializer):
    """One line of the child's timeline: an allowance, a case, a visit, an assessment or a support."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    detail = serializers.CharField()


class ChildOverviewSerializer(ChildFileSerializer):
    situations = SituationSerializer(many=True)
    enrolments = RecordSerializer(many=True)
    cases = RecordSerializer(many=True)
    visits = RecordSerializer(many=True)
    assessments = RecordSerializer(many=True)
    supports = RecordSerializer(many=True)


class TownCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    communities = serializers.IntegerField(help_text="村（社区）数")
    with_director = serializers.IntegerField(help_text="有在岗儿童主任的村（社区）数")
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True,
                                    help_text="儿童主任覆盖率 = 有儿童主任的村社区数 ÷ 村社区数")
    supervisor = serializers.CharField(help_text="在岗儿童督导员，空表示缺")
    station = serializers.CharField(help_text="未成年人保护工作站，空表示未建")
    missing_directors = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                              help_text="缺儿童主任的村（社区）[代码, 名称]")


class NetworkRoleWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NetworkRole.Kind.choices)
    area = serializers.CharField(max_length=12, help_text="村社区（儿童主任）或乡镇街道（儿童督导员）代码")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    appointed_on = serializers.DateField()


class AdoptionWriteSerializer(serializers.Serializer):
    child = serializers.IntegerField(help_text="被收养人的人员编号", **_ID)
    adopter = serializers.IntegerField(help_text="收养人的人员编号", **_ID)
    spouse = serializers.IntegerField(required=False, allow_null=True, help_text="共同收养的配偶", **_ID)
    attestations = serializers.DictField(help_text="申请人声明与证明：basis、children_count、able_to_raise、"
                                                   "no_disqualifying_illness、no_criminal_record、married、"
                                                   "child_consent")


class AdoptionCheckSerializer(serializers.Serializer):
    article = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField()
    basis = serializers.CharField(help_text="registry 人口库；attested 申请人声明与证明")
    detail = serializers.CharField()


class AdoptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child = serializers.IntegerField(source="child_id")
    child_name = serializers.CharField(source="child.name")
    adopter = serializers.IntegerField(source="adopter_id")
    adopter_name = serializers.CharField(source="adopter.name")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    checks = AdoptionCheckSerializer(many=True)
    refusal = serializers.CharField()
    certificate_number = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
