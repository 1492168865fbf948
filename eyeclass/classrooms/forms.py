from __future__ import annotations

from django import forms

from .models import Classroom


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name"]

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Classroom.objects.for_teacher(self.teacher).filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("You already have a class with this name.")
        return name

    def save(self, commit=True):
        self.instance.teacher = self.teacher
        return super().save(commit)
