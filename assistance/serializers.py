"""Request and response shapes of the applications API (社会救助申请接口). Requests only parse and type-check;
the services decide. Every message names the field in Chinese; money goes out as two-decimal strings."""

from rest_framework import serializers

from assistance.inputs import LINSHI_KINDS, SELF_CARE_ITEMS
from assistance.models import VERIFICATION_SOURCES, Evaluation, Investigation, Verification
from assistance.single_person import GROUNDS as SINGLE_PERSON_GROUNDS
from casework.models import Channel
from programs.models import CareLevel, SupportMode
from registry.models import Asset

MAX_ID = 2**63 - 1
ERROR_KEYS = ("invalid", "null", "blank", "max_length", "min_length", "max_value", "min_value", "max_digits",
              "max_decimal_places", "max_whole_digits", "max_string_length", "invalid_choice", "not_a_list", "empty",
              "datetime", "date", "make_aware", "overflow", "required")


def _messages(message: str) -> dict[str, str]:
    return {key: message for key in ERROR_KEYS}


def id_field(name: str, label: str, required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(required=required, min_value=1, max_value=MAX_ID, label=label,
                                    error_messages=_messages(f"{name}（{label}）应为正整数"))


def amount_field(name: str, label: str) -> serializers.DecimalField:
    return serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0, label=label,
                                    error_messages=_messages(f"{name}（{label}）应为不小于0、最多两位小数的金额（元）"))


def choice_field(name: str, label: str, choices, required: bool = False) -> serializers.ChoiceField:
    options = "、".join(f"{value}（{text}）" for value, text in choices)
    return serializers.ChoiceField(choices=choices, required=required, label=label,
                                   error_messages=_messages(f"{name}（{label}）应为：{options}"))


def date_field(name: str, label: str, required: bool = False) -> serializers.DateField:
    return serializers.DateField(required=required, input_formats=["%Y-%m-%d"], label=label,
                                 error_messages=_messages(f"{name}（{label}）格式应为 YYYY-MM-DD"))


def text_field(name: str, label: str, max_length: int = 2000, required: bool = False,
               rule: str = "") -> serializers.CharField:
    """Free text. A blank required text passes here so the service refuses it with the rule's own words."""
    return serializers.CharField(required=required, allow_blank=True, max_length=max_length, label=label,
                                 error_messages={**_messages(f"{name}（{label}）应为不超过{max_length}字的文字"),
                                                 "required": f"缺少 {name}（{label}）" + (f"：{rule}" if rule else "")})


def bool_field(name: str, label: str) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, label=label, error_messages=_messages(f"{name} 应为 true 或 false"))


class Strict(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}


class AssessmentFields(Strict):
    """The programme's findings an officer enters (on the application, or at the investigation)."""

    care_level = choice_field("care_level", "护理等级（特困）", CareLevel.choices)
    support_mode = choice_field("support_mode", "供养方式（特困）", SupportMode.choices)
    no_supporter = bool_field("no_supporter", "无法定义务人或义务人无履行能力（特困，经办人确认）")
    linshi_kind = choice_field("linshi_kind", "临时救助类型", list(LINSHI_KINDS.items()))
    amount = amount_field("amount", "临时救助金额")
    rigid_expenditure = amount_field("rigid_expenditure", "近12个月刚性支出合计")
    income_12m = amount_field("income_12m", "近12个月家庭总收入")


class NonresidentSerializer(Strict):
    """急难发生地救助的非本区户籍人员：仅登记姓名、身份证号、户籍地、联系电话和急难发生地。"""

    name = text_field("name", "姓名", max_length=50, required=True)
    id_number = text_field("id_number", "身份证号", max_length=30, required=True)
    hukou_place = text_field("hukou_place", "户籍地区划代码（6、9或12位，可为外省市）", max_length=12, required=True)
    phone = text_field("phone", "联系电话", max_length=30)
    area = text_field("area", "急难发生地村（社区）区划代码（12位）", max_length=12, required=True)


class ApplicationCreateSerializer(AssessmentFields):
    program = serializers.CharField(max_length=40, label="项目代码", error_messages={
        **_messages("program（项目代码）应为 dibao、tekun、dibao_bianyuan、gangxing_zhichu 或 linshi"),
        "required": "缺少 program（项目代码）"})
    household = id_field("household", "家庭编号")
    person = id_field("person", "人员编号（个人项目的对象）")
    applicant = id_field("applicant", "申请人编号（默认户主）")
    channel = choice_field("channel", "申请渠道", Channel.choices)
    single_person = id_field("single_person", "单人户申请的成员编号（低保：低保边缘家庭中的重残、重病成员单独纳入）")
    single_person_ground = choice_field("single_person_ground", "单人户事由（须有残疾人证或重特大疾病登记）",
                                        list(SINGLE_PERSON_GROUNDS.items()))
    authorised_data_check = bool_field("authorised_data_check", "已授权核对家庭经济状况")
    submitted_on = date_field("submitted_on", "申请日期（默认今天；纸质申请补录时填写，不得晚于今天）")
    note = text_field("note", "说明")
    nonresident = NonresidentSerializer(required=False, label="急难发生地救助的非本区户籍人员", help_text=(
        "仅用于临时救助（program=linshi）急难型：无本区家庭登记的人员在急难发生地申请，须同时填写 amount；"
        "不填 household。受理后由乡镇（街道）先行救助、事后补充材料，并向户籍地通报"))


