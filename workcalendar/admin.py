"""Admin for the working-day calendar (工作日历): where a new year's holiday notice is entered."""

from django.contrib import admin

from workcalendar.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source", "created_at")
    list_filter = ("kind", "name")
    search_fields = ("name", "source")
    date_hierarchy = "date"
    readonly_fields = ("created_at",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "published_on")
    search_fields = ("source",)
