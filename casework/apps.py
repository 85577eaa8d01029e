from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "casework"
    verbose_name = "案件办理"

    def ready(self) -> None:
        # A provisional deadline (one that ran into a year without a published calendar) is recomputed as soon
        # as an administrator records that year's holidays: casework never waits for a person to notice.
        from casework import signals

        signals.connect()
