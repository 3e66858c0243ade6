"""The forum's own pages pass the site's markup checks (one h1, headings in order, labels)."""

import itertools

import pytest
from django.urls import reverse

from forum.community import notifications
from forum.community.emails import unsubscribe_token
from forum.community.models import PostReport
from tests.forum.world import build_world, forum_url, topic_url
from tests.test_accessibility import outline


@pytest.mark.django_db
def test_forum_pages_markup(client_for, site_tree):
    world = build_world()
    report = PostReport.objects.create(
        post=world.public_topic.last_post, reporter=world.staff_a, reason="abuse"
    )
    world.public_topic.refresh_from_db()
    subscription = notifications.subscribe(world.staff_a, topic=world.public_topic)
    officer = client_for(world.officer_rh)
    member = client_for(world.staff_a)
    pages = [
        (officer, "/forum/espace-moderation/"),
        (officer, reverse("forum_community:log")),
        (officer, reverse("forum_community:report", args=[report.pk])),
        (officer, topic_url(world.public_topic)),
        (
            officer,
            reverse(
                "forum_moderation:topic_lock", args=[world.public_topic.slug, world.public_topic.pk]
            ),
        ),
        (
            officer,
            reverse(
                "forum_moderation:topic_delete",
                args=[world.public_topic.slug, world.public_topic.pk],
            ),
        ),
        (member, reverse("forum_community:report_post", args=[world.public_topic.last_post.pk])),
        (member, reverse("forum_community:subscriptions")),
        (member, forum_url(world.rh_forum)),
        (member, topic_url(world.public_topic)),
        (
            client_for(None),
            reverse("forum_community:unsubscribe", args=[unsubscribe_token(subscription)]),
        ),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        parsed = outline(response.content.decode())
        assert parsed.headings.count(1) == 1, (path, parsed.headings)
        for previous, current in itertools.pairwise(parsed.headings):
            assert current <= previous + 1, (path, parsed.headings)
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in parsed.landmarks, (path, landmark)
        for field in parsed.inputs:
            assert field.get("id") in parsed.label_targets or field.get("aria-label"), (path, field)
