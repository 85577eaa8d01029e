"""Working-day arithmetic (工作日计算): real holiday arrangements, unpublished years, admin-entered years.

Expected dates are worked out by hand from the State Council notices; the first test of each group checks
that `chinese_calendar` agrees with those notices, so a wrong expectation fails there and not in disguise.
"""

from datetime import date, datetime

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError

from workcalendar.models import CalendarDay, CalendarYear, DayKind
from workcalendar.services import (
    CalendarNotPublished,
    add_working_days,
    add_working_days_provisional,
    is_covered,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

SAT, SUN = 5, 6
NOTICE_2028 = "国务院办公厅关于2028年部分节假日安排的通知"


def _publish_2028(*days: tuple[date, str]) -> None:
    """An administrator publishes 2028: the year row plus one CalendarDay row per adjusted day."""
    CalendarYear.objects.create(year=2028, source=NOTICE_2028, published_on=date(2027, 11, 12))
    for day, kind in days:
        CalendarDay.objects.create(date=day, kind=kind, name="国庆节", source=NOTICE_2028)


class TestNationalDay2025:
    """国庆节、中秋节 2025: 10月1日至8日放假调休；9月28日（周日）、10月11日（周六）上班."""

    def test_library_agrees_with_the_notice(self):
        # given the 2025 notice as published
        make_up_days = [date(2025, 9, 28), date(2025, 10, 11)]
        holidays = [date(2025, 10, d) for d in range(1, 9)]
        # then the library has the same arrangement (note 9月28日 is a Sunday, 10月11日 a Saturday)
        assert [d.weekday() for d in make_up_days] == [SUN, SAT]
        assert all(chinese_calendar.is_workday(d) for d in make_up_days)
        assert not any(chinese_calendar.is_workday(d) for d in holidays)
        assert not chinese_calendar.is_workday(date(2025, 9, 27))  # the Saturday before stays a day off

    def test_make_up_sunday_is_the_next_working_day_after_friday(self):
        # given Friday 9月26日, when counting one working day: Saturday 27 is off, Sunday 28 is 调休上班
        assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)

    def test_one_working_day_after_the_eve_skips_the_whole_holiday(self):
        # given Tuesday 9月30日, when counting one working day, then 10月1日–8日 are skipped
        assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)

    def test_make_up_saturday_counts(self):
        # given 9月30日, when counting three: 10月9日 (Thu), 10日 (Fri), 11日 (Sat, 调休上班)
        assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)

    def test_sunday_after_the_make_up_saturday_is_off(self):
        # given 9月30日, when counting four: the fourth lands on Monday 13日 because Sunday 12日 is off
        assert add_working_days(date(2025, 9, 30), 4) == date(2025, 10, 13)

    def test_working_days_between_across_the_holiday(self):
        # given (9月26日, 10月13日]: 28, 29, 30, 10月9, 10, 11, 13 are working days
        start, end = date(2025, 9, 26), date(2025, 10, 13)
        # then seven forwards, and minus seven backwards
        assert working_days_between(start, end) == 7
        assert working_days_between(end, start) == -7

    def test_no_working_day_inside_the_holiday(self):
        # given (9月30日, 10月8日], which is the holiday exactly, then no working day falls inside
        assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0

    def test_is_working_day_follows_the_arrangement(self):
        assert is_working_day(date(2025, 10, 11)) is True  # 调休上班日 on a Saturday
        assert is_working_day(date(2025, 10, 6)) is False  # 中秋节, a Monday


class TestSpringFestival2026:
    """春节 2026: 2月15日至23日放假调休；2月14日（周六）、2月28日（周六）上班."""

    def test_library_agrees_with_the_notice(self):
        make_up_days = [date(2026, 2, 14), date(2026, 2, 28)]
        holidays = [date(2026, 2, d) for d in range(15, 24)]
        assert [d.weekday() for d in make_up_days] == [SAT, SAT]
        assert all(chinese_calendar.is_workday(d) for d in make_up_days)
        assert not any(chinese_calendar.is_workday(d) for d in holidays)

    def test_friday_before_is_followed_by_the_make_up_saturday(self):
        assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)

    def test_make_up_saturday_is_followed_by_the_day_after_the_holiday(self):
        # given Saturday 2月14日, when counting one, then 15日–23日 are skipped
        assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)

    def test_working_days_between_counts_both_make_up_saturdays(self):
        # given (2月13日, 2月28日]: 14, 24, 25, 26, 27, 28
        assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


class TestNewYear2026:
    """元旦 2026: 1月1日至3日放假；1月4日（周日）上班 — the count crosses the year boundary."""

    def test_library_agrees_with_the_notice(self):
        assert not any(chinese_calendar.is_workday(date(2026, 1, d)) for d in (1, 2, 3))
        assert date(2026, 1, 4).weekday() == SUN
        assert chinese_calendar.is_workday(date(2026, 1, 4))

    def test_count_crosses_into_the_next_year(self):
        assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
        assert working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 3  # 12月31日, 1月4日, 1月5日


class TestArguments:
    def test_zero_days_is_the_start_itself(self):
        # even on a holiday: counting nothing moves nowhere
        assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)

    def test_negative_days_are_refused(self):
        with pytest.raises(ValueError, match="负数"):
            add_working_days(date(2025, 9, 30), -1)

    def test_negative_days_are_refused_provisionally_too(self):
        with pytest.raises(ValueError, match="负数"):
            add_working_days_provisional(date(2025, 9, 30), -1)

    def test_same_day_has_no_working_days_between(self):
        assert working_days_between(date(2025, 9, 29), date(2025, 9, 29)) == 0

    def test_a_datetime_is_refused_rather_than_silently_missing_rows(self):
        with pytest.raises(TypeError):
            add_working_days(datetime(2025, 9, 30, 9, 0), 1)  # noqa: DTZ001 — the naive value is the point


