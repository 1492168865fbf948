"""Every deployment setting, read from the environment once into one frozen, validated `Config`.

Each field names its variable (the field name in capitals), its kind, its default and what it means;
`load` parses them all and raises one ImproperlyConfigured that lists every bad variable with what it
allows, so a typo stops the start instead of silently meaning the default. eyeclass/settings.py turns the
result into Django settings; docs/operations.md's configuration table is `markdown_table()`'s output
(tests/test_config.py keeps them equal). Defaults that depend on another setting (paths under the data
folder, hosts in production) are computed here too, so `Config` holds what the app really uses. This
module imports no Django setting, so it can be read before settings exist.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class Kind(NamedTuple):
    """How a variable's text becomes a value, and what to tell someone whose text it is not."""

    parse: Callable[[str], object]
    allowed: str


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError


def _number(kind=float, above: float | None = None, least: float | None = None) -> Kind:
    what = "a whole number" if kind is int else "a number"
    if above is not None:
        what += f" above {above:g}"
    if least is not None:
        what += f" of {least:g} or more"

    def parse(text: str):
        value = kind(text)
        if (above is not None and not value > above) or (least is not None and value < least):
            raise ValueError
        return value

    return Kind(parse, what)


def _choice(*options: str, fold=str.lower) -> Kind:
    def parse(text: str) -> str:
        if fold(text) not in options:
            raise ValueError
        return fold(text)

    return Kind(parse, "one of " + ", ".join(options))


BOOL = Kind(_bool, "1/true/yes/on or 0/false/no/off")
INT = _number(int, least=0)
POSITIVE_INT = _number(int, least=1)
SECONDS = _number(float, least=0)
POSITIVE = _number(float, above=0)
DAYS = Kind(_number(float, above=0).parse, "a number of days above 0 (unset: keep)")
TEXT = Kind(str, "any text")
PATH = Kind(Path, "a path")
LIST = Kind(lambda text: [item.strip() for item in text.split(",") if item.strip()], "comma-separated values")

Derived = Callable[[dict], object]  # a default computed from the settings parsed before it


def setting(kind: Kind, default: str | None | Derived, meaning: str, shown: str | None = None):
    """A field read from the variable of its name: `default` is spelled as the variable would be (None:
    unset), or computed from earlier fields; `shown` is the default as the docs show it, where computed."""
    return field(metadata={"kind": kind, "default": default, "meaning": meaning, "shown": shown})


DEFAULT_CONSENT_NOTICE = (
    "EyeClass reads the faces in this lesson's video to measure attention and engagement. It keeps only "
    "numbers per second and per anonymous student, never pictures, and the students must be told before it starts."
)


