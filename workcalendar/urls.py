"""Routes of the working-day calendar (工作日历); the project includes them under /api/."""

from django.urls import path

from workcalendar.api import AddWorkingDaysView, WorkingDaysBetweenView

urlpatterns = [
    path("calendar/add-working-days/", AddWorkingDaysView.as_view(), name="calendar-add-working-days"),
    path("calendar/working-days-between/", WorkingDaysBetweenView.as_view(), name="calendar-working-days-between"),
]
