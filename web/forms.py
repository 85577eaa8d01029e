"""Page forms (页面表单): they parse what a person typed into what the services take.

The services decide what is valid and allowed; these forms only check shape (a date is a date) and limit the
choices offered to what the user may see, so a choice outside their area is refused as "not a valid option".
"""

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from accounts.policy import scope_prefix
from areas.models import Area, AreaLevel
from registry.models import Asset, Disability, HouseholdMember, HukouType, IncomeCategory, Person, PersonFact, Relation
from registry.selectors import persons_visible

BLANK = [("", "请选择")]
KIND_SHORT = {
    IncomeCategory.Kind.COUNTED: "计入",
    IncomeCategory.Kind.EXCLUDED: "不计入",
    IncomeCategory.Kind.DEDUCTIBLE: "可扣减",
}


def community_choices(user) -> list:
    """Current communities (村社区) inside the user's area, grouped by town when there is more than one town."""
    prefix = scope_prefix(user)
    if prefix is None:
        return BLANK
    rows = Area.objects.filter(level=AreaLevel.COMMUNITY, valid_to__isnull=True, code__startswith=prefix)
    groups: dict[str, list[tuple[str, str]]] = {}
    for area in rows.select_related("parent").order_by("code"):
        groups.setdefault(area.parent.name if area.parent else "", []).append((area.code, area.name))
    if len(groups) == 1:
        return BLANK + next(iter(groups.values()))
    return BLANK + list(groups.items())


class PersonPicker(forms.Widget):
    """A hidden person id with an htmx search box; the label of the chosen person comes from a scoped queryset."""

    template_name = "web/widgets/person_picker.html"
    queryset: QuerySet | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["autocomplete_url"] = reverse("person-autocomplete")
        person = None
        if self.queryset is not None and value and str(value).isdigit():
            person = self.queryset.filter(pk=value).first()
        context["chosen_label"] = f"{person.name}（{person.masked_id_number or '无身份证号'}）" if person else ""
        return context


class DivisionPicker(forms.Widget):
    """A hidden 12-digit division code (户籍地 anywhere in the country) with an htmx search by name; the person
    reads and picks names only (areas.divisions)."""

    template_name = "web/widgets/division_picker.html"

    def get_context(self, name, value, attrs):
        from areas.divisions import division_name

        context = super().get_context(name, value, attrs)
        context["autocomplete_url"] = reverse("division-autocomplete")
        context["chosen_label"] = division_name(str(value)) if value and str(value).isdigit() else ""
        return context


def division_field(label: str = "户籍地", required: bool = True) -> forms.CharField:
    """A 户籍地 chosen by name; the value is the division's 12-digit code (the service checks it)."""
    return forms.CharField(label=label, required=required, max_length=12, widget=DivisionPicker,
                           error_messages={"required": f"请选择{label}"})


