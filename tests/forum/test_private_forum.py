"""The permission matrix: each role × public and private forum × read, post, edit, moderate,
download, and presence in lists, counts, last-post columns, feeds, the home page and emails.

A private forum is reserved to the group "Réseau RSSI" (staff A is a member, staff B is not);
for everyone else it does not exist: 404 on every URL, absent from every list."""

import pytest
from django.core import mail

from forum.community import notifications
from forum.queries import readable_forum_ids, recent_topics_for
from tests.forum.world import (
    FORMSETS,
    Post,
    Topic,
    attachment_url,
    build_world,
    forum_url,
    lock_url,
    post_update_url,
    reply,
    topic_url,
)

ROLES = [
    "anonymous",
    "staff_a",
    "staff_b",
    "officer_rh",
    "officer_secu",
    "editor",
    "administrator",
]
# Who sees the private forum: its group's member, and administrators (superusers).
PRIVATE_READERS = {"staff_a", "administrator"}
# Who moderates the public RH forum: its domain's officer, editors, administrators.
RH_MODERATORS = {"officer_rh", "editor", "administrator"}
POSTERS = set(ROLES) - {"anonymous"}


@pytest.fixture
def world(db):
    return build_world()


def person(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", ROLES)
def test_read_private_forum_only_for_its_group(client_for, world, role):
    client = client_for(person(world, role))
    urls = [
        topic_url(world.private_topic),
        forum_url(world.private_forum),
        forum_url(world.private_category),
        f"/forum/feeds/forum/{world.private_forum.slug}-{world.private_forum.pk}/topics/",
        f"/forum/feeds/forum/{world.private_category.slug}-{world.private_category.pk}/topics/all/",
    ]
    for url in urls:
        status = client.get(url).status_code
        if role in PRIVATE_READERS:
            assert status == 200, (role, url)
        else:
            assert status == 404, (role, url)
    # The public forum is readable by everybody.
    assert client.get(topic_url(world.public_topic)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_private_forum_absent_from_lists_counts_and_last_posts(client_for, world, role):
    client = client_for(person(world, role))
    index = client.get("/forum/").content.decode()
    feed = client.get("/forum/feeds/topics/").content.decode()
    visible = role in PRIVATE_READERS
    assert ("Échanges entre RSSI" in index) is visible
    assert ("Réseau RSSI" in index) is visible
    assert ("Incident confidentiel XZ" in feed) is visible
    assert "Paie à distance" in feed
    # Totals count only what the reader may see: 2 public posts (+1 private).
    expected_posts = 3 if visible else 2
    assert f"<strong>{expected_posts}</strong>" in index
    user = person(world, role)
    from django.contrib.auth.models import AnonymousUser

    user = user or AnonymousUser()
    assert (world.private_forum.pk in readable_forum_ids(user)) is visible
    subjects = [t.subject for t in recent_topics_for(user)]
    assert ("Incident confidentiel XZ" in subjects) is visible


def test_private_forum_nested_in_a_public_category_leaks_no_last_post(client_for, world):
    from forum.community.private import make_private
    from tests.forum.world import Forum

    nested = Forum.objects.create(
        name="Cellule de crise", type=Forum.FORUM_POST, parent=world.rh.forum
    )
    make_private(nested, world.rssi)
    from tests import factories

    factories.make_topic(nested, world.staff_a, subject="Crise en cours ZZ")
    index = client_for(world.staff_b).get("/forum/").content.decode()
    assert "Cellule de crise" not in index
    assert "Crise en cours ZZ" not in index
    category = client_for(world.staff_b).get(forum_url(world.rh.forum)).content.decode()
    assert "Cellule de crise" not in category
    assert "Cellule de crise" in client_for(world.staff_a).get("/forum/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_reply(client_for, world, role):
    client = client_for(person(world, role))
    public = reply(client, world.public_topic, f"Réponse publique de {role}")
    private = reply(client, world.private_topic, f"Réponse privée de {role}")
    if role == "anonymous":
        assert public.status_code == 302 and public["Location"].startswith("/compte/connexion/")
    else:
        assert public.status_code == 302, role
    assert Post.objects.filter(content=f"Réponse publique de {role}").exists() is (role in POSTERS)
    if role in PRIVATE_READERS:
        assert private.status_code == 302
    else:
        assert private.status_code == 404
    assert Post.objects.filter(content=f"Réponse privée de {role}").exists() is (
        role in PRIVATE_READERS
    )


@pytest.mark.parametrize("role", ROLES)
def test_edit_someone_elses_post(client_for, world, role):
    client = client_for(person(world, role))
    post = world.public_topic.last_post  # written by staff_b
    response = client.post(
        post_update_url(post),
        {"subject": "Re", "content": f"Modifié par {role}", "update_reason": "", **FORMSETS},
    )
    post.refresh_from_db()
    if role in RH_MODERATORS or role == "staff_b":
        assert response.status_code == 302, role
        assert post.content.raw == f"Modifié par {role}"
    else:
        assert response.status_code in {302, 403}, role
        assert post.content.raw != f"Modifié par {role}"
    private_post = world.private_topic.first_post
    response = client.get(post_update_url(private_post))
    expected = {200} if role in {"staff_a", "administrator"} else {404}
    assert response.status_code in expected, role


@pytest.mark.parametrize("role", ROLES)
def test_moderate(client_for, world, role):
    client = client_for(person(world, role))
    response = client.post(lock_url(world.public_topic))
    world.public_topic.refresh_from_db()
    locked = world.public_topic.status == Topic.TOPIC_LOCKED
    assert locked is (role in RH_MODERATORS), role
    if role not in RH_MODERATORS:
        assert response.status_code in {302, 403}
        if role != "anonymous":
            assert response.status_code == 403
    private = client.post(lock_url(world.private_topic))
    world.private_topic.refresh_from_db()
    if role == "administrator":
        assert world.private_topic.status == Topic.TOPIC_LOCKED
    else:
        # The group's members take part; they do not moderate. Outsiders get a 404.
        assert private.status_code == (403 if role == "staff_a" else 404), role
        assert world.private_topic.status == Topic.TOPIC_UNLOCKED


@pytest.mark.parametrize("role", ROLES)
def test_download_attachment(client_for, world, role):
    client = client_for(person(world, role))
    public = client.get(attachment_url(world.public_attachment))
    private = client.get(attachment_url(world.private_attachment))
    # Anonymous visitors download a public topic's attachments like the rest of the topic.
    assert public.status_code == 200, role
    assert public["Content-Disposition"].startswith("attachment")
    assert public["X-Content-Type-Options"] == "nosniff"
    assert private.status_code == (200 if role in PRIVATE_READERS else 404), role


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_emails_about_private_topics_only_to_its_readers(
    world, role, django_capture_on_commit_callbacks
):
    user = person(world, role)
    user.email = f"{role}@example.fr"
    user.save()
    # Subscribed before losing access (or forced in by hand): still no email.
    notifications.subscribe(user, forum=world.private_forum)
    notifications.subscribe(user, forum=world.rh_forum)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        from tests import factories

        author = factories.make_user("Personnel d'établissement", username="auteur-x")
        author.groups.add(world.rssi)
        private_post = Post.objects.create(
            topic=world.private_topic, poster=author, subject="Re", content="Nouveau secret"
        )
        notifications.post_published(private_post)
        public_post = Post.objects.create(
            topic=world.public_topic, poster=author, subject="Re", content="Nouveau public"
        )
        notifications.post_published(public_post)
    subjects = [m.subject for m in mail.outbox if m.to == [user.email]]
    assert any("Paie à distance" in s for s in subjects)
    assert any("Incident confidentiel" in s for s in subjects) is (role in PRIVATE_READERS)
