from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "eyeclass.live"
    label = "live"
    verbose_name = "Live classroom"
