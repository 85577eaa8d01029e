"""补录: a paper case entered afterwards states a date for every step; each must not precede the step before it
(申请 ≤ 受理 ≤ 入户调查 ≤ 信息核对 ≤ 群众评议 ≤ 初审 ≤ 公示 ≤ 审核确认) nor lie in the future, and a wrong one is a 400
naming the field and both steps with their dates — through the API and the pages."""

from datetime import date

import pytest
from django.urls import reverse

from casework.models import Case
from programs.models import Enrolment

pytestmark = pytest.mark.django_db

# (step, who, field, body without the date, label, the earlier step's label) in workflow order
STEPS = [
    ("accept", "town_officer", "date", {}, "受理日期", "申请日期"),
    ("investigate", "town_officer", "visited_on", None, "入户调查日期", "受理日期"),
    ("verify", "town_officer", "checked_on", {"sources": ["hukou"], "result": "match"}, "信息核对日期", "入户调查日期"),
    ("evaluate", "town_officer", "held_on", {"participants": 9, "result": "agree"}, "群众评议日期", "信息核对日期"),
    ("review", "town_reviewer", "reviewed_on", {"opinion": "agree"}, "初审日期", "群众评议日期"),
    ("publish", "town_officer", "date", {}, "公示开始日期", "初审日期"),
]


def _paper_case(api, families) -> tuple[dict, object]:
    household, _ = families.household(["纸一", "纸二"])
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk, "channel": "worker",
                                           "authorised_data_check": True, "submitted_on": "2026-01-05"})
    return case, household


def test_every_step_date_is_checked_against_the_step_before_it(api, staff, families, clock):
    case, household = _paper_case(api, families)
    assert Case.objects.get(pk=case["id"]).submitted_on == date(2026, 1, 5)
    investigate = {"investigators": [staff["town_officer"].pk, staff["town_officer2"].pk]}
    previous = date(2026, 1, 5)
    for offset, (action, who, field, body, label, earlier) in enumerate(STEPS, start=1):
        body = dict(investigate if body is None else body)
        # one day before the previous step: refused, naming both steps and both dates
        early = previous.replace(day=previous.day - 1)
        refused = api.step(who, case["id"], action, {**body, field: early.isoformat()}, expect=400)
        message = refused[field][0]
        assert f"{label} {early:%Y-%m-%d}" in message and f"{earlier}（{previous:%Y-%m-%d}）" in message, message
        # in the future: refused too
        future = api.step(who, case["id"], action, {**body, field: "2026-03-03"}, expect=400)
        assert "不能晚于今天（2026-03-02）" in future[field][0]
        # the same day as the previous step is in order
        stated = previous if offset % 2 else date(2026, 1, 5 + 2 * offset)
        api.step(who, case["id"], action, {**body, field: stated.isoformat()})
        previous = stated
    # 审核确认: not before 公示 started, not before the notice period ended, not in the future
    refused = api.step("district_approver", case["id"], "confirm", {"decided_on": "2026-01-01"}, expect=400)
    assert f"审核确认日期 2026-01-01）不能早于公示开始日期（{previous:%Y-%m-%d}）" in refused["decided_on"][0]
    during = api.step("district_approver", case["id"], "confirm", {"decided_on": previous.isoformat()}, expect=400)
    assert "公示期未满" in during["status"][0]
    future = api.step("district_approver", case["id"], "confirm", {"decided_on": "2026-03-03"}, expect=400)
    assert "不能晚于今天" in future["decided_on"][0]
    decided = date(previous.year, previous.month, previous.day + 7)  # the day after the 7-day notice ends
    done = api.step("district_approver", case["id"], "confirm", {"decided_on": decided.isoformat()})
    assert done["status"] == "confirmed" and done["decided_on"] == decided.isoformat()
    # Chongqing pays from the month of approval: the stated decision's month, not the month it was entered
    assert Enrolment.objects.get(pk=done["enrolment"]).start_month == date(2026, 1, 1)


def test_the_application_date_cannot_be_in_the_future(api, families, clock):
    household, _ = families.household(["未来"])
    refused = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                              "submitted_on": "2026-03-03"}, expect=400)
    assert "submitted_on（申请日期 2026-03-03）不能晚于今天（2026-03-02）" in refused["submitted_on"][0]
    assert not Case.objects.exists()


def test_without_stated_dates_every_step_is_today(api, staff, families, clock):
    household, _ = families.household(["今天"])
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                           "authorised_data_check": True})
    assert Case.objects.get(pk=case["id"]).submitted_on == date(2026, 3, 2)
    case = api.step("town_officer", case["id"], "accept", {})
    assert case["accepted_on"] == "2026-03-02"


def test_the_page_shows_the_error_naming_both_steps_and_saves_nothing(client, api, staff, families, clock):
    case, _ = _paper_case(api, families)
    client.force_login(staff["town_officer"])
    page = client.post(reverse("assistance-case-action", args=[case["id"], "accept"]), {"date": "2026-01-04"})
    assert page.status_code == 200
    assert "受理日期 2026-01-04）不能早于申请日期（2026-01-05）" in page.content.decode()
    stored = Case.objects.get(pk=case["id"])
    assert stored.state == "submitted" and stored.accepted_on is None
