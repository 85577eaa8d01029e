"""The workflow steps as page actions (办理环节): for each, the form and the one service call it makes.

Each `run` takes the case, the user and the valid form, calls exactly one business action of
assistance.services (the confirmation also schedules the first re-check in the same transaction) and returns
the message shown after it. The services check everything again; their refusals reach the page unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms

from assistance import forms as f
from assistance import services
from casework.models import Case


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    run: Callable[[Case, object, forms.Form], str]
    # Service error keys → form fields, where the names differ.
    rename: dict[str, str] = field(default_factory=dict)
    danger: bool = False


def _accept(case: Case, user, form: f.AcceptForm) -> str:
    data, missing = form.cleaned_data, form.missing_list()
    done = services.application_accept(acting_user=user, case=case, accepted_on=data["date"], missing=missing or None,
                                       authorised_data_check=data["authorised_data_check"], note=data["note"])
    if done.state == "materials_requested":
        return f"已一次性告知需补正材料：{'、'.join(missing)}"
    return f"已受理，受理日期 {done.accepted_on:%Y-%m-%d}"


def _investigate(case: Case, user, form: f.InvestigateForm) -> str:
    data = form.cleaned_data
    services.application_investigate(
        acting_user=user, case=case, investigators=[data["investigator_1"].pk, data["investigator_2"].pk],
        visited_on=data["visited_on"], method=data["method"], incomes=form.items(form.incomes),
        assets=form.items(form.assets), assessment=form.assessment(), members_present=data["members_present"],
        note=data["note"])
    return "已登记入户调查"


def _verify(case: Case, user, form: f.VerifyForm) -> str:
    data = form.cleaned_data
    record = services.application_verify(acting_user=user, case=case, sources=list(data["sources"]),
                                         result=data["result"], checked_on=data["checked_on"], note=data["note"])
    return f"已登记信息核对：{record.get_result_display()}"


def _evaluate(case: Case, user, form: f.EvaluateForm) -> str:
    data = form.cleaned_data
    record = services.application_evaluate(acting_user=user, case=case, participants=data["participants"],
                                           result=data["result"], held_on=data["held_on"], note=data["note"])
    return f"已登记群众评议：{record.get_result_display()}"


def _review(case: Case, user, form: f.ReviewForm) -> str:
    done = services.application_review(acting_user=user, case=case, opinion=form.cleaned_data["opinion"],
                                       reviewed_on=form.cleaned_data["reviewed_on"], note=form.cleaned_data["note"])
    return f"已初审，测算金额 {done.application.monthly_amount} 元"


def _publish(case: Case, user, form: f.PublishForm) -> str:
    notice = services.application_publish(acting_user=user, case=case, starts_on=form.cleaned_data["date"],
                                          note=form.cleaned_data["note"])
    return f"已公示：{notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"


def _objection(case: Case, user, form: f.ObjectionForm) -> str:
    data = form.cleaned_data
    objection = services.application_objection(
        acting_user=user, case=case, content=data["content"], objector=data["objector"],
        received_on=data["received_on"], objection_id=data["objection"].pk if data["objection"] else None,
        decision=data["decision"], handling=data["handling"])
    return f"公示异议：{objection.get_status_display()}"


def _confirm(case: Case, user, form: f.ConfirmForm) -> str:
    done = services.application_confirm(acting_user=user, case=case, note=form.cleaned_data["note"],
                                        household_kind=form.cleaned_data["household_kind"],
                                        decided_on=form.cleaned_data["decided_on"])
    recheck = done.first_recheck
    message = f"已审核确认：{done.application.monthly_amount} 元/月，自 {done.enrolment.start_month:%Y年%m月}起"
    return message + (f"；首次定期核查 {recheck.due_on:%Y-%m-%d}前" if recheck else "")


def _reject(case: Case, user, form: f.RejectForm) -> str:
    services.application_reject(acting_user=user, case=case, reasons=form.cleaned_data["reasons"])
    return "已作出不予确认决定"


def _extend(case: Case, user, form: f.ExtendForm) -> str:
    done = services.application_extend(acting_user=user, case=case, reason=form.cleaned_data["reason"])
    return f"已延期：办结期限延至 {done.due('overall_due'):%Y-%m-%d}"


def _withdraw(case: Case, user, form: f.WithdrawForm) -> str:
    services.application_withdraw(acting_user=user, case=case, reason=form.cleaned_data["reason"])
    return "申请已撤回"


def _urgent(case: Case, user, form: f.UrgentApproveForm) -> str:
    done = services.application_urgent_approve(acting_user=user, case=case, amount=form.cleaned_data["amount"],
                                               note=form.cleaned_data["note"])
    return f"已先行救助：{done.application.monthly_amount} 元"


ACTIONS: dict[str, Action] = {
    "accept": Action(f.AcceptForm, _accept),
    "investigate": Action(f.InvestigateForm, _investigate, {"investigators": "investigator_1"}),
    "verify": Action(f.VerifyForm, _verify),
    "evaluate": Action(f.EvaluateForm, _evaluate),
    "review": Action(f.ReviewForm, _review),
    "publish": Action(f.PublishForm, _publish),
    "objection": Action(f.ObjectionForm, _objection),
    "confirm": Action(f.ConfirmForm, _confirm),
    "reject": Action(f.RejectForm, _reject, danger=True),
    "extend": Action(f.ExtendForm, _extend),
    "withdraw": Action(f.WithdrawForm, _withdraw, danger=True),
    "urgent_approve": Action(f.UrgentApproveForm, _urgent),
}
