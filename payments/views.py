"""资金发放页面: the cycle list (open a month), and the cycle page — status and totals, generation with its
progress (htmx polling), exceptions with the accept-with-reason form, re-check, approval, paged lines.

Reads go through `payments.selectors` (a cycle outside the user's scope is a 404); every action goes through
`payments.services`, which checks the grants, maker ≠ checker and the cycle's lock again. ID and account
numbers are masked in every list.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed
from jobs.models import Job
from minzheng.dates import month_or_none
from payments import selectors, services
from payments.custody.selectors import persons_in_custody
from payments.models import PaymentCycle, PaymentException, PaymentLine
from programs.models import Program
from web.views.common import PAGE_SIZE, AreaFilter, require, service_error_text

EDITABLE = (PaymentCycle.Status.OPEN, PaymentCycle.Status.GENERATED)


def _cycle_or_404(request: HttpRequest, pk: int) -> PaymentCycle:
    cycle = (selectors.cycles_visible(request.user).select_related("district", "created_by", "generated_by",
                                                                   "approved_by", "job").filter(pk=pk).first())
    if cycle is None:
        raise Http404("发放批次不存在或不在您的管辖范围内")
    return cycle


# ---- 发放批次列表 ------------------------------------------------------------------------------------------------

@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """GET: the cycles, newest month first; POST: open the cycle of a month (区民政经办人)."""
    require(request.user, "payment", "view")
    if request.method == "POST":
        month = month_or_none(request.POST.get("month", ""))
        if month is None:
            messages.error(request, "发放月份格式应为 YYYY-MM，例如 2026-03")
            return redirect("payment-cycle-list")
        try:
            cycle = services.cycle_open(acting_user=request.user, month=month)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"建立失败：{service_error_text(exc)}")
            return redirect("payment-cycle-list")
        messages.success(request, f"已建立{cycle}")
        return redirect("payment-cycle-detail", pk=cycle.pk)
    cycles = list(selectors.cycles_visible(request.user).select_related("created_by", "approved_by")[:PAGE_SIZE])
    latest = cycles[0].month if cycles else timezone.localdate().replace(day=1)
    following = date(latest.year + latest.month // 12, latest.month % 12 + 1, 1) if cycles else latest
    return render(request, "payments/cycle_list.html", {
        "cycles": cycles, "can_run": allowed(request.user, "payment", "run"),
        "next_month": f"{following:%Y-%m}"})


# ---- 发放批次页面 ------------------------------------------------------------------------------------------------

def _running(cycle: PaymentCycle) -> bool:
    return cycle.status == PaymentCycle.Status.GENERATING and cycle.job_id is not None and \
        cycle.job.status not in (Job.Status.DONE, Job.Status.FAILED)


def _totals(request: HttpRequest, cycle: PaymentCycle) -> dict:
    """Totals of the lines the user may see, by kind and by programme (one GROUP BY)."""
    rows = list(selectors.lines_visible(request.user, cycle).values("program_id", "kind")
                .annotate(count=Count("id"), amount=Sum("amount")).order_by())
    names, kinds = dict(Program.objects.values_list("code", "name")), dict(PaymentLine.Kind.choices)
    by_kind: dict[str, dict] = {}
    by_program: dict[str, dict] = {}
    for r in rows:
        for key, label, bucket in ((r["kind"], kinds.get(r["kind"]), by_kind),
                                   (r["program_id"], names.get(r["program_id"]), by_program)):
            entry = bucket.setdefault(key, {"label": label or key, "count": 0, "amount": 0})
            entry["count"] += r["count"]
            entry["amount"] += r["amount"] or 0
    return {"by_kind": list(by_kind.values()), "by_program": list(by_program.values()),
            "count": sum(r["count"] for r in rows), "amount": sum((r["amount"] or 0) for r in rows)}


def _exceptions(request: HttpRequest, cycle: PaymentCycle) -> tuple[list, dict]:
    rows = selectors.exceptions_visible(request.user, cycle)
    chosen = {"ex_kind": request.GET.get("ex_kind", ""), "ex_status": request.GET.get("ex_status", "open")}
    if chosen["ex_kind"] in PaymentException.Kind.values:
        rows = rows.filter(kind=chosen["ex_kind"])
    if chosen["ex_status"] in PaymentException.Status.values:
        rows = rows.filter(status=chosen["ex_status"])
    page = list(rows.select_related("line__person", "line__organisation", "line__program", "area",
                                        "resolved_by").order_by("id")[:PAGE_SIZE])
    return page, chosen


def _lines(request: HttpRequest, cycle: PaymentCycle, area: AreaFilter) -> tuple[list, int | None, dict]:
    rows = area.apply(selectors.lines_visible(request.user, cycle))
    chosen = {k: request.GET.get(k, "") for k in ("program", "kind", "status")}
    if chosen["program"]:
        rows = rows.filter(program_id=chosen["program"])
    if chosen["kind"] in PaymentLine.Kind.values:
        rows = rows.filter(kind=chosen["kind"])
    if chosen["status"] in PaymentLine.Status.values:
        rows = rows.filter(status=chosen["status"])
    after = request.GET.get("after", "")
    if after.isdigit():
        rows = rows.filter(pk__gt=int(after))
    page = list(rows.select_related("program", "person", "organisation", "area").order_by("pk")[:PAGE_SIZE + 1])
    next_cursor = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    return page[:PAGE_SIZE], next_cursor, chosen


def _status_context(request: HttpRequest, cycle: PaymentCycle) -> dict:
    user = request.user
    failed_job = cycle.job_id is not None and cycle.job.status == Job.Status.FAILED
    is_maker = user.pk in (cycle.created_by_id, cycle.generated_by_id)
    open_count = selectors.exception_counts(cycle)["open"]
    return {
        "cycle": cycle, "job": cycle.job if cycle.job_id else None, "running": _running(cycle),
        "open_count": open_count, "is_maker": is_maker,
        "can_generate": allowed(user, "payment", "run") and (cycle.status in EDITABLE or failed_job),
        "can_check": allowed(user, "payment", "run") and cycle.status == PaymentCycle.Status.GENERATED,
        "can_approve": allowed(user, "payment", "approve") and cycle.status == PaymentCycle.Status.GENERATED,
    }


@login_required
@require_GET
def cycle_show(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    area = AreaFilter.from_request(request)
    lines, next_cursor, line_filter = _lines(request, cycle, area)
    exceptions, exception_filter = _exceptions(request, cycle)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "payments/cycle_detail.html", {
        **_status_context(request, cycle), "totals": _totals(request, cycle),
        "coverage": selectors.bank_file_coverage(request.user, cycle),
        "exceptions": exceptions, "exception_filter": exception_filter,
        "can_fix_account": allowed(request.user, "bank_account", "change"),
        "exception_kinds": PaymentException.Kind.choices, "exception_statuses": PaymentException.Status.choices,
        "can_accept": allowed(request.user, "payment", "run") and cycle.status == PaymentCycle.Status.GENERATED,
        "lines": lines, "next_cursor": next_cursor, "line_filter": line_filter, "filter": area,
        "custody_persons": persons_in_custody(request.user, {line.person_id for line in lines if line.person_id}),
        "query": query.urlencode(), "programs": Program.objects.all(),
        "kinds": PaymentLine.Kind.choices, "line_statuses": PaymentLine.Status.choices})


@login_required
@require_GET
def cycle_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block the page polls while a generation runs; once the job ends the whole page reloads so
    the lines, totals and exceptions it produced appear."""
    cycle = _cycle_or_404(request, pk)
    context = _status_context(request, cycle)
    response = render(request, "payments/_cycle_status.html", context)
    if request.htmx and not context["running"] and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    try:
        result = action(cycle)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, success.format(result=result))
    return redirect("payment-cycle-detail", pk=pk)


