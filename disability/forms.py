"""Forms of the disabled person's page: a 精康融合 session and an assistive-device application (辅助器具申请)."""

from django import forms

from disability.models import RehabParticipant, RehabSite
from minzheng.lookups import prefix_q

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm"})


class RehabSessionForm(forms.Form):
    participant = forms.ModelChoiceField(label="服务站点", queryset=RehabParticipant.objects.none(),
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    held_on = forms.DateField(label="服务日期", widget=DATE)
    activity = forms.CharField(label="服务内容", max_length=100, widget=TEXT)
    attended = forms.BooleanField(label="到场", required=False, initial=True,
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = (RehabParticipant.objects.filter(person=person, left_on__isnull=True)
                                               .select_related("site"))
        self.fields["participant"].label_from_instance = lambda p: p.site.name


class DeviceApplicationForm(forms.Form):
    device = forms.CharField(label="辅助器具", max_length=100, widget=TEXT)
    applied_on = forms.DateField(label="申请日期", widget=DATE)
    fukang = forms.BooleanField(label="福康工程项目", required=False,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class RehabJoinForm(forms.Form):
    site = forms.ModelChoiceField(label="精康融合服务站点", queryset=RehabSite.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    joined_on = forms.DateField(label="纳入日期", widget=DATE)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        # the sites of the person's town (a community site or the town's own)
        self.fields["site"].queryset = RehabSite.objects.filter(prefix_q("area_id", person.area_id[:9]), active=True)
