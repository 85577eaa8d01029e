from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "任务"

    def ready(self) -> None:
        from tasks import desk  # noqa: F401  (its blocks join the home page's desk)
