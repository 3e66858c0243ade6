"""The index follows the content, can be checked and repaired, and its failure is not fatal."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from machina.core.db.models import get_model

from search.models import SearchDocument
from tests import factories
from tests.search.conftest import make_private_forum, result_titles

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")

pytestmark = pytest.mark.django_db


def test_editing_deleting_and_moving_posts_updates_results(
    site_tree, poster, committed, search_get
):
    _category, forum = factories.make_category_with_forum()
    with committed():
        topic = factories.make_topic(forum, poster, subject="Messagerie", content="pamplemousse")
    assert result_titles(search_get({"q": "pamplemousse"})) == ["Messagerie"]

    post = topic.first_post
    with committed():
        post.content = "clémentine"
        post.save()
    assert search_get({"q": "pamplemousse"}).context["total"] == 0
    assert result_titles(search_get({"q": "clementine"})) == ["Messagerie"]

    with committed():
        topic.subject = "Messagerie chiffrée"
        topic.save()
    assert result_titles(search_get({"q": "chiffrée"})) == ["Messagerie chiffrée"]

    # Moved into a forum the reader cannot see: gone for them on the next search.
    private = make_private_forum([poster])
    with committed():
        topic.forum = private
        topic.save()
    assert search_get({"q": "clementine"}).context["total"] == 0
    assert result_titles(search_get({"q": "clementine"}, user=poster)) == ["Messagerie chiffrée"]

    with committed():
        topic.delete()
    assert search_get({"q": "clementine"}, user=poster).context["total"] == 0
    assert not SearchDocument.objects.filter(kind="forum").exists()


def test_publishing_moving_and_deleting_pages_updates_results(site_tree, committed, search_get):
    with committed():
        guide = factories.make_guide(site_tree.guides, title="Guide messagerie")
        practice = factories.make_practice(site_tree.guides, title="Archivage des courriels")
    assert result_titles(search_get({"q": "archivage"})) == ["Archivage des courriels"]

    with committed():
        practice.intro = "Conserver les courriels dix ans."
        practice.save_revision().publish()
    assert result_titles(search_get({"q": "conserver"})) == ["Archivage des courriels"]

    with committed():
        practice.move(guide, pos="last-child")
    document = SearchDocument.objects.get(page=practice)
    assert document.url.startswith(guide.url)
    assert "Guide messagerie" in document.context  # found by its guide's title too

    with committed():
        practice.delete()
    assert search_get({"q": "archivage"}).context["total"] == 0


def test_search_check_finds_and_repairs_missing_and_stale_documents(site_tree, poster, committed):
    call_command("search_rebuild")  # the site structure's pages, created before the test
    _category, forum = factories.make_category_with_forum()
    with committed():
        topic = factories.make_topic(forum, poster, subject="Wifi", content="eduroam")
        guide = factories.make_guide(site_tree.guides, title="Guide wifi")
    call_command("search_check")  # all good: no error

    # Writes made behind the index's back (a bulk update, a failed index update…).
    Post.objects.filter(pk=topic.first_post_id).update(content="portail captif")
    SearchDocument.objects.filter(page=guide).delete()
    with pytest.raises(CommandError, match="problems found"):
        call_command("search_check")

    call_command("search_check", "--repair")
    call_command("search_check")
    assert SearchDocument.objects.filter(page=guide).exists()
    assert "portail captif" in SearchDocument.objects.get(post_id=topic.first_post_id).body


def test_search_rebuild_from_scratch(site_tree, poster, committed, search_get):
    _category, forum = factories.make_category_with_forum()
    with committed():
        factories.make_topic(forum, poster, subject="Annuaire LDAP", content="annuaire")
    SearchDocument.objects.all().delete()
    assert search_get({"q": "annuaire"}).context["total"] == 0
    call_command("search_rebuild")
    assert result_titles(search_get({"q": "annuaire"})) == ["Annuaire LDAP"]
    call_command("search_rebuild")  # twice: same documents
    assert SearchDocument.objects.filter(kind="forum").count() == 1


def test_a_broken_index_makes_search_unavailable_not_the_site(
    site_tree, poster, committed, search_get, client
):
    _category, forum = factories.make_category_with_forum()
    with committed():
        topic = factories.make_topic(forum, poster, subject="Imprimantes", content="toner")
    # The table the search reads: FTS5's on SQLite, the index entries (tsvectors) on PostgreSQL.
    table = "wagtailsearch_indexentry" + ("_fts" if connection.vendor == "sqlite" else "")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO broken_index")
    try:
        response = search_get({"q": "toner"})
        assert response.status_code == 503
        assert "momentanément indisponible" in response.content.decode()
        # Posting still works; the index catches up with search_check --repair.
        with committed():
            Post.objects.create(topic=topic, poster=poster, subject="Re", content="cartouche")
        assert Post.objects.filter(content="cartouche").exists()
        assert client.get("/").status_code == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE broken_index RENAME TO {table}")
    call_command("search_check", "--repair")
    assert result_titles(search_get({"q": "cartouche"})) == ["Imprimantes"]


@pytest.mark.parametrize("vendor_check", ["analysis"])
def test_french_analysis_is_done_by_the_database_or_in_python(site_tree, vendor_check):
    """PostgreSQL: the french_unaccent configuration; SQLite: stems stored in FTS5."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_tsvector('french_unaccent', 'Établissements TÉLÉTRAVAIL')")
            assert cursor.fetchone()[0] == "'etabl':1 'teletravail':2"
        else:
            from search.analysis import index_text

            assert index_text("Établissements TÉLÉTRAVAIL des agents") == "etabl teletravail agent"