class AcceptSerializer(Strict):
    date = date_field("date", "受理日期（默认今天，不得晚于今天）")
    missing = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50,
                                    label="需补正材料（一次性告知）",
                                    error_messages=_messages("missing（需补正材料）应为文字列表，最多50项"))
    authorised_data_check = bool_field("authorised_data_check", "登记申请人已授权核对家庭经济状况")
    note = text_field("note", "说明")


class IncomeItemSerializer(Strict):
    person = id_field("person", "家庭成员编号", required=True)
    category = serializers.CharField(max_length=30, label="收入类别代码",
                                     error_messages=_messages("category（收入类别代码）应为文字，如 wage"))
    monthly_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, label="月收入（元）",
                                              error_messages=_messages("monthly_amount（月收入）应为不小于0的金额（元）"))


class AssetItemSerializer(Strict):
    kind = choice_field("kind", "财产类别", Asset.Kind.choices, required=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="价值（元）",
                                     error_messages=_messages("value（价值）应为不小于0的金额（元）"))
    description = text_field("description", "说明", max_length=200)
    exempt = bool_field("exempt", "生产生活必需（豁免）")
    person = id_field("person", "所有人编号")


class InvestigateSerializer(AssessmentFields):
    investigators = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=20,
        label="调查人员（用户编号，至少两名不同的工作人员）",
        error_messages=_messages("investigators（调查人员）应为用户编号列表，至少两名不同的工作人员"))
    visited_on = date_field("visited_on", "调查日期（默认今天）")
    method = choice_field("method", "调查方式", Investigation.Method.choices)
    incomes = IncomeItemSerializer(many=True, required=False, label="收入（按成员与类别）",
                                   error_messages=_messages("incomes（收入）应为对象列表"))
    assets = AssetItemSerializer(many=True, required=False, label="财产",
                                 error_messages=_messages("assets（财产）应为对象列表"))
    self_care_failed = serializers.ListField(child=choice_field("self_care_failed", "不能自理的项目",
                                                                list(SELF_CARE_ITEMS.items()), required=True),
                                             required=False, max_length=6,
                                             label="生活自理能力评估：不能完成的项目（特困）")
    members_present = text_field("members_present", "在场家庭成员", max_length=200)
    note = text_field("note", "调查意见")


class VerifySerializer(Strict):
    sources = serializers.ListField(child=choice_field("sources", "核对事项", list(VERIFICATION_SOURCES.items()),
                                                       required=True), min_length=1, max_length=20, label="核对事项",
                                    error_messages=_messages("sources（核对事项）应为非空列表"))
    result = choice_field("result", "核对结果", Verification.Result.choices, required=True)
    checked_on = date_field("checked_on", "核对日期（默认今天）")
    note = text_field("note", "说明")


class EvaluateSerializer(Strict):
    participants = serializers.IntegerField(min_value=1, max_value=1000, label="参加评议人数",
                                            error_messages=_messages("participants（参加评议人数）应为1至1000的整数"))
    result = choice_field("result", "评议结果", Evaluation.Result.choices, required=True)
    held_on = date_field("held_on", "评议日期（默认今天）")
    note = text_field("note", "评议意见")


class ReviewSerializer(Strict):
    opinion = choice_field("opinion", "初审意见", [("agree", "同意"), ("disagree", "不同意")], required=True)
    reviewed_on = date_field("reviewed_on", "初审日期（默认今天，不得早于此前各环节的日期）")
    note = text_field("note", "说明")


class ConfirmSerializer(Strict):
    decided_on = date_field("decided_on", "审核确认日期（默认今天，不得早于此前各环节的日期及公示期满）")
    note = text_field("note", "说明")


class PublishSerializer(Strict):
    date = date_field("date", "公示开始日期（默认今天，不得晚于今天）")
    note = text_field("note", "说明")


class ObjectionSerializer(Strict):
    content = text_field("content", "异议内容")
    objector = text_field("objector", "异议人（可匿名）", max_length=50)
    received_on = date_field("received_on", "收到日期（默认今天）")
    objection = id_field("objection", "待处理异议编号（处理已登记的异议时填写）")
    decision = choice_field("decision", "处理结果", [("upheld", "异议成立"), ("dismissed", "异议不成立")])
    handling = text_field("handling", "处理情况")


class NoteSerializer(Strict):
    note = text_field("note", "说明")


class RejectSerializer(Strict):
    reasons = text_field("reasons", "不予确认理由（书面说明，必填）", required=True,
                         rule="不予确认须书面说明理由（《最低生活保障审核确认办法》第二十一条）")


