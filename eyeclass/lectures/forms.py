from __future__ import annotations

from django import forms
from django.conf import settings

from eyeclass.classrooms.models import Classroom
from eyeclass.school.forms import students_informed
from inference.summary import ENOUGH_READABLE_SECONDS


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def preselect_only_class(form: forms.Form) -> None:
    """A teacher with one class does not have to pick it."""
    classes = form.fields["classroom"].queryset
    if not form.initial.get("classroom") and len(classes[:2]) == 1:
        form.initial["classroom"] = classes[0].pk


class UploadForm(forms.Form):
    classroom = forms.ModelChoiceField(queryset=Classroom.objects.none(), label="Class")
    title = forms.CharField(max_length=200, required=False, help_text="Defaults to the file name.")
    video = forms.FileField(label="Session recording")
    keep_video = forms.BooleanField(required=False, label="Keep the video after processing")
    students_informed = students_informed()

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = Classroom.objects.for_teacher(teacher)
        preselect_only_class(self)
        self.fields["video"].help_text = (
            f"Any common video format, up to {human_bytes(settings.UPLOAD_MAX_BYTES)}. Numbers need at least "
            f"{ENOUGH_READABLE_SECONDS} seconds in which eyes can be read: a clip under {ENOUGH_READABLE_SECONDS} "
            "seconds cannot get any."
        )

    def clean_video(self):
        video = self.cleaned_data["video"]
        if video.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {human_bytes(settings.UPLOAD_MAX_BYTES)}.")
        if video.size == 0:
            raise forms.ValidationError("The file is empty.")
        return video
