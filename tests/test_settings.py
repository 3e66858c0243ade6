"""Start-up with bad or missing environment variables stops with a message naming them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "vT8qZ2mLw9RkXc4NpHs7YbEd1GuFa6Jo3WiQe5Ln0ByMr2VtKx8Sz"


def start(settings_module, **variables):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SEARCH_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE=settings_module, **variables)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = start("config.settings.production", DJANGO_ALLOWED_HOSTS="passerelle.example.fr")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = start(
        "config.settings.production",
        DJANGO_SECRET_KEY="court",
        DJANGO_ALLOWED_HOSTS="passerelle.example.fr",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = start("config.settings.production", DJANGO_SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_both():
    result = start(
        "config.settings.production",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="passerelle.example.fr",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_settings_pass_the_deploy_check():
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": GOOD_SECRET,
        "DJANGO_ALLOWED_HOSTS": "passerelle.example.fr",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/passerelle"),
        ("DATABASE_URL", "postgres://localhost:notaport/passerelle"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "carrier-pigeon://roof"),
        ("EMAIL_URL", "smtp://"),
        ("SEARCH_BACKEND", "whoosh"),
        ("PASSERELLE_REVIEW_INTERVAL_MONTHS", "six"),
        ("PASSERELLE_DEMO", "peut-être"),
        ("PASSERELLE_WORKER_CACHE_MB", "0"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(variable, value):
    result = start("config.settings.dev", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_embedded_defaults_without_any_variable(settings):
    database = env.database_from_env("PASSERELLE_UNSET_VARIABLE", "/tmp/x.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/passerelle")
    database = env.database_from_env("DATABASE_URL", "/tmp/x.sqlite3")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "passerelle"


def test_email_url_smtp(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "submission://alice:s%40cret@smtp.univ.fr:587")
    config = env.email_from_env("EMAIL_URL")
    assert config["EMAIL_HOST"] == "smtp.univ.fr"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert config["EMAIL_USE_TLS"] is True


def test_env_int_rejects_values_below_minimum(monkeypatch):
    monkeypatch.setenv("SOME_COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_COUNT"):
        env.env_int("SOME_COUNT", 5, minimum=1)


def test_worker_cache_size_is_set_by_the_operator():
    """Without Redis, PASSERELLE_WORKER_CACHE_MB bounds what each worker's in-memory caches hold
    (10 MB unless set): the forum fragments, whole forum pages and whole pages together."""
    code = (
        "import django; django.setup(); from django.core.cache import caches; "
        "print(sum(caches[a]._max_bytes for a in ('forum_html', 'forum_pages', 'pages')))"
    )

    def total(**variables):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_URL")}
        environment.update(DJANGO_SETTINGS_MODULE="config.settings.dev", **variables)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
            text=True, timeout=60, check=True,
        )  # fmt: skip
        return int(result.stdout.split()[-1]) / 2**20

    assert total() == pytest.approx(10, abs=0.01)
    assert total(PASSERELLE_WORKER_CACHE_MB="40") == pytest.approx(40, abs=0.01)
