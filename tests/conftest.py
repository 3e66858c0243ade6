import os
import shutil

import pytest
from django.test import Client

from accounts import roles
from tests import factories

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _search_token_changes_without_commit(request):
    """On PostgreSQL the trigger that changes the search index's token fires at commit (migration
    search/0004). A test in a transaction that is rolled back never commits: there it fires at the
    end of each statement instead, so that the next search sees the write, as after a commit.
    Tests that really commit (``transaction=True``, the concurrency test) keep it at commit."""
    marker = request.node.get_closest_marker("django_db")
    committing = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if committing or (marker is None and "db" not in request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS search_filterrow_changed IMMEDIATE")
    yield


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with an empty page cache (passerelle/pagecache.py): a rolled-back test
    leaves pages rendered from its data, which no write of the next test may replace."""
    from django.core.cache import caches

    from passerelle import pagecache

    pagecache.reset()
    caches["forum_pages"].clear()
    yield


@pytest.fixture
def site_tree(db):
    from kb.structure import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture
def staff_user(db):
    return factories.make_user(roles.STAFF, factories.EstablishmentFactory())


@pytest.fixture
def editor(db):
    return factories.make_user(roles.EDITOR)


@pytest.fixture
def administrator(db):
    return factories.make_user(roles.ADMINISTRATOR)


def mark_mfa_passed(client, user):
    """Record in the client's session what allauth records after a TOTP code (accounts.mfa)."""
    import time

    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()


@pytest.fixture
def client_for():
    """A test client signed in as the given user (anonymous for None).

    The session counts as having passed a second factor, as after allauth's TOTP step, so that
    editors and administrators reach the admin (accounts.mfa); tests/accounts test the step."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
            mark_mfa_passed(client, user)
        return client

    return make


# --- Browser -----------------------------------------------------------------------------------


def _browser_required():
    return os.environ.get("PASSERELLE_REQUIRE_BROWSER", "") in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skipped (or failed, in CI) when it is missing."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"Chromium absent ({CHROMIUM}) : tests navigateur non exécutés."
        if _browser_required():
            pytest.fail(message + " PASSERELLE_REQUIRE_BROWSER=1 les rend obligatoires.")
        pytest.skip(message + " Installez le paquet Debian « chromium » pour les exécuter.")
    # Playwright's sync API runs an event loop in this thread; Django's ORM is still used
    # synchronously by the test itself.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
