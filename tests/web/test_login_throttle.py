"""Log-in throttling (django-axes): repeated wrong passwords pause log-ins for that name from that address."""

import pytest

pytestmark = pytest.mark.django_db


def log_in(client, password, address="10.0.0.1", username="ada"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_name_from_that_address_even_for_the_right_one(client, teacher, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    locked = log_in(client, "wrong")
    assert locked.status_code == 429 and b"Too many failed log-ins" in locked.content
    assert b"15 minutes" in locked.content
    right = log_in(client, "s3cret-pass-123")
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out(client, teacher, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    response = log_in(client, "s3cret-pass-123", address="10.0.0.2")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(teacher.pk)


def test_a_success_before_the_limit_resets_the_count(client, teacher, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, "s3cret-pass-123").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, "s3cret-pass-123").status_code == 302