@dataclass(frozen=True)
class Config:
    # The deployment
    eyeclass_env: str = setting(
        _choice("development", "production"),
        "development",
        "production turns on secure cookies, HSTS and the SSL redirect and requires SECRET_KEY",
    )
    eyeclass_var_dir: Path = setting(
        PATH, lambda v: BASE_DIR / "var", "the data folder (SQLite database, media, embedded broker)", "var/"
    )
    debug: bool = setting(BOOL, "off", "Django's debug pages (never in production)")
    secret_key: str = setting(TEXT, "", "Django's secret key; required in production", "a development key")
    allowed_hosts: list = setting(
        LIST,
        lambda v: [] if v.get("eyeclass_env") == "production" else ["127.0.0.1", "localhost", "testserver"],
        "host names the site answers to",
        "localhost outside production",
    )
    csrf_trusted_origins: list = setting(LIST, "", "origins trusted for forms (https://host), when behind a proxy")
    time_zone: str = setting(TEXT, "UTC", "the time zone pages show times in")
    log_level: str = setting(
        _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", fold=str.upper), "INFO", "our loggers' level"
    )
    host: str = setting(TEXT, "127.0.0.1", "the address `manage.py serve` listens on")
    port: int = setting(INT, "8000", "the port `manage.py serve` listens on")
    web_processes: int = setting(INT, "0", "uvicorn processes `serve` starts (0: one per core, at most 4)")
    # Storage and queues
    database_url: str = setting(
        TEXT,
        lambda v: f"sqlite:///{v['eyeclass_var_dir'] / 'eyeclass.sqlite3'}",
        "postgres://... (psycopg 3), or a SQLite file",
        "SQLite under var/",
    )
    db_pool_max_size: int = setting(POSITIVE_INT, "8", "PostgreSQL connections per process")
    redis_url: str = setting(TEXT, "", "Redis for the broker, results and channel layer (unset: embedded fallbacks)")
    celery_broker_url: str = setting(
        TEXT, lambda v: v["redis_url"] or "filesystem://", "the Celery broker", "REDIS_URL, else a folder"
    )
    celery_result_backend: str = setting(
        TEXT,
        lambda v: v["redis_url"] or f"file://{v['eyeclass_var_dir'] / 'celery' / 'results'}",
        "where task results go",
        "REDIS_URL, else files",
    )
    celery_visibility_timeout: int = setting(
        POSITIVE_INT, "3600", "seconds before Redis redelivers an unacknowledged task"
    )
    media_root: Path = setting(
        PATH, lambda v: v["eyeclass_var_dir"] / "media", "uploaded videos (never served by URL)", "var/media"
    )
    static_root: Path = setting(
        PATH, lambda v: v["eyeclass_var_dir"] / "staticfiles", "collectstatic's output", "var/staticfiles"
    )
    file_upload_temp_dir: Path | None = setting(PATH, None, "where large uploads stream to (unset: the system's temp)")
    # Requests and login
    upload_max_bytes: int = setting(POSITIVE_INT, str(2 * 1024**3), "the largest upload", "2 GiB")
    eyeclass_max_body_bytes: int = setting(POSITIVE_INT, "2621440", "the largest other request body", "2.5 MiB")
    eyeclass_trusted_proxies: list = setting(LIST, "", "proxies whose X-Forwarded-* headers are believed (* for any)")
    eyeclass_header_timeout_seconds: float = setting(POSITIVE, "15", "seconds for a request's headers to arrive")
    eyeclass_body_idle_timeout_seconds: float = setting(POSITIVE, "30", "seconds a body may pause between pieces")
    axes_failure_limit: int = setting(
        POSITIVE_INT, "5", "wrong passwords for one username from one address before a lock"
    )
    axes_cooloff_minutes: float = setting(POSITIVE, "15", "minutes such a lock lasts")
    secure_ssl_redirect: bool = setting(BOOL, "on", "production: redirect plain HTTP to HTTPS")
    secure_hsts_seconds: int = setting(INT, "31536000", "production: HSTS max-age")
    # Email (invitations, password resets)
    email_host: str = setting(TEXT, "", "SMTP server; unset: emails are printed on the console")
    email_port: int = setting(POSITIVE_INT, "587", "SMTP port")
    email_host_user: str = setting(TEXT, "", "SMTP user")
    email_host_password: str = setting(TEXT, "", "SMTP password")
    email_use_tls: bool = setting(BOOL, "on", "STARTTLS to the SMTP server")
    default_from_email: str = setting(TEXT, "EyeClass <eyeclass@localhost>", "the sender of every email")
    eyeclass_site_url: str = setting(
        TEXT, "http://127.0.0.1:8000", "the address in links that `manage.py invite_teacher` emails"
    )
    # Analysis
    eyeclass_model_path: Path = setting(
        PATH,
        lambda v: BASE_DIR / "inference" / "weights" / "eye_cnn.keras",
        "the eye CNN the workers run",
        "inference/weights/eye_cnn.keras",
    )
    eyeclass_warm_up_model: bool = setting(BOOL, "on", "load the CNN and MediaPipe as each worker starts")
    eyeclass_emotions: bool = setting(
        BOOL, "on", "off: the eye CNN never runs; nothing emotion-derived is stored or shown"
    )
    eyeclass_gpu_queue: bool = setting(BOOL, "off", "send uploads to the `gpu` queue")
    eyeclass_device: str = setting(_choice("auto", "cpu"), "auto", "cpu: a GPU machine's worker stays on the CPU")
    eyeclass_analysis_fps: float | None = setting(
        SECONDS, None, "frames analysed per second of an upload (0: every frame)", "inference's UPLOAD_FPS"
    )
    eyeclass_chunk_seconds: float = setting(
        SECONDS, "120", "long uploads are analysed as chunks this long (0: one pass)"
    )
    eyeclass_chunk_overlap_seconds: float = setting(SECONDS, "8", "seconds neighbouring chunks overlap")
    # Live sessions (per connection)
    eyeclass_live_max_fps: float = setting(POSITIVE, "15", "frames per second; faster ones are refused")
    eyeclass_live_max_frame_bytes: int = setting(POSITIVE_INT, str(1024 * 1024), "the largest frame", "1 MiB")
    eyeclass_live_max_in_flight: int = setting(POSITIVE_INT, "2", "frames waiting for the worker; more are dropped")
    eyeclass_live_frame_timeout: float = setting(POSITIVE, "10", "seconds before a frame with no result is lost")
    eyeclass_live_grace_seconds: float = setting(SECONDS, "30", "seconds a dropped connection may come back")
    eyeclass_live_max_faces: int = setting(POSITIVE_INT, "8", "faces analysed per frame")
    eyeclass_live_state_idle_seconds: float = setting(
        POSITIVE, "900", "a worker forgets a live session silent this long"
    )
    # Workers, watchdog, retention
    worker_heartbeat_seconds: int = setting(POSITIVE_INT, "10", "how often a worker says it is alive")
    eyeclass_stuck_processing_seconds: float = setting(
        POSITIVE, "300", "a processing session silent this long is queued again"
    )
    eyeclass_stuck_queued_seconds: float = setting(POSITIVE, "3600", "a queued session waiting this long is sent again")
    eyeclass_watchdog_every_seconds: float = setting(POSITIVE, "60", "how often the watchdog and the cleanup run")
    eyeclass_retention_days: float | None = setting(
        DAYS, None, "sessions are deleted this long after recording (unset: kept)"
    )
    eyeclass_keep_video_days: float | None = setting(
        DAYS, None, "kept videos are deleted this long after upload (unset: kept)"
    )
    # Single sign-on (OpenID Connect; the provider's discovery document lists the endpoints)
    oidc_rp_client_id: str = setting(
        TEXT, "", "EyeClass's client id at the school's OpenID Connect provider; set: SSO is on"
    )
    oidc_rp_client_secret: str = setting(TEXT, "", "its client secret (required with SSO)")
    oidc_op_authorization_endpoint: str = setting(TEXT, "", "the provider's authorization endpoint (required with SSO)")
    oidc_op_token_endpoint: str = setting(TEXT, "", "the provider's token endpoint (required with SSO)")
    oidc_op_user_endpoint: str = setting(TEXT, "", "the provider's userinfo endpoint (required with SSO)")
    oidc_op_jwks_endpoint: str = setting(TEXT, "", "the provider's signing keys (required with RS256/ES256)")
    oidc_rp_sign_algo: str = setting(
        _choice("RS256", "ES256", "HS256", fold=str.upper), "RS256", "how the provider signs its ID tokens"
    )
    eyeclass_sso_name: str = setting(TEXT, "your school account", "the login page's button: Sign in with ...")
    eyeclass_sso_create_users: bool = setting(
        BOOL, "off", "on: anyone the provider vouches for gets an account; off: only invited or existing teachers"
    )
    # Audit log
    eyeclass_audit_days: float = setting(
        Kind(POSITIVE.parse, "a number of days above 0"),
        "365",
        "audit entries are deleted this long after they were made",
    )
    eyeclass_audit_view_minutes: float = setting(
        SECONDS, "10", "one teacher's views of one session this close together make one audit entry (0: every view)"
    )
    # Consent
    eyeclass_consent_notice: str = setting(
        TEXT,
        DEFAULT_CONSENT_NOTICE,
        "what a teacher confirms students were told, before a live session or an upload",
        "a short notice",
    )

    @property
    def production(self) -> bool:
        return self.eyeclass_env == "production"

    @property
    def sso(self) -> bool:
        """Single sign-on is on exactly when a client id is set; `load` checks the rest is there too."""
        return bool(self.oidc_rp_client_id)


