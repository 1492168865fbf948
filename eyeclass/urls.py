from django.contrib import admin
from django.urls import include, path

from eyeclass.ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("eyeclass.accounts.urls")),
    path("", include("eyeclass.classrooms.urls")),
    path("", include("eyeclass.lectures.urls")),
    path("", include("eyeclass.live.urls")),
    path("", include("eyeclass.school.urls")),
]

handler400 = "eyeclass.ops.views.bad_request"
