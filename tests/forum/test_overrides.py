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


@pytest.mark.parametrize(
    ("module_label", "name", "expected_module"),
    [
        ("forum.views", "ForumView", "forum.forum.views"),
        ("forum_conversation.views", "TopicView", "forum.forum_conversation.views"),
        ("forum_feeds.feeds", "LastTopicsFeed", "forum.forum_feeds.feeds"),
        ("forum_tracking.handler", "TrackingHandler", "forum.forum_tracking.handler"),
        ("forum_permission.handler", "PermissionHandler", "forum.forum_permission.handler"),
        ("forum.visibility", "ForumVisibilityContentTree", "forum.forum.visibility"),
        ("forum_moderation.views", "TopicLockView", "forum.forum_moderation.views"),
        (
            "forum_permission.viewmixins",
            "PermissionRequiredMixin",
            "forum.forum_permission.viewmixins",
        ),
        (
            "forum_attachments.forms",
            "AttachmentForm",
            "forum.forum_conversation.forum_attachments.forms",
        ),
        (
            "forum_conversation.forum_attachments.views",
            "AttachmentView",
            "forum.forum_conversation.forum_attachments.views",
        ),
        ("forum_tracking.views", "MarkForumsReadView", "forum.forum_tracking.views"),
        ("forum_tracking.views", "MarkTopicsReadView", "forum.forum_tracking.views"),
        ("forum_member.views", "ForumProfileDetailView", "forum.forum_member.views"),
        ("forum_member.views", "UserPostsView", "forum.forum_member.views"),
        ("forum_member.views", "TopicSubscriptionListView", "forum.forum_member.views"),
        ("forum_conversation.views", "TopicUpdateView", "forum.forum_conversation.views"),
        ("forum_conversation.views", "PostUpdateView", "forum.forum_conversation.views"),
    ],
)
def test_each_override_app_is_picked_up(module_label, name, expected_module):
    assert get_class(module_label, name).__module__ == expected_module


def test_override_apps_keep_machina_models_and_migrations():
    from django.apps import apps
    from django.conf import settings

    for label, name in [
        ("forum", "forum.forum"),
        ("forum_conversation", "forum.forum_conversation"),
        ("forum_attachments", "forum.forum_conversation.forum_attachments"),
        ("forum_permission", "forum.forum_permission"),
        ("forum_tracking", "forum.forum_tracking"),
        ("forum_feeds", "forum.forum_feeds"),
        ("forum_moderation", "forum.forum_moderation"),
        ("forum_member", "forum.forum_member"),
    ]:
        config = apps.get_app_config(label)
        assert config.name == name
    assert apps.get_model("forum", "Forum")._meta.db_table == "forum_forum"
    assert settings.MIGRATION_MODULES["forum_conversation"].startswith("machina.apps.")
    assert apps.get_app_config("forum_community").name == "forum.community"
    # The attachment model is ours (private storage), with machina's table.
    attachment = apps.get_model("forum_attachments", "Attachment")
    assert attachment.__module__ == "forum.forum_conversation.forum_attachments.models"
    assert attachment._meta.db_table == "forum_attachments_attachment"


@pytest.mark.django_db
def test_topic_edit_page_is_the_new_topic_page_with_its_own_title(client_for):
    from django.urls import reverse

    from tests.forum.world import build_world

    world = build_world()
    topic = world.public_topic
    url = reverse(
        "forum_conversation:topic_update",
        kwargs={"forum_slug": topic.forum.slug, "forum_pk": topic.forum_id, "slug": topic.slug,
                "pk": topic.pk},
    )  # fmt: skip
    html = client_for(world.staff_b).get(url).content.decode()
    assert "<title>Modifier le message" in html or "Modifier le message –" in html
    assert '<h2 class="card-title">Modifier le message</h2>' in html
    assert 'value="Paie à distance"' in html
    assert 'id="topic-suggestions"' not in html  # suggestions are for new topics only
    new = reverse(
        "forum_conversation:topic_create",
        kwargs={"forum_slug": topic.forum.slug, "forum_pk": topic.forum_id},
    )
    html = client_for(world.staff_b).get(new).content.decode()
    assert '<h2 class="card-title">Nouveau sujet</h2>' in html
    assert 'id="topic-suggestions"' in html


@pytest.mark.django_db
def test_post_edit_page_is_the_reply_page_without_the_discussion_recap(client_for):
    from tests.forum.world import build_world, post_update_url, reply_url

    world = build_world()
    post = world.public_topic.last_post
    html = client_for(post.poster).get(post_update_url(post)).content.decode()
    assert '<h2 class="card-title">Modifier le message</h2>' in html
    assert "Rappel de la discussion" not in html
    html = client_for(world.staff_a).get(reply_url(world.public_topic)).content.decode()
    assert '<h2 class="card-title">Répondre</h2>' in html
    assert "Rappel de la discussion" in html
