from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model


def students_informed() -> forms.BooleanField:
    """The confirmation a session needs before it is analysed; the notice itself is on the page
    (EYECLASS_CONSENT_NOTICE) and is stored with the session (school.Consent)."""
    return forms.BooleanField(
        label="The students were informed, as the notice above says",
        error_messages={"required": "Confirm that the students were informed before the analysis starts."},
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Teacher's email")
    name = forms.CharField(max_length=150, required=False, label="Name (optional)")


class DeactivateForm(forms.Form):
    classes = forms.ChoiceField(
        choices=[("keep", "Keep their classes (nobody can open them until the account is reactivated)"),
                 ("transfer", "Transfer their classes to another teacher")],
        widget=forms.RadioSelect,
        initial="keep",
        label="Their classes",
    )  # fmt: skip
    transfer_to = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False, label="To")

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = (
            get_user_model().objects.filter(is_active=True, is_superuser=False).exclude(pk=teacher.pk)
        )

    def clean(self):
        data = super().clean()
        if data.get("classes") == "transfer" and not data.get("transfer_to"):
            self.add_error("transfer_to", "Choose the teacher who takes the classes.")
        return data
