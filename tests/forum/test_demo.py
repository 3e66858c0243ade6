"""The forum demo: a private forum, a solved topic, an open report and subscriptions, loaded
twice without duplicates."""

import pytest
from django.core.management import call_command

from forum.community.models import PostReport, Subscription, TopicSolution
from forum.queries import readable_forum_ids
from tests.forum.world import Forum, Topic


def counts():
    return [m.objects.count() for m in (Forum, Topic, PostReport, Subscription, TopicSolution)]


@pytest.mark.django_db(transaction=True)
def test_demo_forum_community_twice_same_rows():
    from django.contrib.auth.models import AnonymousUser, User

    call_command("load_demo_data", verbosity=0)
    first = counts()
    call_command("load_demo_data", verbosity=0)
    assert counts() == first
    private = Forum.objects.get(name="Échanges entre RSSI")
    assert private.pk not in readable_forum_ids(AnonymousUser())
    assert private.pk not in readable_forum_ids(User.objects.get(username="personnel2"))
    assert private.pk in readable_forum_ids(User.objects.get(username="personnel"))
    assert TopicSolution.objects.exists()
    assert PostReport.objects.filter(status="open").exists()
    assert Subscription.objects.filter(frequency="daily").exists()
