from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    """儿童福利: child categories and their recognition, the two basic living allowances, the child-director
    network, care records and adoption registration."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "children"
    label = "children"
    verbose_name = "儿童福利"

    def ready(self) -> None:
        from accounts.roles import default_grants_add
        from children.grants import CHILDREN_GRANTS
        from children.workflows import register_all
        from registry.signals import person_died

        default_grants_add(CHILDREN_GRANTS)
        register_all()
        person_died.connect(_parent_died, dispatch_uid="children.parent_died")


def _parent_died(sender, *, person, acting_user, **kwargs) -> None:
    """A recorded parent's death changes the child's reason: its allowance is re-checked (same transaction)."""
    from children.services import on_parent_death

    on_parent_death(person, acting_user=acting_user)
