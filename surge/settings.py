"""Surge settings. Everything a deployment changes comes from the environment
(see README "Configuration"); the defaults run on one machine with no setup:
SQLite and a file-system Celery broker under var/."""

import hashlib
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from surge.env import (
    cache_from_url,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_proxy_ssl_header,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SURGE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_ROOT = env_str("SITE_ROOT", "http://localhost:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Surge")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ingest",
    "trends",
    "editorial",
    "web",
    "lab",
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
    "surge.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "surge.urls"
WSGI_APPLICATION = "surge.wsgi.application"

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
                "web.context_processors.site",
            ],
        },
    }
]

# --- Database: SQLite by default, DATABASE_URL switches to PostgreSQL -------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "surge.sqlite3")),
            # Web, workers and beat write at once: WAL lets readers run beside
            # a writer, IMMEDIATE takes the write lock up front (no deadlock
            # on upgrade), and the timeout waits for it instead of failing.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: built pages and the versions they depend on (trends/caching.py) --
# Files under var/ by default, shared by every process on this machine;
# redis://… or db:// in production (see README).
CACHE_URL = env_str("CACHE_URL", "file://")
CACHES = {"default": cache_from_url(CACHE_URL, VAR_DIR)}
# Two databases (a replay's, a benchmark's) may share one cache: their keys never meet.
_database = DATABASES["default"]
_database_identity = "|".join(str(_database.get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME"))
CACHES["default"]["KEY_PREFIX"] = hashlib.sha256(_database_identity.encode()).hexdigest()[:10]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
LOGIN_URL = "/admin/login/"

# --- Behind TLS (README "Production"): all off for `make run` on plain http,
# on in docker/compose.yaml behind its TLS proxy. ----------------------------
# Redirect http to https (the proxy tells Django the scheme: SECURE_PROXY_SSL_HEADER).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Trust this header, set by the TLS-terminating proxy, to say a request came over https.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
# Strict-Transport-Security: browsers use https only, for this many seconds.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Session and CSRF cookies sent over https only.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# How many proxies in front of the site append to X-Forwarded-For (surge/security.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)

# --- Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins
# for one account, or from one address, further attempts are refused (429)
# for LOGIN_LOCKOUT_MINUTES. `manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Each parameter on its own: an account attacked from many addresses and an
# address trying many accounts are both stopped.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "surge.security.client_ip"

# --- Celery ----------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's file-system transport under
# var/broker: no server, yet real worker processes on this machine share it.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    "filesystem://",
    schemes=("filesystem", "redis", "rediss", "memory"),
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # broadcast (pidbox) messages
        "store_processed": False,
        "polling_interval": env_float("CELERY_POLL_INTERVAL", 0.05, minimum=0.001, maximum=10),
    }
    # On this transport the worker runs celery's synchronous loop, which takes
    # a new message only once earlier ones are acknowledged, in 2-second drain
    # cycles: with one message prefetched that is one task every 2 s. Prefetch
    # more. (The file-system broker hands a message out once anyway; a task
    # lost with a killed worker is recovered by the feed and article claims.)
    CELERY_WORKER_PREFETCH_MULTIPLIER = 32
else:
    # A task not acknowledged within this time is handed to another worker:
    # longer than the slowest task, so a live task is never run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task queued
CELERY_TASK_REJECT_ON_WORKER_LOST = True
if "CELERY_WORKER_PREFETCH_MULTIPLIER" not in globals():
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # Redis: a task waits for a free worker
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How often (real seconds) beat looks for due feeds and finished hours.
POLL_TICK_SECONDS = env_float("POLL_TICK_SECONDS", 10, minimum=0.1, maximum=3600)
HOURLY_TICK_SECONDS = env_float("HOURLY_TICK_SECONDS", 60, minimum=0.1, maximum=3600)

# --- Crawler ---------------------------------------------------------------
USER_AGENT = env_str("USER_AGENT", f"SurgeBot/1.0 (+{SITE_ROOT}/how-it-works/; news trend aggregator)")
# Loopback and private addresses are refused unless this is on (tests, replay demo).
ALLOW_PRIVATE_ADDRESSES = env_bool("ALLOW_PRIVATE_ADDRESSES", False)
FETCH_CONNECT_TIMEOUT = env_float("FETCH_CONNECT_TIMEOUT", 5, minimum=0.1, maximum=120)
FETCH_TOTAL_TIMEOUT = env_float("FETCH_TOTAL_TIMEOUT", 20, minimum=0.1, maximum=600)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 5, minimum=0, maximum=30)
FETCH_ARTICLE_PAGES = env_bool("FETCH_ARTICLE_PAGES", True)
FEED_MIN_INTERVAL_SECONDS = env_int("FEED_MIN_INTERVAL_SECONDS", 300, minimum=1)
FEED_MAX_INTERVAL_SECONDS = env_int("FEED_MAX_INTERVAL_SECONDS", 24 * 3600, minimum=60)
FEEDS_PER_TICK = env_int("FEEDS_PER_TICK", 50, minimum=1)
# New items stored per poll of one feed, newest first; the rest wait for the
# next polls, so a 10,000-item feed cannot hold the pipeline for hours.
FEED_ITEMS_PER_POLL = env_int("FEED_ITEMS_PER_POLL", 100, minimum=1)
# Per-host politeness across all workers (ingest/hostlimits.py).
HOST_MAX_CONCURRENT = env_int("HOST_MAX_CONCURRENT", 2, minimum=1, maximum=64)
HOST_MIN_DELAY_SECONDS = env_float("HOST_MIN_DELAY_SECONDS", 1.0, minimum=0, maximum=600)
# Article pages one worker fetches at once (ingest.page_downloads): a distant
# page is mostly waiting, so a worker keeps several in flight.
PAGE_FETCHES = env_int("PAGE_FETCHES", 8, minimum=1, maximum=64)
LOAD_DEFAULT_FEEDS = env_bool("LOAD_DEFAULT_FEEDS", True)
# A worker's claim on a feed or a batch of articles lasts this long unless
# renewed (a heartbeat renews it every third of it while the work goes on):
# the work of a worker that died is taken over after about this long.
CLAIM_LEASE_SECONDS = env_float("CLAIM_LEASE_SECONDS", 45, minimum=1, maximum=3600)

