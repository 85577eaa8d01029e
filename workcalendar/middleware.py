"""One calendar per request (每个请求一份日历): a desk page shows dozens of deadlines and would otherwise read the
working calendar once per deadline."""

from workcalendar.services import one_calendar


class OneCalendarPerRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_calendar():
            return self.get_response(request)
