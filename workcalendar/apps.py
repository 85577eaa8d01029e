from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from workcalendar.models import CalendarDay, CalendarYear

        # A request or batch that edits the calendar must count with the edit from then on.
        for model in (CalendarDay, CalendarYear):
            post_save.connect(_forget, sender=model, dispatch_uid=f"workcalendar-forget-save-{model.__name__}")
            post_delete.connect(_forget, sender=model, dispatch_uid=f"workcalendar-forget-delete-{model.__name__}")


def _forget(**_signal) -> None:
    from workcalendar.services import forget_shared_calendar

    forget_shared_calendar()
