"""Read deployment settings from environment variables.

Every reader raises ``ImproperlyConfigured`` naming the variable when its value is malformed, so
that a typo stops start-up with a message instead of surfacing later as an obscure failure.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "off", "non", ""}


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0), got {raw!r}.")


def env_int(name, default, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(name, default_sqlite_path):
    """Return a DATABASES["default"] entry from a URL, or the embedded SQLite file."""
    url = env_str(name)
    if not url:
        return sqlite_database(default_sqlite_path)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}).") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        return sqlite_database(config["NAME"])
    if engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"{name} must point to PostgreSQL (postgres://…) or SQLite (sqlite:///…), "
            f"got {engine!r}."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database (postgres://host:port/NAME).")
    return config


def sqlite_database(path):
    """SQLite tuned for a small multi-process deployment: WAL, a busy timeout, write locks taken
    at the start of a transaction (no deadlock between two readers that both want to write).

    Connections are kept between requests, with a larger page cache and the file memory-mapped:
    a search reads megabytes of full-text index, and a new connection per request would read
    them again through system calls into an empty cache every time."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
        },
    }


EMAIL_SCHEMES = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}


def email_from_env(name):
    """Return email settings from a URL such as ``smtp://user:password@host:587/?tls=true``."""
    url = env_str(name, "console://")
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(sorted(EMAIL_SCHEMES))}://, got {url!r}."
        )
    settings = {"EMAIL_BACKEND": EMAIL_SCHEMES[parts.scheme]}
    if parts.scheme.startswith("smtp") or parts.scheme == "submission":
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name an SMTP host (smtp://host:port).")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        settings.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme == "submission" or query.get("tls") in TRUE_VALUES,
            EMAIL_TIMEOUT=10,
        )
    return settings


def redis_url_from_env(name):
    url = env_str(name)
    if url and urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL, got {url!r}.")
    return url
