"""The whole topic page cached for anonymous readers without a session: never stale content,
never a page it should not show, never served to anyone else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.community.private import make_private
from tests.forum.world import FORMSETS, Post, build_world, post_update_url, reply, topic_url


@pytest.fixture
def world(db):
    return build_world()


def page_of(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def served_from_cache(client, url):
    """True when the page was answered without rendering (the posts list query did not run;
    the topic's own query joins the accepted answer's post, so the table name alone is not
    enough)."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return not any('FROM "forum_conversation_post"' in q["sql"] for q in ctx.captured_queries)


def test_second_anonymous_read_is_served_from_the_cache(client_for, world):
    anonymous = client_for(None)
    url = topic_url(world.public_topic)
    first = anonymous.get(url).content
    assert served_from_cache(anonymous, url)
    assert anonymous.get(url).content == first


def test_edited_post_shows_the_new_text(client_for, world):
    anonymous = client_for(None)
    url = topic_url(world.public_topic)
    post = world.public_topic.first_post
    assert "Comment faites-vous ?" in page_of(anonymous, url)[1]
    response = client_for(world.staff_b).post(
        post_update_url(post),
        {
            "subject": world.public_topic.subject,
            "content": "Texte corrigé par son auteur",
            **FORMSETS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = page_of(anonymous, url)[1]
    assert "Texte corrigé par son auteur" in html
    assert "Comment faites-vous ?" not in html


@pytest.mark.parametrize("reader", ["anonymous", "member"])
def test_new_reply_shows_and_hidden_post_disappears(client_for, world, reader):
    client = client_for(None if reader == "anonymous" else world.staff_a)
    url = topic_url(world.public_topic)
    page_of(client, url)
    reply(client_for(world.staff_b), world.public_topic, "Une réponse toute neuve")
    assert "Une réponse toute neuve" in page_of(client, url)[1]
    post = Post.objects.get(content="Une réponse toute neuve")
    client_for(world.officer_rh).post(
        reverse("forum_community:hide_post", args=[post.pk]), {"note": "Hors sujet"}
    )
    assert "Une réponse toute neuve" not in page_of(client, url)[1]


def test_solution_marked_and_unmarked(client_for, world):
    anonymous = client_for(None)
    topic = world.public_topic
    url = topic_url(topic)
    assert "Solution retenue" not in page_of(anonymous, url)[1]
    client_for(world.staff_b).post(
        reverse("forum_community:mark_solution", args=[topic.pk, topic.last_post_id])
    )
    html = page_of(anonymous, url)[1]
    assert "Solution retenue" in html and "Résolu" in html
    client_for(world.staff_b).post(reverse("forum_community:unmark_solution", args=[topic.pk]))
    assert "Solution retenue" not in page_of(anonymous, url)[1]


def test_forum_made_private_after_caching_answers_404(client_for, world):
    anonymous = client_for(None)
    url = topic_url(world.public_topic)
    assert page_of(anonymous, url)[0] == 200
    make_private(world.rh_forum, world.rssi)
    status, html = page_of(anonymous, url)
    assert status == 404
    assert "Comment faites-vous ?" not in html


def test_topic_moved_to_a_private_forum_answers_404_at_both_urls(client_for, world):
    anonymous = client_for(None)
    topic = world.public_topic
    old_url = topic_url(topic)
    assert page_of(anonymous, old_url)[0] == 200
    topic.forum = world.private_forum
    topic.save()
    assert page_of(anonymous, old_url)[0] == 404
    assert page_of(anonymous, topic_url(topic))[0] == 404


def test_hidden_topic_is_not_served_from_the_cache(client_for, world):
    anonymous = client_for(None)
    topic = world.public_topic
    url = topic_url(topic)
    page_of(anonymous, url)
    head = topic.first_post
    head.approved = False
    head.save()
    assert "Comment faites-vous ?" not in page_of(anonymous, url)[1]


def test_signed_in_readers_never_get_the_anonymous_page(client_for, world):
    url = topic_url(world.public_topic)
    anonymous = client_for(None)
    page_of(anonymous, url)
    page_of(anonymous, url)
    html = page_of(client_for(world.staff_a), url)[1]
    assert "Répondre" in html and "Se déconnecter" in html
    assert "Se connecter" in page_of(anonymous, url)[1]


def test_private_topic_is_never_cached_for_members_nor_shown_to_outsiders(client_for, world):
    url = topic_url(world.private_topic)
    member = client_for(world.staff_a)
    assert page_of(member, url)[0] == 200
    assert page_of(client_for(None), url)[0] == 404
    assert page_of(client_for(world.staff_b), url)[0] == 404


def test_visitors_with_a_session_or_odd_urls_get_a_rendered_page(client_for, world):
    url = topic_url(world.public_topic)
    anonymous = client_for(None)
    page_of(anonymous, url)
    with_session = client_for(None)
    with_session.cookies["sessionid"] = "abc"
    assert not served_from_cache(with_session, url)
    assert not served_from_cache(anonymous, url + "?page=1&x=1")
    topic = world.public_topic
    other_slug = reverse(
        "forum_conversation:topic",
        kwargs={"forum_slug": "x", "forum_pk": topic.forum_id, "slug": "autre", "pk": topic.pk},
    )
    assert page_of(anonymous, other_slug)[0] == 200
    assert not served_from_cache(anonymous, other_slug)


def test_pages_are_cached_apart(client_for, world):
    topic = world.public_topic
    author = world.staff_a
    for i in range(20):
        Post.objects.create(topic=topic, poster=author, subject="Re", content=f"Réponse n° {i}")
    anonymous = client_for(None)
    url = topic_url(topic)
    first, second = page_of(anonymous, url)[1], page_of(anonymous, url + "?page=2")[1]
    assert "Réponse n° 19" in second and "Réponse n° 19" not in first
    assert page_of(anonymous, url + "?page=2")[1] == second
    assert page_of(anonymous, url)[1] == first


# --- Each post's HTML, cached per version for every reader ------------------------------------


def test_signed_in_reader_sees_an_edited_post_at_once(client_for, world):
    member = client_for(world.staff_a)
    url = topic_url(world.public_topic)
    post = world.public_topic.first_post
    assert "Comment faites-vous ?" in page_of(member, url)[1]
    assert "Comment faites-vous ?" in page_of(member, url)[1]  # from the post cache
    client_for(world.staff_b).post(
        post_update_url(post),
        {"subject": world.public_topic.subject, "content": "Nouvelle question", **FORMSETS},
    )
    html = page_of(member, url)[1]
    assert "Nouvelle question" in html and "Comment faites-vous ?" not in html


def test_author_renamed_or_joining_another_establishment_shows_at_once(client_for, world):
    member = client_for(world.staff_a)
    url = topic_url(world.public_topic)
    page_of(member, url)
    author = world.staff_b
    author.first_name, author.last_name = "Jeanne", "Nouveau-Nom"
    author.save()
    author.profile.establishment.name = "Université Renommée"
    author.profile.establishment.save()
    html = page_of(member, url)[1]
    assert "Jeanne Nouveau-Nom" in html and "Université Renommée" in html


def test_attachment_links_follow_each_readers_download_permission(client_for, world):
    url = topic_url(world.public_topic)
    download = reverse("forum_conversation:attachment", kwargs={"pk": world.public_attachment.pk})
    member = client_for(world.staff_a)
    assert download in page_of(member, url)[1]
    # Where anonymous visitors may not download (they may by default: accounts/roles.py), the
    # cached post of a member never reaches them, with or without a session.
    from machina.core.db.models import get_model

    get_model("forum_permission", "UserForumPermission").objects.create(
        forum=world.rh_forum,
        permission=get_model("forum_permission", "ForumPermission").objects.get(
            codename="can_download_file"
        ),
        anonymous_user=True,
        has_perm=False,
    )
    with_session = client_for(None)
    with_session.cookies["sessionid"] = "abc"
    assert download not in page_of(with_session, url)[1]
    assert download not in page_of(client_for(None), url)[1]
    assert download in page_of(member, url)[1]


def test_controls_stay_each_readers_own(client_for, world):
    url = topic_url(world.public_topic)
    post = world.public_topic.first_post
    edit = reverse(
        "forum_conversation:topic_update",
        kwargs={
            "forum_slug": world.rh_forum.slug,
            "forum_pk": world.rh_forum.pk,
            "slug": world.public_topic.slug,
            "pk": world.public_topic.pk,
        },
    )
    author_page = page_of(client_for(world.staff_b), url)[1]
    other_page = page_of(client_for(world.staff_a), url)[1]
    assert post.poster == world.staff_b
    assert edit in author_page and edit not in other_page
    assert "Masquer" in page_of(client_for(world.officer_rh), url)[1]
    assert "Masquer" not in page_of(client_for(world.staff_a), url)[1]


# --- The forum index, cached for anonymous visitors without a session -------------------------

INDEX = "/forum/"


def index_served_from_cache(client):
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(INDEX).content.decode()
    return not any("forum_conversation_topic" in q["sql"] for q in ctx.captured_queries), html


def test_index_is_served_from_the_cache_and_follows_new_posts(client_for, world):
    anonymous = client_for(None)
    first = page_of(anonymous, INDEX)[1]
    assert "Forum RH" in first and "Échanges entre RSSI" not in first
    cached, html = index_served_from_cache(anonymous)
    assert cached and html == first
    reply(client_for(world.staff_a), world.public_topic, "Du nouveau")
    cached, html = index_served_from_cache(anonymous)
    assert not cached and html != first


def test_index_follows_renamed_and_private_forums(client_for, world):
    anonymous = client_for(None)
    page_of(anonymous, INDEX)
    world.secu_forum.name = "Sécurité des SI (renommé)"
    world.secu_forum.save()
    assert "Sécurité des SI (renommé)" in page_of(anonymous, INDEX)[1]
    make_private(world.rh_forum, world.rssi)
    html = page_of(anonymous, INDEX)[1]
    assert "Forum RH" not in html and "Paie à distance" not in html


def test_index_follows_a_permission_changed_in_place(client_for, world):
    from machina.core.db.models import get_model

    ForumPermission = get_model("forum_permission", "ForumPermission")
    UserForumPermission = get_model("forum_permission", "UserForumPermission")
    anonymous = client_for(None)
    row = UserForumPermission.objects.create(
        forum=world.rh_forum,
        anonymous_user=True,
        permission=ForumPermission.objects.get(codename="can_see_forum"),
        has_perm=True,
    )
    assert "Forum RH" in page_of(anonymous, INDEX)[1]
    UserForumPermission.objects.filter(pk=row.pk).update(has_perm=False)
    assert "Forum RH" not in page_of(anonymous, INDEX)[1]


def test_index_of_signed_in_readers_is_their_own(client_for, world):
    page_of(client_for(None), INDEX)
    html = page_of(client_for(world.staff_a), INDEX)[1]
    assert "Sujets non lus" in html and "Échanges entre RSSI" in html
    assert "Échanges entre RSSI" not in page_of(client_for(None), INDEX)[1]
