from django.urls import path

from . import api, replay, students, views

urlpatterns = [
    path("sessions/upload/", views.upload, name="upload"),
    path("sessions/<int:pk>/", views.lecture_detail, name="lecture"),
    path("sessions/<int:pk>/status/", views.lecture_status, name="lecture_status"),
    path("sessions/<int:pk>/reprocess/", views.lecture_reprocess, name="lecture_reprocess"),
    path("sessions/<int:pk>/delete/", views.lecture_delete, name="lecture_delete"),
    path("sessions/<int:pk>/rename/", views.lecture_rename, name="lecture_rename"),
    path("sessions/<int:pk>/video", replay.lecture_video, name="lecture_video"),
    path("sessions/<int:pk>/students/<int:track>/", students.student_detail, name="student"),
    path("sessions/<int:pk>/students.csv", students.lecture_students_csv, name="lecture_students_csv"),
    path("help/", views.help_page, name="help"),
    path("sessions/<int:pk>/export.csv", views.lecture_export, {"fmt": "csv"}, name="lecture_export_csv"),
    path("sessions/<int:pk>/export.json", views.lecture_export, {"fmt": "json"}, name="lecture_export_json"),
    path("api/classes/", api.classes, name="api_classes"),
    path("api/classes/<int:pk>/", api.class_detail, name="api_class"),
    path("api/sessions/<int:pk>/", api.session_detail, name="api_session"),
]
