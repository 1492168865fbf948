from django.urls import path

from . import api, notes, replay, students, views

urlpatterns = [
    path("sessions/upload/", views.upload, name="upload"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/status/", views.session_status, name="session_status"),
    path("sessions/<int:pk>/reprocess/", views.session_reprocess, name="session_reprocess"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<int:pk>/rename/", views.session_rename, name="session_rename"),
    path("sessions/<int:pk>/video", replay.session_video, name="session_video"),
    path("sessions/<int:pk>/students/<int:track>/", students.student_detail, name="student"),
    path("sessions/<int:pk>/students/<int:track>/counted", students.student_counted, name="student_counted"),
    path("sessions/<int:pk>/students.csv", students.session_students_csv, name="session_students_csv"),
    path("sessions/<int:pk>/notes/", notes.note_add, name="note_add"),
    path("sessions/<int:pk>/notes/<int:note>/edit", notes.note_edit, name="note_edit"),
    path("sessions/<int:pk>/notes/<int:note>/delete", notes.note_delete, name="note_delete"),
    path("help/", views.help_page, name="help"),
    path("sessions/<int:pk>/export.csv", views.session_export, {"fmt": "csv"}, name="session_export_csv"),
    path("sessions/<int:pk>/export.json", views.session_export, {"fmt": "json"}, name="session_export_json"),
    path("api/classes/", api.classes, name="api_classes"),
    path("api/classes/<int:pk>/", api.class_detail, name="api_class"),
    path("api/sessions/<int:pk>/", api.session_detail, name="api_session"),
]
