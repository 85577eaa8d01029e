from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistance"
    verbose_name = "社会救助申请"

    def ready(self) -> None:
        from assistance.workflows import register_all

        register_all()
