from django.urls import path

from eyeclass.accounts.consumers import TeacherUpdatesConsumer

websocket_urlpatterns = [
    path("ws/updates/", TeacherUpdatesConsumer.as_asgi()),
]
