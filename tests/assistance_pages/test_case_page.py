"""The case page: header, deadlines with working days left, the computation line by line, and the step forms —
each posted through the page calls its service; refusals come back as 403 (with the rule) or as form errors,
and change nothing."""

from datetime import date

import pytest
from django.urls import reverse

from assistance.models import Recheck
from casework.models import Case, CaseDocument
from casework.services import close_relative_declare
from registry.models import Income

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _post(client, case: Case, action: str, data: dict | None = None):
    return client.post(reverse("assistance-case-action", args=[case.pk, action]), data or {})


def test_town_officer_accepts_through_the_page(login, staff, cases, clock):
    case = cases.make("submitted")
    client = login(staff["town_officer"])
    page = _html(client.get(reverse("assistance-case", args=[case.pk])))
    assert 'data-testid="action-accept"' in page and 'data-testid="action-review"' not in page
    response = _post(client, case, "accept", {"date": "2026-02-27"})
    assert response.status_code == 302 and response["Location"] == reverse("assistance-case", args=[case.pk])
    case.refresh_from_db()
    assert (case.state, case.accepted_on, case.handler_id) == ("accepted", date(2026, 2, 27), staff["town_officer"].pk)
    shown = _html(client.get(response["Location"]))
    assert "已受理，受理日期 2026-02-27" in shown
    assert "启动家庭经济状况调查期限" in shown and "个工作日" in shown


def test_missing_materials_are_told_once_through_the_page(login, staff, cases):
    case = cases.make("submitted")
    client = login(staff["town_officer"])
    _post(client, case, "accept", {"missing": "户口簿复印件\n\n收入证明\n"})
    case.refresh_from_db()
    assert case.state == "materials_requested" and case.application.missing_materials == ["户口簿复印件", "收入证明"]
    assert case.documents.get().kind == CaseDocument.Kind.MATERIALS_NOTICE
    again = _post(client, case, "accept", {"missing": "结婚证"})
    assert again.status_code == 200 and "一次性告知" in _html(again)  # shown on the form, nothing saved
    case.refresh_from_db()
    assert case.application.missing_materials == ["户口簿复印件", "收入证明"]


def test_wrong_role_post_is_403_with_the_rule_and_changes_nothing(login, staff, cases):
    case = cases.make("submitted")
    response = _post(login(staff["community_worker"]), case, "accept", {})
    assert response.status_code == 403
    assert "无“受理”权限（application.accept）" in _html(response)
    reviewer = _post(login(staff["town_reviewer"]), case, "confirm", {"household_kind": "stable"})
    assert reviewer.status_code == 403
    case.refresh_from_db()
    assert case.state == "submitted" and case.steps.count() == 1


def test_reviewer_cannot_confirm_the_case_they_reviewed(login, staff, cases, clock):
    case = cases.make("evaluated")
    client = login(staff["reviewer_approver"])
    assert _post(client, case, "review", {"opinion": "agree"}).status_code == 302
    cases.advance(Case.objects.get(pk=case.pk), "publicised")
    clock.set(date(2026, 3, 9))
    response = _post(client, case, "confirm", {"household_kind": "stable"})
    assert response.status_code == 403
    assert "职责分离" in _html(response)
    case.refresh_from_db()
    assert case.state == "publicised" and case.enrolment_id is None


def test_form_errors_are_shown_on_the_fields_and_nothing_is_saved(login, staff, cases):
    case = cases.make("submitted")
    client = login(staff["town_officer"])
    response = _post(client, case, "accept", {"date": "2026-03-09"})  # the clock says 2026-03-02
    html = _html(response)
    assert response.status_code == 200
    assert "不能晚于今天（2026-03-02）" in html and "invalid-feedback" in html
    assert 'data-testid="action-accept" open' in html  # the failed form is the one left open
    case.refresh_from_db()
    assert case.state == "submitted" and case.accepted_on is None


def test_rejection_without_reasons_shows_the_rule(login, staff, cases):
    case = cases.make("reviewed")
    client = login(staff["district_approver"])
    response = _post(client, case, "reject", {"reasons": "  "})
    assert "不予确认须书面说明理由" in _html(response)
    case.refresh_from_db()
    assert case.state == "reviewed"
    _post(client, case, "reject", {"reasons": "家庭月人均收入高于低保标准"})
    case.refresh_from_db()
    assert (case.state, case.application.decision_reasons) == ("rejected", "家庭月人均收入高于低保标准")


