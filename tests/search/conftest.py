import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from machina.core.db.models import get_model

from accounts import roles
from tests import factories

UserForumPermission = get_model("forum_permission", "UserForumPermission")
ForumPermission = get_model("forum_permission", "ForumPermission")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")


@pytest.fixture
def search_get(client_for):
    """GET /recherche/ as ``user`` with ``params``."""

    def get(params, user=None, **kwargs):
        return client_for(user).get(reverse("search"), params, **kwargs)

    return get


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block commits, as a real request would (index updates happen on commit)."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def poster(db):
    return factories.make_user(roles.STAFF)


def result_titles(response):
    return [item["doc"].title for item in response.context["items"]]


def set_read_permission(forum, has_perm, *, user=None, anonymous=False, authenticated=False):
    for codename in ("can_see_forum", "can_read_forum"):
        UserForumPermission.objects.update_or_create(
            forum=forum,
            permission=ForumPermission.objects.get(codename=codename),
            user=user,
            anonymous_user=anonymous,
            authenticated_user=authenticated,
            defaults={"has_perm": has_perm},
        )


def make_private_forum(members):
    """A forum nobody reads except ``members``."""
    _category, forum = factories.make_category_with_forum("Réservé", "Forum réservé")
    set_read_permission(forum, False, anonymous=True)
    set_read_permission(forum, False, authenticated=True)
    for group in Group.objects.filter(name__in=roles.ROLE_NAMES):
        for codename in ("can_see_forum", "can_read_forum"):
            GroupForumPermission.objects.update_or_create(
                group=group,
                forum=forum,
                permission=ForumPermission.objects.get(codename=codename),
                defaults={"has_perm": False},
            )
    for member in members:
        set_read_permission(forum, True, user=member)
    return forum
