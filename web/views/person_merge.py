"""重复登记合并 page (district officer): pick the record to keep and the duplicate, see what each holds, merge."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from registry.merge import person_link_counts, person_merge
from registry.models import Person
from registry.selectors import persons_visible
from web.forms import StyledForm
from web.views.common import require, service_errors_to_form


class PersonMergeForm(StyledForm):
    keep = forms.IntegerField(label="保留的人员编号", min_value=1, help_text="通常为有身份证号的记录")
    remove = forms.IntegerField(label="并入的重复记录编号", min_value=1, help_text="合并后该记录标记为“已合并”")
    reason = forms.CharField(label="合并依据", max_length=200, required=False, help_text="如：经户籍核对为同一人")


def _person(user, pk) -> Person | None:
    return persons_visible(user).filter(pk=pk).select_related("area").first() if pk else None


def _labels(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The link counts with each model's Chinese name, never its label."""
    from django.apps import apps

    rows = []
    for label, n in counts.items():
        app_model, _, field = label.rpartition(".")
        model = apps.get_model(app_model)
        rows.append((f"{model._meta.verbose_name}（{model._meta.get_field(field).verbose_name}）", n))
    return rows


@login_required
def person_merge_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "person", "merge")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PersonMergeForm(data)
    sides = []
    if form.is_valid():
        people = [_person(request.user, form.cleaned_data[k]) for k in ("keep", "remove")]
        for key, person in zip(("keep", "remove"), people, strict=True):
            if person is None:
                form.add_error(key, "人员不存在或不在您的管辖范围内")
        if all(people):
            sides = [(title, p, _labels(person_link_counts(p))) for title, p in zip(("保留", "并入"), people,
                                                                                   strict=True)]
        if request.method == "POST" and all(people):
            try:
                keep = person_merge(acting_user=request.user, keep=people[0], remove=people[1],
                                    reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            else:
                messages.success(request, f"已合并：{people[1].name}（人员{people[1].pk}）并入本记录")
                return redirect("person-detail", pk=keep.pk)
    return render(request, "web/persons/merge.html", {"form": form, "sides": sides})