def _investigation(staff, case, **extra) -> dict:
    data = {"investigator_1": staff["town_officer"].pk, "investigator_2": staff["town_officer2"].pk,
            "visited_on": "2026-03-02", "method": "home", "note": "家中无车",
            "incomes-TOTAL_FORMS": "3", "incomes-INITIAL_FORMS": "0", "assets-TOTAL_FORMS": "2",
            "assets-INITIAL_FORMS": "0"}
    data.update(extra)
    return data


def test_investigation_through_the_page_records_income_and_needs_two_people(login, staff, cases):
    case = cases.make("accepted", wage=None)
    head = case.household.members.get(relation="head").person
    client = login(staff["town_officer"])
    same = _post(client, case, "investigate", _investigation(staff, case, investigator_2=staff["town_officer"].pk))
    assert "至少两名不同的工作人员" in _html(same)
    half = _post(client, case, "investigate", _investigation(staff, case, **{"incomes-0-person": head.pk}))
    assert "请完整填写成员、收入类别和月收入" in _html(half)
    case.refresh_from_db()
    assert case.state == "accepted" and not Income.objects.filter(household=case.household).exists()
    done = _post(client, case, "investigate", _investigation(staff, case, **{
        "incomes-0-person": head.pk, "incomes-0-category": "wage", "incomes-0-monthly_amount": "800.00",
        "assets-0-kind": "deposit", "assets-0-value": "2000"}))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == "investigated"
    assert Income.objects.get(household=case.household).monthly_amount == 800
    investigation = case.investigations.get()
    assert {u.pk for u in investigation.investigators.all()} == {staff["town_officer"].pk, staff["town_officer2"].pk}
    assert investigation.findings["assets"][0]["value"] == "2000.00"


def test_investigator_choices_are_staff_of_the_case_area(login, staff, cases):
    case = cases.make("accepted")
    html = _html(login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])))
    form = html[html.index('data-testid="action-investigate"'):]
    form = form[:form.index("</details>")]
    assert f'value="{staff["town_officer2"].pk}"' in form and f'value="{staff["district_officer"].pk}"' in form
    assert f'value="{staff["outsider"].pk}"' not in form  # town B staff are not offered


def test_review_shows_the_computation_before_and_after(login, staff, cases):
    case = cases.make("evaluated")
    client = login(staff["town_reviewer"])
    page = _html(client.get(reverse("assistance-case", args=[case.pk])))
    assert "按今日测算" in page and "低保金 = 270.00 × 2" in page
    _post(client, case, "review", {"opinion": "agree"})
    html = _html(client.get(reverse("assistance-case", args=[case.pk])))
    calc = html[html.index('data-testid="calculation"'):]
    # line by line as an officer checks it: standard, income, size, per capita, gap, amount
    for line in ("770.00", "1000.00", "月人均收入 = 1000.00 ÷ 2", "500.00", "差额 = 770.00 − 500.00", "540.00"):
        assert line in calc, line
    assert "渝民规〔2025〕6号" in calc  # the source of the standard


def test_confirm_through_the_page_enrols_and_schedules_the_first_recheck(login, staff, cases, clock):
    case = cases.make("publicised")
    clock.set(date(2026, 3, 9))
    response = _post(login(staff["district_approver"]), case, "confirm", {"household_kind": "stable"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "confirmed" and case.enrolment.monthly_amount == 540
    recheck = Recheck.objects.get(enrolment=case.enrolment)
    # stable households: yearly (recheck_months_stable = 12) from the start month 2026-03
    assert (recheck.kind, recheck.status, recheck.due_on, recheck.basis["months"]) == (
        "stable", "due", date(2027, 3, 1), 12)


def test_header_shows_close_relative_flag_and_provisional_deadline(login, staff, cases, clock):
    clock.set(date(2026, 12, 21))
    case = cases.make("submitted")
    head = case.household.members.get(relation="head").person
    close_relative_declare(acting_user=staff["district_officer"], relative=head, relation="sibling",
                           staff=staff["town_officer3"])
    cases.advance(Case.objects.get(pk=case.pk), "accepted")
    html = _html(login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])))
    assert 'data-testid="close-relative"' in html and "近亲属备案" in html
    # 30 working days from 2026-12-21 run into 2027, whose holidays are not published: 暂定
    table = html[html.index('data-testid="deadline-table"'):html.index("金额计算过程")]
    assert "暂定" in table and "该年节假日安排未发布" in table
    assert f"{Case.objects.get(pk=case.pk).due('overall_due'):%Y-%m-%d}" in table
    assert f'href="/households/{case.household_id}/"' in html
    assert f'href="/assistance/households/{case.household_id}/chain/"' in html