class TestQueries:
    def test_a_long_count_loads_the_rows_once(self, django_assert_max_num_queries):
        # given a count spanning most of a year (and a row so the override table is not empty)
        CalendarDay.objects.create(date=date(2025, 6, 3), kind=DayKind.HOLIDAY, name="测试", source="测试")
        # then it costs the same few queries as a short one, not one per day
        with django_assert_max_num_queries(2):
            add_working_days(date(2025, 1, 2), 200)

    def test_a_long_span_loads_the_rows_once(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            working_days_between(date(2004, 1, 1), date(2026, 12, 31))


class TestUnpublishedYear:
    """2028 is beyond chinesecalendar 1.11.0 (2004–2026) until an administrator publishes it."""

    def test_library_does_not_cover_2028(self):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(2028, 3, 1))
        assert is_covered(2028) is False
        assert is_covered(2026) is True

    def test_counting_in_an_unpublished_year_names_the_year(self):
        with pytest.raises(CalendarNotPublished, match="2028年") as caught:
            add_working_days(date(2028, 3, 1), 1)
        assert caught.value.year == 2028

    def test_counting_into_an_unpublished_year_stops_there(self):
        # given the last day of 2026 (covered), when the count needs 2027 (not covered)
        with pytest.raises(CalendarNotPublished) as caught:
            add_working_days(date(2026, 12, 31), 1)
        assert caught.value.year == 2027

    def test_between_and_is_working_day_refuse_too(self):
        with pytest.raises(CalendarNotPublished, match="2028"):
            working_days_between(date(2028, 3, 1), date(2028, 3, 10))
        with pytest.raises(CalendarNotPublished, match="2028"):
            is_working_day(date(2028, 3, 1))

    def test_publishing_the_year_makes_it_countable_and_skips_its_holiday(self):
        # given 2028 published with Monday 10月2日 as a holiday
        assert date(2028, 9, 29).weekday() == 4 and date(2028, 10, 2).weekday() == 0
        _publish_2028((date(2028, 10, 2), DayKind.HOLIDAY))
        # when counting one working day from Friday 9月29日, then the weekend and the holiday are skipped
        assert is_covered(2028) is True
        assert add_working_days(date(2028, 9, 29), 1) == date(2028, 10, 3)

    def test_a_published_year_without_rows_counts_monday_to_friday(self):
        _publish_2028()
        assert add_working_days(date(2028, 9, 29), 1) == date(2028, 10, 2)

    def test_a_make_up_saturday_row_counts(self):
        # given 2028 published with Saturday 9月30日 as 调休上班日
        assert date(2028, 9, 30).weekday() == SAT
        _publish_2028((date(2028, 9, 30), DayKind.WORKDAY))
        # then it is the next working day after Friday 9月29日
        assert add_working_days(date(2028, 9, 29), 1) == date(2028, 9, 30)
        assert is_working_day(date(2028, 9, 30)) is True


class TestRowsOverrideTheLibrary:
    def test_a_holiday_row_corrects_a_library_year(self):
        # given Monday 2026年6月1日, an ordinary working day in the library
        assert chinese_calendar.is_workday(date(2026, 6, 1))
        assert add_working_days(date(2026, 5, 29), 1) == date(2026, 6, 1)
        # when an administrator records it as a day off, then the count moves to Tuesday
        CalendarDay.objects.create(date=date(2026, 6, 1), kind=DayKind.HOLIDAY, name="更正", source="更正通知")
        assert add_working_days(date(2026, 5, 29), 1) == date(2026, 6, 2)


class TestProvisional:
    def test_unpublished_year_counts_monday_to_friday_and_says_so(self):
        # given 2028 with no rows, from Friday 9月29日: Monday 10月2日, Tuesday 3日, Wednesday 4日
        assert add_working_days_provisional(date(2028, 9, 29), 3) == (date(2028, 10, 4), True)

    def test_crossing_into_an_unpublished_year_is_provisional(self):
        # given 2026年12月31日 (Thursday), the next Monday–Friday day is Friday 2027年1月1日
        assert date(2027, 1, 1).weekday() == 4
        assert add_working_days_provisional(date(2026, 12, 31), 1) == (date(2027, 1, 1), True)

    def test_a_covered_span_is_not_provisional(self):
        assert add_working_days_provisional(date(2025, 9, 30), 1) == (date(2025, 10, 9), False)

    def test_a_published_year_is_not_provisional(self):
        _publish_2028((date(2028, 10, 2), DayKind.HOLIDAY))
        assert add_working_days_provisional(date(2028, 9, 29), 1) == (date(2028, 10, 3), False)


class TestCalendarDayValidation:
    def test_a_make_up_day_on_a_weekday_is_rejected(self):
        # given a 调休上班日 typed on a Wednesday, then the admin form refuses it
        day = CalendarDay(date=date(2028, 3, 1), kind=DayKind.WORKDAY, name="春节", source=NOTICE_2028)
        with pytest.raises(ValidationError) as caught:
            day.full_clean()
        assert "date" in caught.value.message_dict

    def test_a_make_up_day_on_a_saturday_is_accepted(self):
        day = CalendarDay(date=date(2028, 9, 30), kind=DayKind.WORKDAY, name="国庆节", source=NOTICE_2028)
        day.full_clean()  # no error
        assert str(day) == "2028-09-30 国庆节（调休上班日）"
