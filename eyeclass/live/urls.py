from django.urls import path

from . import views

urlpatterns = [
    path("live/", views.live_start, name="live_start"),
    path("live/<int:pk>/", views.live_session, name="live_session"),
    path("live/<int:pk>/stop/", views.live_stop, name="live_stop"),
]
