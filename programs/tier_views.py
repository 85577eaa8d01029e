"""分档救助金额 page (区民政): per programme that can pay by tiers, which areas have tiers in force ("未启用分档"
where none: the gap formula applies), the history of an area's tier sets, and a new set from a month with its
cited source. Reads through `programs.tiers`; the write is `amount_tiers_set`, which checks the grant and the
area again and saves the whole set or nothing."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.policy import allowed, scope_prefix
from areas.models import Area, AreaLevel
from programs.tier_forms import TierRows, TierSetForm
from programs.tiers import amount_tier_history, amount_tiers_at, amount_tiers_set, tiered_programs
from web.views.common import require


def _areas(user) -> list[Area]:
    """The district and towns in the user's scope (tiers are set for a district or a town)."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    return list(Area.objects.filter(level__in=(AreaLevel.DISTRICT, AreaLevel.TOWN), valid_to__isnull=True,
                                    code__startswith=prefix).order_by("code"))


def _chosen(options: list, value: str, key):
    """The option whose key is `value`, the first one when nothing was asked; a 404 for anything else."""
    if not value:
        return options[0] if options else None
    found = next((o for o in options if key(o) == value), None)
    if found is None:
        raise Http404("项目或区划不存在或不在您的管辖范围内")
    return found


def _status(program, areas: list[Area], month) -> list[dict]:
    """Each area's tiers in force this month, and where they come from (its own set or an enclosing area's)."""
    names = {a.code: a.name for a in areas}
    rows = []
    for area in areas:
        tiers = amount_tiers_at(program, area.code, month)
        source = tiers[0].area_code if tiers else ""
        rows.append({"area": area, "tiers": tiers, "inherited": bool(tiers) and source != area.code,
                     "from_name": names.get(source) or Area.objects.filter(code=source).values_list(
                         "name", flat=True).first() or "上级区划"})
    return rows


def _errors_shown(form: TierSetForm, exc: ValidationError) -> list[str]:
    """The service's refusal on the form's fields; what it says about the tiers as a whole is returned, for the
    rows' table."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    tier_errors = errors.pop("tiers", [])
    for name, texts in errors.items():
        form.add_error(name if name in form.fields else None, texts)
    return tier_errors


@login_required
def tier_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "policy", "view")
    if request.method == "POST":
        require(request.user, "policy", "change")
    params = request.POST if request.method == "POST" else request.GET
    programs, areas = list(tiered_programs()), _areas(request.user)
    program = _chosen(programs, params.get("program", ""), lambda p: p.code)
    area = _chosen(areas, params.get("area", ""), lambda a: a.code)
    can_set = allowed(request.user, "policy", "change") and area is not None and program is not None
    form, rows, tier_errors = TierSetForm(request.POST or None), TierRows(request.POST or None, prefix="tiers"), []
    if request.method == "POST" and can_set:
        if form.is_valid() and rows.is_valid():
            try:
                amount_tiers_set(acting_user=request.user, program=program, area_code=area.code,
                                 valid_from=form.cleaned_data["valid_from"], tiers=rows.tiers(),
                                 source=form.cleaned_data["source"], verified=form.cleaned_data["verified"])
            except ValidationError as exc:
                tier_errors = _errors_shown(form, exc)
            else:
                messages.success(request, f"已设定{area.name}{program.name}分档补助标准"
                                          f"（{form.cleaned_data['valid_from']:%Y年%m月}起）")
                return redirect(f"{reverse('tier-list')}?{urlencode({'program': program.code, 'area': area.code})}")
    month = timezone.localdate().replace(day=1)
    return render(request, "programs/tiers.html", {
        "programs": programs, "areas": areas, "program": program, "area": area, "can_set": can_set,
        "status": _status(program, areas, month) if program else [], "month": month,
        "history": amount_tier_history(program, area.code) if program and area else [],
        "form": form, "rows": rows, "tier_errors": tier_errors})
