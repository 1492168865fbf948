from django.apps import AppConfig


class ClassroomsConfig(AppConfig):
    name = "eyeclass.classrooms"
    label = "classrooms"
    verbose_name = "Classes"
