"""Passerelle settings shared by every environment.

Every deployment choice is read from an environment variable here (see the README's
configuration table). With none set, Passerelle runs embedded: a SQLite file in WAL mode with its
FTS5 search, a local-memory cache and email printed to the console.
"""

from pathlib import Path

from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

from config.env import (
    database_from_env,
    email_from_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PASSERELLE_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Applications -------------------------------------------------------------------------------

INSTALLED_APPS = [
    # Passerelle
    "kb",
    "notices",
    # Before search: its after-commit ban goes out before the search index is updated, so a
    # published change reaches readers without waiting for indexing.
    "passerelle.frontcache",
    "search",
    "outbox",
    "subscriptions",
    # Wagtail
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # django-machina: its apps, with our override apps in place of machina's where we extend it
    # (see forum/README in the project README, "Extending the forum").
    "machina",
    "forum.forum",
    "forum.forum_conversation",
    "forum.forum_conversation.forum_attachments",
    "machina.apps.forum_conversation.forum_polls",
    "forum.forum_feeds",
    "forum.forum_moderation",
    "forum.forum_search",
    "forum.forum_tracking",
    "forum.forum_member",
    "forum.forum_permission",
    # Passerelle's own forum models: solutions, reports, moderation log, subscriptions.
    "forum.community",
    "mptt",
    "widget_tweaks",
    # haystack stays importable for machina but indexes nothing: search is Wagtail's framework.
    "haystack",
    "wagtail.search",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    # Local accounts: sign-up, verification, password reset, rate limits, TOTP, sessions.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Last, so that its post_migrate step (roles and permissions) runs after every other app has
    # created its own permissions.
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Front cache and security headers: outermost after SecurityMiddleware, so that it sees every
    # cookie the others set (see "Front cache and security headers" below).
    "passerelle.frontcache.headers.CacheHeadersMiddleware",
    "passerelle.frontcache.security.PermissionsPolicyMiddleware",
    "passerelle.frontcache.security.PasserelleCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, writing once per interval (accounts/session_activity.py)
    "accounts.session_activity.ThrottledUserSessionsMiddleware",
    # Editors and administrators reach /admin/ and /django-admin/ only after a TOTP step.
    "accounts.mfa.RequireMFAForStaffMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Replaces machina's middleware, which wrote a session for every anonymous request.
    "forum.middleware.ForumPermissionMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Our tree first, so that our base template and overrides win over machina's.
        "DIRS": [BASE_DIR / "templates", MACHINA_MAIN_TEMPLATE_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "machina.core.context_processors.metadata",
                "kb.context_processors.site_chrome",
                "notices.context_processors.urgent_banner",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------

DATABASES = {"default": database_from_env("DATABASE_URL", VAR_DIR / "passerelle.sqlite3")}
# machina's migrations assume AutoField; BigAutoField would make makemigrations write into it.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Override apps of machina apps that have models keep machina's own migrations.
MIGRATION_MODULES = {
    "forum": "machina.apps.forum.migrations",
    "forum_conversation": "machina.apps.forum_conversation.migrations",
    "forum_attachments": "forum.forum_conversation.forum_attachments.migrations",
    "forum_permission": "machina.apps.forum_permission.migrations",
    "forum_tracking": "machina.apps.forum_tracking.migrations",
    "forum_member": "machina.apps.forum_member.migrations",
}

REDIS_URL = redis_url_from_env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "passerelle",
        },
        "machina_attachments": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "passerelle-attachments",
            "TIMEOUT": 3600,
        },
        # Forum: cached topic pages and posts (forum/forum_conversation/{page,post}_cache.py).
        "forum_html": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "passerelle-forum-html",
            "TIMEOUT": 86400,
        },
        # Forum: whole topic pages for anonymous readers (forum/forum_conversation/page_cache.py),
        # apart from the small post fragments so that a limit can bound them in memory.
        "forum_pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "passerelle-forum-pages",
            "TIMEOUT": 86400,
        },
        # Forum: anonymous topic views not yet in the database (forum/community/topic_views.py).
        # Apart, so that no other entry can push them out; no expiry (keep Redis' maxmemory
        # policy at noeviction or volatile-*).
        "forum_views": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "passerelle-forum-views",
            "TIMEOUT": None,
        },
    }
    # Sessions are read from Redis and kept in the database, so a Redis restart signs no one out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Without Redis: the bytes each worker may keep of forum fragments, whole forum pages and whole
