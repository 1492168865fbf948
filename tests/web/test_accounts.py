import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b"csrfmiddlewaretoken" in response.content


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_logs_a_teacher_in_and_out(client, teacher):
    response = client.post("/accounts/login/", {"username": "ada", "password": "s3cret-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_it_rejects_a_wrong_password(client, teacher):
    response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content
    assert client.get("/").status_code == 302


def test_it_changes_the_password(client, teacher):
    client.force_login(teacher)
    response = client.post(
        "/accounts/password/",
        {"old_password": "s3cret-pass-123", "new_password1": "an0ther-long-pass", "new_password2": "an0ther-long-pass"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("an0ther-long-pass")


def test_logout_needs_a_post(client, teacher):
    client.force_login(teacher)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_the_demo_teacher_command_is_idempotent(django_user_model):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("ensure_demo_teacher", stdout=out)
    call_command("ensure_demo_teacher", stdout=out)
    assert django_user_model.objects.filter(username="teacher").count() == 1
    assert django_user_model.objects.get(username="teacher").check_password("eyeclass-demo")
    assert "username=teacher password=eyeclass-demo" in out.getvalue()
