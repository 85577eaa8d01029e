"""养老机构与居家服务页面: homes (a provider's account sees its own only), a home's figures, its monthly report
and daily checklist forms; service orders with the year's targets by town."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.policy import allowed, restrict, scope_prefix
from eldercare.homes import (
    carehomes_visible,
    monthly_report_submit,
    occupancy_by_level,
    person_for_admission,
    resident_admit,
    resident_discharge,
    residents_current,
    safety_check_record,
)
from eldercare.models import CareHomeResident, SafetyChecklistItem, ServiceOrder
from eldercare.orders import targets_progress
from eldercare.selectors import latest_level
from web.views.common import PAGE_SIZE, require, service_error_text

LEVELS = [(0, "能力完好"), (1, "轻度失能"), (2, "中度失能"), (3, "重度失能"), (4, "完全失能")]


@login_required
def home_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "carehome", "view")
    homes = list(carehomes_visible(request.user).order_by("name")[:PAGE_SIZE])
    return render(request, "eldercare/homes.html", {"homes": homes})


def _home(user, pk: int, action: str = "view"):
    home = carehomes_visible(user, action).filter(pk=pk).first()
    if home is None:
        raise Http404
    return home


@login_required
def home_detail(request: HttpRequest, pk: int) -> HttpResponse:
    home = _home(request.user, pk)
    occupancy = occupancy_by_level(home)
    residents = list(residents_current(home)[:PAGE_SIZE])
    labels = dict(LEVELS)
    for r in residents:
        r.level_label = labels.get(r.care_level, "")
    return render(request, "eldercare/home.html", {
        "home": home, "occupancy": [(label, occupancy.get(level, 0)) for level, label in LEVELS],
        "residents": residents, "occupied": sum(occupancy.values()), "levels": LEVELS, "today": timezone.localdate(),
        "reports": home.reports.order_by("-month")[:12], "checks": home.checks.order_by("-date")[:10],
        "hazards": home.hazards.select_related("task").order_by("-id")[:20],
        "can_report": allowed(request.user, "carehome", "report"),
        "can_inspect": allowed(request.user, "carehome", "inspect")})


def _int(request, name: str) -> int:
    raw = request.POST.get(name, "").strip()
    return int(raw) if raw.isdigit() else -1


@login_required
def home_report(request: HttpRequest, pk: int) -> HttpResponse:
    """机构月报 form."""
    require(request.user, "carehome", "report")
    home = _home(request.user, pk, "report")
    if request.method == "POST":
        try:
            month = date.fromisoformat(request.POST.get("month", "") + "-01")
            balance = Decimal(request.POST.get("prepaid_balance") or "0")
            monthly_report_submit(acting_user=request.user, home=home, month=month,
                                  residents_by_level={str(level): _int(request, f"level_{level}")
                                                      for level, _ in LEVELS},
                                  staff_total=_int(request, "staff_total"), staff_carers=_int(request, "staff_carers"),
                                  prepaid_balance=balance)
        except (ValueError, InvalidOperation):
            messages.error(request, "请填写正确的月份和金额")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
        else:
            messages.success(request, "月报已提交")
            return redirect("eldercare-home", pk=home.pk)
    return render(request, "eldercare/home_report.html", {"home": home, "levels": LEVELS})


@login_required
def home_daily_check(request: HttpRequest, pk: int) -> HttpResponse:
    """一日十问 form: each question answered 正常 / 有隐患; each hazard with its rectification deadline."""
    require(request.user, "carehome", "report")
    home = _home(request.user, pk, "report")
    questions = list(SafetyChecklistItem.objects.filter(active=True))
    if request.method == "POST":
        answers = {q.code: request.POST.get(f"q_{q.code}") == "ok" for q in questions
                   if request.POST.get(f"q_{q.code}") in ("ok", "hazard")}
        try:
            hazards = [{"description": request.POST.get(f"d_{q.code}", "") or q.question,
                        "deadline": date.fromisoformat(request.POST.get(f"t_{q.code}", ""))}
                       for q in questions if request.POST.get(f"q_{q.code}") == "hazard"]
            safety_check_record(acting_user=request.user, home=home, kind="daily", on=date.today(),
                                answers=answers, hazards=hazards)
        except ValueError:
            messages.error(request, "有隐患的检查项请填写整改期限")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
        else:
            messages.success(request, "今日自查已提交")
            return redirect("eldercare-home", pk=home.pk)
    return render(request, "eldercare/home_check.html", {"home": home, "questions": questions})


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """服务订单 and the year's targets by town."""
    require(request.user, "service_order", "view")
    orders = list(restrict(ServiceOrder.objects.all(), request.user, "view", resource="service_order")
                  .select_related("person", "provider", "item")[:PAGE_SIZE])
    year = date.today().year
    return render(request, "eldercare/orders.html", {
        "orders": orders, "year": year,
        "targets": targets_progress(year=year, area_prefix=scope_prefix(request.user) or "-")})