# pages (passerelle/locmem.py), 40 / 30 / 30 %. With Redis these caches live in Redis. 10 MB
# fill within minutes of mixed load, after which a worker's memory stays flat; at 20 MB a worker
# was still growing toward its bound after 20 minutes (docs/benchmarks.md, "Worker memory").
WORKER_CACHE_BYTES = env_int("PASSERELLE_WORKER_CACHE_MB", 10, minimum=1) * 2**20
if not REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "machina_attachments": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "machina_attachments"),
            "TIMEOUT": 3600,
        },
        # Without Redis these caches are in each worker's memory: bounded in bytes
        # (passerelle/locmem.py), since their entries weigh from 200 bytes (a post's id list)
        # to 200 kB (a whole topic page). Post fragments are ~2.4 kB: 4 MB hold ~1,700.
        "forum_html": {
            "BACKEND": "passerelle.locmem.SizedLocMemCache",
            "LOCATION": "passerelle-forum-html",
            "TIMEOUT": 86400,
            "OPTIONS": {"MAX_ENTRIES": 5000, "MAX_BYTES": WORKER_CACHE_BYTES * 4 // 10},
        },
        # Whole anonymous forum pages, 10-200 kB each (~15 kB on average in the soak).
        "forum_pages": {
            "BACKEND": "passerelle.locmem.SizedLocMemCache",
            "LOCATION": "passerelle-forum-pages",
            "TIMEOUT": 86400,
            "OPTIONS": {"MAX_ENTRIES": 300, "MAX_BYTES": WORKER_CACHE_BYTES * 3 // 10},
        },
        "forum_views": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "passerelle-forum-views",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }

# --- Search -------------------------------------------------------------------------------------

# Wagtail's database backend picks SQLite FTS5 or PostgreSQL full-text search from the database;
# search.backend adds French analysis to it (stemming on SQLite, french_unaccent on PostgreSQL).
# SEARCH_URL switches to an OpenSearch / Elasticsearch cluster for the largest deployments.
SEARCH_URL = env_str("SEARCH_URL")
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "opensearch2" if SEARCH_URL else "database")
if SEARCH_BACKEND == "database":
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backend", "AUTO_UPDATE": True}}
else:
    from django.core.exceptions import ImproperlyConfigured

    if SEARCH_BACKEND not in {"opensearch2", "opensearch3", "elasticsearch8", "elasticsearch9"}:
        raise ImproperlyConfigured(
            "SEARCH_BACKEND must be database, opensearch2, opensearch3, elasticsearch8 or "
            f"elasticsearch9, got {SEARCH_BACKEND!r}."
        )
    if not SEARCH_URL:
        raise ImproperlyConfigured(f"SEARCH_URL is required with SEARCH_BACKEND={SEARCH_BACKEND}.")
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{SEARCH_BACKEND}",
            "URLS": [SEARCH_URL],
            "INDEX": env_str("SEARCH_INDEX", "passerelle"),
            "TIMEOUT": 5,
            "AUTO_UPDATE": True,
        }
    }

# machina imports haystack; it gets an engine that stores nothing.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}

