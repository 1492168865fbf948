"""The one deployment config: defaults, parsing, one clear error for bad values, and its docs table."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from eyeclass.config import BASE_DIR, load, markdown_table, sso_settings

REPO = Path(__file__).resolve().parents[1]


def test_an_empty_environment_gives_the_development_defaults():
    config = load({})
    assert not config.production and not config.debug and config.eyeclass_emotions
    assert config.allowed_hosts == ["127.0.0.1", "localhost", "testserver"]
    assert config.media_root == BASE_DIR / "var" / "media"
    assert config.celery_broker_url == "filesystem://"
    assert config.eyeclass_retention_days is None and config.eyeclass_analysis_fps is None
    assert config.axes_failure_limit == 5 and config.eyeclass_live_max_fps == 15.0
    assert config.email_host == "" and "students" in config.eyeclass_consent_notice.lower()


def test_values_are_parsed_to_their_kinds_and_derived_defaults_follow_them():
    config = load(
        {
            "EYECLASS_VAR_DIR": "/srv/eyeclass",
            "EYECLASS_EMOTIONS": "Off",
            "EYECLASS_LIVE_MAX_FACES": " 4 ",
            "EYECLASS_RETENTION_DAYS": "365",
            "EYECLASS_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2,",
            "REDIS_URL": "redis://r:6379/0",
            "LOG_LEVEL": "debug",
            "EYECLASS_ENV": "production",
            "SECRET_KEY": "k",
        }
    )
    assert config.eyeclass_emotions is False and config.eyeclass_live_max_faces == 4
    assert config.eyeclass_retention_days == 365.0
    assert config.eyeclass_trusted_proxies == ["10.0.0.1", "10.0.0.2"]
    assert config.media_root == Path("/srv/eyeclass/media")
    assert config.database_url == "sqlite:////srv/eyeclass/eyeclass.sqlite3"
    assert config.celery_broker_url == config.celery_result_backend == "redis://r:6379/0"
    assert config.log_level == "DEBUG" and config.production and config.allowed_hosts == []


def test_the_config_cannot_be_changed_after_loading():
    with pytest.raises(AttributeError):
        load({}).eyeclass_emotions = False


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("EYECLASS_GPU_QUEUE", "ture", "expected 1/true/yes/on or 0/false/no/off"),
        ("EYECLASS_LIVE_MAX_FACES", "8.5", "expected a whole number of 1 or more"),
        ("EYECLASS_LIVE_MAX_FPS", "-3", "expected a number above 0"),
        ("EYECLASS_CHUNK_SECONDS", "two minutes", "expected a number of 0 or more"),
        ("EYECLASS_RETENTION_DAYS", "0", "expected a number of days above 0"),
        ("EYECLASS_ENV", "prod", "expected one of development, production"),
        ("EYECLASS_DEVICE", "gpu", "expected one of auto, cpu"),
        ("LOG_LEVEL", "loud", "expected one of DEBUG, INFO"),
        ("EMAIL_PORT", "smtp", "expected a whole number"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_allows(name, value, allowed):
    with pytest.raises(ImproperlyConfigured) as error:
        load({name: value})
    assert f"{name}={value!r}: {allowed}" in str(error.value)


def test_every_bad_variable_is_named_in_one_error():
    with pytest.raises(ImproperlyConfigured) as error:
        load({"DEBUG": "maybe", "AXES_FAILURE_LIMIT": "many"})
    assert "DEBUG='maybe'" in str(error.value) and "AXES_FAILURE_LIMIT='many'" in str(error.value)


def test_production_needs_a_secret_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load({"EYECLASS_ENV": "production"})


SSO = {
    "OIDC_RP_CLIENT_ID": "eyeclass",
    "OIDC_RP_CLIENT_SECRET": "s",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://id.example/a",
    "OIDC_OP_TOKEN_ENDPOINT": "https://id.example/t",
    "OIDC_OP_USER_ENDPOINT": "https://id.example/u",
    "OIDC_OP_JWKS_ENDPOINT": "https://id.example/k",
}


def test_single_sign_on_is_off_without_a_client_id_and_adds_no_setting():
    assert not load({}).sso and sso_settings(load({})) == {}


def test_single_sign_on_configured_gives_the_library_its_settings():
    oidc = sso_settings(load(SSO))
    assert oidc["OIDC_OP_TOKEN_ENDPOINT"] == "https://id.example/t" and oidc["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert oidc["OIDC_CREATE_USER"] is False


@pytest.mark.parametrize(
    "change, message",
    [
        ({"OIDC_OP_TOKEN_ENDPOINT": ""}, "OIDC_OP_TOKEN_ENDPOINT must be set for single sign-on"),
        ({"OIDC_OP_JWKS_ENDPOINT": ""}, "OIDC_OP_JWKS_ENDPOINT must be set for single sign-on"),
        ({"OIDC_RP_CLIENT_ID": ""}, "set without OIDC_RP_CLIENT_ID"),
        ({"OIDC_RP_SIGN_ALGO": "none"}, "OIDC_RP_SIGN_ALGO='none': expected one of RS256, ES256, HS256"),
    ],
)
def test_half_configured_single_sign_on_stops_the_start(change, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        load({**SSO, **change})


def test_a_shared_secret_signature_needs_no_key_endpoint():
    assert load({**SSO, "OIDC_OP_JWKS_ENDPOINT": "", "OIDC_RP_SIGN_ALGO": "hs256"}).sso


def test_docs_operations_carries_the_table_of_every_setting():
    docs = (REPO / "docs" / "operations.md").read_text()
    assert markdown_table() in docs, "run `python -m eyeclass.config` and paste its table into docs/operations.md"
    for line in markdown_table().splitlines()[2:]:
        name, default, meaning = (cell.strip() for cell in line.strip("|").split(" | "))
        assert name and default and meaning, line


def test_settings_take_their_values_from_the_config():
    from django.conf import settings

    for name in ("EYECLASS_EMOTIONS", "EYECLASS_LIVE_MAX_FPS", "UPLOAD_MAX_BYTES", "AXES_FAILURE_LIMIT"):
        assert getattr(settings, name) == getattr(settings.CONFIG, name.lower()), name
