"""Forms of the social-assistance pages (社会救助页面表单): they parse what an officer typed into what the services
(assistance.services, assistance.rechecks) take. The services decide what is valid and allowed; the forms only
check shape and offer choices limited to what the user may see."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse

from assistance.inputs import LINSHI_KINDS, SELF_CARE_ITEMS
from assistance.models import VERIFICATION_SOURCES, Evaluation, Investigation, Recheck, Verification
from assistance.single_person import GROUNDS as SINGLE_PERSON_GROUNDS
from assistance.workflows import APPLICATION_FAMILIES
from casework import clock
from casework.models import Case, Channel, Objection
from programs.models import CareLevel, Program, SupportMode, area_ancestor_codes
from registry.models import Asset, Household, IncomeCategory, Person
from registry.selectors import households_visible, persons_visible
from web.forms import BLANK, DateInput, MonthField, PersonPicker, StyledForm, community_choices, division_field

INPUT_FIELDS = ("linshi_kind", "amount", "care_level", "support_mode", "no_supporter", "rigid_expenditure",
                "income_12m")
# The investigation form's fields for each quote input a programme lists (Program.quote_inputs): the 护理等级 is
# assessed with the six 生活自理 items and decided together with the 供养方式.
INPUT_FORM_FIELDS = {"care_level": ("self_care_failed", "care_level", "support_mode"),
                     "no_supporter": ("no_supporter",), "linshi_kind": ("linshi_kind",), "amount": ("amount",),
                     "rigid_expenditure": ("rigid_expenditure",), "income_12m": ("income_12m",)}


class HouseholdPicker(forms.Widget):
    """A hidden household id with an htmx search by a member's name, pinyin or ID number (same behaviour as the
    person picker: web/static/web/app.js fills it from the chosen option)."""

    template_name = "assistance/widgets/household_picker.html"
    queryset: QuerySet | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["autocomplete_url"] = reverse("assistance-household-autocomplete")
        household = None
        if self.queryset is not None and value and str(value).isdigit():
            household = self.queryset.filter(pk=value).prefetch_related("members__person").first()
        context["chosen_label"] = household_label(household) if household else ""
        return context


def household_label(household: Household) -> str:
    names = "、".join(m.person.name for m in household.active_members())
    return f"{household}：{names}" if names else str(household)


def household_field(user, required: bool = True) -> forms.ModelChoiceField:
    queryset = households_visible(user).filter(status=Household.Status.ACTIVE)
    field = forms.ModelChoiceField(queryset=queryset, label="家庭", required=required, widget=HouseholdPicker,
                                   error_messages={"invalid_choice": "所选家庭不存在或不在您的管辖范围内",
                                                   "required": "请选择家庭"})
    field.widget.queryset = queryset
    return field


def person_field(user, label: str, required: bool = False) -> forms.ModelChoiceField:
    queryset = persons_visible(user).exclude(status=Person.Status.DECEASED)
    field = forms.ModelChoiceField(queryset=queryset, label=label, required=required, widget=PersonPicker,
                                   error_messages={"invalid_choice": "所选人员不存在或不在您的管辖范围内"})
    field.widget.queryset = queryset
    return field


def program_choices() -> list:
    rows = Program.objects.filter(workflow__in=list(APPLICATION_FAMILIES), active=True).order_by("sort", "code")
    return BLANK + [(p.code, p.name) for p in rows]


class InputsMixin(forms.Form):
    """The programme's findings (特困 护理等级, 临时救助 类型与金额, 刚性支出 …) shared by application,
    investigation and the what-if."""

    linshi_kind = forms.ChoiceField(label="临时救助类型", required=False, choices=BLANK + list(LINSHI_KINDS.items()))
    amount = forms.DecimalField(label="临时救助金额（元）", required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    care_level = forms.ChoiceField(label="护理等级（特困）", required=False, choices=BLANK + CareLevel.choices)
    support_mode = forms.ChoiceField(label="供养方式（特困）", required=False, choices=BLANK + SupportMode.choices)
    no_supporter = forms.BooleanField(label="无法定义务人或义务人无履行能力（特困）", required=False)
    rigid_expenditure = forms.DecimalField(label="近12个月刚性支出合计（元）", required=False, min_value=0,
                                           max_digits=12, decimal_places=2)
    income_12m = forms.DecimalField(label="近12个月家庭总收入（元）", required=False, min_value=0, max_digits=12,
                                    decimal_places=2)

    def inputs(self) -> dict:
        """Only what was entered: an empty field is not a finding (and no_supporter only when ticked)."""
        data = self.cleaned_data
        return {key: data[key] for key in INPUT_FIELDS if data.get(key) not in (None, "", False)}


# ---- 申请、测算 ---------------------------------------------------------------------------------------------------


class ApplyForm(InputsMixin, StyledForm):
    program = forms.ChoiceField(label="救助项目")
    household = forms.Field(required=False)
    person = forms.Field(required=False)
    applicant = forms.Field(required=False)
    channel = forms.ChoiceField(label="申请渠道", choices=Channel.choices, initial=Channel.WORKER)
    authorised_data_check = forms.BooleanField(label="已签署家庭经济状况核对授权书", required=False)
    submitted_on = forms.DateField(label="申请日期", required=False, widget=DateInput,
                                   help_text="纸质申请补录时填写申请人提交申请的日期；不填为今天；不得晚于今天")
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["program", "household", "person", "applicant", "channel", "submitted_on", "authorised_data_check"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices()
        self.fields["household"] = household_field(user, required=False)
        self.fields["household"].help_text = "以家庭为单位的项目必填；特困可不填（取对象所在家庭）"
        self.fields["person"] = person_field(user, "救助对象（特困等个人项目）")
        self.fields["applicant"] = person_field(user, "申请人（默认户主）")
        self.fields["single_person"] = person_field(user, "单人户申请的成员（低保）")
        self.fields["single_person"].help_text = ("低保边缘家庭中的重度残疾或重病成员单独纳入低保；"
                                                  "须有残疾人证或重特大疾病登记（《最低生活保障审核确认办法》第八条）")
        self.fields["single_person_ground"] = forms.ChoiceField(
            label="单人户事由", required=False, choices=BLANK + list(SINGLE_PERSON_GROUNDS.items()))
        self.order_fields(self.field_order)

    def inputs(self) -> dict:
        """The findings, with the 单人户 member (by id) and ground when either was given."""
        found = super().inputs()
        member, ground = self.cleaned_data.get("single_person"), self.cleaned_data.get("single_person_ground")
        if member is not None:
            found["single_person"] = member.pk
        if ground:
            found["single_person_ground"] = ground
        return found


class QuoteForm(InputsMixin, StyledForm):
    program = forms.ChoiceField(label="救助项目")
    household = forms.Field(required=False)
    person = forms.Field(required=False)
    month = MonthField(label="测算月份")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices()
        self.fields["household"] = household_field(user, required=False)
        self.fields["person"] = person_field(user, "对象（个人项目）")
        self.order_fields(["program", "household", "person", "month"])


class NonresidentForm(StyledForm):
    """急难发生地救助登记 (assistance.nonresident): a person with no household here, recorded minimally, and the
    急难型 临时救助 amount; the community where the emergency happened is one of the user's."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    hukou_place = forms.CharField()  # replaced in __init__ by the 户籍地 picker
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    area = forms.ChoiceField(label="急难发生地（村社区）")
    amount = forms.DecimalField(label="临时救助金额（元）", min_value=0, max_digits=12, decimal_places=2)
    channel = forms.ChoiceField(label="申请渠道", choices=Channel.choices, initial=Channel.WORKER)
    authorised_data_check = forms.BooleanField(label="已签署信息核对授权书（事后核对用）", required=False)
    note = forms.CharField(label="急难情形", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="发生了什么、何时何地，写入通报函前请核对")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hukou_place"] = division_field("户籍地")
        self.fields["hukou_place"].help_text = "按名称选择户籍所在区县（可为外省市）"
        self.fields["area"].choices = community_choices(user)
        self.fields["area"].error_messages["invalid_choice"] = "所选村社区不存在或不在您的管辖范围内"
        self.order_fields(["name", "id_number", "hukou_place", "phone", "area", "amount", "channel",
                           "authorised_data_check", "note"])


