"""Typed readers for settings that come from environment variables.

Each helper rejects junk values with an error that names the variable, so a
typo in a deployment fails at start-up instead of running with a silent default.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if value != value:  # NaN
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}")
    _check_range(name, value, minimum, maximum)
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default).strip()
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}, got {raw!r}")
    return raw


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """A header a TLS-terminating proxy sets to "https" ("X-Forwarded-Proto"),
    as Django's SECURE_PROXY_SSL_HEADER wants it; None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not all(c.isalnum() or c == "-" for c in raw):
        raise ImproperlyConfigured(f"{name} must be a header name such as X-Forwarded-Proto, got {raw!r}")
    return ("HTTP_" + raw.upper().replace("-", "_"), "https")


def _check_range(name, value, minimum, maximum):
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")


def database_from_url(url: str) -> dict:
    """Turn a postgres:// URL into a Django DATABASES entry (psycopg 3)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL must start with postgres://, got {url!r}")
    name = parsed.path.lstrip("/")
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://user@host/surge")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


CACHE_SCHEMES = ("file", "locmem", "db", "redis", "rediss")


def cache_from_url(url: str, var_dir) -> dict:
    """Turn CACHE_URL into a Django CACHES entry.

    file://            files under var_dir/cache/pages (every process on this machine shares them)
    file:///some/dir   files under that folder
    locmem://          this process's memory (one process only: workers' bumps never reach it)
    db:// or db://name a table in the database (create it with manage.py createcachetable)
    redis://host:port/db, rediss://…  Redis"""
    parsed = urlparse(url)
    if parsed.scheme not in CACHE_SCHEMES:
        allowed = ", ".join(f"{s}://" for s in CACHE_SCHEMES)
        raise ImproperlyConfigured(f"CACHE_URL must start with one of {allowed}, got {url!r}")
    if parsed.scheme == "file":
        location = parsed.path or str(Path(var_dir).resolve() / "cache" / "pages")
        return {
            "BACKEND": "surge.file_cache.FolderCache",
            "LOCATION": location,
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    if parsed.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "surge"}
    if parsed.scheme == "db":
        table = parsed.netloc or parsed.path.lstrip("/") or "surge_cache"
        if not table.replace("_", "").isalnum():
            raise ImproperlyConfigured(f"CACHE_URL names a table of letters, digits and _, got {url!r}")
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
