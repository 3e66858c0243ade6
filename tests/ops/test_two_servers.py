"""Two app servers (two gunicorn on 127.0.0.1) on one PostgreSQL and one Redis, with the tasks
worker beside them: a person signed in on A is signed in on B; a reply written on A is read,
searched and counted in the facets on B, whose facet bitmaps were built before A wrote."""

import html
import re
import subprocess
import tempfile

import pytest
import requests
from django.conf import settings
from django.db import connection

from accounts import roles
from tests import factories
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
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs the real PostgreSQL and Redis (DATABASE_URL=postgres://…, REDIS_URL)")
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