@login_required
def home_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """民政部门月度检查 (POST from the home page): each non-empty line of `hazards` is one hazard, all with the
    rectification deadline given; no line = an inspection that found none."""
    require(request.user, "carehome", "inspect")
    home = _home(request.user, pk, "inspect")
    if request.method != "POST":
        return redirect("eldercare-home", pk=home.pk)
    lines = [line.strip() for line in request.POST.get("hazards", "").splitlines() if line.strip()]
    try:
        deadline = date.fromisoformat(request.POST.get("deadline", "")) if lines else date.today()
        safety_check_record(acting_user=request.user, home=home, kind="bureau", on=date.today(), answers={},
                            hazards=[{"description": line, "deadline": deadline} for line in lines])
    except ValueError:
        messages.error(request, "发现隐患的，请填写整改期限")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未保存：{service_error_text(exc)}")
    else:
        found = f"发现隐患{len(lines)}项，已生成整改任务" if lines else "未发现隐患"
        messages.success(request, f"检查已记录，{found}")
    return redirect("eldercare-home", pk=home.pk)


@login_required
def home_admit(request: HttpRequest, pk: int) -> HttpResponse:
    """入住登记 (POST from the home page): the person by ID number and name (linked to the registry), the care level
    (defaulting to the latest valid assessment's level), the date."""
    require(request.user, "carehome", "report")
    home = _home(request.user, pk, "report")
    if request.method != "POST":
        return redirect("eldercare-home", pk=home.pk)
    try:
        person = person_for_admission(id_number=request.POST.get("id_number", "")[:30],
                                      name=request.POST.get("name", "")[:50])
        raw = request.POST.get("care_level", "")
        level = int(raw) if raw.isdigit() else latest_level(person)
        if level is None:
            raise ValidationError({"care_level": [f"{person.name}没有有效的能力评估，请选择照护等级"]})
        on = date.fromisoformat(request.POST.get("admitted_on", ""))
        resident_admit(acting_user=request.user, home=home, person=person, care_level=level, on=on)
    except ValueError:
        messages.error(request, "未保存：请填写入住日期")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未保存：{service_error_text(exc)}")
    else:
        messages.success(request, f"{person.name}已登记入住")
    return redirect("eldercare-home", pk=home.pk)


@login_required
def home_discharge(request: HttpRequest, pk: int, resident_id: int) -> HttpResponse:
    """离院登记 (POST from the home page's resident row)."""
    require(request.user, "carehome", "report")
    home = _home(request.user, pk, "report")
    resident = CareHomeResident.objects.filter(home=home, pk=resident_id).select_related("home", "person").first()
    if resident is None:
        raise Http404
    if request.method == "POST":
        try:
            on = date.fromisoformat(request.POST.get("left_on", ""))
            resident_discharge(acting_user=request.user, resident=resident, on=on,
                               reason=request.POST.get("reason", "")[:200])
        except ValueError:
            messages.error(request, "未保存：请填写离院日期")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{service_error_text(exc)}")
        else:
            messages.success(request, f"{resident.person.name}已办理离院")
    return redirect("eldercare-home", pk=home.pk)
