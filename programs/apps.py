from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "救助与补贴项目"

    def ready(self) -> None:
        # The built-in calculators register themselves on import (register_calculator / register_eligibility).
        from programs import (
            calculations,  # noqa: F401
            desk,  # noqa: F401  (its blocks join the home page's desk)
        )