def test_recused_staff_sees_no_actions(login, staff, cases):
    case = cases.make("submitted")
    head = case.household.members.get(relation="head").person
    close_relative_declare(acting_user=staff["district_officer"], relative=head, relation="sibling",
                           staff=staff["town_officer"])
    html = _html(login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])))
    assert 'data-testid="no-actions"' in html
    refused = _post(login(staff["town_officer"]), case, "accept", {})
    assert refused.status_code == 403 and "回避规则" in _html(refused)


def test_the_remaining_steps_through_the_page(login, staff, cases, clock):
    case = cases.make("investigated")
    officer = login(staff["town_officer"])
    assert _post(officer, case, "verify", {"sources": ["hukou", "tax"], "result": "match"}).status_code == 302
    no_count = _post(officer, case, "evaluate", {"result": "agree"})
    assert "invalid-feedback" in _html(no_count)  # participants is required: a form error, nothing saved
    assert _post(officer, case, "evaluate", {"participants": "9", "result": "agree"}).status_code == 302
    assert _post(officer, case, "extend", {"reason": "家庭成员在外地务工，需信函索证"}).status_code == 302
    reviewer = login(staff["town_reviewer"])
    assert _post(reviewer, case, "review", {"opinion": "agree"}).status_code == 302
    officer = login(staff["town_officer"])
    assert _post(officer, case, "publish", {}).status_code == 302
    assert _post(officer, case, "objection", {"content": "该户有经营收入", "objector": "邻居"}).status_code == 302
    objection = case.objections.get()
    assert _post(officer, case, "objection", {"objection": objection.pk, "decision": "dismissed",
                                              "handling": "经核实无经营收入"}).status_code == 302
    case.refresh_from_db()
    objection.refresh_from_db()
    assert (case.state, case.application.extended, case.due("overall_due") is not None) == ("publicised", True, True)
    assert (objection.status, objection.handling) == ("dismissed", "经核实无经营收入")
    assert [s.action for s in case.steps.order_by("at", "id")][-6:] == [
        "evaluate", "extend", "review", "publish", "objection", "objection"]
    assert _post(officer, case, "withdraw", {"reason": "申请人要求撤回"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "withdrawn" and case.closed_at is not None


def test_town_approves_urgent_temporary_aid_within_its_limit(login, staff, cases):
    household, _ = cases.household(("急难户",), wage=None)
    client = login(staff["town_officer"])
    client.post(reverse("assistance-apply"), {"program": "linshi", "household": household.pk, "channel": "worker",
                                              "linshi_kind": "jinan", "amount": "800", "authorised_data_check": "on"})
    case = Case.objects.get(household=household)
    _post(client, case, "accept", {})
    over = _post(client, case, "urgent_approve", {"amount": "1500"})
    assert "超出乡镇（街道）先行救助审批限额" in _html(over)
    case.refresh_from_db()
    assert case.state == "accepted" and case.inputs["amount"] == "800.00"
    assert _post(client, case, "urgent_approve", {}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.application.monthly_amount) == ("approved_pending_completion", 800)


def test_investigator_choice_offers_only_users_who_may_investigate(staff, cases):
    from assistance.forms import investigator_choices

    case = cases.make("accepted")
    offered = set(investigator_choices(case.area_id))
    assert {staff["town_officer"], staff["town_officer2"]} <= offered
    assert staff["town_reviewer"] not in offered  # 初审 only: may view applications but not investigate