# ---- 办理环节 ---------------------------------------------------------------------------------------------------


class CaseForm(StyledForm):
    """An action form knows its case (for the choices it offers) and who is acting."""

    def __init__(self, *args, case: Case, user, **kwargs):
        self.case, self.user = case, user
        super().__init__(*args, **kwargs)


def _note(label: str = "说明") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput, help_text="不填为今天；不得晚于今天")


class AcceptForm(CaseForm):
    date = forms.DateField(label="受理日期", required=False, widget=DateInput,
                           help_text="纸质申请补录时填写法定受理日期；各项期限由此起算；不得晚于今天")
    missing = forms.CharField(label="需补正材料（一次性告知）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="材料不全时每行填写一项，一次性告知全部需补正的材料；材料齐全则不填")
    authorised_data_check = forms.BooleanField(label="申请人已签署家庭经济状况核对授权书", required=False)
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = clock.today()
        self.fields["authorised_data_check"].initial = self.case.application.authorised_data_check

    def missing_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("missing", "").splitlines() if line.strip()]


def investigator_choices(area_code: str) -> QuerySet:
    """Staff in charge of the case's area (its community, town or district) who may carry out 入户调查 (a grant
    of application/investigate, in one filter so resource and action are the same grant row)."""
    return (get_user_model().objects.filter(is_active=True, area_id__in=area_ancestor_codes(area_code),
                                            roles__grants__resource="application",
                                            roles__grants__action="investigate")
            .select_related("area").distinct().order_by("area_id", "username"))