# --- Stories ---------------------------------------------------------------
# The learned join and merge scorers and their thresholds (trends/stories/clustering.py;
# empty: the shipped trends/stories/story_model.json, fitted by manage.py train_story_model).
STORY_MODEL_PATH = env_str("STORY_MODEL_PATH", "")
# A story with no new article for this long is closed to new articles.
STORY_LIVE_HOURS = env_float("STORY_LIVE_HOURS", 72, minimum=1)
# Most texts in one embedding batch; batches are also cut by token count so that little is padded
# (trends/stories/embedding.py: length_batches; docs/decisions/fast-at-any-size.md, sessions 7-10).
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 8, minimum=1)
TORCH_THREADS = env_int("TORCH_THREADS", 1, minimum=1, maximum=256)

# --- Measure ---------------------------------------------------------------
# The "fades by tomorrow" model file; empty: var/forecast_model.json when a
# retrain wrote one, else the default shipped in trends/measure/forecast/.
FORECAST_MODEL_PATH = env_str("FORECAST_MODEL_PATH", "")

# --- Briefs ------------------------------------------------------------------
# An OpenAI-compatible chat-completions endpoint for the optional model writer
# (trends/words/briefs/model_writer.py); unset, every brief is the built-in one.
BRIEF_LLM_URL = env_str("BRIEF_LLM_URL", "").strip()
if BRIEF_LLM_URL:
    BRIEF_LLM_URL = env_url("BRIEF_LLM_URL", "", schemes=("http", "https"))
BRIEF_LLM_MODEL = env_str("BRIEF_LLM_MODEL", "")
BRIEF_LLM_API_KEY = env_str("BRIEF_LLM_API_KEY", "")
BRIEF_LLM_TIMEOUT_SECONDS = env_float("BRIEF_LLM_TIMEOUT_SECONDS", 60, minimum=1, maximum=600)
# A story is sent to the model at most once per this many minutes (real time).
BRIEF_LLM_INTERVAL_MINUTES = env_float("BRIEF_LLM_INTERVAL_MINUTES", 30, minimum=0)
# Beyond the front page, stories spreading at least this fast get a model brief.
BRIEF_LLM_MIN_VELOCITY = env_float("BRIEF_LLM_MIN_VELOCITY", 5.0, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
