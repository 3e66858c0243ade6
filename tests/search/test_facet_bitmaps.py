"""The facet counts kept as bitmaps in memory agree with the counts made in SQL, and are
never stale: a write between two searches shows in the next one."""

import datetime

import pytest
from machina.core.db.models import get_model

from kb.models import Domain
from notices.models import Source
from search import analysis, facet_bitmaps
from search.engine import NO_FILTERS, IndexedSearchRun, SearchRun, search_run
from search.models import FilterGeneration, FilterRow
from tests import factories
from tests.search.conftest import make_private_forum

Post = get_model("forum_conversation", "Post")

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(site_tree, poster, committed):
    with committed():
        network, network_forum = factories.make_domain_with_forum("Réseau")
        studies, studies_forum = factories.make_domain_with_forum("Scolarité")
        factories.make_guide(
            site_tree.guides,
            title="Guide du routeur",
            intro="Le routeur du campus.",
            domain=network,
        )
        for i, (day, domain) in enumerate(
            [(datetime.date(2026, 11, 20), network), (datetime.date(2024, 3, 2), studies)]
        ):
            notice = factories.make_notice(
                site_tree.notices,
                title=f"Avis routeur {i}",
                original_published_at=day,
                summary="Mettre à jour le routeur.",
            )
            notice.domains.add(domain)
            notice.save_revision().publish()
        factories.make_topic(network_forum, poster, subject="Routeur en panne", content="routeur")
        factories.make_topic(studies_forum, poster, subject="Routeur des salles", content="routeur")
        private = make_private_forum(members=[])
        factories.make_topic(private, poster, subject="Routeur secret", content="routeur")
    return {"forums": [network_forum, studies_forum, private]}


def runs(filters, forum_ids, with_bitmaps=True):
    """The same search twice: counted with bitmaps (checked), and in SQL."""
    domains, sources = list(Domain.objects.all()), list(Source.objects.all())
    parsed = analysis.parse_query("routeur")
    pair = [search_run(parsed, forum_ids, filters, domains, sources) for _ in range(2)]
    assert isinstance(pair[0], IndexedSearchRun)
    counts = pair[0].counts
    if with_bitmaps:  # the bitmaps of the index as it is now were built and used
        cached_key, _bitmaps = facet_bitmaps._cache[FilterRow.objects.db]
        assert cached_key[0] == FilterGeneration.objects.get().token
    return counts, SearchRun.counts.func(pair[1])  # the SQL aggregate


def test_bitmap_counts_equal_sql_counts_under_every_filter(corpus):
    network, studies, private = corpus["forums"]
    source = Source.objects.first()
    readable = [network.pk, studies.pk]
    combinations = [
        {},
        {"type": ["notice"]},
        {"type": ["forum", "guide"], "domaine": ["reseau"]},
        {"domaine": ["scolarite", "reseau"], "periode": ["annee"]},
        {"periode": ["ancien"], "source": [str(source.pk)]},
        {"type": ["forum"], "forum": [str(studies.pk)]},
    ]
    for chosen in combinations:
        filters = {**NO_FILTERS, **chosen}
        with_bitmaps, in_sql = runs(filters, readable)
        assert with_bitmaps == in_sql, chosen
    everything, _ = runs(NO_FILTERS, readable)
    assert everything["total"] == 5  # guide, two notices, two readable posts; not the private one
    assert runs(NO_FILTERS, [*readable, private.pk])[0]["total"] == 6


def test_a_hidden_post_leaves_the_counts_at_the_next_search(corpus, committed):
    network, studies, _private = corpus["forums"]
    before, _ = runs(NO_FILTERS, [network.pk, studies.pk])
    token = FilterGeneration.objects.get().token
    with committed():
        post = Post.objects.get(topic__subject="Routeur en panne")
        post.approved = False
        post.save()
    assert FilterGeneration.objects.get().token != token  # the trigger saw the write
    after, in_sql = runs(NO_FILTERS, [network.pk, studies.pk])
    assert after == in_sql
    assert after["total"] == before["total"] - 1
    assert after["type"]["forum"] == before["type"]["forum"] - 1


def test_bitmaps_of_another_state_of_the_index_are_never_used(corpus):
    alias = FilterRow.objects.db
    token = FilterGeneration.objects.get().token
    bounds = [("mois", datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC), None)]
    assert facet_bitmaps.facet_bitmaps(alias, token, bounds) is not None
    # A match read before a write that the bitmaps' rows already include: counted in SQL.
    assert facet_bitmaps.facet_bitmaps(alias, token + 1, bounds) is None


def test_without_a_token_the_counts_are_made_in_sql(corpus):
    network, studies, _private = corpus["forums"]
    FilterGeneration.objects.all().delete()  # as after a flush or a restore
    with_bitmaps, in_sql = runs(NO_FILTERS, [network.pk, studies.pk], with_bitmaps=False)
    assert with_bitmaps == in_sql and with_bitmaps["total"] == 5