class StyledForm(forms.Form):
    """Adds the Bootstrap classes, so templates can render any field the same way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, PersonPicker | DivisionPicker):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (`<input type="month">`), kept as the first day of that month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "月份格式应为 年-月，如 2026-01"}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month", "placeholder": "2026-01"}, format="%Y-%m"))
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _person_field(user, label: str = "人员", required: bool = True) -> forms.ModelChoiceField:
    queryset = persons_visible(user).exclude(status=Person.Status.DECEASED)
    field = forms.ModelChoiceField(queryset=queryset, label=label, required=required, widget=PersonPicker,
                                   error_messages={"invalid_choice": "所选人员不存在或不在您的管辖范围内"})
    field.widget.queryset = queryset
    return field


# ---- persons (人员) ----------------------------------------------------------------------------------------


class PersonCreateForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=20, required=False,
                                help_text="18位居民身份证号码；出生日期和性别由号码得出")
    no_id_reason = forms.ChoiceField(label="无身份证号原因", required=False,
                                     choices=[("", "（有身份证号时不填）")] + Person.NoIdReason.choices)
    other_document = forms.CharField(label="其他证件号", max_length=40, required=False, help_text="如护照号")
    area = forms.ChoiceField(label="居住村社区")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = community_choices(user)


class PersonEditForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False, help_text="留空表示不修改")
    area = forms.ChoiceField(label="居住村社区")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = community_choices(user)


class DeathForm(StyledForm):
    death_date = forms.DateField(label="死亡日期", widget=DateInput)


class DisabilityForm(StyledForm):
    category = forms.ChoiceField(label="残疾类别", choices=BLANK + Disability.Category.choices)
    grade = forms.TypedChoiceField(label="残疾等级", coerce=int, choices=BLANK + Disability.Grade.choices)
    certificate_number = forms.CharField(label="残疾人证号", max_length=30, required=False)
    issued_on = forms.DateField(label="发证日期", required=False, widget=DateInput)


class PersonFactForm(StyledForm):
    """登记人员情况: one fact from a date; the value is a 区划代码, one of the kind's labels, or a disease's name."""

    kind = forms.ChoiceField(label="类别", choices=BLANK + PersonFact.Kind.choices)
    value = forms.CharField(label="内容", max_length=100, help_text=(
        "户籍地填6、9或12位区划代码；婚姻状况填 未婚/已婚/离婚/丧偶；"
        "劳动能力填 有劳动能力/部分丧失劳动能力/无劳动能力；就业状况填 就业/灵活就业/务农/失业（无业）/在校学生/退休；"
        "重特大疾病填病种名称"))
    valid_from = forms.DateField(label="起始日期", widget=DateInput)
    diagnosed_on = forms.DateField(label="确诊日期", required=False, widget=DateInput, help_text="重特大疾病必填")


# ---- households (家庭) ---------------------------------------------------------------------------------------


class HouseholdForm(StyledForm):
    area = forms.ChoiceField(label="所在村社区")
    hukou_type = forms.ChoiceField(label="户籍类型", choices=BLANK + HukouType.choices)
    address = forms.CharField(label="住址", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = community_choices(user)


class MemberRowForm(StyledForm):
    """One row of the new household's member list; an empty row is ignored."""

    person = forms.Field(required=False)
    relation = forms.ChoiceField(label="与户主关系", choices=BLANK + Relation.choices, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _person_field(user, required=False)

    def clean(self):
        data = super().clean()
        if data.get("person") and not data.get("relation"):
            self.add_error("relation", "请选择与户主关系")
        return data


MemberFormSet = forms.formset_factory(MemberRowForm, extra=5, max_num=20)


class HouseholdEditForm(StyledForm):
    hukou_type = forms.ChoiceField(label="户籍类型", choices=HukouType.choices)
    address = forms.CharField(label="住址", max_length=200, required=False)


class MemberAddForm(StyledForm):
    person = forms.Field()
    relation = forms.ChoiceField(label="与户主关系", choices=BLANK + Relation.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _person_field(user)


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _MembershipChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.get_relation_display()}）"


class MemberRemoveForm(StyledForm):
    member = _MembershipChoice(label="成员", queryset=HouseholdMember.objects.none(), empty_label="请选择")
    reason = forms.CharField(label="离开原因", max_length=100, help_text="如：迁出、嫁出、分户")
    on = forms.DateField(label="离开日期", required=False, widget=DateInput, help_text="不填为今天")

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = household.members.filter(is_active=True).select_related("person")


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{KIND_SHORT.get(obj.kind, obj.get_kind_display())}）"


class IncomeForm(StyledForm):
    person = _MemberChoice(label="成员", queryset=Person.objects.none(), empty_label="请选择")
    category = _CategoryChoice(label="收入类别", queryset=IncomeCategory.objects.all(), empty_label="请选择")
    monthly_amount = forms.DecimalField(label="月收入（元）", max_digits=12, decimal_places=2, min_value=0)
    start_month = MonthField(label="起始月份")
    end_month = MonthField(label="截止月份", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, members: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members


class AssetForm(StyledForm):
    kind = forms.ChoiceField(label="财产类别", choices=BLANK + Asset.Kind.choices)
    value = forms.DecimalField(label="价值（元）", max_digits=14, decimal_places=2)
    description = forms.CharField(label="说明", max_length=200, required=False)
    person = _MemberChoice(label="所有人", queryset=Person.objects.none(), required=False, empty_label="（家庭共有）")
    exempt = forms.BooleanField(label="生产生活必需（豁免）", required=False)

    def __init__(self, *args, members: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members
