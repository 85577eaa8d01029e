from django.apps import AppConfig


class DisabilityConfig(AppConfig):
    """残疾人福利: the two disability subsidies (残疾人两项补贴) and their full coverage, 精康融合, 福康工程."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "disability"
    label = "disability"
    verbose_name = "残疾人福利"
    # The two subsidies' functions (disability.calculations) are registered with every other app's by programs.apps.
