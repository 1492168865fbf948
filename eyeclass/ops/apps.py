from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "eyeclass.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the worker heartbeat)
