"""The site search: one ranked list of guides, notices and forum posts, French-aware."""

import datetime

import pytest
from machina.core.db.models import get_model

from search.models import SearchDocument
from tests import factories
from tests.search.conftest import make_private_forum, result_titles

Post = get_model("forum_conversation", "Post")

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(site_tree, poster, committed):
    with committed():
        domain, forum = factories.make_domain_with_forum("Télétravail")
        guide = factories.make_guide(
            site_tree.guides,
            title="Guide du télétravail",
            intro="Organiser le travail à distance des agents des établissements.",
            domain=domain,
        )
        chapter = factories.make_practice(
            guide,
            title="Se connecter au VPN",
            intro="Le réseau privé virtuel protège les données et la sécurité des agents.",
            domain=domain,
        )
        notice = factories.make_notice(
            site_tree.notices,
            title="Recommandations ANSSI pour le VPN",
            original_published_at=datetime.date(2020, 1, 15),
            summary="Mettre à jour les passerelles VPN des établissements avant la reprise du "
            "télétravail ; inscriptions "
            "au webinaire ouvertes. Le RGPD impose de signaler les violations au DPO.",
        )
        topic = factories.make_topic(
            forum,
            poster,
            subject="VPN lent en télétravail",
            content="Depuis lundi notre **VPN** est lent pour la visioconférence. "
            "Comment inscrire un nouvel établissement au plan de continuité ?",
        )
    return {"guide": guide, "chapter": chapter, "notice": notice, "topic": topic, "forum": forum}


def test_guides_notices_and_forum_in_one_list(corpus, search_get):
    response = search_get({"q": "VPN télétravail"})
    assert response.status_code == 200
    # The chapter of the telework guide, the notice about telework and the forum thread.
    assert set(result_titles(response)) == {
        "VPN lent en télétravail",
        "Se connecter au VPN",
        "Recommandations ANSSI pour le VPN",
    }
    assert "3 résultats pour « VPN télétravail »" in response.content.decode()
    kinds = {item["doc"].kind for item in search_get({"q": "VPN"}).context["items"]}
    assert kinds == {"guide", "notice", "forum"}


def test_result_shows_type_forum_date_and_highlighted_original_words(corpus, search_get):
    html = search_get({"q": "etablissements"}).content.decode()
    # The excerpt is cut from the original text, accents and all, the matched words marked.
    assert "<mark>établissements</mark>" in html
    assert "<mark>établissement</mark>" in html
    assert "etabl<" not in html
    assert "Actualités" in html and "Forum" in html
    assert "Forum Télétravail" in html  # the forum of a forum result
    assert "<time datetime=" in html


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("télétravail", "teletravail"),
        ("TÉLÉTRAVAIL", "télétravail"),
        ("établissement", "établissements"),
        ("etablissement", "Établissements"),
        ("inscription", "inscriptions"),
        ("recommandation", "recommandations"),
        ("agent", "agents"),
        ("sécurité", "SECURITE"),
        ("donnée", "données"),
        ("RGPD", "GDPR"),
        ("DPO", "DPD"),
        ("visio", "visioconférence"),
        ("PCA", "plan de continuité"),
        ("réseau privé virtuel", "VPN"),
    ],
)
def test_french_pairs_return_the_same_results(corpus, search_get, one, other):
    first = result_titles(search_get({"q": one}))
    assert first, one
    assert first == result_titles(search_get({"q": other}))


def test_stop_words_alone_get_a_clear_message(corpus, search_get):
    response = search_get({"q": "le de la pour"})
    assert response.status_code == 200
    assert "mots trop courants" in response.content.decode()


def test_every_term_is_required(corpus, search_get):
    assert result_titles(search_get({"q": "VPN lundi"})) == ["VPN lent en télétravail"]


def test_facets_count_filter_and_combine(corpus, search_get):
    response = search_get({"q": "VPN"})
    facets = {facet["name"]: facet for facet in response.context["facets"]}
    counts = {o["value"]: o["count"] for o in facets["type"]["options"]}
    assert counts == {"guide": 1, "notice": 1, "forum": 1}
    domain_counts = {o["label"]: o["count"] for o in facets["domaine"]["options"]}
    assert domain_counts == {"Télétravail": 2}  # the practice page and the forum topic
    assert {o["label"] for o in facets["source"]["options"]} == {"CERT-FR"}

    only_forum = search_get({"q": "VPN", "type": "forum"})
    assert result_titles(only_forum) == ["VPN lent en télétravail"]
    both = search_get({"q": "VPN", "type": ["forum", "notice"]})
    assert len(result_titles(both)) == 2
    # Type counts stay those of the other filters, so other types can still be chosen.
    type_counts = {o["value"]: o["count"] for o in both.context["facets"][0]["options"]}
    assert type_counts["guide"] == 1
    html = both.content.decode()
    assert 'value="forum" checked' in html and 'value="notice" checked' in html

    by_domain = search_get({"q": "VPN", "domaine": "teletravail", "type": "guide"})
    assert result_titles(by_domain) == ["Se connecter au VPN"]
    recent = search_get({"q": "VPN", "periode": "annee"})
    assert "Recommandations ANSSI pour le VPN" not in result_titles(recent)  # from 2020
    assert len(result_titles(recent)) == 2
    older = search_get({"q": "VPN", "periode": "ancien"})
    assert result_titles(older) == ["Recommandations ANSSI pour le VPN"]
    periods = {o["value"]: o["count"] for o in older.context["facets"][-1]["options"]}
    assert periods == {"mois": 2, "annee": 2, "ancien": 1}


