"""The forum's own pages pass the site's markup checks (one h1, headings in order, labels)."""

import itertools
import re

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
        (member, reverse("subscriptions:page")),
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


@pytest.mark.django_db
def test_forum_pages_speak_french_and_name_every_link(client_for, site_tree):
    from machina.core.db.models import get_model

    from forum.community.solutions import mark_solution
    from tests.forum.world import reply_url
    from tests.test_accessibility import BROKEN_FRENCH, ENGLISH, visible_text

    TopicPoll = get_model("forum_polls", "TopicPoll")
    TopicPollOption = get_model("forum_polls", "TopicPollOption")
    world = build_world()
    topic = world.public_topic
    poll = TopicPoll.objects.create(topic=topic, question="Quel outil ?")
    TopicPollOption.objects.create(poll=poll, text="Siham")
    TopicPollOption.objects.create(poll=poll, text="Autre")
    mark_solution(topic, topic.last_post, world.staff_b)
    member, anonymous = client_for(world.staff_a), client_for(None)
    create = reverse(
        "forum_conversation:topic_create",
        kwargs={"forum_slug": world.rh_forum.slug, "forum_pk": world.rh_forum.pk},
    )
    pages = [
        (anonymous, "/forum/"),
        (anonymous, forum_url(world.rh_forum)),
        (anonymous, topic_url(topic)),
        (member, topic_url(topic)),
        (member, topic_url(topic) + "?view_results=true"),
        (member, create),
        (member, reply_url(topic)),
        (member, reverse("forum_tracking:unread_topics")),
        (member, reverse("forum_member:user_subscriptions")),
        (anonymous, reverse("forum_member:profile", args=[world.staff_b.pk])),
        (anonymous, reverse("forum_member:user_posts", args=[world.staff_b.pk])),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        text = visible_text(html)
        assert not ENGLISH.findall(text), (path, ENGLISH.findall(text))
        assert not BROKEN_FRENCH.findall(text), (path, BROKEN_FRENCH.findall(text))
        # No link without text (icon-only arrows, avatar links) and no layout table.
        empty_links = re.findall(r"<a\b[^>]*>(?:\s|<i\b[^>]*></i>)*</a>", html)
        assert not empty_links, (path, empty_links)
        assert "forum-data-table" not in html and "topic-data-table" not in html, path
    # Poll radios are grouped under the question, each option with its own label.
    html = member.get(topic_url(topic)).content.decode()
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>[^<]*Quel outil", html)
    assert len(re.findall(r'<label for="poll-\d+-option-\d+">', html)) == 2
    # Results: a named progress bar per option.
    html = member.get(topic_url(topic) + "?view_results=true").content.decode()
    assert len(re.findall(r'<progress [^>]*aria-labelledby="poll-option-\d+"', html)) == 2
