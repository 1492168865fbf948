import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_each_part(client, settings, tmp_path):
    model = tmp_path / "eye_cnn.keras"
    model.write_bytes(b"x" * 10)
    settings.EYECLASS_MODEL_PATH = model
    body = client.get("/healthz").json()
    assert set(body["checks"]) == {"database", "broker", "workers", "model"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["model"] == {"ok": True, "detail": "eye_cnn.keras (10 bytes)"}


def test_it_is_unhealthy_without_a_worker_or_model(client, settings, tmp_path):
    settings.EYECLASS_MODEL_PATH = tmp_path / "missing.keras"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["model"]["detail"].startswith("missing:")
    assert body["checks"]["workers"]["ok"] is False


def test_it_is_healthy_when_everything_is_up(client, settings, tmp_path):
    from eyeclass.ops.models import WorkerHeartbeat

    model = tmp_path / "eye_cnn.keras"
    model.write_bytes(b"weights")
    settings.EYECLASS_MODEL_PATH = model
    WorkerHeartbeat.beat("w1@host", ["celery"], 123)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_it_reports_an_unreachable_broker(client, settings):
    from eyeclass.celery import app

    original = app.conf.broker_url, app.conf.broker_transport
    app.conf.broker_url, app.conf.broker_transport = "redis://127.0.0.1:1/0", None  # as settings make a Redis URL
    try:
        body = client.get("/healthz").json()
    finally:
        app.conf.broker_url, app.conf.broker_transport = original
    assert body["checks"]["broker"]["ok"] is False


def test_it_shows_details_only_to_staff_or_this_machine(client, django_user_model, settings, tmp_path):
    settings.EYECLASS_MODEL_PATH = tmp_path / "missing.keras"
    remote = client.get("/healthz", REMOTE_ADDR="203.0.113.5").json()
    assert remote["checks"]["model"] == {"ok": False} and str(tmp_path) not in str(remote)
    admin = django_user_model.objects.create_user("ops", password="x-ops-pass-1", is_staff=True)
    client.force_login(admin)
    assert "detail" in client.get("/healthz", REMOTE_ADDR="203.0.113.5").json()["checks"]["model"]
