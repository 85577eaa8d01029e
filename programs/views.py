"""调整待遇页面 (区民政): the pending re-ratings with their preview — enrolments and monthly difference by
programme and town — and the confirm button; below, the latest applied ones. Reads through
`programs.rerate.rerates_visible`; confirming goes through `rerate_confirm`, which checks the grant again."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.policy import allowed, scope_prefix
from areas.models import Area
from programs.models import Rerate
from programs.rerate import DISTRICT_LENGTH, rerate_confirm, rerates_visible
from web.views.common import require, service_error_text


def _yuan(value) -> str:
    """Thousands separators every three digits ("1,540.00"): the zh-hans locale groups by four, or not at all."""
    return f"{Decimal(value):,.2f}"


def _rows(rerates: list[Rerate]) -> list[dict]:
    towns = {code for r in rerates for code in (r.preview or {}).get("by_town", {})}
    names = dict(Area.objects.filter(code__in=towns).values_list("code", "name"))
    rows = []
    for r in rerates:
        by_town = [{"name": names.get(code, code), "enrolments": f"{v['enrolments']:,}",
                    "difference": _yuan(v["difference"])}
                   for code, v in sorted((r.preview or {}).get("by_town", {}).items())]
        by_program = [{"name": v.get("name", code), "enrolments": f"{v['enrolments']:,}",
                       "difference": _yuan(v["difference"])}
                      for code, v in (r.preview or {}).get("by_program", {}).items()]
        rows.append({"rerate": r, "by_town": by_town, "by_program": by_program, "enrolments": f"{r.enrolments:,}",
                     "difference": _yuan(r.monthly_difference)})
    return rows


@login_required
def rerate_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "policy", "view")
    prefix = scope_prefix(request.user)
    pending = list(rerates_visible(request.user, status=Rerate.Status.PENDING))
    done = list(rerates_visible(request.user).exclude(status=Rerate.Status.PENDING)[:20])
    return render(request, "programs/rerate_list.html", {
        "pending": _rows(pending), "done": _rows(done),
        "can_confirm": allowed(request.user, "policy", "change") and prefix is not None
        and len(prefix) <= DISTRICT_LENGTH})


@login_required
@require_POST
def rerate_confirm_page(request: HttpRequest, pk: int) -> HttpResponse:
    rerate = rerates_visible(request.user).filter(pk=pk).first()
    if rerate is None:
        raise Http404("调整待遇不存在或不在您的管辖范围内")
    try:
        rerate = rerate_confirm(rerate=rerate, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"确认失败：{service_error_text(exc)}")
        return redirect("rerate-list")
    if rerate.status == Rerate.Status.APPLIED:
        messages.success(request, f"已确认并完成调整：{rerate}，涉及 {rerate.enrolments} 户（人）；"
                                  "已生成批次的月份将在下一批次补发差额")
    else:
        messages.success(request, f"已确认：{rerate}，将在 {rerate.valid_from:%Y年%m月} 发放前完成调整")
    return redirect("rerate-list")
