"""Bank disbursement page parts (银行代发页面): the bank section of a cycle — files, return upload, reissue,
reconciliation — as a fragment (`_bank_body.html`, loaded by htmx from `_bank_section.html`) or a page of its
own, and the small POST views behind its forms. Each POST calls the service and redirects back (`next`, or the
bank page); the services check the grants and the scope, the lookups here make anything out of scope a 404.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed, area_in_scope
from payments import selectors, services_bank
from payments.api_bank import CONTENT_TYPES
from payments.models import BankFile, BankFileLayout, PaymentCycle
from payments.reconciliation import reconciliation, reconciliation_xlsx
from web.downloads import XLSX, attachment, stream_attachment
from web.views.common import service_error_text


def _cycle(request: HttpRequest, pk: int) -> PaymentCycle:
    return get_object_or_404(selectors.cycles_visible(request.user).select_related("district"), pk=pk)


def _back(request: HttpRequest, cycle: PaymentCycle):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("payment-bank", pk=cycle.pk)


def _act(request: HttpRequest, cycle: PaymentCycle, action, success) -> HttpResponse:
    """Run a service action; its refusal or `success(result)` becomes the flash message, back on the page."""
    try:
        result = action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, success(result))
    return _back(request, cycle)


def bank_context(user, cycle: PaymentCycle, *, next_url: str = "") -> dict:
    """Everything the bank section shows for `cycle` (the cycle page may also call this and include the body)."""
    district_level = area_in_scope(user, cycle.district_id)
    can_export = district_level and allowed(user, "payment", "export")
    can_run = district_level and allowed(user, "payment", "run")
    exported = cycle.status == PaymentCycle.Status.EXPORTED
    report = reconciliation(user=user, cycle=cycle)
    return {
        "cycle": cycle,
        "next_url": next_url,
        "bank_files": list(selectors.bank_files_visible(user).filter(cycle=cycle).select_related("layout")
                           .order_by("round", "bank_name", "-id")),
        "bank_returns": list(selectors.bank_returns_visible(user).filter(cycle=cycle)
                             .select_related("import_batch", "bank_file")
                             [:50]),
        "layouts": list(BankFileLayout.objects.filter(active=True).order_by("bank_name", "name")),
        "can_export": can_export and cycle.status in (PaymentCycle.Status.APPROVED, PaymentCycle.Status.EXPORTED),
        "can_upload": can_run and exported,
        "can_reissue": can_run and can_export and exported,
        "can_close": can_run and exported,
        "reissuable": selectors.reissuable_count(cycle) if can_run and exported else 0,
        "failed": selectors.failed_payments(cycle) if can_run and exported else [],
        "report": report,
        "report_parts": [("按项目", report["by_program"]), ("按镇街", report["by_town"])],
    }


@login_required
@require_GET
def bank_section(request: HttpRequest, pk: int) -> HttpResponse:
    """The section as a fragment for htmx, or as a page of its own."""
    cycle = _cycle(request, pk)
    partial = bool(request.htmx) and not request.htmx.boosted
    template = "payments/_bank_body.html" if partial else "payments/bank_page.html"
    # Forms posted from the fragment return to the page it sits in (the cycle page), not to the fragment's URL.
    next_url = (request.htmx.current_url or "") if partial else request.get_full_path()
    return render(request, template, bank_context(request.user, cycle, next_url=next_url))


@login_required
@require_POST
def bank_files_generate(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    layout_id = request.POST.get("layout", "")
    layout = BankFileLayout.objects.filter(pk=layout_id, active=True).first() if layout_id.isdigit() else None
    return _act(request, cycle,
                lambda: services_bank.bank_files_generate(acting_user=request.user, cycle=cycle, layout=layout),
                lambda files: f"已导出{len(files)}个银行代发文件")


@login_required
@require_GET
def bank_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    bank_file = get_object_or_404(selectors.bank_files_visible(request.user).select_related("cycle"), pk=pk)
    chunks = services_bank.bank_file_download(acting_user=request.user, bank_file=bank_file)
    return stream_attachment(chunks, bank_file.filename, CONTENT_TYPES[bank_file.format])


@login_required
@require_POST
def bank_return_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage the return and go to the import batch page: its progress bar, row errors and 保存/放弃 buttons."""
    cycle = _cycle(request, pk)
    bank_file = BankFile.objects.filter(pk=request.POST.get("bank_file") or 0, cycle=cycle).first()
    upload = request.FILES.get("file")
    if bank_file is None or upload is None:
        messages.error(request, "请选择回盘对应的代发文件并上传回盘文件（CSV 或 XLSX）")
        return _back(request, cycle)
    try:
        bank_return = services_bank.bank_return_upload(acting_user=request.user, bank_file=bank_file,
                                                       filename=upload.name, content=upload.read())
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, service_error_text(exc))
        return _back(request, cycle)
    messages.success(request, f"已上传回盘“{upload.name}”，正在校验；校验完成后请保存正确行")
    return redirect("import-detail", pk=bank_return.import_batch_id)


@login_required
@require_POST
def payments_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _act(request, cycle, lambda: services_bank.payments_reissue(acting_user=request.user, cycle=cycle),
                lambda files: f"已生成重发代发文件{len(files)}个（{sum(f.item_count for f in files)}笔）")


@login_required
@require_POST
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _act(request, cycle, lambda: services_bank.cycle_close(acting_user=request.user, cycle=cycle,
                                                                  reason=request.POST.get("reason", "")),
                lambda closed: f"{closed.month:%Y年%m月}发放批次已结束")


@login_required
@require_GET
def reconciliation_download(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    content = reconciliation_xlsx(cycle=cycle, report=reconciliation(user=request.user, cycle=cycle))
    return attachment(content, f"{cycle.month:%Y%m}_发放对账表.xlsx", XLSX)