# --- Authentication -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Accounts (allauth) -------------------------------------------------------------------------
# django-allauth for local accounts (README, "Accounts and sign-in"): sign-up limited to the email
# domains of known establishments, verification and reset links sent through the outbox
# (accounts.adapter), rate limits on failed sign-ins, TOTP + recovery codes, sessions list.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] = {"min_length": 12}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.SignInForm", "signup": "accounts.forms.SignUpForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("ACCOUNT_VERIFICATION_DAYS", 3, minimum=1)
ACCOUNT_PASSWORD_RESET_TIMEOUT = env_int("ACCOUNT_PASSWORD_RESET_HOURS", 24, minimum=1) * 3600
PASSWORD_RESET_TIMEOUT = ACCOUNT_PASSWORD_RESET_TIMEOUT
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True  # as before allauth: the session outlives the browser
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Passerelle] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("PASSERELLE_BASE_URL", "http://").split(":", 1)[0]
# Failed sign-ins: per client address, and per login (identifier or address typed) for a window.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("ACCOUNT_LOGIN_FAILED_LIMIT", "20/10m/ip,5/15m/key"),
    # Account requests (/compte/demande/, accounts.views): each one emails the editors.
    "account_request": env_str("ACCOUNT_REQUEST_LIMIT", "5/h/ip"),
    # Messages to an establishment's listed contact (accounts.establishment_views), per writer.
    "establishment_contact": env_str("ESTABLISHMENT_CONTACT_LIMIT", "5/h/user"),
}
# From the third failure for a login, each answer is delayed by this much more (at most 3 s).
ACCOUNT_LOGIN_FAILED_DELAY = float(env_str("ACCOUNT_LOGIN_FAILED_DELAY", "0.5"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Passerelle"
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = True
# Seconds between two writes of a session's last activity (0: on every request, as allauth does).
USERSESSIONS_TRACK_ACTIVITY_INTERVAL = int(env_str("USERSESSIONS_TRACK_ACTIVITY_INTERVAL", "300"))
# Editors, administrators and superusers pass a TOTP step before /admin/ and /django-admin/.
PASSERELLE_MFA_REQUIRED = env_bool("PASSERELLE_MFA_REQUIRED", True)

# --- Language and time --------------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]

# --- Static and media ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static", MACHINA_MAIN_STATIC_DIR]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# --- Email --------------------------------------------------------------------------------------

globals().update(email_from_env("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Passerelle <ne-pas-repondre@passerelle.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security defaults (production.py tightens them) --------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # forms get the token from the page or /csrf/, never the cookie
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Front cache and security headers (passerelle/frontcache, deploy/, README "Front cache") ---

# Varnish in front: FRONTEND_CACHE_URL is where purges and bans go (http://127.0.0.1:6081).
# Unset: pages still say what may be cached, nothing is purged.
FRONTEND_CACHE_URL = env_str("FRONTEND_CACHE_URL")
if FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "passerelle.frontcache.purge.VarnishBackend",
            "LOCATION": FRONTEND_CACHE_URL,
        }
    }
# Seconds the front cache keeps an anonymous page (s-maxage), unless purged earlier.
PASSERELLE_FRONT_CACHE_TTL = env_int("PASSERELLE_FRONT_CACHE_TTL", 600, minimum=1)
# The Wagtail admin asks no third party for avatars.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],  # no inline script: everything is in static/js/
        # Inline style attributes remain in a few forum templates; scripts are what matters.
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "frame-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
    }
}
# /admin/ and /django-admin/ (passerelle.frontcache.security): inline scripts and styles, blobs
# for image uploads, still nothing from another origin.
PASSERELLE_ADMIN_CSP_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [_SELF, "'unsafe-inline'"],
    "img-src": [_SELF, "data:", "blob:"],
}
PASSERELLE_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Wagtail ------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Passerelle"
WAGTAILADMIN_BASE_URL = env_str("PASSERELLE_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "csv", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILEMBEDS_FINDERS = []  # no third-party oEmbed calls from this site
TAGGIT_CASE_INSENSITIVE = True

# --- django-machina -----------------------------------------------------------------------------

MACHINA_FORUM_NAME = "Forum Passerelle"
MACHINA_BASE_TEMPLATE_NAME = "base.html"
# Posts are written in Markdown; our renderer turns it into HTML and sanitizes it with nh3.
MACHINA_MARKUP_LANGUAGE = ("passerelle.sanitizer.render_markdown", {})
MACHINA_MARKUP_WIDGET = "django.forms.Textarea"
MACHINA_MARKUP_WIDGET_KWARGS = {"attrs": {"rows": 10}}
MACHINA_USER_DISPLAY_NAME_METHOD = "get_full_name"
# A signed-in person without any role may read what anonymous readers read; posting comes with
# the "Personnel d'établissement" group (see accounts/roles.py).
MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS = ["can_see_forum", "can_read_forum"]
MACHINA_PROFILE_AVATARS_ENABLED = False

# --- Forum: private attachments -----------------------------------------------------------------

# Forum attachments are stored here, outside MEDIA_ROOT (which the reverse proxy serves to
# anyone), under random names, and leave only through the permission-checked download view.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# When set (e.g. "/_prive"), downloads answer with "X-Accel-Redirect: <prefix>/<path>" for an
# nginx `internal;` location aliased to PRIVATE_MEDIA_ROOT, instead of streaming the file.
PASSERELLE_ACCEL_REDIRECT_PREFIX = env_str("PASSERELLE_ACCEL_REDIRECT_PREFIX", "").rstrip("/")

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per background task and per page event is noise on the console.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

PASSERELLE_REVIEW_INTERVAL_MONTHS = env_int("PASSERELLE_REVIEW_INTERVAL_MONTHS", 6, minimum=1)
PASSERELLE_DEMO = env_bool("PASSERELLE_DEMO", False)
# Forum: a topic unanswered for this many days is assigned in turn to one of its domain's
# officers by assign_unanswered_topics (cron, daily).
PASSERELLE_AUTO_ASSIGN_DAYS = env_int("PASSERELLE_AUTO_ASSIGN_DAYS", 3, minimum=1)

# fetch_notices: per-request timeout (seconds; the whole download gets 3x that), largest feed
# body read (bytes; reading stops past it), most redirects followed.
NOTICES_FETCH_TIMEOUT = env_int("NOTICES_FETCH_TIMEOUT", 15, minimum=1)
NOTICES_FETCH_MAX_BYTES = env_int("NOTICES_FETCH_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
NOTICES_FETCH_MAX_REDIRECTS = env_int("NOTICES_FETCH_MAX_REDIRECTS", 5, minimum=0)

# --- Accessibility and French (issue 13) ---------------------------------------------------------
# Django's date filter, with "1er" for the first day of a month, in every template.
TEMPLATES[0]["OPTIONS"].setdefault("builtins", []).append("passerelle.templatetags.french_dates")
# --- Tasks, health, logs (ops/, README "Running it for real") ------------------------------------

INSTALLED_APPS += ["ops", "django_tasks", "django_tasks_db"]
# Request id first, so that every later log line of the request carries it.
MIDDLEWARE.insert(0, "ops.middleware.RequestIdMiddleware")

# Background tasks (Django's tasks framework, through the django-tasks backport Wagtail installs):
# the database backend and its worker by default, RQ on Redis when REDIS_URL is set,
# "immediate" runs them inside the request (the test suite, and the benchmark's "before").
PASSERELLE_TASKS_BACKEND = env_str("PASSERELLE_TASKS_BACKEND", "rq" if REDIS_URL else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    # django-tasks-rq with one Redis connection per process and batches (ops/rq_backend.py).
    "rq": "ops.rq_backend.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if PASSERELLE_TASKS_BACKEND not in _TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "PASSERELLE_TASKS_BACKEND must be database, rq or immediate, "
        f"got {PASSERELLE_TASKS_BACKEND!r}."
    )
if PASSERELLE_TASKS_BACKEND == "rq" and not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PASSERELLE_TASKS_BACKEND=rq needs REDIS_URL.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[PASSERELLE_TASKS_BACKEND]}}
if PASSERELLE_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    # A job whose worker died is noticed by the next worker start (RQ's registry cleanup) and by
    # `manage.py reclaim_tasks`; every Passerelle task is idempotent.
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# A running database task whose worker is gone (its process on this host has died, or it has
# been running longer than this) is put back in the queue by `reclaim_tasks` and the worker start.
PASSERELLE_TASK_TIMEOUT = env_int("PASSERELLE_TASK_TIMEOUT", 900, minimum=30)
PASSERELLE_TASK_MAX_ATTEMPTS = env_int("PASSERELLE_TASK_MAX_ATTEMPTS", 5, minimum=1)

