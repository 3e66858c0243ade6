"""Forum permissions kept in the cache (forum/forum_permission/handler.py) change on the very
next request when a permission, a group membership or the forum tree changes: both sides."""

import pytest
from django.contrib.auth.models import Group
from machina.core.db.models import get_model

from forum.community.private import make_private
from tests import factories
from tests.forum.world import forum_url, topic_url

GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
UserForumPermission = get_model("forum_permission", "UserForumPermission")
ForumPermission = get_model("forum_permission", "ForumPermission")


@pytest.fixture
def private(db):
    author = factories.make_user("Personnel d'établissement", username="auteur")
    reader = factories.make_user("Personnel d'établissement", username="lecteur")
    network = Group.objects.create(name="Réseau fermé")
    author.groups.add(network)
    category, forum = factories.make_category_with_forum("Réseau fermé", "Échanges fermés")
    make_private(category, network)
    topic = factories.make_topic(forum, author, subject="Sujet réservé au réseau")
    return reader, network, forum, topic


def test_joining_and_leaving_a_group_opens_and_closes_the_forum(client_for, private):
    reader, network, _forum, topic = private
    client = client_for(reader)
    assert client.get(topic_url(topic)).status_code == 404
    assert "Échanges fermés" not in client.get("/forum/").content.decode()
    reader.groups.add(network)
    assert client.get(topic_url(topic)).status_code == 200
    assert "Échanges fermés" in client.get("/forum/").content.decode()
    reader.groups.remove(network)
    assert client.get(topic_url(topic)).status_code == 404
    assert "Échanges fermés" not in client.get("/forum/").content.decode()


def test_a_permission_withdrawn_from_one_user_takes_effect_at_once(client_for, private):
    reader, network, forum, topic = private
    reader.groups.add(network)
    client = client_for(reader)
    assert client.get(topic_url(topic)).status_code == 200
    read = ForumPermission.objects.get(codename="can_read_forum")
    UserForumPermission.objects.create(user=reader, forum=forum, permission=read, has_perm=False)
    assert client.get(topic_url(topic)).status_code == 404
    assert client.get(forum_url(forum)).status_code == 404
    UserForumPermission.objects.filter(user=reader, forum=forum).update(has_perm=True)
    assert client.get(topic_url(topic)).status_code == 200


def test_a_group_permission_on_the_category_closes_its_forums(client_for, private):
    reader, network, forum, topic = private
    reader.groups.add(network)
    client = client_for(reader)
    assert client.get(topic_url(topic)).status_code == 200
    GroupForumPermission.objects.filter(group=network, forum=forum.parent).delete()
    # machina's tree rule: a forum whose category may not be read is not listed.
    assert "Échanges fermés" not in client.get("/forum/").content.decode()


def test_one_person_never_gets_another_persons_permissions(client_for, private):
    reader, network, _forum, topic = private
    member = factories.make_user("Personnel d'établissement", username="membre")
    member.groups.add(network)
    assert client_for(member).get(topic_url(topic)).status_code == 200
    assert client_for(reader).get(topic_url(topic)).status_code == 404
    assert client_for(None).get(topic_url(topic)).status_code == 404
    assert client_for(member).get(topic_url(topic)).status_code == 200
