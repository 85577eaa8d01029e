"""卡折代管 pages: the list of custody arrangements in the user's area (with the 本月未核对 filter and its XLSX
export), registering a custody from a payee's bank-account page, one custody's page with its monthly checks, the
check form and the end form, and the logged download of the signed agreement. The services check the grants and
the scope; the lookups here make a record out of scope a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.policy import allowed, area_in_scope
from payments.custody import export, selectors, services
from payments.models import BankAccount, BankCardCustody, CustodyCheck
from registry.identity import mask_phone
from registry.models import Person
from registry.selectors import person_search, persons_visible
from web.downloads import attachment
from web.forms import DateInput, MonthField, StyledForm
from web.views.common import PAGE_SIZE, AreaFilter, require, service_error_text, service_errors_to_form


class CustodyStartForm(StyledForm):
    custodian_kind = forms.ChoiceField(label="代管人类别",
                                       choices=[("", "请选择"), *BankCardCustody.CustodianKind.choices])
    custodian_name = forms.CharField(label="代管人姓名或单位名称", max_length=100,
                                     help_text="监护人填姓名；村（居）委会或供养服务机构填单位全称")
    custodian_contact = forms.CharField(label="代管人联系电话", max_length=20, required=False)
    reason = forms.ChoiceField(label="代管原因", choices=[("", "请选择"), *BankCardCustody.Reason.choices])
    reason_note = forms.CharField(label="原因说明", max_length=200, required=False, help_text="选择“其他”时必填")
    agreement_number = forms.CharField(label="代管协议编号", max_length=60)
    agreement_date = forms.DateField(label="协议签订日期", widget=DateInput)
    agreement_file = forms.FileField(label="代管协议（签字盖章后的扫描件）", required=False,
                                     help_text="PDF、JPG 或 PNG，不超过10MB；没有书面协议不能登记代管")
    start_date = forms.DateField(label="代管开始日期", widget=DateInput)


class CheckForm(StyledForm):
    month = MonthField(label="核对月份")
    result = forms.ChoiceField(label="核对结果", choices=[("", "请选择"), (CustodyCheck.Result.PROPER, "资金使用正常"),
                                                       (CustodyCheck.Result.ISSUE, "发现问题")])
    note = forms.CharField(label="核对说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="核对了哪些支出凭证；发现问题时必填（问题及处理）")
    custodian_signed = forms.BooleanField(label="代管人已在核对表上签字确认", required=False)


class EndForm(StyledForm):
    end_date = forms.DateField(label="代管终止日期", widget=DateInput)
    end_reason = forms.CharField(label="终止原因", max_length=200,
                                 help_text="如：本人已能自行管理；监护人变更；本人死亡")
    handover_note = forms.CharField(label="卡折交接情况", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text="交还给谁、何时交还、账户余额是否当面核对")


def _person(request: HttpRequest, pk: int) -> Person:
    person = persons_visible(request.user).select_related("area").filter(pk=pk).first()
    if person is None:
        raise Http404("人员不存在或不在您的管辖范围内")
    return person


def _custody(request: HttpRequest, pk: int) -> BankCardCustody:
    custody = (selectors.custodies_visible(request.user).select_related("person", "area", "bank_account", "created_by",
                                                                        "ended_by").filter(pk=pk).first())
    if custody is None:
        raise Http404("卡折代管不存在或不在您的管辖范围内")
    return custody


def _filtered(request: HttpRequest):
    area = AreaFilter.from_request(request)
    params = {"q": request.GET.get("q", "").strip(), "status": request.GET.get("status", "active"),
              "unchecked": request.GET.get("unchecked", "")}
    rows = area.apply(selectors.with_month_checked(selectors.custodies_visible(request.user)))
    if params["status"] in ("active", "ended"):
        rows = rows.filter(status=params["status"])
    if params["unchecked"] == "1":
        rows = selectors.unchecked_in_month(rows)
    if params["q"]:
        rows = rows.filter(person_id__in=person_search(user=request.user, query=params["q"]).values("pk"))
    return rows, params, area


@login_required
@require_GET
def custody_list(request: HttpRequest) -> HttpResponse:
    """卡折代管名册: newest first, keyset-paged; 本月未核对 shows the active ones whose month is not checked yet."""
    require(request.user, "custody", "view")
    rows, params, area = _filtered(request)
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.select_related("person", "area", "bank_account").order_by("-pk")[:PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "payments/custody/list.html", {
        "custodies": page[:PAGE_SIZE], "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "params": params, "filter": area, "query": query.urlencode(), "month": timezone.localdate(),
        "can_export": allowed(request.user, "export", "run")})


@login_required
@require_GET
def custody_export(request: HttpRequest) -> HttpResponse:
    """The list as XLSX, with the list's filters; `export.custody_list_export` writes the access log."""
    require(request.user, "custody", "view")
    rows, params, area = _filtered(request)
    filters = {**params, "town": area.town, "community": area.community}
    try:
        name, content = export.custody_list_export(user=request.user, rows=rows, filters=filters)
    except PermissionDenied as exc:
        return HttpResponse(service_error_text(exc), status=403, content_type="text/plain; charset=utf-8")
    return attachment(content, name)


