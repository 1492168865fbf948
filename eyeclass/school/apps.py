from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "eyeclass.school"
    label = "school"
    verbose_name = "School: teachers, consent and audit"
