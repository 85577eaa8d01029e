from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "动态监测预警"

    def ready(self) -> None:
        # Feed schemas join the import registry, the feed job registers its handler, and a closed task closes
        # its warning — in every process (web and worker). The 高龄津贴 functions (monitoring.calculations) are
        # registered with every other app's by programs.apps.
        from monitoring import (  # noqa: F401
            case_panels,  # noqa: F401  (department records beside 信息核对 on the case page)
            desk,  # noqa: F401  (its blocks join the home page's desk)
            feeds,
            handlers,
        )
        from tasks.signals import task_closed

        task_closed.connect(_close_warning, dispatch_uid="monitoring.close_warning")


def _close_warning(sender, *, task, acting_user, **kwargs) -> None:
    from monitoring.services import warning_close_for_task

    warning_close_for_task(task=task, acting_user=acting_user)
