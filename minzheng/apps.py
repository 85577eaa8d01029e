from django.apps import AppConfig


class MinzhengConfig(AppConfig):
    """The platform package as an app: no models; its management commands and the stored-file cleanup signals."""

    name = "minzheng"
    verbose_name = "平台"

    def ready(self) -> None:
        from minzheng.orphan_files import file_cleanup_connect

        file_cleanup_connect()