def load(environ=os.environ) -> Config:
    """The settings from `environ`, or ImproperlyConfigured listing each variable whose value is not allowed."""
    values: dict = {}
    errors = []
    for item in fields(Config):
        name, spec = item.name.upper(), item.metadata
        text = environ.get(name, "").strip()
        if not text:
            default = spec["default"]
            values[item.name] = default(values) if callable(default) else _parse_default(spec["kind"], default)
            continue
        try:
            values[item.name] = spec["kind"].parse(text)
        except ValueError:
            errors.append(f"{name}={text!r}: expected {spec['kind'].allowed}")
    if values.get("eyeclass_env") == "production" and not values.get("secret_key"):
        errors.append("SECRET_KEY must be set when EYECLASS_ENV=production")
    errors += _sso_errors(values)
    if errors:
        raise ImproperlyConfigured("; ".join(errors))
    return Config(**values)


def _sso_errors(values: dict) -> list[str]:
    """Single sign-on half configured is an error, never a login button that fails or a silent no-SSO."""
    needed = [
        "oidc_rp_client_secret",
        "oidc_op_authorization_endpoint",
        "oidc_op_token_endpoint",
        "oidc_op_user_endpoint",
    ]
    if values.get("oidc_rp_sign_algo", "").startswith(("RS", "ES")):
        needed.append("oidc_op_jwks_endpoint")
    if values.get("oidc_rp_client_id"):
        return [f"{name.upper()} must be set for single sign-on" for name in needed if not values.get(name)]
    given = [name.upper() for name in [*needed, "oidc_op_jwks_endpoint"] if values.get(name)]
    return [f"{', '.join(sorted(set(given)))} set without OIDC_RP_CLIENT_ID"] if given else []


