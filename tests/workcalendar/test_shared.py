"""One calendar per request or batch (同一日历视图): the calendar rows are read once, and an edit made inside the
block is counted with from then on."""

from datetime import date

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from workcalendar.middleware import OneCalendarPerRequestMiddleware
from workcalendar.models import CalendarDay, DayKind
from workcalendar.services import add_working_days, is_working_day, one_calendar, working_days_between

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


def _calendar_reads(queries) -> int:
    return sum('"workcalendar_calendarday"' in q["sql"] for q in queries.captured_queries)


def test_each_call_reads_the_calendar_outside_a_block():
    with CaptureQueriesContext(connection) as queries:
        add_working_days(MONDAY, 5)
        working_days_between(MONDAY, date(2026, 3, 20))
    assert _calendar_reads(queries) == 2


def test_calls_in_a_block_read_each_year_once():
    with one_calendar(), CaptureQueriesContext(connection) as queries:
        first = add_working_days(MONDAY, 5)
        again = add_working_days(MONDAY, 5)
        span = working_days_between(MONDAY, date(2026, 3, 20))
        nested_answer = None
        with one_calendar():
            nested_answer = is_working_day(date(2026, 3, 7))
    assert (first, again, span, nested_answer) == (date(2026, 3, 9), date(2026, 3, 9), 14, False)
    assert _calendar_reads(queries) == 1


def test_a_day_saved_inside_the_block_is_counted_from_then_on():
    with one_calendar():
        assert add_working_days(MONDAY, 1) == date(2026, 3, 3)
        CalendarDay.objects.create(date=date(2026, 3, 3), kind=DayKind.HOLIDAY, name="临时放假",
                                   source="测试")
        assert add_working_days(MONDAY, 1) == date(2026, 3, 4)
        CalendarDay.objects.filter(date=date(2026, 3, 3)).delete()  # queryset delete sends post_delete per row
        assert add_working_days(MONDAY, 1) == date(2026, 3, 3)


def test_a_request_shares_one_calendar():
    answers = []

    def view(request):
        answers.extend([add_working_days(MONDAY, 5), add_working_days(MONDAY, 10), is_working_day(MONDAY)])
        return None

    with CaptureQueriesContext(connection) as queries:
        OneCalendarPerRequestMiddleware(view)(RequestFactory().get("/"))
    assert answers == [date(2026, 3, 9), date(2026, 3, 16), True]
    assert _calendar_reads(queries) == 1
    # The block ended with the request: the next call reads again.
    with CaptureQueriesContext(connection) as queries:
        add_working_days(MONDAY, 5)
    assert _calendar_reads(queries) == 1


def test_every_request_goes_through_the_calendar_middleware(settings):
    assert "workcalendar.middleware.OneCalendarPerRequestMiddleware" in settings.MIDDLEWARE
