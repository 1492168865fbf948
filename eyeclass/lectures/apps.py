from django.apps import AppConfig


class LecturesConfig(AppConfig):
    name = "eyeclass.lectures"
    label = "lectures"
    verbose_name = "Sessions"
