from django.apps import AppConfig


class CarevisitsConfig(AppConfig):
    """特殊困难老年人探访关爱: the roster, visit plans and logs, smart water meters and their alarms."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "carevisits"
    label = "carevisits"
    verbose_name = "特殊困难老年人探访关爱"

    def ready(self) -> None:
        from accounts.roles import default_grants_add
        from carevisits import (  # noqa: F401
            desk,  # its block joins the home page's desk
            import_schema,  # the meter-readings file joins the import registry
        )
        from carevisits.grants import CAREVISITS_GRANTS

        default_grants_add(CAREVISITS_GRANTS)