@login_required
def custody_start(request: HttpRequest, pk: int) -> HttpResponse:
    """登记卡折代管 for a payee (from their bank-account page)."""
    require(request.user, "custody", "add")
    person = _person(request, pk)
    form = CustodyStartForm(request.POST or None, request.FILES or None,
                            initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("agreement_file")
        agreement = services.Agreement(number=data["agreement_number"], signed_on=data["agreement_date"],
                                       filename=upload.name if upload else "",
                                       content=upload.read() if upload else None)
        try:
            custody = services.custody_start(
                acting_user=request.user, person=person, custodian_kind=data["custodian_kind"],
                custodian_name=data["custodian_name"], custodian_contact=data["custodian_contact"],
                reason=data["reason"], reason_note=data["reason_note"], agreement=agreement,
                start_date=data["start_date"])
        except ValidationError as exc:
            service_errors_to_form(form, exc, rename={"person": None, "bank_account": None})
        except PermissionDenied as exc:
            form.add_error(None, service_error_text(exc))
        else:
            messages.success(request, f"已登记卡折代管：{custody.custodian_name}，请每月核对代管资金的使用情况")
            return redirect("custody-detail", pk=custody.pk)
    account = BankAccount.objects.filter(person=person, valid=True).first()
    return render(request, "payments/custody/start.html", {"person": person, "form": form, "account": account,
                                                           "active": selectors.active_custody_of(request.user, person)})


def _detail_context(request: HttpRequest, custody: BankCardCustody, **forms_) -> dict:
    user = request.user
    in_scope = area_in_scope(user, custody.area_id)
    active = custody.status == BankCardCustody.Status.ACTIVE
    today = timezone.localdate()
    return {
        "custody": custody, "checks": selectors.checks_of(custody),
        "custodian_contact_masked": mask_phone(custody.custodian_contact) if custody.custodian_contact else "",
        "account_replaced": not custody.bank_account.valid,
        "can_check": in_scope and allowed(user, "custody", "check"),
        "can_end": in_scope and active and allowed(user, "custody", "end"),
        "check_form": forms_.get("check_form") or CheckForm(initial={"month": today.replace(day=1)}),
        "end_form": forms_.get("end_form") or EndForm(initial={"end_date": today}),
        "open_form": next(iter(forms_), ""),
    }


@login_required
def custody_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the custody, its agreement and checks; POST action=check records a month's check, action=end ends it."""
    custody = _custody(request, pk)
    if request.method != "POST":
        return render(request, "payments/custody/detail.html", _detail_context(request, custody))
    action = request.POST.get("action", "")
    form = CheckForm(request.POST) if action == "check" else EndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "check":
                check = services.custody_check_record(
                    acting_user=request.user, custody=custody, month=data["month"], result=data["result"],
                    note=data["note"], custodian_signed=data["custodian_signed"])
                messages.success(request, f"已记录{check.month:%Y年%m月}核对：{check.get_result_display()}")
            else:
                services.custody_end(acting_user=request.user, custody=custody, end_date=data["end_date"],
                                     reason=data["end_reason"], handover_note=data["handover_note"])
                messages.success(request, "卡折代管已终止")
            return redirect("custody-detail", pk=custody.pk)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, service_error_text(exc))
    key = "check_form" if action == "check" else "end_form"
    return render(request, "payments/custody/detail.html", _detail_context(request, custody, **{key: form}),
                  status=400)


@login_required
@require_GET
def agreement_download(request: HttpRequest, pk: int) -> HttpResponse:
    custody = _custody(request, pk)
    content = services.agreement_download(acting_user=request.user, custody=custody)
    return attachment(content, custody.agreement_filename, custody.agreement_content_type)