# /sante/ answers load balancers over plain HTTP too (production redirects everything else).
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
# /sante/: thresholds above which the load balancer is told this server is unhealthy.
PASSERELLE_HEALTH_MAX_TASK_BACKLOG = env_int("PASSERELLE_HEALTH_MAX_TASK_BACKLOG", 1000, minimum=1)
PASSERELLE_HEALTH_MAX_OUTBOX_BACKLOG = env_int(
    "PASSERELLE_HEALTH_MAX_OUTBOX_BACKLOG", 500, minimum=1
)
PASSERELLE_HEALTH_MAX_FETCH_AGE_HOURS = env_int(
    "PASSERELLE_HEALTH_MAX_FETCH_AGE_HOURS", 6, minimum=1
)

# Backups (`manage.py backup` / `restore`).
PASSERELLE_BACKUP_DIR = Path(env_str("PASSERELLE_BACKUP_DIR", str(VAR_DIR / "backups")))

# Logs: one JSON object per line (LOG_FORMAT=json, the production default) or plain text, each
# with the request id; ops.logging.RedactFilter strips passwords, tokens and email bodies.
LOG_FORMAT = env_str(
    "LOG_FORMAT",
    "json"
    if __import__("os").environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production")
    else "text",
)
if LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING["filters"] = {
    "request_id": {"()": "ops.logging.RequestIdFilter"},
    "redact": {"()": "ops.logging.RedactFilter"},
}
LOGGING["formatters"] = {
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    },
    "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
}
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["request_id", "redact"])
# --- Personal data ------------------------------------------------------------------------------
# accounts/personal_data.py: how long sign-in history is kept, when an inactive account is warned
# then deleted (its posts kept under "Ancien membre"), and whom people write to about their data.
PASSERELLE_SIGNIN_HISTORY_MONTHS = env_int("PASSERELLE_SIGNIN_HISTORY_MONTHS", 12, minimum=1)
PASSERELLE_INACTIVE_ACCOUNT_DAYS = env_int("PASSERELLE_INACTIVE_ACCOUNT_DAYS", 3 * 365, minimum=30)
PASSERELLE_INACTIVE_GRACE_DAYS = env_int("PASSERELLE_INACTIVE_GRACE_DAYS", 30, minimum=1)
PASSERELLE_DPO_EMAIL = env_str("PASSERELLE_DPO_EMAIL", "dpo@passerelle.local")
# --- Single sign-on: research and education federation (SAML 2) and ProConnect (OIDC) ----------
# accounts/identity.py, accounts/saml/, accounts/proconnect.py; README "Single sign-on".

