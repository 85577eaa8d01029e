"""Deadlines in working days on the official calendar: the 2025 National Day holiday, back-dated acceptance,
the future refused, a provisional deadline into 2027 recomputed when 2027 is published, extension to 45."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from casework.models import Case
from programs.services import policy_parameter_set
from tests.assistance.conftest import working_days_after
from workcalendar.models import CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(settings):
    """The national count (30 working days, 45 when extended): the Chongqing one is in test_deadlines_chongqing."""
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"


def _accepted(api, families, body: dict, program: str = "dibao") -> dict:
    household, _ = families.household(["期限户"])
    cid = api.submit("town_officer", {"program": program, "household": household.pk,
                                      "authorised_data_check": True})["id"]
    return api.step("town_officer", cid, "accept", body)


def test_library_knows_the_2025_national_day_arrangement():
    # 国务院办公厅通知: 10月1日至8日放假；9月28日（周日）、10月11日（周六）上班
    assert not any(chinese_calendar.is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert chinese_calendar.is_workday(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5
    assert chinese_calendar.is_workday(date(2025, 9, 30))


def test_deadlines_across_the_national_day_holiday(api, families, clock, national):
    clock.set(date(2025, 12, 1))
    # given a paper application accepted on 30 September 2025 and entered later (back-dated acceptance)
    case = _accepted(api, families, {"date": "2025-09-30"})
    assert case["accepted_on"] == "2025-09-30"
    # then the investigation starts by the third working day: 9 Oct (Thu), 10 Oct (Fri), 11 Oct (make-up Saturday)
    assert case["deadlines"]["investigation_due"] == "2025-10-11"
    # and the case must be finished within 30 working days: worked by hand over the holiday, then by the library
    assert case["deadlines"]["overall_due"] == "2025-11-18" == working_days_after(date(2025, 9, 30), 30).isoformat()
    # on 1 December the investigation deadline is 36 working days past (13 Oct … 1 Dec)
    assert (case["deadline"], case["overdue"], case["working_days_left"]) == ("2025-10-11", True, -36)
    basis = case["deadline_basis"]["investigation_due"]
    assert (basis["working_days"], basis["from"], basis["key"]) == (3, "2025-09-30", "deadline_investigation_start_wd")
    assert "第十五条" in basis["source"] and basis["verified"] is True


def test_acceptance_date_never_in_the_future(api, families, clock):
    household, _ = families.household(["未来户"])
    cid = api.submit("town_officer", {"program": "dibao", "household": household.pk})["id"]
    refused = api.step("town_officer", cid, "accept", {"date": "2026-03-03"}, expect=400)
    assert refused["date"] == ["date（受理日期）不能晚于今天（2026-03-02）"]
    malformed = api.step("town_officer", cid, "accept", {"date": "2026-13-01"}, expect=400)
    assert "YYYY-MM-DD" in malformed["date"][0]
    assert Case.objects.get(pk=cid).state == "submitted"  # nothing half-saved


def test_completion_cannot_predate_the_one_time_notice(api, families, clock):
    case = _accepted(api, families, {"missing": ["身份证复印件"], "date": "2026-02-20"})
    refused = api.step("town_officer", case["id"], "accept", {"date": "2026-02-19"}, expect=400)
    assert "不能早于一次性告知补正材料的日期（2026-02-20）" in refused["date"][0]
    done = api.step("town_officer", case["id"], "accept", {"date": "2026-02-25"})
    assert done["deadlines"]["investigation_due"] == working_days_after(date(2026, 2, 25), 3).isoformat()


def test_provisional_deadline_into_2027_is_recomputed_when_2027_is_published(
        api, staff, families, clock, django_capture_on_commit_callbacks, national):
    # given 2027 is not in the library and not entered
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    clock.set(date(2026, 12, 15))
    case = _accepted(api, families, {})
    # 30 working days from 15 Dec 2026: the 2026 part by the official calendar, then 2027 by weekdays alone
    in_2026 = sum(chinese_calendar.is_workday(date(2026, 12, 15) + timedelta(days=i)) for i in range(1, 17))
    weekdays_2027 = [date(2027, 1, 1) + timedelta(days=i) for i in range(60)]
    weekdays_2027 = [d for d in weekdays_2027 if d.weekday() < 5]
    provisional_due = weekdays_2027[30 - in_2026 - 1]
    assert case["deadlines"]["overall_due"] == provisional_due.isoformat() == "2027-01-26"
    assert case["deadline_basis"]["overall_due"]["provisional"] is True
    # after the investigation the current deadline is the overall one, shown as provisional
    case = api.step("town_officer", case["id"], "investigate", {
        "investigators": [staff["town_officer"].pk, staff["town_officer2"].pk]})
    case = api.step("town_officer", case["id"], "verify", {"sources": ["hukou"], "result": "match"})
    assert (case["deadline"], case["deadline_provisional"]) == ("2027-01-26", True)
    # still on the day of acceptance: 12 working days of 2026 (16–31 Dec) + 18 weekdays of 2027, all 30 left
    assert in_2026 == 12 and case["working_days_left"] == 30
    # when the administrator publishes 2027 with New Year's Day (Friday 1 Jan) as a holiday
    with django_capture_on_commit_callbacks(execute=True):
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知",
                                    published_on=date(2026, 11, 10))
        CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦",
                                   source="国务院办公厅关于2027年部分节假日安排的通知")
    # then the deadline is recomputed by itself, one working day later, and is no longer provisional
    case = api.get("town_officer", f"/api/applications/{case['id']}/")
    assert (case["deadline"], case["deadline_provisional"]) == ("2027-01-27", False)
    assert Case.objects.get(pk=case["id"]).deadline_provisional is False


def test_extend_to_45_working_days_once_with_a_reason(api, families, clock, national):
    case = _accepted(api, families, {})
    assert case["deadlines"]["overall_due"] == working_days_after(date(2026, 3, 2), 30).isoformat()
    blank = api.step("town_officer", case["id"], "extend", {"reason": " "}, expect=400)
    assert "延期须说明理由" in blank["reason"][0]
    missing = api.step("town_officer", case["id"], "extend", {}, expect=400)
    assert "延期须说明理由" in missing["reason"][0]
    case = api.step("town_officer", case["id"], "extend", {"reason": "人户分离，需异地核对"})
    assert case["deadlines"]["overall_due"] == working_days_after(date(2026, 3, 2), 45).isoformat()
    assert (case["extended"], case["extension_reason"]) == (True, "人户分离，需异地核对")
    assert case["deadline_basis"]["overall_due"]["key"] == "deadline_overall_extended_wd"
    assert case["steps"][-1]["action"] == "extend"
    again = api.step("town_officer", case["id"], "extend", {"reason": "再次延期"}, expect=400)
    assert "不能再次延期" in again["status"][0]


def test_time_limits_are_policy_data_not_constants(api, staff, families, clock):
    # given a district officer sets the investigation limit to 5 working days from March 2026
    policy_parameter_set(acting_user=staff["district_officer"], program="dibao", key="deadline_investigation_start_wd",
                         area_code="500106000000", value="5", valid_from=date(2026, 3, 1), source="本区试行文件")
    case = _accepted(api, families, {})
    assert case["deadlines"]["investigation_due"] == working_days_after(date(2026, 3, 2), 5).isoformat()
    assert case["deadline_basis"]["investigation_due"]["source"] == "本区试行文件"
    # and a case accepted before the new value took effect keeps the old figure
    older = _accepted(api, families, {"date": "2026-02-26"})
    assert older["deadlines"]["investigation_due"] == working_days_after(date(2026, 2, 26), 3).isoformat()
