from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using, **kwargs) -> None:
    # A later migration that alters registry_person makes SQLite rebuild the table, dropping the triggers that
    # keep the name search table in step; put them back after every migrate.
    from django.db import connections

    from registry import search_index

    search_index.ensure(connections[using])


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = "居民信息库"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="registry_search_index")
