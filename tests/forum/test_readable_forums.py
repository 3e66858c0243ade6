"""forum.queries.readable_forum_ids: machina's answer, cached under what it depends on."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from machina.core.db.models import get_model

from accounts import roles
from forum.queries import readable_forum_ids
from tests import factories
from tests.search.conftest import make_private_forum

pytestmark = pytest.mark.django_db

GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
ForumPermission = get_model("forum_permission", "ForumPermission")


def test_a_second_call_costs_one_query_and_gives_the_same_answer():
    _category, forum = factories.make_category_with_forum()
    user = factories.make_user(roles.STAFF)
    first = readable_forum_ids(user)
    with CaptureQueriesContext(connection) as queries:
        assert readable_forum_ids(user) == first
    assert len(queries) == 1
    assert forum.pk in first


def test_joining_or_leaving_a_group_takes_effect_on_the_next_call():
    reader = factories.make_user(roles.STAFF)
    private = make_private_forum([])
    network = Group.objects.create(name="Réseau RSSI")
    for codename in ("can_see_forum", "can_read_forum"):
        GroupForumPermission.objects.create(
            group=network,
            forum=private,
            permission=ForumPermission.objects.get(codename=codename),
            has_perm=True,
        )
    assert private.pk not in readable_forum_ids(reader)
    reader.groups.add(network)
    assert private.pk in readable_forum_ids(reader)
    reader.groups.remove(network)
    assert private.pk not in readable_forum_ids(reader)


def test_a_group_permission_changed_in_place_and_a_new_forum_are_followed():
    private = make_private_forum([])
    rssi = Group.objects.create(name="RSSI")
    member = factories.make_user(roles.STAFF)
    member.groups.add(rssi)
    rows = [
        GroupForumPermission.objects.create(
            group=rssi,
            forum=private,
            permission=ForumPermission.objects.get(codename=codename),
            has_perm=True,
        )
        for codename in ("can_see_forum", "can_read_forum")
    ]
    assert private.pk in readable_forum_ids(member)
    GroupForumPermission.objects.filter(pk=rows[1].pk).update(has_perm=False)
    assert private.pk not in readable_forum_ids(member)
    anonymous_before = readable_forum_ids(AnonymousUser())
    _category, forum = factories.make_category_with_forum("Nouvelle", "Nouveau forum")
    assert forum.pk in readable_forum_ids(AnonymousUser())
    assert forum.pk not in anonymous_before
