"""EyeClass settings, all from the environment with embedded defaults.

Defaults need no external service: SQLite, a filesystem Celery broker and an in-memory channel
layer. Set DATABASE_URL / REDIS_URL to use PostgreSQL and Redis. EYECLASS_ENV=production turns
on the secure settings (`manage.py check --deploy` is clean).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from eyeclass.config import BASE_DIR, load, sso_settings

# Every deployment setting, parsed and checked once (eyeclass/config.py lists them with their meaning).
CONFIG = load()
VAR_DIR = CONFIG.eyeclass_var_dir
PRODUCTION = CONFIG.production
# Off unless asked for (DEBUG=1), also under `make run`: a teacher trying it sees the app's own error
# pages, never Django's debug page with its settings and paths.
DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key or "dev-only-insecure-key-do-not-use-in-production-eyeclass-0123456789"
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

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
    "eyeclass.school",
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
                "eyeclass.school.context.role",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://..., psycopg 3) or a SQLite file under var/.
DATABASES = {"default": dj_database_url.parse(CONFIG.database_url)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Under ASGI each request's sync code may run on a fresh thread, so persistent per-thread
    # connections would pile up until PostgreSQL refuses clients. Django's advice for ASGI: no
    # persistent connections, the backend's pool instead. Connections are checked as they are
    # taken, so a restarted PostgreSQL costs nobody an error.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # Django then has the pool check each connection it lends
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": CONFIG.db_pool_max_size,  # per process
        "timeout": 20,  # seconds a request waits for a free connection
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that test workers started as subprocesses see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_eyeclass.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (broker, results, channel layer) or embedded fallbacks that need no server.
REDIS_URL = CONFIG.redis_url
CELERY_BROKER_URL = CONFIG.celery_broker_url
CELERY_RESULT_BACKEND = CONFIG.celery_result_backend
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
    else {"visibility_timeout": CONFIG.celery_visibility_timeout}
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
AXES_FAILURE_LIMIT = CONFIG.axes_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.axes_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_WHITELIST_CALLABLE = "eyeclass.accounts.sso.not_a_password"  # the SSO callback has no password to guess
# The client's address is the one the web server resolved, believing forwarded headers from
# EYECLASS_TRUSTED_PROXIES only; never a header read again here, which any client can set.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (OpenID Connect through mozilla-django-oidc), only when OIDC_RP_CLIENT_ID is set: the
# library's backend goes after axes', and it lets in invited or existing teachers only (eyeclass/accounts/sso.py).
EYECLASS_SSO = CONFIG.sso
EYECLASS_SSO_NAME = CONFIG.eyeclass_sso_name
EYECLASS_SSO_CREATE_USERS = CONFIG.eyeclass_sso_create_users
if EYECLASS_SSO:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("eyeclass.accounts.sso.TeacherOIDCBackend")
    globals().update(sso_settings(CONFIG))  # OIDC_*: the endpoints, client, scopes

# Invitations and password resets: SMTP when EMAIL_HOST is set, else printed on the console (`make run`).
if CONFIG.email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.email_host
    EMAIL_PORT = CONFIG.email_port
    EMAIL_HOST_USER = CONFIG.email_host_user
    EMAIL_HOST_PASSWORD = CONFIG.email_host_password
    EMAIL_USE_TLS = CONFIG.email_use_tls
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
EMAIL_TIMEOUT = 20  # seconds; a stuck SMTP server never holds a page for long
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # an invitation or reset link works for three days

LANGUAGE_CODE = "en-us"
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = not PRODUCTION  # `make run` serves static files without collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = CONFIG.static_root
# Uploaded recordings: private, never served by URL (no MEDIA_URL route exists).
MEDIA_ROOT = CONFIG.media_root
UPLOAD_MAX_BYTES = CONFIG.upload_max_bytes
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
# Any other request body (and any body from a visitor who is not logged in) is refused over this many
# bytes before it is read (eyeclass/ops/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440  # Django's default
EYECLASS_MAX_BODY_BYTES = CONFIG.eyeclass_max_body_bytes
FILE_UPLOAD_TEMP_DIR = CONFIG.file_upload_temp_dir and str(CONFIG.file_upload_temp_dir)

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the web server believes (addresses, comma-
# separated; "*" for any): none by default, so a client cannot pick the address that login throttling
# counts, nor claim HTTPS. Behind a TLS-terminating proxy, name it here (see docs/operations.md).
EYECLASS_TRUSTED_PROXIES = CONFIG.eyeclass_trusted_proxies
# Request read timeouts: headers must arrive within the first of these (from a connection's first byte),
# and a body may pause at most the second between two of its pieces; either way the answer is 408.
EYECLASS_HEADER_TIMEOUT_SECONDS = CONFIG.eyeclass_header_timeout_seconds
EYECLASS_BODY_IDLE_TIMEOUT_SECONDS = CONFIG.eyeclass_body_idle_timeout_seconds

if PRODUCTION:
    # No SECURE_PROXY_SSL_HEADER: the web server sets the request's scheme from X-Forwarded-Proto, and
    # only when a trusted proxy sent it (eyeclass/ops/webserver.py).
    SECURE_SSL_REDIRECT = CONFIG.secure_ssl_redirect
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = CONFIG.secure_hsts_seconds
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
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
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

# --- EyeClass's own settings (meanings in eyeclass/config.py and docs/operations.md) ---------------------
EYECLASS_MODEL_PATH = CONFIG.eyeclass_model_path
EYECLASS_WARM_UP_MODEL = CONFIG.eyeclass_warm_up_model
EYECLASS_EMOTIONS = CONFIG.eyeclass_emotions
EYECLASS_GPU_QUEUE = CONFIG.eyeclass_gpu_queue
EYECLASS_ANALYSIS_FPS = CONFIG.eyeclass_analysis_fps
EYECLASS_CHUNK_SECONDS = CONFIG.eyeclass_chunk_seconds
EYECLASS_CHUNK_OVERLAP_SECONDS = CONFIG.eyeclass_chunk_overlap_seconds
EYECLASS_LIVE_MAX_FPS = CONFIG.eyeclass_live_max_fps
EYECLASS_LIVE_MAX_FRAME_BYTES = CONFIG.eyeclass_live_max_frame_bytes
EYECLASS_LIVE_MAX_IN_FLIGHT = CONFIG.eyeclass_live_max_in_flight
EYECLASS_LIVE_FRAME_TIMEOUT = CONFIG.eyeclass_live_frame_timeout
EYECLASS_LIVE_GRACE_SECONDS = CONFIG.eyeclass_live_grace_seconds
EYECLASS_LIVE_MAX_FACES = CONFIG.eyeclass_live_max_faces
EYECLASS_LIVE_STATE_IDLE_SECONDS = CONFIG.eyeclass_live_state_idle_seconds
WORKER_HEARTBEAT_SECONDS = CONFIG.worker_heartbeat_seconds
EYECLASS_STUCK_PROCESSING_SECONDS = CONFIG.eyeclass_stuck_processing_seconds
EYECLASS_STUCK_QUEUED_SECONDS = CONFIG.eyeclass_stuck_queued_seconds
EYECLASS_WATCHDOG_EVERY_SECONDS = CONFIG.eyeclass_watchdog_every_seconds
EYECLASS_RETENTION_DAYS = CONFIG.eyeclass_retention_days
EYECLASS_KEEP_VIDEO_DAYS = CONFIG.eyeclass_keep_video_days
EYECLASS_CONSENT_NOTICE = CONFIG.eyeclass_consent_notice
EYECLASS_AUDIT_DAYS = CONFIG.eyeclass_audit_days
EYECLASS_AUDIT_VIEW_MINUTES = CONFIG.eyeclass_audit_view_minutes
