from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("school/teachers/", views.teacher_list, name="school_teachers"),
    path("school/teachers/<int:pk>/deactivate/", views.teacher_deactivate, name="school_deactivate"),
    path("school/teachers/<int:pk>/reactivate/", views.teacher_reactivate, name="school_reactivate"),
    path("school/audit/", views.audit_log, name="school_audit"),
    # The invitation's one-time link: Django's reset-confirm view with its own wording.
    path(
        "accounts/welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="school/invitation_accept.html", extra_context={"invitation": True}
        ),
        name="invitation_accept",
    ),
]