def test_pagination_keeps_query_and_filters(site_tree, poster, committed, search_get):
    _category, forum = factories.make_category_with_forum()
    with committed():
        for i in range(25):
            factories.make_topic(forum, poster, subject=f"Imprimante {i}", content="imprimante")
    first = search_get({"q": "imprimante", "type": "forum"})
    assert first.context["total"] == 25
    assert len(first.context["items"]) == 20
    html = first.content.decode()
    assert "q=imprimante&amp;type=forum&amp;page=2" in html
    second = search_get({"q": "imprimante", "type": "forum", "page": 2})
    assert len(second.context["items"]) == 5


def test_notice_past_its_expiry_is_found_marked_archived(corpus, search_get):
    document = SearchDocument.objects.get(page=corpus["notice"])
    SearchDocument.objects.filter(pk=document.pk).update(archived=True)
    html = search_get({"q": "passerelles"}).content.decode()
    assert "Recommandations ANSSI pour le VPN" in html
    assert "Archivée" in html


def test_machina_search_goes_to_the_site_search_scoped_to_the_forum(client, site_tree):
    response = client.get("/forum/search/", {"q": "vpn"})
    assert response.status_code == 302
    assert response["Location"] == "/recherche/?type=forum&q=vpn"


def test_suggestion_with_fewer_words_when_nothing_matches(corpus, search_get):
    response = search_get({"q": "VPN girafe"})
    assert response.context["total"] == 0
    suggestion = response.context["suggestion"]
    assert suggestion["text"] == "VPN"
    assert suggestion["count"] == 3
    assert "Essayez avec moins de mots" in response.content.decode()


def test_private_forum_never_reaches_outsiders(site_tree, committed, search_get, poster):
    member = factories.make_user("Personnel d'établissement")
    outsider = factories.make_user("Personnel d'établissement")
    private = make_private_forum([member, poster])
    _category, public = factories.make_category_with_forum("Public", "Forum public")
    with committed():
        factories.make_topic(private, poster, subject="Audit confidentiel", content="zanzibar")
        factories.make_topic(public, poster, subject="Question ouverte", content="VPN ouvert")

    seen = search_get({"q": "zanzibar"}, user=member)
    assert result_titles(seen) == ["Audit confidentiel"]
    assert "zanzibar" in seen.content.decode()

    for user in (outsider, None):
        response = search_get({"q": "zanzibar"}, user=user)
        html = response.content.decode()
        assert response.context["total"] == 0
        assert "Audit confidentiel" not in html and "Forum réservé" not in html
        # Nor through a facet count or a suggestion made from other words.
        wider = search_get({"q": "zanzibar VPN"}, user=user)
        assert wider.context["suggestion"]["text"] == "VPN"
        assert wider.context["suggestion"]["count"] == 1
        also = search_get({"q": "VPN"}, user=user)
        counts = {o["value"]: o["count"] for o in also.context["facets"][0]["options"]}
        assert counts == {"forum": 1}

    # Revoking the member's access takes effect on their next search.
    from tests.search.conftest import set_read_permission

    set_read_permission(private, False, user=member)
    assert search_get({"q": "zanzibar"}, user=member).context["total"] == 0


def test_hidden_posts_unpublished_and_private_pages_are_not_found(
    corpus, search_get, committed, poster
):
    with committed():
        reply = Post.objects.create(
            topic=corpus["topic"], poster=poster, subject="Re", content="ornithorynque"
        )
    assert result_titles(search_get({"q": "ornithorynque"})) == ["VPN lent en télétravail"]
    with committed():
        reply.approved = False
        reply.save()
    assert search_get({"q": "ornithorynque"}).context["total"] == 0

    with committed():
        corpus["chapter"].unpublish()
    assert "Se connecter au VPN" not in result_titles(search_get({"q": "VPN"}))

    from wagtail.models import PageViewRestriction

    with committed():
        PageViewRestriction.objects.create(
            page=corpus["guide"], restriction_type=PageViewRestriction.LOGIN
        )
    assert "Guide du télétravail" not in result_titles(search_get({"q": "télétravail"}))


