from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("classes/new/", views.classroom_create, name="classroom_create"),
    path("classes/<int:pk>/", views.classroom_detail, name="classroom"),
]
