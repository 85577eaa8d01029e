from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistance"
    verbose_name = "社会救助申请"

    def ready(self) -> None:
        from assistance import (
            desk,  # noqa: F401  (its blocks join the home page's desk)
            person_notes,  # noqa: F401  (the next re-check on the person page)
            services,  # noqa: F401  (registers the action hooks with the kernel)
        )
        from assistance.workflows import register_all
        from registry.signals import person_died

        register_all()
        person_died.connect(_end_benefits_on_death, dispatch_uid="assistance.end_benefits_on_death")


def _end_benefits_on_death(sender, *, person, acting_user, **kwargs) -> None:
    """死亡: end the enrolments the death ends and bring the household's re-check forward (same transaction)."""
    from assistance.rechecks import on_person_death

    on_person_death(person, acting_user=acting_user)
