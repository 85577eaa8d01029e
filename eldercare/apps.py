from django.apps import AppConfig


class EldercareConfig(AppConfig):
    """养老服务: ability assessment, allowances, care homes and home services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "eldercare"
    label = "eldercare"
    verbose_name = "养老服务"
