"""The deadlines issue 12 adds (RULES.md §1): Chongqing's overall limit of 30 日 with the 评议 and 公示 days not
counted, the 20-working-day limit where confirmation is delegated to towns, and 信息核对 within 3 working days of
the request — each across a holiday (National Day 2025, whose make-up Saturday is 11 October)."""

from datetime import date, timedelta

import pytest

from casework.models import CaseDeadline
from programs.services import policy_parameter_set
from tests.assistance.conftest import working_days_after

pytestmark = pytest.mark.django_db
INVESTIGATORS = ("town_officer", "town_officer2")


def _accepted(api, families, on: str, program: str = "dibao") -> dict:
    household, _ = families.household(["重庆期限户"])
    cid = api.submit("town_officer", {"program": program, "household": household.pk,
                                      "authorised_data_check": True})["id"]
    return api.step("town_officer", cid, "accept", {"date": on})


def _investigate(api, staff, case: dict, on: str) -> dict:
    return api.step("town_officer", case["id"], "investigate", {
        "investigators": [staff[w].pk for w in INVESTIGATORS], "visited_on": on})


def test_chongqing_overall_limit_is_30_days_and_ignores_the_holiday(api, families, clock):
    clock.set(date(2025, 9, 30))
    case = _accepted(api, families, "2025-09-30")
    # 30 日 (calendar days) from 受理: the National Day holiday counts like any other day
    assert case["deadlines"]["overall_due"] == (date(2025, 9, 30) + timedelta(days=30)).isoformat() == "2025-10-30"
    basis = case["deadline_basis"]["overall_due"]
    assert (basis["key"], basis["calendar_days"]) == ("deadline_overall_cq_days", 30)
    assert "第十九条" in basis["source"]
    # whereas the national count runs 30 working days over the holiday
    assert working_days_after(date(2025, 9, 30), 30) == date(2025, 11, 18)


def test_evaluation_and_publicity_days_are_not_counted(api, staff, families, clock):
    clock.set(date(2025, 9, 30))
    case = _accepted(api, families, "2025-09-30")
    clock.set(date(2025, 10, 9))
    case = _investigate(api, staff, case, "2025-10-09")
    case = api.step("town_officer", case["id"], "verify", {"sources": ["hukou"], "result": "match"})
    case = api.step("town_officer", case["id"], "evaluate", {"participants": 7, "result": "agree"})
    # one day of 评议 (9 October) is not counted: the limit moves one day
    assert case["deadlines"]["overall_due"] == "2025-10-31"
    assert case["deadline_basis"]["overall_due"]["not_counted_days"] == 1
    case = api.step("town_reviewer", case["id"], "review", {"opinion": "agree"})
    case = api.step("town_officer", case["id"], "publish", {})
    notice = case["notices"][0]
    days = (date.fromisoformat(notice["ends_on"]) - date.fromisoformat(notice["starts_on"])).days + 1
    assert days == 7
    # 公示 9–15 October: 9 October is already the 评议 day, so six more days are not counted (7 in all)
    not_counted = len({date(2025, 10, 9)} | {date(2025, 10, 9) + timedelta(days=i) for i in range(days)})
    assert case["deadlines"]["overall_due"] == (date(2025, 9, 30) + timedelta(days=30 + not_counted)).isoformat()
    assert case["deadline_basis"]["overall_due"]["not_counted_days"] == not_counted == 7


def test_delegated_confirmation_limit_is_20_working_days(api, staff, families, clock, settings):
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"
    # given the district delegates 审核确认 to its towns (a policy switch, from 2025-09-01)
    policy_parameter_set(acting_user=staff["district_officer"], program=None,
                         key="confirmation_delegated_to_towns", area_code="500106000000", value="1",
                         valid_from=date(2025, 9, 1), source="本区委托乡镇（街道）审核确认的决定")
    clock.set(date(2025, 9, 30))
    case = _accepted(api, families, "2025-09-30")
    # then the case is finished within 20 working days of 受理, counted over the holiday and its make-up day
    assert case["deadlines"]["overall_due"] == working_days_after(date(2025, 9, 30), 20).isoformat() == "2025-11-04"
    basis = case["deadline_basis"]["overall_due"]
    assert (basis["key"], basis["working_days"], basis["switched_by"]) == (
        "deadline_overall_delegated_wd", 20, "confirmation_delegated_to_towns")


def test_delegation_also_replaces_the_chongqing_count(api, staff, families, clock):
    policy_parameter_set(acting_user=staff["district_officer"], program=None,
                         key="confirmation_delegated_to_towns", area_code="500106000000", value="1",
                         valid_from=date(2025, 9, 1), source="本区委托乡镇（街道）审核确认的决定")
    clock.set(date(2025, 9, 30))
    case = _accepted(api, families, "2025-09-30")
    assert case["deadlines"]["overall_due"] == "2025-11-04"


def test_information_check_within_3_working_days_of_the_request(api, staff, families, clock):
    clock.set(date(2025, 9, 29))
    case = _accepted(api, families, "2025-09-29")
    # the town records its investigation on 30 September, and with it asks the county for 信息核对
    clock.set(date(2025, 9, 30))
    case = _investigate(api, staff, case, "2025-09-30")
    # 3 working days after 30 September across the holiday: 9, 10 and 11 October (the make-up Saturday)
    assert case["deadlines"]["verification_due"] == "2025-10-11" == working_days_after(date(2025, 9, 30), 3).isoformat()
    assert case["deadline"] == "2025-10-11"  # the current deadline while waiting for the check
    row = CaseDeadline.objects.get(case_id=case["id"], kind="verification_due")
    assert (row.label, row.basis["working_days"]) == ("信息核对期限", 3) and "第十七条" in row.basis["source"]
    clock.set(date(2025, 10, 10))
    case = api.step("town_officer", case["id"], "verify", {"sources": ["hukou"], "result": "match"})
    assert case["deadline"] == case["deadlines"]["overall_due"]  # answered: the overall limit again