class _StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username}（{obj.area.name}）"


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IncomeRowForm(StyledForm):
    """One income found (成员、类别、月收入); an empty row is ignored."""

    person = _MemberChoice(label="成员", queryset=Person.objects.none(), required=False, empty_label="成员")
    category = forms.ModelChoiceField(label="收入类别", queryset=IncomeCategory.objects.all(), required=False,
                                      empty_label="收入类别")
    monthly_amount = forms.DecimalField(label="月收入（元）", required=False, min_value=0, max_digits=12,
                                        decimal_places=2,
                                        widget=forms.NumberInput(attrs={"placeholder": "月收入（元）"}))

    def __init__(self, *args, members: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members

    def clean(self):
        data = super().clean()
        filled = [data.get(k) not in (None, "") for k in ("person", "category", "monthly_amount")]
        if any(filled) and not all(filled):
            raise forms.ValidationError("请完整填写成员、收入类别和月收入，或清空该行")
        return data

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("person"):
            return None
        return {"person": data["person"].pk, "category": data["category"].code,
                "monthly_amount": data["monthly_amount"]}


class AssetRowForm(StyledForm):
    """One property item found; an empty row is ignored."""

    kind = forms.ChoiceField(label="财产类别", required=False, choices=[("", "财产类别")] + Asset.Kind.choices)
    value = forms.DecimalField(label="价值（元）", required=False, min_value=0, max_digits=14, decimal_places=2,
                               widget=forms.NumberInput(attrs={"placeholder": "价值（元）"}))
    description = forms.CharField(label="说明", required=False, max_length=200,
                                  widget=forms.TextInput(attrs={"placeholder": "说明，如车牌、坐落"}))
    person = _MemberChoice(label="所有人", queryset=Person.objects.none(), required=False, empty_label="家庭共有")
    exempt = forms.BooleanField(label="生产生活必需（豁免）", required=False)

    def __init__(self, *args, members: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members

    def clean(self):
        data = super().clean()
        if bool(data.get("kind")) != (data.get("value") is not None):
            raise forms.ValidationError("请同时填写财产类别和价值，或清空该行")
        return data

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return {"kind": data["kind"], "value": data["value"], "description": data.get("description", ""),
                "exempt": bool(data.get("exempt")), "person": data["person"].pk if data.get("person") else None}


IncomeFormSet = forms.formset_factory(IncomeRowForm, extra=3, max_num=20)
AssetFormSet = forms.formset_factory(AssetRowForm, extra=2, max_num=20)


class InvestigateForm(InputsMixin, CaseForm):
    investigator_1 = _StaffChoice(label="调查人员一", queryset=get_user_model().objects.none(), empty_label="请选择")
    investigator_2 = _StaffChoice(label="调查人员二", queryset=get_user_model().objects.none(), empty_label="请选择",
                                  help_text="入户调查须由至少两名不同的工作人员进行")
    visited_on = _date("调查日期")
    method = forms.ChoiceField(label="调查方式", choices=Investigation.Method.choices)
    self_care_failed = forms.MultipleChoiceField(label="生活自理能力评估：不能完成的项目（特困）", required=False,
                                                 choices=list(SELF_CARE_ITEMS.items()),
                                                 widget=forms.CheckboxSelectMultiple)
    members_present = forms.CharField(label="在场家庭成员", required=False, max_length=200)
    note = _note("调查意见")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = investigator_choices(self.case.area_id)
        self.fields["investigator_1"].queryset = self.fields["investigator_2"].queryset = staff
        self.fields["investigator_1"].initial = self.user.pk
        self.fields["self_care_failed"].widget.attrs.pop("class", None)
        members = (Person.objects.filter(memberships__household_id=self.case.household_id,
                                         memberships__is_active=True).order_by("pk")
                   if self.case.household_id else Person.objects.none())
        data = args[0] if args else kwargs.get("data")
        self.incomes = IncomeFormSet(data, prefix="incomes", form_kwargs={"members": members})
        self.assets = AssetFormSet(data, prefix="assets", form_kwargs={"members": members})

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.incomes.is_valid(), self.assets.is_valid()])

    def assessment_fields(self) -> list:
        """The findings this case's programme asks for (its quote inputs), in the order the programme lists them."""
        names = [f for key in self.case.program.quote_inputs for f in INPUT_FORM_FIELDS.get(key, ())]
        return [self[name] for name in dict.fromkeys(names)]

    def assessment(self) -> dict:
        found = self.inputs()
        if self.cleaned_data.get("self_care_failed"):
            found["self_care_failed"] = list(self.cleaned_data["self_care_failed"])
        return found

    def items(self, formset) -> list[dict]:
        return [item for item in (row.item() for row in formset) if item is not None]


