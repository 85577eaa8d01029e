"""特困认定抽查 page (district): draw a town's sample from a seed (recorded), see past draws and their samples,
record each sampled case's result."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.policy import allowed
from areas.models import Area, AreaLevel
from assistance.tekun import SPOT_CHECK_RESOURCE, spot_check_draw, spot_check_result_record, spot_checks_visible
from web.forms import DateInput, StyledForm
from web.views.common import require, service_errors_to_form


class SpotCheckForm(StyledForm):
    town = forms.ChoiceField(label="乡镇（街道）")
    period_from = forms.DateField(label="受理日期自", widget=DateInput)
    period_to = forms.DateField(label="受理日期至", widget=DateInput)
    seed = forms.CharField(label="随机种子", max_length=40, required=False,
                           help_text="留空则随机生成并记录；同一种子、同一批案件抽中的案件相同，可复核")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = user.area_id[:6] if user.area_id else ""
        towns = Area.objects.filter(level=AreaLevel.TOWN, code__startswith=prefix, valid_to__isnull=True)
        self.fields["town"].choices = [(a.code, a.name) for a in towns.order_by("code")]


@login_required
def spot_check_list(request: HttpRequest) -> HttpResponse:
    require(request.user, SPOT_CHECK_RESOURCE, "view")
    can_draw = allowed(request.user, SPOT_CHECK_RESOURCE, "add")
    form = SpotCheckForm(request.POST or None, user=request.user) if can_draw else None
    if request.method == "POST":
        require(request.user, SPOT_CHECK_RESOURCE, "add")
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = spot_check_draw(acting_user=request.user, town_code=data["town"], seed=data["seed"],
                                        period_from=data["period_from"], period_to=data["period_to"])
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            else:
                messages.success(request, f"已抽取：{len(check.population)}件中抽取{len(check.sample)}件"
                                          f"（种子 {check.seed}）")
                return redirect("assistance-spot-checks")
    checks = spot_checks_visible(request.user).select_related("area", "drawn_by")[:50]
    return render(request, "assistance/spot_checks.html", {"form": form, "checks": checks, "tab": "spot"})


@login_required
@require_POST
def spot_check_result(request: HttpRequest, pk: int, case_id: int) -> HttpResponse:
    require(request.user, SPOT_CHECK_RESOURCE, "add")
    check = spot_checks_visible(request.user).filter(pk=pk).first()
    if check is None:
        raise Http404("抽查记录不存在或不在您的管辖范围内")
    try:
        spot_check_result_record(acting_user=request.user, check=check, case_id=case_id,
                                 result=request.POST.get("result", ""), note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已登记案件{case_id}的抽查结论")
    return redirect("assistance-spot-checks")
