"""machina extensions are really picked up (a wrong package layout is ignored silently)."""

import pytest
from django.contrib.sessions.models import Session
from machina.core.loading import get_class

from tests import factories


def test_forum_search_override_is_resolved_by_get_class():
    view = get_class("forum_search.views", "forum_search")
    assert view.__module__ == "forum.forum_search.views"
    factory = get_class("forum_search.urls", "urlpatterns_factory")
    assert type(factory).__module__ == "forum.forum_search.urls"


def test_machina_templates_use_the_site_base_template(settings):
    from django.template.loader import get_template

    assert settings.MACHINA_BASE_TEMPLATE_NAME == "base.html"
    board_base = get_template("board_base.html")
    assert "templates/board_base.html" in str(board_base.origin.name).replace("\\", "/")
    assert "site-packages" not in board_base.origin.name


@pytest.mark.django_db
def test_forum_pages_share_the_site_layout(client, site_tree):
    html = client.get("/forum/").content.decode()
    assert 'aria-label="Navigation principale"' in html
    assert 'href="/forum/" aria-current="page"' in html
    assert "Mentions légales" in html


@pytest.mark.django_db
def test_anonymous_readers_create_no_session(client, site_tree):
    author = factories.make_user("Personnel d'établissement")
    _category, forum = factories.make_category_with_forum()
    topic = factories.make_topic(forum, author)
    paths = [
        "/",
        "/guides/",
        "/actualites/",
        "/forum/",
        f"/forum/forum/{forum.slug}-{forum.pk}/",
        f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "sessionid" not in response.cookies, path
    assert Session.objects.count() == 0
