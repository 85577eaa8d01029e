"""The enrolment page (享受对象办理) of social assistance: what the town and district do to an enrolment between
re-checks — 拒绝就业登记 for a member, 特困 生活自理能力重新评估 (due in 10 working days), and the 7-day 终止公示
before a termination (print it, end the benefit only once it has run, or withdraw it on an upheld objection).

Every action is a service of assistance.grounds / assistance.tekun; the page parses, calls and renders."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed
from assistance.grounds import work_refusal_record
from assistance.letters import termination_notice_pdf
from assistance.models import TerminationNotice, WorkRefusal
from assistance.tekun import (
    tekun_reassessment_schedule,
    termination_after_notice,
    termination_notice_post,
    termination_notice_withdraw,
)
from assistance.views.pdf import pdf_response
from assistance.workflows import TEKUN
from casework import clock
from programs.models import Enrolment
from programs.selectors import enrolments_visible
from registry.disclosure import personal_export_log
from web.forms import DateInput, StyledForm
from web.views.common import require, service_error_text, service_errors_to_form

RESOURCE = "enrolment"


class WorkRefusalForm(StyledForm):
    person = forms.TypedChoiceField(label="家庭成员", coerce=int)
    refused_on = forms.DateField(label="拒绝日期", widget=DateInput)
    job = forms.CharField(label="介绍的工作岗位", max_length=200)
    reason_given = forms.CharField(label="本人说明的理由", max_length=200, required=False)
    justified = forms.BooleanField(label="经核实理由正当（不计入拒绝次数）", required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.person_id, m.person.name) for m in members]


class ReassessmentForm(StyledForm):
    reported_on = forms.DateField(label="报告变化日期", widget=DateInput,
                                  help_text="自报告之日起10个工作日内重新评估（《特困人员认定办法》第二十三条）")
    note = forms.CharField(label="变化情况", max_length=500, required=False)


class TerminationNoticeForm(StyledForm):
    ground = forms.ChoiceField(label="终止事由", choices=TerminationNotice.Ground.choices)
    reason = forms.CharField(label="具体情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="公示开始日期", widget=DateInput, required=False, help_text="留空为今天")


class WithdrawForm(StyledForm):
    reason = forms.CharField(label="异议成立的理由", max_length=500)


FORMS = {"refusal": WorkRefusalForm, "reassess": ReassessmentForm, "notice": TerminationNoticeForm}


def enrolment_or_404(request: HttpRequest, pk: int) -> Enrolment:
    found = (enrolments_visible(request.user).filter(pk=pk)
             .select_related("program", "person", "household", "area", "area__parent").first())
    if found is None:
        raise Http404("享受对象不存在或不在您的管辖范围内")
    return found


def _members(enrolment: Enrolment) -> list:
    if enrolment.household_id is None:
        return []
    return list(enrolment.household.members.filter(is_active=True).select_related("person").order_by("id"))


def _context(request: HttpRequest, enrolment: Enrolment, bound: dict | None = None) -> dict:
    bound = bound or {}
    members = _members(enrolment)
    can_change = allowed(request.user, RESOURCE, "change") and enrolment.status != Enrolment.Status.ENDED
    today = clock.today()
    notices = list(enrolment.termination_notices.select_related("created_by").order_by("-starts_on", "-id"))
    people = [m.person_id for m in members] or [enrolment.person_id]
    forms_ = {}
    if can_change:
        forms_ = {
            "refusal": bound.get("refusal") or (WorkRefusalForm(members=members, initial={"refused_on": today})
                                                if members else None),
            "reassess": bound.get("reassess") or (ReassessmentForm(initial={"reported_on": today})
                                                  if enrolment.program.workflow == TEKUN else None),
            "notice": bound.get("notice") or (TerminationNoticeForm()
                                              if not any(n.status == "open" for n in notices) else None),
        }
    return {
        "enrolment": enrolment, "members": members, "today": today, "forms": forms_, "can_change": can_change,
        "notices": [{"notice": n, "may_end": today > n.ends_on, "withdraw": WithdrawForm()} for n in notices],
        "refusals": list(WorkRefusal.objects.filter(person_id__in=people).select_related("person")
                         .order_by("-refused_on", "-id")),
        "rechecks": list(enrolment.rechecks.order_by("-due_on", "-id")[:10]),
        "is_tekun": enrolment.program.workflow == TEKUN,
    }


@login_required
@require_GET
def enrolment_show(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, RESOURCE, "view")
    enrolment = enrolment_or_404(request, pk)
    return render(request, "assistance/enrolment.html", _context(request, enrolment))


def _do_refusal(request, enrolment, form) -> str:
    data = form.cleaned_data
    person = next((m.person for m in _members(enrolment) if m.person_id == data["person"]), None)
    if person is None:
        raise ValidationError({"person": ["请选择本家庭的在户成员"]})
    record = work_refusal_record(acting_user=request.user, person=person, refused_on=data["refused_on"],
                                 job=data["job"], reason_given=data["reason_given"], justified=data["justified"])
    return f"已登记{record.person.name}拒绝就业（{record.refused_on:%Y-%m-%d}，{record.job}）"


def _do_reassess(request, enrolment, form) -> str:
    recheck = tekun_reassessment_schedule(acting_user=request.user, enrolment=enrolment,
                                          reported_on=form.cleaned_data["reported_on"],
                                          note=form.cleaned_data["note"])
    return f"已安排生活自理能力重新评估，应于 {recheck.due_on:%Y-%m-%d} 前完成"


def _do_notice(request, enrolment, form) -> str:
    data = form.cleaned_data
    notice = termination_notice_post(acting_user=request.user, enrolment=enrolment, ground=data["ground"],
                                     reason=data["reason"], starts_on=data["starts_on"])
    return f"已发布终止公示：{notice.starts_on:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}，期满后方可终止待遇"


HANDLERS = {"refusal": _do_refusal, "reassess": _do_reassess, "notice": _do_notice}


@login_required
@require_POST
def enrolment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST one action of the page; a refused form is shown again with the service's error on its field."""
    if action not in HANDLERS:
        raise Http404("没有该操作")
    require(request.user, RESOURCE, "change")
    enrolment = enrolment_or_404(request, pk)
    kwargs = {"members": _members(enrolment)} if action == "refusal" else {}
    form = FORMS[action](request.POST, **kwargs)
    if form.is_valid():
        try:
            message = HANDLERS[action](request, enrolment, form)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, service_error_text(exc))
        else:
            messages.success(request, message)
            return redirect("assistance-enrolment", pk=enrolment.pk)
    return render(request, "assistance/enrolment.html", _context(request, enrolment, {action: form}), status=400)