class VerifyForm(CaseForm):
    sources = forms.MultipleChoiceField(label="核对事项", choices=list(VERIFICATION_SOURCES.items()),
                                        widget=forms.CheckboxSelectMultiple, required=False)
    result = forms.ChoiceField(label="核对结果", choices=BLANK + Verification.Result.choices, required=False)
    checked_on = _date("核对日期")
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].widget.attrs.pop("class", None)


class EvaluateForm(CaseForm):
    participants = forms.IntegerField(label="参加评议人数", min_value=1, max_value=1000)
    result = forms.ChoiceField(label="评议结果", choices=BLANK + Evaluation.Result.choices, required=False)
    held_on = _date("评议日期")
    note = _note("评议意见")


class ReviewForm(CaseForm):
    opinion = forms.ChoiceField(label="初审意见", choices=[("", "请选择"), ("agree", "同意"), ("disagree", "不同意")],
                                required=False)
    reviewed_on = _date("初审日期")
    note = _note()


class PublishForm(CaseForm):
    date = _date("公示开始日期")
    note = _note()


class _ObjectionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.received_on:%Y-%m-%d} {obj.objector or '匿名'}：{obj.content[:30]}"


class ObjectionForm(CaseForm):
    objection = _ObjectionChoice(label="处理已登记的异议", queryset=Objection.objects.none(), required=False,
                                 empty_label="（登记新的异议）")
    content = forms.CharField(label="异议内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    objector = forms.CharField(label="异议人（可匿名）", required=False, max_length=50)
    received_on = _date("收到日期")
    decision = forms.ChoiceField(label="处理结果", required=False,
                                 choices=[("", "（暂不处理）"), ("upheld", "异议成立（重新调查）"),
                                          ("dismissed", "异议不成立")])
    handling = forms.CharField(label="处理情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objection"].queryset = self.case.objections.filter(status=Objection.Status.OPEN)


class ConfirmForm(CaseForm):
    household_kind = forms.ChoiceField(label="定期核查类别", choices=Recheck.Kind.choices,
                                       initial=Recheck.Kind.UNSTABLE,
                                       help_text="决定纳入后的定期核查间隔（政策参数 recheck_months_*）")
    decided_on = _date("审核确认日期")
    note = _note()


class RejectForm(CaseForm):
    reasons = forms.CharField(label="不予确认理由（书面说明）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(CaseForm):
    reason = forms.CharField(label="延期理由", required=False, max_length=200)


class WithdrawForm(CaseForm):
    reason = forms.CharField(label="撤回原因", required=False, max_length=500)


class UrgentApproveForm(CaseForm):
    amount = forms.DecimalField(label="先行救助金额（元）", required=False, min_value=0, max_digits=12,
                                decimal_places=2, help_text="不填则按申请时的金额")
    note = _note()


# ---- 复核 ------------------------------------------------------------------------------------------------------


class RecheckForm(StyledForm):
    outcome = forms.ChoiceField(label="复核结论", choices=BLANK + Recheck.Outcome.choices, required=False)
    reason = forms.CharField(label="复核意见", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text="核查情况与结论理由，写入变更通知")
    phase_out_months = forms.IntegerField(label="渐退期（月）", required=False, min_value=1, max_value=99,
                                          help_text="仅“渐退”填写；最长不超过政策参数规定的月数")
    household_kind = forms.ChoiceField(label="下次核查的家庭类别", choices=Recheck.Kind.choices)


def default_month() -> date:
    return clock.today().replace(day=1)
