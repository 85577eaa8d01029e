from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    label = "indicators"
    verbose_name = "指标（数字驾驶舱）"

    def ready(self) -> None:
        # Every installed app's `indicators` module registers its functions on import (register_indicator):
        # the one place an indicator's computation is found. The kernel's own live in indicators.kernel.
        from django.utils.module_loading import autodiscover_modules

        from indicators import desk, kernel  # noqa: F401

        autodiscover_modules("indicators")
