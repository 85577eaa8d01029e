from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "数据导入"

    def ready(self) -> None:
        # Register the "import.validate" / "import.commit" job handlers in every process (web and worker).
        from imports import handlers  # noqa: F401
