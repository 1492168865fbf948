from django.urls import path

from . import api, views

urlpatterns = [
    path("sessions/upload/", views.upload, name="upload"),
    path("sessions/<int:pk>/", views.lecture_detail, name="lecture"),
    path("sessions/<int:pk>/status/", views.lecture_status, name="lecture_status"),
    path("sessions/<int:pk>/reprocess/", views.lecture_reprocess, name="lecture_reprocess"),
    path("sessions/<int:pk>/delete/", views.lecture_delete, name="lecture_delete"),
    path("sessions/<int:pk>/export.csv", views.lecture_export, {"fmt": "csv"}, name="lecture_export_csv"),
    path("sessions/<int:pk>/export.json", views.lecture_export, {"fmt": "json"}, name="lecture_export_json"),
    path("api/classes/", api.classes, name="api_classes"),
    path("api/classes/<int:pk>/", api.class_detail, name="api_class"),
    path("api/sessions/<int:pk>/", api.session_detail, name="api_session"),
]
