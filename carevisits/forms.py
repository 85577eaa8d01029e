"""探访关爱表单: they parse what a worker tapped or typed; the services decide what is valid and allowed."""

from django import forms

from carevisits.models import Visit
from registry.selectors import persons_visible
from web.forms import PersonPicker, StyledForm


class VisitForm(forms.Form):
    """探访记录: big buttons on a phone — each choice a radio rendered as a button."""

    kind = forms.ChoiceField(label="方式", choices=Visit.Kind.choices, widget=forms.RadioSelect)
    reached = forms.TypedChoiceField(label="是否联系上本人", choices=[("1", "已联系上"), ("0", "未联系上")],
                                     coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect)
    health = forms.ChoiceField(label="身体状况", choices=Visit.Health.choices, required=False,
                               widget=forms.RadioSelect)
    safety = forms.ChoiceField(label="居住安全", choices=Visit.Safety.choices, required=False,
                               widget=forms.RadioSelect)
    need = forms.ChoiceField(label="需求", choices=Visit.Need.choices, initial=Visit.Need.NONE,
                             widget=forms.RadioSelect)
    note = forms.CharField(label="情况说明", required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class PlanForm(StyledForm):
    home_visits_per_week = forms.IntegerField(label="每周上门探访次数", required=False, min_value=0, max_value=14,
                                              help_text="留空按政策参数")
    phone_calls_per_week = forms.IntegerField(label="每周电话探访次数", required=False, min_value=0, max_value=14,
                                              help_text="留空按政策参数")


class ManualAddForm(StyledForm):
    person = forms.IntegerField(label="人员", widget=PersonPicker())
    reason = forms.CharField(label="纳入原因", max_length=200, help_text="如：子女长期在外、失独、重病等")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.queryset = persons_visible(user) if user is not None else None
