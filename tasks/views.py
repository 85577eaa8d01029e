"""任务页面: the work queue of the user's level (with overdue and escalation badges) and one task with its
timeline and the close form (办结需选择办理结果). Reads via tasks.selectors (out of scope → 404); writes via
tasks.services, which check the grant and the level again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from tasks.models import Task
from tasks.selectors import tasks_visible, with_overdue, work_queue
from tasks.services import task_close, task_start
from web.forms import StyledForm
from web.views.common import PAGE_SIZE, require, service_errors_to_form


class TaskCloseForm(StyledForm):
    """办结: the outcome is required (闭环), the note says what was found; handing over names the department."""

    outcome = forms.ChoiceField(label="办理结果", choices=[("", "请选择"), *Task.Outcome.choices])
    note = forms.CharField(label="办理说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    handed_to = forms.CharField(label="转交部门", required=False, max_length=100,
                                help_text="办理结果为“已转交其他部门”时必填")
    evidence = forms.CharField(label="佐证材料", required=False, max_length=500,
                               help_text="如 入户核查记录编号、照片或文书的存放位置")


@login_required
def task_queue(request: HttpRequest) -> HttpResponse:
    """待办队列: open tasks this level must handle, earliest deadline first; overdue and escalated marked."""
    require(request.user, "task", "view")
    tasks = list(work_queue(request.user).select_related("area", "assigned_area", "person")[:PAGE_SIZE])
    return render(request, "tasks/queue.html", {"tasks": tasks, "now": timezone.now()})


def _task_or_404(request: HttpRequest, pk: int) -> Task:
    task = (with_overdue(tasks_visible(request.user)).filter(pk=pk)
            .select_related("area", "assigned_area", "person", "household", "closed_by").first())
    if task is None:
        raise Http404("任务不存在或不在您的管辖范围内")
    return task


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the task, its timeline and (for the level holding it) the close form; POST: start or close."""
    task = _task_or_404(request, pk)
    form = None
    if request.method == "POST":
        require(request.user, "task", "close")
        try:
            if request.POST.get("action") == "start":
                task_start(acting_user=request.user, task=task)
                messages.success(request, "已开始办理")
                return redirect("task-detail", pk=pk)
            form = TaskCloseForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                evidence = {"说明": data["evidence"]} if data["evidence"] else None
                task_close(acting_user=request.user, task=task, outcome=data["outcome"], note=data["note"],
                           handed_to=data["handed_to"], evidence=evidence)
                messages.success(request, "任务已办结")
                return redirect("task-detail", pk=pk)
        except ValidationError as exc:
            form = form or TaskCloseForm(request.POST)
            service_errors_to_form(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        task = _task_or_404(request, pk)
    can_handle = (task.is_open and allowed(request.user, "task", "close")
                  and area_in_scope(request.user, task.assigned_area_id))
    return render(request, "tasks/detail.html", {
        "task": task, "events": task.events.select_related("by").order_by("at", "id"),
        "form": (form or TaskCloseForm()) if can_handle else None, "can_handle": can_handle})
