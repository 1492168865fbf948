from django.urls import path

from eyeclass.accounts.consumers import TeacherUpdatesConsumer
from eyeclass.live.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/updates/", TeacherUpdatesConsumer.as_asgi()),
    path("ws/live/<int:pk>/", LiveConsumer.as_asgi()),
]
