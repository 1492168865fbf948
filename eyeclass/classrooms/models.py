from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class ClassroomQuerySet(models.QuerySet):
    def for_teacher(self, user) -> ClassroomQuerySet:
        return self.filter(teacher=user) if user.is_authenticated else self.none()


class Classroom(models.Model):
    """A class a teacher gives, and its sessions."""

    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classrooms")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["teacher", "name"], name="unique_class_name_per_teacher")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("classroom", args=[self.pk])

    def trend(self) -> list[dict]:
        """One point per finished session, oldest first: average engagement and emotion mix, None where the
        session's numbers are withheld (too little was readable): never plotted, never averaged in."""
        sessions = self.sessions.filter(status="done").order_by("created_at").defer("charts")
        points = []
        for session in sessions:
            figures = session.figures
            points.append(
                {
                    "id": session.pk,
                    "title": session.title,
                    "date": session.created_at.date().isoformat(),
                    "engagement": figures.get("engagement"),
                    "faces": figures.get("faces"),
                    "withheld": figures["withheld"],
                }
                | ({"emotions": figures.get("emotions") or {}} if settings.EYECLASS_EMOTIONS else {})
            )
        return points
