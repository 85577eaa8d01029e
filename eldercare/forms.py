"""能力评估录入表单: the base fields; the 26 item scores are read from the POST by item code (one select each,
grouped by dimension in the template) and checked by the service against the standard."""

from django import forms
from django.contrib.auth import get_user_model

from eldercare.models import Assessment
from minzheng.lookups import prefix_q


class AssessmentForm(forms.Form):
    date = forms.DateField(label="评估日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label="评估原因", choices=Assessment.Reason.choices)
    second_assessor = forms.ModelChoiceField(label="第二评估员", queryset=get_user_model().objects.none())
    diagnoses = forms.CharField(label="疾病诊断（ICD-10编码，用逗号或空格分隔）", required=False, max_length=200)
    health_problems = forms.CharField(label="健康问题（用逗号分隔）", required=False, max_length=300)
    risk_events_30d = forms.IntegerField(label="近30天照护风险事件次数（跌倒、噎食、自伤、走失等）", min_value=0,
                                         max_value=100, initial=0)
    coma = forms.BooleanField(label="昏迷", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = user.area.scope_prefix[:6] if user.area_id else ""
        self.fields["second_assessor"].queryset = (get_user_model().objects.filter(
            prefix_q("area_id", prefix), is_active=True).exclude(pk=user.pk).order_by("username"))
        self.fields["second_assessor"].label_from_instance = lambda u: u.get_full_name() or u.username
        for name, field in self.fields.items():
            css = {"coma": "form-check-input", "reason": "form-select", "second_assessor": "form-select"}
            field.widget.attrs["class"] = css.get(name, "form-control")


def split_codes(text: str) -> list[str]:
    return [part for part in text.replace("，", ",").replace(",", " ").split() if part]