def _notice_or_404(request: HttpRequest, pk: int, notice_pk: int) -> TerminationNotice:
    enrolment = enrolment_or_404(request, pk)
    notice = enrolment.termination_notices.filter(pk=notice_pk).select_related(
        "enrolment__person", "enrolment__program").first()
    if notice is None:
        raise Http404("终止公示不存在")
    return notice


@login_required
@require_POST
def termination_end(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """终止待遇 after the notice has run (the service refuses before its last day has passed)."""
    require(request.user, RESOURCE, "change")
    notice = _notice_or_404(request, pk, notice_pk)
    try:
        enrolment = termination_after_notice(acting_user=request.user, notice=notice)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, f"已终止{enrolment.program.name}待遇，{enrolment.end_month:%Y年%m月}为最后发放月份")
    return redirect("assistance-enrolment", pk=pk)


@login_required
@require_POST
def termination_withdraw(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    require(request.user, RESOURCE, "change")
    notice = _notice_or_404(request, pk, notice_pk)
    try:
        termination_notice_withdraw(acting_user=request.user, notice=notice, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, "异议成立，终止公示已撤回，继续享受")
    return redirect("assistance-enrolment", pk=pk)


@login_required
@require_GET
def termination_pdf(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """终止公示 PDF: it names the person, so printing it is a logged export."""
    notice = _notice_or_404(request, pk, notice_pk)
    personal_export_log(user=request.user, what=f"终止公示（{notice.enrolment.program.name}）", count=1,
                        filters={"enrolment": pk, "termination_notice": notice.pk})
    return pdf_response(termination_notice_pdf(notice), f"termination-notice-{notice.pk}.pdf")