@login_required
@require_POST
def cycle_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """生成 / 重新生成: starts the background job (run on commit; in-process without a broker)."""
    return _act(request, pk, lambda c: services.cycle_generate(acting_user=request.user, cycle=c),
                "已开始生成发放明细（任务 #{result.pk}）")


@login_required
@require_POST
def cycle_check(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda c: services.cycle_check(acting_user=request.user, cycle=c),
                "复查完成：尚有 {result} 条异常待处理")


@login_required
@require_POST
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda c: services.cycle_approve(acting_user=request.user, cycle=c),
                "已审批：{result}已锁定，不能再修改")


@login_required
@require_POST
def exception_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """核实认可 an exception with the officer's reason; back to the cycle page, same exception filter."""
    exception = selectors.exceptions_visible(request.user).filter(
        pk=pk, cycle__in=selectors.cycles_visible(request.user)).first()
    if exception is None:
        raise Http404("异常不存在或不在您的管辖范围内")
    try:
        services.exception_accept(acting_user=request.user, exception=exception,
                                  reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"认可失败：{service_error_text(exc)}")
    else:
        messages.success(request, f"已核实认可：{exception.get_kind_display()}")
    return redirect(reverse("payment-cycle-detail", args=[exception.cycle_id]) + "#exceptions")


@login_required
@require_POST
def exceptions_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """批量核实认可: every open exception of the chosen kind in the officer's area, one reason."""
    kind = request.POST.get("kind", "")
    response = _act(request, pk, lambda c: services.exceptions_accept_bulk(
        acting_user=request.user, cycle=c, kind=kind, reason=request.POST.get("reason", "")),
        "已核实认可 {result:,} 条异常")
    response["Location"] += f"?ex_kind={kind}#exceptions" if kind in PaymentException.Kind.values else "#exceptions"
    return response
