from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("classes/new/", views.classroom_create, name="classroom_create"),
    path("classes/<int:pk>/", views.classroom_detail, name="classroom"),
    path("classes/<int:pk>/rename/", views.classroom_rename, name="classroom_rename"),
    path("classes/<int:pk>/delete/", views.classroom_delete, name="classroom_delete"),
    path("classes/<int:pk>/export.zip", views.classroom_export, name="classroom_export"),
    path("classes/<int:pk>/export-delete/", views.classroom_export_delete, name="classroom_export_delete"),
    path("classes/<int:pk>/compare/", views.classroom_compare, name="classroom_compare"),
]
