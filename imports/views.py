"""Import pages (数据导入页面): parse, authorise, call the service, render — nothing else.

List, upload and template need the `import` grant (403 otherwise). A batch page looks the batch up among the
batches visible to the user, so a batch outside the user's scope (or any batch, without the grant) is a 404.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import allowed
from imports.forms import UploadForm
from imports.models import ImportBatch
from imports.schemas import schema_get
from imports.selectors import batch_error_rows, batch_page, batches_visible, masked_cells
from imports.services import import_batch_commit, import_batch_discard, import_batch_stage, import_error_sheet
from imports.sheets import template_csv, template_xlsx
from web.downloads import CSV, XLSX, attachment, stream_attachment


def _require(user, action: str) -> None:
    if not allowed(user, "import", action):
        raise PermissionDenied("无数据导入权限")


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    return attachment(content, filename, XLSX if fmt == "xlsx" else CSV)


def _fmt(request) -> str:
    return "csv" if request.GET.get("format") == "csv" else "xlsx"


@login_required
@require_GET
def batch_list(request):
    _require(request.user, "view")
    before = request.GET.get("before", "")
    batches = batch_page(request.user, before=int(before) if before.isdigit() else None)
    for batch in batches:
        batch.schema_title = _schema_title(batch.schema)
    return render(request, "imports/list.html", {
        "batches": batches, "next_before": batches[-1].pk if len(batches) == 50 else None,
        "can_run": allowed(request.user, "import", "run")})


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload(request):
    _require(request.user, "run")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_stage(acting_user=request.user, schema=form.cleaned_data["schema"],
                                       filename=upload.name, content=upload.read())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"已上传“{batch.original_filename}”，正在校验")
            return redirect("import-detail", pk=batch.pk)
    return render(request, "imports/upload.html", {"form": form})


@login_required
@require_GET
def template_download(request):
    _require(request.user, "view")
    try:
        schema = schema_get(request.GET.get("schema", "persons_households"))
    except ValidationError:
        raise Http404("未知的导入模板") from None
    fmt = _fmt(request)
    examples = schema.examples(request.user)
    content = template_xlsx(schema, examples) if fmt == "xlsx" else template_csv(schema, examples)
    return _download(content, f"{schema.title}导入模板.{fmt}", fmt)


@login_required
@require_GET
def batch_detail(request, pk: int, partial: bool = False):
    """The batch page; its status block alone for htmx polling (`import-status` or any htmx request)."""
    batch = get_object_or_404(batches_visible(request.user), pk=pk)
    # A boosted navigation is a whole page; only a polling (or other partial) htmx request gets the block.
    htmx_partial = bool(request.htmx) and not request.htmx.boosted
    template = "imports/_status.html" if partial or htmx_partial else "imports/detail.html"
    return render(request, template, _detail_context(request.user, batch))


def _detail_context(user, batch: ImportBatch) -> dict:
    job = batch.job
    running = job is not None and not job.is_finished
    chooses = batch.status in (ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED) and not batch.mode
    error_rows = [] if running else batch_error_rows(batch)
    return {
        "batch": batch, "job": job, "running": running, "schema_title": _schema_title(batch.schema),
        "error_rows": [(row, masked_cells(row)) for row in error_rows],
        "can_commit": chooses and batch.status == ImportBatch.Status.VALIDATED and not running
        and allowed(user, "import", "run"),
        "can_discard": chooses and not running and allowed(user, "import", "run"),
        "can_export": batch.total_rows > 0 and not running and allowed(user, "export", "run"),
    }


def _schema_title(key: str) -> str:
    try:
        return schema_get(key).title
    except ValidationError:
        return key


@login_required
@require_GET
def batch_errors(request, pk: int):
    batch = get_object_or_404(batches_visible(request.user), pk=pk)
    fmt = _fmt(request)
    chunks = import_error_sheet(acting_user=request.user, batch=batch, fmt=fmt)
    return stream_attachment(chunks, f"导入结果-批次{batch.pk}.{fmt}", XLSX if fmt == "xlsx" else CSV)


@login_required
@require_POST
def batch_commit(request, pk: int):
    batch = get_object_or_404(batches_visible(request.user), pk=pk)
    try:
        import_batch_commit(acting_user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已开始保存正确行")
    return redirect("import-detail", pk=batch.pk)


@login_required
@require_POST
def batch_discard(request, pk: int):
    batch = get_object_or_404(batches_visible(request.user), pk=pk)
    try:
        import_batch_discard(acting_user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已放弃本批次，未保存任何数据")
    return redirect("import-detail", pk=batch.pk)
