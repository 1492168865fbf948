"""The school administrator: invitations (page and command), the one-time link, deactivation with the
classes kept or transferred, and who may open these pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from eyeclass.classrooms.models import Classroom
from eyeclass.school.models import AuditEntry
from eyeclass.school.roles import is_school_admin, make_school_admin

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin(django_user_model):
    user = django_user_model.objects.create_user(username="head", password="s3cret-pass-789", email="head@school.org")
    make_school_admin(user)
    return user


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def logs_in(client, username: str, password: str) -> bool:
    """Through the login page, as a person would (django-axes wants the request)."""
    client.logout()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/"


def test_an_administrator_invites_a_teacher_who_sets_a_password_once(client, admin):
    client.force_login(admin)
    response = client.post("/school/teachers/", {"email": "New.Teacher@School.org ", "name": "Nia Okafor"})
    assert response.status_code == 302
    invited = User.objects.get(username="new.teacher@school.org")
    assert invited.email == "new.teacher@school.org" and invited.first_name == "Nia"
    assert not invited.has_usable_password() and not is_school_admin(invited)
    assert [m.to for m in mail.outbox] == [["new.teacher@school.org"]]
    link = link_in(mail.outbox[0])
    assert link.startswith("http://testserver/accounts/welcome/")
    client.logout()

    form = client.get(link, follow=True)
    assert b"Choose a password for" in form.content
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "river-lamp-42x", "new_password2": "river-lamp-42x"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert logs_in(client, "new.teacher@school.org", "river-lamp-42x")
    client.logout()
    assert b"already been used" in client.get(link, follow=True).content
    entry = AuditEntry.objects.get(action="invited")
    assert entry.actor == admin and entry.target_label == "new.teacher@school.org"


def test_an_address_that_already_has_an_account_is_refused_and_a_pending_invitation_renewed(client, admin, teacher):
    teacher.email = "ada@school.org"
    teacher.save()
    client.force_login(admin)
    refused = client.post("/school/teachers/", {"email": "ada@school.org"})
    assert refused.status_code == 400 and b"already has an account" in refused.content
    client.post("/school/teachers/", {"email": "late@school.org"})
    client.post("/school/teachers/", {"email": "late@school.org"})
    assert User.objects.filter(username="late@school.org").count() == 1 and len(mail.outbox) == 2


def test_the_command_invites_and_can_make_an_administrator(settings):
    settings.CONFIG = type(settings.CONFIG)(
        **{**settings.CONFIG.__dict__, "eyeclass_site_url": "https://ec.school.org"}
    )
    call_command("invite_teacher", "boss@school.org", "--school-admin", stdout=open("/dev/null", "w"))
    assert link_in(mail.outbox[0]).startswith("https://ec.school.org/accounts/welcome/")
    assert is_school_admin(User.objects.get(username="boss@school.org"))
    with pytest.raises(CommandError, match="already has an account"):
        User.objects.filter(username="boss@school.org").update(password="x")  # a usable password now
        call_command("invite_teacher", "boss@school.org")


def test_only_school_administrators_open_the_school_pages(client, teacher, admin):
    for url in ("/school/teachers/", "/school/audit/", f"/school/teachers/{teacher.pk}/deactivate/"):  # GET pages
        assert client.get(url)["Location"].startswith("/accounts/login/")
        client.force_login(teacher)
        assert client.get(url).status_code == 403
        client.force_login(admin)
        assert client.get(url).status_code == 200
        client.logout()
    client.force_login(teacher)
    assert client.post(f"/school/teachers/{teacher.pk}/reactivate/").status_code == 403
    assert b'href="/school/teachers/"' not in client.get("/").content
    client.force_login(admin)
    assert b'href="/school/teachers/"' in client.get("/").content


def test_deactivating_keeps_the_classes_and_stops_the_login(client, admin, teacher):
    Classroom.objects.create(teacher=teacher, name="Physics")
    teacher_client = type(client)()
    teacher_client.force_login(teacher)
    client.force_login(admin)
    assert client.post(f"/school/teachers/{teacher.pk}/deactivate/", {"classes": "keep"}).status_code == 302
    teacher.refresh_from_db()
    assert not teacher.is_active and list(teacher.classrooms.values_list("name", flat=True)) == ["Physics"]
    assert teacher_client.get("/").status_code == 302  # their open session ends at the next request
    assert not logs_in(client, "ada", "s3cret-pass-123")
    assert AuditEntry.objects.get(action="deactivated").detail == "classes kept"
    client.force_login(admin)
    client.post(f"/school/teachers/{teacher.pk}/reactivate/")
    teacher.refresh_from_db()
    assert teacher.is_active


def test_deactivating_can_transfer_the_classes_renaming_a_clash(client, admin, teacher, other_teacher):
    Classroom.objects.create(teacher=teacher, name="Physics")
    Classroom.objects.create(teacher=teacher, name="Chemistry")
    Classroom.objects.create(teacher=other_teacher, name="Physics")
    client.force_login(admin)
    missing = client.post(f"/school/teachers/{teacher.pk}/deactivate/", {"classes": "transfer"})
    assert missing.status_code == 400 and User.objects.get(pk=teacher.pk).is_active
    response = client.post(
        f"/school/teachers/{teacher.pk}/deactivate/", {"classes": "transfer", "transfer_to": other_teacher.pk}
    )
    assert response.status_code == 302
    assert sorted(other_teacher.classrooms.values_list("name", flat=True)) == ["Chemistry", "Physics", "Physics (ada)"]
    assert not teacher.classrooms.exists()
    assert AuditEntry.objects.filter(action="transferred").count() == 2


def test_an_administrator_cannot_deactivate_themselves(client, admin):
    client.force_login(admin)
    client.post(f"/school/teachers/{admin.pk}/deactivate/", {"classes": "keep"})
    admin.refresh_from_db()
    assert admin.is_active


def test_forgot_password_emails_a_link_that_sets_a_new_password(client, teacher):
    teacher.email = "ada@school.org"
    teacher.save()
    assert client.post("/accounts/reset/", {"email": "ada@school.org"})["Location"] == "/accounts/reset/sent/"
    link = link_in(mail.outbox[0])
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    client.post(form.redirect_chain[-1][0], {"new_password1": "fresh-pass-918", "new_password2": "fresh-pass-918"})
    assert logs_in(client, "ada", "fresh-pass-918")
