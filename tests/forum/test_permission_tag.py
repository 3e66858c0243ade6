"""The templates' ``get_permission`` tag answers as machina's and refuses what machina refuses."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from machina.core.loading import get_class

from tests.forum.world import build_world

PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")


@pytest.fixture
def world(db):
    return build_world()


def render(source, reader, **context):
    request = RequestFactory().get("/forum/")
    request.user = reader
    request.forum_permission_handler = PermissionHandler()
    template = Template("{% load forum_community_permissions %}" + source)
    return template.render(Context({"request": request, **context}))


@pytest.mark.parametrize(
    ("who", "expected"),
    [("officer_rh", "oui"), ("officer_secu", "non"), ("staff_a", "non"), ("editor", "oui")],
)
def test_same_answers_as_machina(world, who, expected):
    source = (
        "{% get_permission 'can_lock_topics' forum user as allowed %}"
        "{% if allowed %}oui{% else %}non{% endif %}"
    )
    user = getattr(world, who)
    assert render(source, user, forum=world.rh_forum, user=user) == expected


def test_private_and_unknown_methods_are_refused(world):
    for method in ("_get_forums_for_user", "delete_everything"):
        with pytest.raises(TemplateSyntaxError):
            render(
                f"{{% get_permission '{method}' user as x %}}", world.staff_a, user=world.staff_a
            )
