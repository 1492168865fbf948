from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class ClassroomQuerySet(models.QuerySet):
    def for_teacher(self, user) -> ClassroomQuerySet:
        return self.filter(teacher=user) if user.is_authenticated else self.none()


class Classroom(models.Model):
    """A class a teacher gives; its lectures are the sessions."""

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
        """One point per finished session, oldest first: average engagement and emotion mix."""
        lectures = self.lectures.filter(status="done").order_by("created_at").defer("charts")
        return [
            {
                "id": lecture.pk,
                "title": lecture.title,
                "date": lecture.created_at.date().isoformat(),
                "engagement": lecture.summary.get("engagement"),
                "emotions": lecture.summary.get("emotions") or {},
                "faces": lecture.summary.get("faces"),
            }
            for lecture in lectures
        ]
