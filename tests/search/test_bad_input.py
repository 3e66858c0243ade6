"""Whatever is typed or pasted into the query string: a clear message or the nearest page,
never a server error."""

import pytest
from django.urls import reverse

from tests import factories
from tests.search.conftest import result_titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(site_tree, poster, committed):
    _category, forum = factories.make_category_with_forum()
    with committed():
        return factories.make_topic(
            forum, poster, subject="Sauvegarde des serveurs", content="sauvegarde nocturne"
        )


def test_empty_query_shows_the_form_and_a_hint(search_get, topic):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = search_get(params)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="search-page-q"' in html
        assert "Cherchez dans les guides" in html
        assert not response.context.get("searched")


FOUND = ["Sauvegarde des serveurs"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('AND OR NOT * ? " ( ) : ~ ^ [ ] { } -', None),
        ("sauvegarde AND", FOUND),
        ("NOT sauvegarde", FOUND),
        ("sauvegarde OR serveurs", FOUND),
        ('"sauvegarde', FOUND),
        ('sauvegarde"', FOUND),
        ('"sauvegarde des" serveurs"', FOUND),
        ("sauvegarde*", FOUND),
        ("(sauvegarde", FOUND),
        ("sauvegarde -serveurs", FOUND),
        ("sauvegarde NEAR(serveurs)", FOUND),
        ("{title body}: sauvegarde", []),
        ("title:sauvegarde", []),
        ("sauvegarde'); DROP TABLE search_searchdocument; --", []),
        ("sauvegarde\x00\x01\x1b\x7f", FOUND),
        ("sauvegarde\u200b\ufeff", FOUND),
        ("\\ ' '' \\\\", None),
    ],
)
def test_query_syntax_is_searched_as_plain_words(search_get, topic, query, expected):
    response = search_get({"q": query})
    assert response.status_code == 200
    if expected is None:
        assert not response.context.get("searched")
    else:
        assert result_titles(response) == expected, query


def test_a_10_kb_query_is_cut_with_a_message(search_get, topic):
    response = search_get({"q": "sauvegarde " + "x" * 10_240})
    assert response.status_code == 200
    assert "trop longue" in response.content.decode()
    assert result_titles(response) == ["Sauvegarde des serveurs"]
    assert len(response.context["query"]) <= 200


def test_many_words_are_bounded(search_get, topic):
    response = search_get({"q": " ".join(["sauvegarde"] + [f"mot{i}" for i in range(60)])})
    assert response.status_code == 200


def test_invalid_utf8_and_control_characters_in_the_query_string(client, topic):
    for raw in ("q=%FF%FE%C3sauvegarde", "q=%C3%28", "q=sauvegarde%00%0D%0A", "q=%E2%82"):
        response = client.get(reverse("search"), QUERY_STRING=raw)
        assert response.status_code == 200, raw


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "1e9", "99999999999999999999"])
def test_page_out_of_range_gives_the_nearest_page(search_get, topic, page):
    response = search_get({"q": "sauvegarde", "page": page})
    assert response.status_code == 200
    assert result_titles(response) == ["Sauvegarde des serveurs"]
    assert "La page demandée n&#x27;existe pas : voici la page 1." in response.content.decode()


def test_unknown_filter_values_are_ignored(search_get, topic):
    response = search_get(
        {"q": "sauvegarde", "type": ["forum", "inconnu"], "domaine": "nulle-part", "source": "x"}
    )
    assert response.status_code == 200
    assert result_titles(response) == ["Sauvegarde des serveurs"]
    assert response.context["filters"]["type"] == ["forum"]


def test_post_is_not_allowed_but_does_not_fail(client, topic):
    response = client.post(reverse("search"), {"q": "sauvegarde"})
    assert response.status_code in {200, 405}