class ExtendSerializer(Strict):
    reason = text_field("reason", "延期理由（必填）", max_length=200, required=True,
                        rule="延期须说明理由（《最低生活保障审核确认办法》第二十二条）")


class WithdrawSerializer(Strict):
    reason = text_field("reason", "撤回原因", max_length=500)


class UrgentApproveSerializer(Strict):
    amount = amount_field("amount", "先行救助金额（元）")
    note = text_field("note", "说明")


# ---- responses ------------------------------------------------------------------------------------------------

def money_out(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, allow_null=True,
                                    help_text=help_text)


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="环节代码，即 POST /api/applications/{id}/<action>/")
    label = serializers.CharField(help_text="环节名称")


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    label = serializers.CharField(help_text="环节名称")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    to_label = serializers.CharField(help_text="办理后状态")
    user = serializers.IntegerField(allow_null=True)
    user_name = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()
    params = serializers.DictField(help_text="办理内容")


class InvestigationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_on = serializers.DateField()
    method = serializers.CharField()
    investigators = serializers.ListField(child=serializers.IntegerField())
    district_investigation = serializers.BooleanField(help_text="区县民政部门参与入户调查")
    findings = serializers.DictField()
    note = serializers.CharField()


class RecordOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="verification（信息核对）或 evaluation（群众评议）")
    on = serializers.DateField()
    result = serializers.CharField()
    detail = serializers.DictField()
    note = serializers.CharField()


class NoticeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days = serializers.IntegerField()
    republication = serializers.BooleanField()
    status = serializers.CharField()
    content = serializers.DictField(help_text="仅姓名、家庭人数、金额")


class ObjectionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    objector = serializers.CharField()
    content = serializers.CharField()
    received_on = serializers.DateField()
    status = serializers.CharField(help_text="open（待处理）、upheld（异议成立）、dismissed（异议不成立）")
    handling = serializers.CharField()


class DocumentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    content = serializers.DictField()
    created_at = serializers.DateTimeField()


class ApplicationListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.CharField(help_text="项目代码")
    program_name = serializers.CharField()
    status = serializers.CharField(help_text="状态代码")
    status_label = serializers.CharField(help_text="状态")
    household = serializers.IntegerField(allow_null=True)
    person = serializers.IntegerField(allow_null=True)
    applicant_name = serializers.CharField()
    area = serializers.CharField(help_text="村社区代码")
    accepted_on = serializers.DateField(allow_null=True, help_text="受理日期")
    deadline = serializers.DateField(allow_null=True, help_text="当前环节的期限")
    deadline_provisional = serializers.BooleanField(help_text="期限为暂定（跨入未发布节假日安排的年份）")
    working_days_left = serializers.IntegerField(allow_null=True, help_text="剩余工作日（超期为负数）")
    overdue = serializers.BooleanField()
    monthly_amount = money_out("金额（元，两位小数）；尚未测算为 null")
    close_relative_filed = serializers.BooleanField(help_text="近亲属备案")


class ApplicationSerializer(ApplicationListSerializer):
    workflow = serializers.CharField()
    variant = serializers.CharField(help_text="chongqing（重庆规则）或 national（全国规则）")
    applicant = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField()
    authorised_data_check = serializers.BooleanField()
    authorised_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    inputs = serializers.DictField(help_text="申请与调查事项")
    missing_materials = serializers.ListField(child=serializers.CharField(), help_text="一次性告知的补正材料")
    handler = serializers.IntegerField(allow_null=True, help_text="经办人")
    deadlines = serializers.DictField(help_text="各项期限（ISO 日期）")
    deadline_basis = serializers.DictField(help_text="各项期限的计算依据：工作日数、起算日、参数来源")
    extended = serializers.BooleanField()
    extension_reason = serializers.CharField()
    calculation = serializers.DictField(
        help_text="初审（review）、先行审批（advance）、审核确认（confirmation）时的逐行测算")
    enrolment = serializers.IntegerField(allow_null=True)
    advance_approved_on = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    decision_reasons = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    actions = ActionSerializer(many=True, help_text="当前用户现在可办理的环节")
    steps = StepSerializer(many=True, help_text="办理时间线")
    investigations = InvestigationOutSerializer(many=True)
    records = RecordOutSerializer(many=True, help_text="信息核对与群众评议记录")
    notices = NoticeOutSerializer(many=True)
    objections = ObjectionOutSerializer(many=True)
    documents = DocumentOutSerializer(many=True)


class OverdueTownSerializer(serializers.Serializer):
    town = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class OverdueOfficerSerializer(serializers.Serializer):
    officer = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    count = serializers.IntegerField()


class OverdueSerializer(serializers.Serializer):
    today = serializers.DateField()
    by_town = OverdueTownSerializer(many=True)
    by_officer = OverdueOfficerSerializer(many=True)


class WorkQueueSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="下一页的地址；没有下一页时为 null")
    results = ApplicationListSerializer(many=True)