def test_a_forum_given_to_another_domain_moves_its_posts_facet(
    site_tree, poster, committed, search_get
):
    network, forum = factories.make_domain_with_forum("Réseau")
    with committed():
        factories.make_topic(forum, poster, subject="Routeur en panne", content="routeur")
    other, _other_forum = factories.make_domain_with_forum("Scolarité")

    def domain_counts():
        facets = {f["name"]: f for f in search_get({"q": "routeur"}).context["facets"]}
        return {o["label"]: o["count"] for o in facets["domaine"]["options"]}

    assert domain_counts() == {"Réseau": 1}
    with committed():
        network.forum = None
        network.save()
        other.forum = forum.parent
        other.save()
    assert domain_counts() == {"Scolarité": 1}
    assert result_titles(search_get({"q": "routeur", "domaine": other.slug})) == [
        "Routeur en panne"
    ]
    assert result_titles(search_get({"q": "routeur", "domaine": network.slug})) == []


def test_very_common_words_rank_title_matches_first_and_keep_an_exact_count(
    site_tree, poster, committed, search_get, monkeypatch
):
    """Beyond engine.RANK_LIMIT matches (500 in production, 3 here), only the most recent
    matches and the documents with every word in their title are ranked; the count stays exact
    and the person is told to refine."""
    from search import engine

    monkeypatch.setattr(engine, "RANK_LIMIT", 3)
    _category, forum = factories.make_category_with_forum()
    with committed():
        factories.make_topic(forum, poster, subject="Imprimante du bâtiment A", content="toner")
        for i in range(5):
            factories.make_topic(forum, poster, subject=f"Question {i}", content="imprimante")
    response = search_get({"q": "imprimante"})
    titles = result_titles(response)
    assert titles[0] == "Imprimante du bâtiment A"  # the oldest, but the title says it
    assert len(titles) == 3
    assert response.context["total"] == 6
    page = response.content.decode()
    assert "6 résultats pour « imprimante »" in page
    assert "les 3 résultats les plus pertinents" in page
    # Below the limit, every match is ranked and shown.
    assert len(result_titles(search_get({"q": "toner"}))) == 1
    assert "les plus pertinents" not in search_get({"q": "toner"}).content.decode()


def test_a_search_scoped_to_one_forum_and_a_facet_per_forum(
    site_tree, poster, committed, search_get, client
):
    _category, network = factories.make_category_with_forum("Réseau", "Forum réseau")
    _category, printing = factories.make_category_with_forum("Impression", "Forum impression")
    member = factories.make_user()
    private = make_private_forum([member])
    with committed():
        factories.make_topic(network, poster, subject="Câblage du bâtiment", content="câblage")
        factories.make_topic(printing, poster, subject="Câblage des imprimantes", content="x")
        factories.make_topic(private, poster, subject="Câblage secret", content="x")

    # machina's search box, naming a forum, lands on the site search scoped to it.
    response = client.get("/forum/search/", {"q": "câblage", "search_forums": [network.pk]})
    assert response["Location"] == f"/recherche/?type=forum&q=c%C3%A2blage&forum={network.pk}"
    scoped = search_get({"q": "câblage", "type": "forum", "forum": network.pk})
    assert result_titles(scoped) == ["Câblage du bâtiment"]
    facets = {f["name"]: f for f in scoped.context["facets"]}
    counts = {o["label"]: (o["count"], o["checked"]) for o in facets["forum"]["options"]}
    assert counts == {"Forum réseau": (1, True), "Forum impression": (1, False)}

    # A forum the person may not read is dropped like an unknown one: no result, no count.
    outside = search_get({"q": "câblage", "type": "forum", "forum": private.pk})
    assert set(result_titles(outside)) == {"Câblage du bâtiment", "Câblage des imprimantes"}
    assert "Câblage secret" not in outside.content.decode()
    assert "Forum réservé" not in outside.content.decode()
    inside = search_get({"q": "câblage", "type": "forum", "forum": private.pk}, user=member)
    assert result_titles(inside) == ["Câblage secret"]
    # Without the forum scope, no per-forum facet: the general search stays light.
    general = search_get({"q": "câblage"})
    assert "forum" not in {f["name"] for f in general.context["facets"]}


def test_a_topics_posts_come_under_one_result(site_tree, poster, committed, search_get):
    with committed():
        _category, forum = factories.make_category_with_forum("Catégorie", "Forum des agents")
        topic = factories.make_topic(
            forum, poster, subject="Quotas de la messagerie", content="Quotas trop bas ?"
        )
        for text in ("Nos quotas sont à 5 Go.", "Quotas doublés chez nous.", "Quotas : 10 Go."):
            Post.objects.create(topic=topic, poster=poster, subject="Re", content=text)
        factories.make_topic(forum, poster, subject="Autre sujet", content="Des quotas aussi")
    response = search_get({"q": "quotas"})
    assert len(response.context["items"]) == 5  # every matching post is still counted
    grouped = response.context["grouped"]
    assert [len(item["more"]) for item in grouped] in ([3, 0], [0, 3])
    html = response.content.decode()
    assert "3 autres messages de ce sujet correspondent" in html
    assert html.count('class="card search-result ') == 2
