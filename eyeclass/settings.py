"""EyeClass settings, all from the environment with embedded defaults.

Defaults need no external service: SQLite, a filesystem Celery broker and an in-memory channel
layer. Set DATABASE_URL / REDIS_URL to use PostgreSQL and Redis. EYECLASS_ENV=production turns
on the secure settings (`manage.py check --deploy` is clean).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EYECLASS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; anything but the usual spellings stops the start with the variable named, so a
    typo never silently means "no"."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/true/yes/on or 0/false/no/off")


def env_number(name: str, default, kind=float):
    """A number setting (`kind` int or float), or the default when unset or empty; a value that is not
    a number stops the start with the variable named."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None if default is None else kind(default)
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected {'a whole number' if kind is int else 'a number'}"
        ) from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("EYECLASS_ENV", "development") == "production"
# Off unless asked for (DEBUG=1), also under `make run`: a teacher trying it sees the app's own error
# pages, never Django's debug page with its settings and paths.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when EYECLASS_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-eyeclass-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "eyeclass.accounts",
    "eyeclass.ops",
    "eyeclass.classrooms",
    "eyeclass.lectures",
    "eyeclass.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "eyeclass.urls"
ASGI_APPLICATION = "eyeclass.asgi.application"
WSGI_APPLICATION = "eyeclass.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eyeclass.ops.context.deployment",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://..., psycopg 3) or a SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'eyeclass.sqlite3'}")
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Under ASGI each request's sync code may run on a fresh thread, so persistent per-thread
    # connections would pile up until PostgreSQL refuses clients. Django's advice for ASGI: no
    # persistent connections, the backend's pool instead. Connections are checked as they are
    # taken, so a restarted PostgreSQL costs nobody an error.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # Django then has the pool check each connection it lends
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_number("DB_POOL_MAX_SIZE", "8", int),  # per process
        "timeout": 20,  # seconds a request waits for a free connection
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that test workers started as subprocesses see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_eyeclass.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (broker, results, channel layer) or embedded fallbacks that need no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = (
    os.environ.get("CELERY_RESULT_BACKEND") or REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "broker"),
        "data_folder_out": str(VAR_DIR / "celery" / "broker"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.05,  # seconds; the default (1 s) would add up to a second to every live frame
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env_number("CELERY_VISIBILITY_TIMEOUT", "3600", int)}
)
# kombu's filesystem transport with atomic message files (eyeclass/broker.py)
CELERY_BROKER_TRANSPORT = "eyeclass.broker:Transport" if CELERY_BROKER_URL.startswith("filesystem") else None

