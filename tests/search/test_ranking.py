"""Ranking (issue 14): guide pages and accepted answers come before scattered forum replies that
use the same words more often; the weights are what makes the difference."""

import pytest
from machina.core.db.models import get_model

from forum.community.solutions import mark_solution
from search import indexing
from search.models import FilterRow, SearchDocument
from tests import factories

Post = get_model("forum_conversation", "Post")

pytestmark = pytest.mark.django_db

QUERY = "certificat serveur"
# A reply that says the words twice, in few other words: bm25 and ts_rank rank it first.
CHATTY = "Le certificat du serveur ? Oui, le certificat du serveur."


@pytest.fixture
def ranked_world(site_tree, poster, committed):
    with committed():
        domain, forum = factories.make_domain_with_forum("Sécurité")
        guide = factories.make_guide(
            site_tree.guides,
            title="Guide de la sécurité des sites",
            intro="Comment obtenir puis renouveler le certificat d'un serveur web de "
            "l'établissement auprès de l'autorité de certification, et à quelle fréquence "
            "vérifier sa date d'expiration avant la rentrée universitaire.",
            domain=domain,
        )
        # Four topics, each with one chatty reply.
        for n in range(4):
            topic = factories.make_topic(forum, poster, subject=f"Question {n}", content="Bonjour")
            Post.objects.create(topic=topic, poster=poster, subject="Re", content=CHATTY)
        # A solved topic whose accepted answer names the words once, in a longer text.
        solved = factories.make_topic(forum, poster, subject="Renouvellement", content="Bonjour")
        answer = Post.objects.create(
            topic=solved,
            poster=factories.make_user(),
            subject="Re",
            content="Il faut demander un nouveau certificat pour le serveur à l'autorité de "
            "certification de l'établissement, puis redémarrer le service web concerné.",
        )
        mark_solution(solved, answer, poster)
    return {"guide": guide, "answer": answer}


def ranked_urls(search_get):
    response = search_get({"q": QUERY})
    assert response.status_code == 200
    return [item["doc"].url for item in response.context["items"]]


def test_guide_page_and_accepted_answer_rank_above_chatty_replies(ranked_world, search_get):
    answer_doc = SearchDocument.objects.get(post=ranked_world["answer"])
    guide_doc = SearchDocument.objects.get(page=ranked_world["guide"])
    assert answer_doc.is_answer and FilterRow.objects.get(document=answer_doc).weight == 4.0
    urls = ranked_urls(search_get)
    assert len(urls) == 6
    assert set(urls[:2]) == {guide_doc.url, answer_doc.url}

    # Without the weights the four chatty replies come first: the weights decide.
    FilterRow.objects.update(weight=1.0)
    unweighted = ranked_urls(search_get)
    assert unweighted.index(guide_doc.url) >= 4
    assert unweighted.index(answer_doc.url) >= 4


def test_weight_follows_the_accepted_answer(ranked_world, committed, poster):
    answer = ranked_world["answer"]
    topic = answer.topic
    other = Post.objects.create(topic=topic, poster=poster, subject="Re", content="Autre")
    with committed():
        mark_solution(topic, other, poster)
    weights = dict(
        FilterRow.objects.filter(document__topic=topic).values_list("document__post_id", "weight")
    )
    assert weights[other.pk] == 4.0
    assert weights[answer.pk] == 1.0
    assert indexing.check()["filters"] == []
