from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """资金发放: the monthly payroll every programme pays through."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "资金发放"

    def ready(self) -> None:
        from accounts.roles import default_grants_add
        from payments.custody.grants import CUSTODY_GRANTS

        default_grants_add(CUSTODY_GRANTS)
        # Registers the "payments.generate" job handler and the bank return import schema ("bank_return").
        from payments import (  # noqa: F401
            bankreturn,
            desk,  # noqa: F401  (its blocks join the home page's desk)
            generation,
        )