def test_results_page_query_count_does_not_grow_with_results(
    site_tree, poster, committed, search_get
):
    domain, forum = factories.make_domain_with_forum("Réseau")

    def count_queries(n):
        Topic.objects.all().delete()
        with committed():
            for i in range(n):
                factories.make_topic(forum, poster, subject=f"Routeur {i}", content="routeur")
        search_get({"q": "routeur"})  # the same caches (readable forums) warm for both sizes
        with CaptureQueriesContext(connection) as queries:
            response = search_get({"q": "routeur", "domaine": domain.slug})
        assert response.context["total"] == n
        return len(queries)

    # 60 results are three pages of 20, each with its facets: enough to show a query per result.
    assert count_queries(10) == count_queries(60)


def test_solved_topics_are_marked_in_results(site_tree, poster, committed, search_get):
    from forum.community.solutions import mark_solution, unmark_solution

    _category, forum = factories.make_category_with_forum()
    with committed():
        topic = factories.make_topic(
            forum, poster, subject="Quota disque", content="quota", replies=1
        )
    assert "Résolu" not in search_get({"q": "quota"}).content.decode()
    with committed():
        mark_solution(topic, topic.last_post, poster)
    html = search_get({"q": "quota"}).content.decode()
    assert 'badge--solved">Résolu' in html
    with committed():
        unmark_solution(topic, poster)
    assert "Résolu" not in search_get({"q": "quota"}).content.decode()


def test_search_check_finds_and_repairs_missing_or_wrong_filter_rows(
    site_tree, poster, committed, search_get
):
    from search.models import FilterRow

    _category, forum = factories.make_category_with_forum()
    with committed():
        factories.make_topic(forum, poster, subject="Onduleur", content="onduleur")
        factories.make_topic(forum, poster, subject="Climatisation", content="salle serveur")
    FilterRow.objects.filter(document__title="Onduleur").delete()
    FilterRow.objects.filter(document__title="Climatisation").update(approved=False)
    assert search_get({"q": "onduleur"}).context["total"] == 0  # never found without its row
    assert search_get({"q": "climatisation"}).context["total"] == 0

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("search_check", stdout=out)
    assert "2 with wrong or missing filter rows" in out.getvalue()
    call_command("search_check", "--repair", stdout=io.StringIO())
    assert result_titles(search_get({"q": "onduleur"})) == ["Onduleur"]
    assert result_titles(search_get({"q": "climatisation"})) == ["Climatisation"]
    call_command("search_check", stdout=io.StringIO())  # clean now: no error


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's index writes its own statement"
)
def test_postgres_index_writes_the_vectors_wagtail_would_write(site_tree):
    """search.postgres_backend writes the index entries of search documents itself (faster):
    title, body and autocomplete vectors and plain texts must be what Wagtail's own code writes."""
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django.utils import timezone
    from modelsearch.backends import get_search_backend
    from modelsearch.backends.database.postgres import postgres as wagtail_postgres

    documents = [
        SearchDocument.objects.create(
            kind="guide", title="Télétravail des agents", body="Le VPN des établissements.",
            context="Sécurité SI", url="/a/", date=timezone.now(),
        ),
        SearchDocument.objects.create(
            kind="notice", title="Avis", body="", context="", url="/b/", date=timezone.now()
        ),
    ]  # fmt: skip
    index = get_search_backend().get_index_for_model(SearchDocument)
    columns = ["title", "body", "autocomplete", "title_text", "body_text"]

    def entries():
        rows = wagtail_postgres.IndexEntry.objects.filter(
            object_id__in=[str(d.pk) for d in documents]
        )
        texts = {f"{c}_as_text": Cast(c, TextField()) for c in columns[:3]}
        names = [f"{c}_as_text" for c in columns[:3]] + columns[3:]
        return {row[0]: row[1:] for row in rows.annotate(**texts).values_list("object_id", *names)}

    index.add_items(SearchDocument, documents)
    ours = entries()
    wagtail_postgres.PostgresIndex.add_items(index, SearchDocument, documents)
    assert entries() == ours
    assert "'teletravail':1B" in ours[str(documents[0].pk)][0]  # accents out, title weighed


def test_search_rebuild_leaves_every_title_norm_as_a_full_refresh_would(site_tree, poster):
    """The rebuild defers the title norms (how a title's length weighs in the ranking) to one
    refresh at the end: afterwards they are exactly those of a full refresh, not the 1.0 that
    new entries start with."""
    from modelsearch.backends import get_search_backend
    from modelsearch.conf import get_app_config

    _category, forum = factories.make_category_with_forum("Réseau", "Routeurs")
    factories.make_topic(forum, poster, subject="Routeur", content="court")
    factories.make_topic(forum, poster, subject="Routeur du bâtiment B en panne depuis lundi")
    call_command("search_rebuild")
    entries = get_app_config().get_model("IndexEntry").objects.order_by("pk")
    after_rebuild = list(entries.values_list("pk", "title_norm"))
    assert any(norm != 1.0 for _pk, norm in after_rebuild)
    get_search_backend().get_index_for_model(SearchDocument)._refresh_title_norms(full=True)
    assert list(entries.values_list("pk", "title_norm")) == after_rebuild