if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused (429) until AXES_COOLOFF_MINUTES pass; other addresses are unaffected,
# so nobody can lock a teacher out from elsewhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_number("AXES_FAILURE_LIMIT", "5", int)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("AXES_COOLOFF_MINUTES", "15", float))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address is the one the web server resolved, believing forwarded headers from
# EYECLASS_TRUSTED_PROXIES only; never a header read again here, which any client can set.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = not PRODUCTION  # `make run` serves static files without collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Uploaded recordings: private, never served by URL (no MEDIA_URL route exists).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
UPLOAD_MAX_BYTES = env_number("UPLOAD_MAX_BYTES", 2 * 1024**3, int)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
# Any other request body (and any body from a visitor who is not logged in) is refused over this many
# bytes before it is read (eyeclass/ops/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440  # Django's default, named here because the next line uses it
EYECLASS_MAX_BODY_BYTES = env_number("EYECLASS_MAX_BODY_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE, int)
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the web server believes (addresses, comma-
# separated; "*" for any): none by default, so a client cannot pick the address that login throttling
# counts, nor claim HTTPS. Behind a TLS-terminating proxy, name it here (see docs/operations.md).
EYECLASS_TRUSTED_PROXIES = env_list("EYECLASS_TRUSTED_PROXIES", "")
# Request read timeouts: headers must arrive within the first of these (from a connection's first byte),
# and a body may pause at most the second between two of its pieces; either way the answer is 408.
EYECLASS_HEADER_TIMEOUT_SECONDS = env_number("EYECLASS_HEADER_TIMEOUT_SECONDS", "15", float)
EYECLASS_BODY_IDLE_TIMEOUT_SECONDS = env_number("EYECLASS_BODY_IDLE_TIMEOUT_SECONDS", "30", float)

if PRODUCTION:
    # No SECURE_PROXY_SSL_HEADER: the web server sets the request's scheme from X-Forwarded-Proto, and
    # only when a trusted proxy sent it (eyeclass/ops/webserver.py).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", "31536000", int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # no task's return value and no line per live frame (face data) in any log (eyeclass/ops/logs.py)
    "filters": {"celery_task_lines": {"()": "eyeclass.ops.logs.CeleryTaskLines"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Our own loggers log at LOG_LEVEL; these libraries only their warnings and errors, as their INFO
    # lines are start-up chatter (`manage.py serve` prints where the app runs and what it uses).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.error": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "celery.worker.consumer": {"level": "WARNING"},  # "Connected to ..."; the worker's "ready." line stays
        "celery.app.trace": {"filters": ["celery_task_lines"]},
        "celery.worker.strategy": {"filters": ["celery_task_lines"]},
        "tensorflow": {"level": "WARNING"},
        "absl": {"level": "WARNING"},
    },
}

for _folder in (VAR_DIR, MEDIA_ROOT, STATIC_ROOT):
    _folder.mkdir(parents=True, exist_ok=True)
# the embedded broker's and result backend's folders hold camera frames and results: this user's only
for _folder in [*CELERY_BROKER_TRANSPORT_OPTIONS.values(), CELERY_RESULT_BACKEND]:
    if isinstance(_folder, str) and (_folder.startswith("file://") or _folder.startswith("/")):
        Path(_folder.removeprefix("file://")).mkdir(mode=0o700, parents=True, exist_ok=True)

# --- EyeClass's own settings ---------------------------------------------------------------------------
# Each is read from the environment variable of the same name. (EYECLASS_ENV and EYECLASS_VAR_DIR, read
# at the top, choose production mode and the data folder.)

# The eye CNN the workers run.
EYECLASS_MODEL_PATH = Path(os.environ.get("EYECLASS_MODEL_PATH", BASE_DIR / "inference" / "weights" / "eye_cnn.keras"))
# Load the CNN as each worker process starts, so the first video or live frame does not wait for TensorFlow.
EYECLASS_WARM_UP_MODEL = env_bool("EYECLASS_WARM_UP_MODEL", True)
# Off: the workers never run the eye CNN, so nothing emotion-derived is computed, stored, exported or
# shown (docs/operations.md: emotion inference in schools is prohibited in the EU, AI Act Art. 5(1)(f)).
EYECLASS_EMOTIONS = env_bool("EYECLASS_EMOTIONS", True)
# Heavy work goes to the `gpu` queue when GPU workers exist (EYECLASS_GPU_QUEUE=1), else to `celery`.
EYECLASS_GPU_QUEUE = env_bool("EYECLASS_GPU_QUEUE", False)
# Frames analysed per second of an uploaded video (0: every frame, as the CLI's `--fps 0`); unset:
# inference.pipeline.UPLOAD_FPS, the rate the CLI and the labelled-clip benchmark use too.
EYECLASS_ANALYSIS_FPS = env_number("EYECLASS_ANALYSIS_FPS", None, float)
# An upload longer than 1.5 chunks is analysed as chunks of about this many seconds, each a task of its
# own, so several workers share one session (0: never split); neighbours overlap by the second setting
# (warm-up of tracks, eye levels and spotting baselines; see inference/chunks.py).
EYECLASS_CHUNK_SECONDS = env_number("EYECLASS_CHUNK_SECONDS", "120", float)
EYECLASS_CHUNK_OVERLAP_SECONDS = env_number("EYECLASS_CHUNK_OVERLAP_SECONDS", "8", float)

# Live sessions (camera frames over a websocket, see eyeclass/live/protocol.py); limits per connection.
EYECLASS_LIVE_MAX_FPS = env_number("EYECLASS_LIVE_MAX_FPS", "15", float)  # sustained; faster frames are refused
EYECLASS_LIVE_MAX_FRAME_BYTES = env_number("EYECLASS_LIVE_MAX_FRAME_BYTES", 1024 * 1024, int)
# frames a connection may have waiting for the worker; beyond, new ones are dropped so results stay current
EYECLASS_LIVE_MAX_IN_FLIGHT = env_number("EYECLASS_LIVE_MAX_IN_FLIGHT", "2", int)
EYECLASS_LIVE_FRAME_TIMEOUT = env_number("EYECLASS_LIVE_FRAME_TIMEOUT", "10", float)  # s before a frame is lost
EYECLASS_LIVE_GRACE_SECONDS = env_number("EYECLASS_LIVE_GRACE_SECONDS", "30", float)  # reconnect window
EYECLASS_LIVE_MAX_FACES = env_number("EYECLASS_LIVE_MAX_FACES", "8", int)  # landmark passes a live frame
# a worker forgets a live session's tracks after this long without frames, so its memory holds only
# sessions still live (the watchdog closes such a session after 3x EYECLASS_STUCK_PROCESSING_SECONDS)
EYECLASS_LIVE_STATE_IDLE_SECONDS = env_number("EYECLASS_LIVE_STATE_IDLE_SECONDS", "900", float)

# Worker heartbeat and watchdog, so that no session stays "processing" after its worker died.
WORKER_HEARTBEAT_SECONDS = env_number("WORKER_HEARTBEAT_SECONDS", "10", int)  # how often a worker says it is alive
# a session with no sign of life for this long is queued again (up to 3 attempts) or failed with a reason
EYECLASS_STUCK_PROCESSING_SECONDS = env_number("EYECLASS_STUCK_PROCESSING_SECONDS", "300", float)
EYECLASS_STUCK_QUEUED_SECONDS = env_number("EYECLASS_STUCK_QUEUED_SECONDS", "3600", float)
# how often each worker's heartbeat thread runs the watchdog (`manage.py recover_stuck` runs it once)
EYECLASS_WATCHDOG_EVERY_SECONDS = env_number("EYECLASS_WATCHDOG_EVERY_SECONDS", "60", float)

# Retention (unset: kept until deleted): sessions older than EYECLASS_RETENTION_DAYS are deleted with their
# rows and kept video, kept videos older than EYECLASS_KEEP_VIDEO_DAYS are deleted (the session stays); each
# worker's heartbeat thread runs the cleanup every EYECLASS_WATCHDOG_EVERY_SECONDS (`manage.py purge_expired`).
EYECLASS_RETENTION_DAYS = env_number("EYECLASS_RETENTION_DAYS", None, float)
EYECLASS_KEEP_VIDEO_DAYS = env_number("EYECLASS_KEEP_VIDEO_DAYS", None, float)
for _name in ("EYECLASS_RETENTION_DAYS", "EYECLASS_KEEP_VIDEO_DAYS"):
    if globals()[_name] is not None and globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name}={os.environ[_name]!r}: expected a number of days above 0 (unset: keep)")