AUTHENTICATION_BACKENDS = [
    *globals().get("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]),
    "accounts.saml.backend.FederationBackend",
    "accounts.proconnect.ProConnectBackend",
]
INSTALLED_APPS.insert(INSTALLED_APPS.index("accounts"), "djangosaml2")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
SSO_CLOCK_SKEW = env_int("SSO_CLOCK_SKEW", 60, minimum=0)
# Federation: the signed aggregate (URL, else a file), the certificate that signs it, where the
# last good copy is kept, and the SP's identity.
SSO_SAML_METADATA_URL = env_str("SAML_METADATA_URL")
SSO_SAML_METADATA_FILE = env_str("SAML_METADATA_FILE")
SSO_SAML_METADATA_CERT = env_str("SAML_METADATA_CERT")
SSO_SAML_METADATA_TIMEOUT = env_int("SAML_METADATA_TIMEOUT", 30, minimum=1)
SSO_SAML_METADATA_MAX_BYTES = env_int("SAML_METADATA_MAX_BYTES", 128 * 1024 * 1024, minimum=1024)
SSO_SAML_DIR = Path(env_str("SAML_DIR", str(VAR_DIR / "federation")))
SSO_SAML_ENTITY_ID = env_str("SAML_SP_ENTITY_ID")
SSO_SAML_BASE_URL = env_str("SAML_SP_BASE_URL")
SSO_SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE")
SSO_SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE")
SSO_SAML_CONTACT_EMAIL = env_str("SAML_SP_CONTACT_EMAIL", "support@passerelle.local")
SSO_SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
SSO_SAML_CLOCK_SKEW = SSO_CLOCK_SKEW
SSO_SAML_POSTING_AFFILIATIONS = [
    a.lower() for a in env_list("SAML_POSTING_AFFILIATIONS", ["staff", "faculty", "employee"])
]
SAML_CONFIG_LOADER = "accounts.saml.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = SAML_DEFAULT_BINDING
SAML_SESSION_COOKIE_NAME = "passerelle_saml"
# SameSite=None lets the IdP's POST to the ACS carry the SAML cookie; browsers require Secure for
# it: production.py sets None (HTTPS); plain-HTTP development (IdPs on the same host) uses Lax.
SAML_SESSION_COOKIE_SAMESITE = "Lax"
SAML_IGNORE_LOGOUT_ERRORS = True
SAML_CSP_HANDLER = ""  # the site sets no Content-Security-Policy of its own yet
# ProConnect (mozilla-django-oidc): endpoints from the issuer's discovery document.
SSO_PROCONNECT_ISSUER = env_str("PROCONNECT_ISSUER")
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("PROCONNECT_SCOPES", "openid email given_name usual_name siret uid")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env_int("PROCONNECT_TIMEOUT", 10, minimum=1)
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect_callback"
OIDC_OP_AUTHORIZATION_ENDPOINT = OIDC_OP_TOKEN_ENDPOINT = OIDC_OP_USER_ENDPOINT = ""
SSO_PROCONNECT_ACR_VALUES = env_str("PROCONNECT_ACR_VALUES")
SSO_PROCONNECT_CAN_POST = env_bool("PROCONNECT_CAN_POST", True)
SSO_PROCONNECT_DISCOVERY_TTL = env_int("PROCONNECT_DISCOVERY_TTL", 3600, minimum=0)
SSO_PROCONNECT_POST_LOGOUT_URL = env_str("PROCONNECT_POST_LOGOUT_URL")
# --- Page cache inside Django (passerelle/pagecache.py, README "Page and fragment cache") -------
# Whole anonymous pages and the site-wide fragments, kept until the next change of the content
# (a generation token replaced on every write, see passerelle.frontcache.receivers) or midnight.
PASSERELLE_PAGE_CACHE = env_bool("PASSERELLE_PAGE_CACHE", True)
PASSERELLE_PAGE_CACHE_TTL = env_int("PASSERELLE_PAGE_CACHE_TTL", 600, minimum=1)
# Without Redis the token is a file every worker of this machine reads; with Redis, a Redis key.
PASSERELLE_CACHE_GENERATION_FILE = "" if REDIS_URL else str(VAR_DIR / "cache" / "generation")
CACHES["pages"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "passerelle-pages",
    }
    if REDIS_URL
    else {
        "BACKEND": "passerelle.locmem.SizedLocMemCache",
        "LOCATION": "passerelle-pages",
        # Whole pages, one per URL and query string (~9 kB each in the soak benchmark).
        "OPTIONS": {"MAX_ENTRIES": 500, "MAX_BYTES": WORKER_CACHE_BYTES * 3 // 10},
    }
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("passerelle.frontcache.headers.CacheHeadersMiddleware"),
    "passerelle.pagecache.PageCacheMiddleware",
)
