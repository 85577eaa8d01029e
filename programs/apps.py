from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "救助与补贴项目"

    def ready(self) -> None:
        # Every app's `calculations` module registers its eligibility and amount functions on import
        # (register_eligibility / register_calculator): the one place programmes' functions are found.
        from django.utils.module_loading import autodiscover_modules

        from programs import desk  # noqa: F401  (its blocks join the home page's desk)

        autodiscover_modules("calculations")
