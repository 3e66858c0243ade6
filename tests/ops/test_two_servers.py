"""Two app servers (two gunicorn on 127.0.0.1) on one PostgreSQL and one Redis, with the tasks
worker beside them: a person signed in on A is signed in on B; a reply written on A is read,
searched and counted in the facets on B, whose facet bitmaps were built before A wrote.

Then the front cache in front of both: a real Varnish running deploy/varnish/passerelle.vcl with
A and B in its round-robin director; a page an editor publishes in A's admin, and a reply posted
on A, reach the next anonymous reader through Varnish, whichever server fetches the page again;
once B stops, Varnish's health probe leaves it out."""

import html
import re
import subprocess
import tempfile
import time

import pytest
import requests
from django.conf import settings
from django.db import connection

from accounts import roles
from tests import factories
from tests.accounts.helpers import totp_code
from tests.cache.varnish import require_varnishd, running_varnish
from tests.ops.servers import (
    BIN,
    ROOT,
    FormFields,
    database_url,
    environment,
    free_port,
    stop,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def start_server(env, port):
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--env", "DJANGO_SETTINGS_MODULE=tests.ops.server_settings", "--log-level", "warning",
         "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def require_postgresql_and_redis():
    # The SQLite pass has no shared cache for two servers; .ci/run's second pass sets both.
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs the real PostgreSQL and Redis (DATABASE_URL=postgres://…, REDIS_URL)")


def up(base):
    try:
        return requests.get(base + "/sante/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def form_fields(page, field="content"):
    parser = FormFields(field)
    parser.feed(page.text)
    return parser.fields


def result_count(page):
    found = re.search(r"(\d+) résultats? pour", html.unescape(page.text))
    return int(found.group(1)) if found else 0


def forum_facet_count(page):
    found = re.search(
        r'id="facet-type-forum"[^>]*>\s*<label[^>]*>[^<]*<span class="facet__count">\((\d+)\)',
        page.text,
    )
    return int(found.group(1)) if found else 0


def test_two_app_servers_share_sessions_posts_search_and_facets(site_tree):
    require_postgresql_and_redis()
    _category, forum = factories.make_category_with_forum("Réseau", "Forum réseau")
    author = factories.make_user(roles.STAFF, username="camille", first_name="Camille")
    author.set_password("mot-de-passe-du-test")
    author.save()
    topic = factories.make_topic(forum, author, subject="Pare-feu applicatif", content="Début")
    topic_path = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/"
    reply_path = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/post/create/"
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(
            tmp_dir,
            database_url(tmp_dir),
            DJANGO_SETTINGS_MODULE="tests.ops.server_settings",
            REDIS_URL=settings.REDIS_URL,
            PASSERELLE_TASKS_BACKEND="rq",
        )
        port_a, port_b = free_port(), free_port()
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        processes = [start_server(env, port_a), start_server(env, port_b)]
        processes.append(
            subprocess.Popen(
                [str(BIN / "python"), "manage.py", "tasks_worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        try:
            wait_for(lambda: up(a) and up(b), timeout=90, message="both app servers")
            browser = requests.Session()  # cookies are per host, not per port: A and B share them
            # B builds its facet bitmaps before anything is written on A.
            before = browser.get(b + "/recherche/", params={"q": "pare-feu"}, timeout=30)
            assert before.status_code == 200
            assert result_count(before) == 1 and forum_facet_count(before) == 1

            # Signed in on A...
            login = browser.get(a + "/compte/connexion/", timeout=30)
            fields = form_fields(login, "login")
            fields.update(login="camille", password="mot-de-passe-du-test")
            signed_in = browser.post(a + "/compte/connexion/", data=fields, timeout=30,
                                     headers={"Referer": a + "/compte/connexion/"})  # fmt: skip
            assert signed_in.status_code == 200 and "Se déconnecter" in signed_in.text
            # ...is signed in on B.
            on_b = browser.get(b + "/", timeout=30)
            assert "Se déconnecter" in on_b.text and "Camille" in on_b.text

            # A reply written on A...
            form = browser.get(a + reply_path, timeout=30)
            assert form.status_code == 200
            data = form_fields(form)
            data.update(
                subject="Re: pare-feu", content="Pare-feu configuré avec le jeton zygomorphe."
            )
            posted = browser.post(a + reply_path, data=data, allow_redirects=False, timeout=30,
                                  headers={"Referer": a + reply_path})  # fmt: skip
            assert posted.status_code == 302, posted.text[-500:]

            # ...is read on B at once,
            assert "jeton zygomorphe" in browser.get(b + topic_path, timeout=30).text
            # searched on B once the worker has indexed it,
            wait_for(
                lambda: (
                    result_count(
                        browser.get(b + "/recherche/", params={"q": "zygomorphe"}, timeout=30)
                    )
                    == 1
                ),
                timeout=60,
                message="the reply to be searchable on B",
            )
            # and counted in B's facets, built before A's write.
            after = browser.get(b + "/recherche/", params={"q": "pare-feu"}, timeout=30)
            assert result_count(after) == 2 and forum_facet_count(after) == 2
        finally:
            for process in processes:
                stop(process)


# --- Varnish in front of both servers -----------------------------------------------------------

EDITOR_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # this test's editor only


def anonymous(url):
    """What a first-time visitor gets: no cookie, no redirect followed."""
    return requests.get(url, timeout=30, allow_redirects=False)


def visible_within(url, text, timeout=2.0):
    """The first anonymous response showing ``text`` and the seconds it took (fails past it)."""
    start = time.monotonic()
    while True:
        response = anonymous(url)
        elapsed = time.monotonic() - start
        if text in html.unescape(response.text):
            return response, elapsed
        assert elapsed < timeout, f"{text!r} not on {url} after {elapsed:.2f} s"
        time.sleep(0.05)


def every_request_answered(front):
    """Four passed requests in a row (round robin: each server twice) answered by a server."""
    return all(anonymous(front + "/compte/connexion/").status_code == 200 for _ in range(4))


def sign_in(base, username, password, totp_secret=None):
    """A browser signed in on ``base`` through allauth's forms (and its TOTP step)."""
    browser = requests.Session()
    login = browser.get(base + "/compte/connexion/", timeout=30)
    fields = form_fields(login, "login")
    fields.update(login=username, password=password)
    page = browser.post(base + "/compte/connexion/", data=fields, timeout=30,
                        headers={"Referer": base + "/compte/connexion/"})  # fmt: skip
    if totp_secret:
        assert page.url.endswith("/compte/2fa/authenticate/"), page.url
        fields = form_fields(page, "code")
        fields["code"] = totp_code(totp_secret)
        page = browser.post(page.url, data=fields, timeout=30, headers={"Referer": page.url})
    assert page.status_code == 200 and "Se déconnecter" in page.text, page.url
    return browser


def chapter_edit_form(chapter, csrf_token, **changes):
    """The Wagtail edit form of a chapter as the admin posts it, Publish pressed."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    fields = {
        "title": chapter.title,
        "slug": chapter.slug,
        "intro": chapter.intro,
        "domain": chapter.domain_id or "",
        "tags": "",
        "body": streamfield([]),
        "owner_officer": "",
        "last_reviewed_at": "",
        "review_interval_months": chapter.review_interval_months,
        "update_note": "",
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "action-publish": "action-publish",
    }
    fields.update(changes)
    return {**nested_form_data(fields), "csrfmiddlewaretoken": csrf_token}


def test_varnish_in_front_of_both_servers_is_purged_by_either(site_tree):
    """An anonymous reader through Varnish sees, within 2 s, a chapter an editor republished in
    A's admin and a reply posted on A, both fetched again by whichever server the director picks;
    B's own caches (page cache, forum fragments) do not hold the old copy."""
    from allauth.mfa.totp.internal.auth import TOTP

    require_postgresql_and_redis()
    require_varnishd()  # in this pass Varnish is required: a missing varnishd fails the test
    domain, forum = factories.make_domain_with_forum("Télétravail")
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail", domain=domain)
    chapter = factories.make_practice(
        guide, title="Accéder au VPN", intro="Première version.", domain=domain
    )
    editor = factories.make_user(roles.EDITOR, username="claire", first_name="Claire")
    TOTP.activate(editor, EDITOR_TOTP_SECRET)
    author = factories.make_user(roles.STAFF, username="camille", first_name="Camille")
    topic = factories.make_topic(forum, author, subject="Dimensionner le VPN", content="Début")
    topic_path = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/"
    port_a, port_b = free_port(), free_port()
    a = f"http://127.0.0.1:{port_a}"
    backends = [("127.0.0.1", port_a), ("127.0.0.1", port_b)]
    with (
        tempfile.TemporaryDirectory() as tmp_dir,
        running_varnish(backends, served_by=True) as front,
    ):
        env = environment(
            tmp_dir,
            database_url(tmp_dir),
            DJANGO_SETTINGS_MODULE="tests.ops.server_settings",
            REDIS_URL=settings.REDIS_URL,
            # Both servers send their PURGE and BAN to the one Varnish (README, "Front cache").
            FRONTEND_CACHE_URL=front,
        )
        processes = [start_server(env, port_a), start_server(env, port_b)]
        try:
            wait_for(lambda: up(a) and up(f"http://127.0.0.1:{port_b}"), timeout=90,
                     message="both app servers")  # fmt: skip
            # Varnish's health probe saw them start: it sends requests once they pass it again.
            wait_for(lambda: every_request_answered(front), timeout=15, interval=0.5,
                     message="Varnish's probe to find both servers healthy")  # fmt: skip

            # 1. A chapter, cached by Varnish: a miss, then a hit of the same stored copy.
            chapter_url, guide_url = front + chapter.url, front + guide.url
            first = anonymous(chapter_url)
            assert first.status_code == 200 and first.headers["X-Cache"] == "MISS"
            assert "Set-Cookie" not in first.headers
            assert "public" in first.headers["Cache-Control"]
            time.sleep(1.1)  # so that the hit's Age shows the copy is the stored one
            second = anonymous(chapter_url)
            assert second.headers["X-Cache"] == "HIT" and int(second.headers["Age"]) >= 1
            assert second.headers["X-Served-By"] == first.headers["X-Served-By"]
            anonymous(guide_url)
            assert anonymous(guide_url).headers["X-Cache"] == "HIT"
            assert "Accéder au VPN" in html.unescape(anonymous(guide_url).text)
            # Both servers fetched for Varnish (round robin): each has its own warm copies.
            assert {first.headers["X-Served-By"], anonymous(guide_url).headers["X-Served-By"]} == {
                "app1",
                "app2",
            }

            # The editor publishes a new version in A's admin (password, TOTP, the edit form).
            editor_browser = sign_in(a, "claire", factories.PASSWORD, EDITOR_TOTP_SECRET)
            edit_url = f"{a}/admin/pages/{chapter.pk}/edit/"
            edit = editor_browser.get(edit_url, timeout=30)
            assert edit.status_code == 200
            token = form_fields(edit, "csrfmiddlewaretoken")["csrfmiddlewaretoken"]
            form = chapter_edit_form(
                chapter,
                token,
                title="Accéder au SI par le VPN",
                intro="Version du jeton ornithorynque.",
            )
            published = editor_browser.post(edit_url, data=form, allow_redirects=False,
                                            timeout=30, headers={"Referer": edit_url})  # fmt: skip
            assert published.status_code == 302, published.text[-2000:]

            # The next anonymous readers through Varnish see it, from a fresh fetch each.
            fresh, delay = visible_within(chapter_url, "Version du jeton ornithorynque.")
            assert fresh.headers["X-Cache"] == "MISS" and "Accéder au SI par le VPN" in fresh.text
            listing, listing_delay = visible_within(guide_url, "Accéder au SI par le VPN")
            assert listing.headers["X-Cache"] == "MISS"
            # One of the two refetches went to B, which A's write did not run on.
            assert {fresh.headers["X-Served-By"], listing.headers["X-Served-By"]} == {
                "app1",
                "app2",
            }
            assert delay < 2 and listing_delay < 2

            # 2. A reply posted on A by a signed-in person reaches the anonymous topic page.
            topic_url = front + topic_path
            anonymous(topic_url)
            cached = anonymous(topic_url)
            assert cached.headers["X-Cache"] == "HIT" and "Début" in cached.text
            author_browser = sign_in(a, "camille", factories.PASSWORD)
            reply_url = f"{a}{topic_path}post/create/"
            data = form_fields(author_browser.get(reply_url, timeout=30))
            data.update(subject="Re: VPN", content="Dimensionné avec le jeton quetzalcoatl.")
            posted = author_browser.post(reply_url, data=data, allow_redirects=False, timeout=30,
                                         headers={"Referer": reply_url})  # fmt: skip
            assert posted.status_code == 302, posted.text[-2000:]
            replied, reply_delay = visible_within(topic_url, "jeton quetzalcoatl")
            assert replied.headers["X-Cache"] == "MISS" and reply_delay < 2
            assert anonymous(topic_url).headers["X-Cache"] == "HIT"

            # 3. B stops: once its health probe fails, every request Varnish passes or misses
            # goes to A (without the probe, every other one would be a 503).
            stop(processes[1])
            stopped = time.monotonic()
            wait_for(lambda: every_request_answered(front), timeout=15, interval=0.5,
                     message="Varnish to leave the stopped server B out")  # fmt: skip
            assert time.monotonic() - stopped < 15
            assert anonymous(front + "/recherche/?q=vpn").headers["X-Served-By"] == "app1"
        finally:
            for process in processes:
                stop(process)