def _parse_default(kind: Kind, default: str | None):
    return None if default is None else kind.parse(default)


def sso_settings(config: Config) -> dict:
    """The Django settings that mozilla-django-oidc reads, under its own names; none when SSO is off."""
    if not config.sso:
        return {}
    return {
        "OIDC_RP_CLIENT_ID": config.oidc_rp_client_id,
        "OIDC_RP_CLIENT_SECRET": config.oidc_rp_client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": config.oidc_op_authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": config.oidc_op_token_endpoint,
        "OIDC_OP_USER_ENDPOINT": config.oidc_op_user_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": config.oidc_op_jwks_endpoint or None,
        "OIDC_RP_SIGN_ALGO": config.oidc_rp_sign_algo,
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_CREATE_USER": config.eyeclass_sso_create_users,
        "OIDC_TIMEOUT": 20,  # seconds for each call to the provider
        "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/?sso=refused",
    }


def markdown_table() -> str:
    """The configuration table of docs/operations.md: variable, default, meaning."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for item in fields(Config):
        spec = item.metadata
        default = spec["shown"] or (spec["default"] if spec["default"] not in (None, "") else "unset")
        rows.append(f"| `{item.name.upper()}` | {default} | {spec['meaning']} |")
    return "\n".join(rows)


if __name__ == "__main__":  # `python -m eyeclass.config` prints the table for docs/operations.md
    print(markdown_table())
