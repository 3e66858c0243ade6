"""Every URL under /forum/ answers for a private object exactly as for an id that does not exist.

The table ``ROUTES`` says, for each route the project and machina mount under ``/forum/``, how to
probe it: the kind of object each URL parameter names. The test walks ``get_resolver()`` and fails
when a forum route has no entry, so that a new route cannot come without this check.

For each route, an outsider (signed in, not in the private forum's group) and an anonymous
visitor GET and POST the URL built with private objects and the URL built with ids that do not
exist; where a URL names several objects, each one in turn is made private (or missing) while
the others stay public. Both answers must be the same (status, body and redirect, once the URL
itself is set aside), neither may name the private forum, topic, post or file, and neither may
be a server error. A superuser then gets something else than that 404 for the private URL, which
proves the private objects were real.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from machina.core.db.models import get_model

from forum.community.models import PostReport
from tests import factories
from tests.forum.world import attach, build_world

Post = get_model("forum_conversation", "Post")
TopicPoll = get_model("forum_polls", "TopicPoll")
TopicPollOption = get_model("forum_polls", "TopicPollOption")

MISSING_ID = 987654
# Slug parameters and the id parameter each one goes with.
SLUG_OF = {"slug": "pk", "forum_slug": "forum_pk", "topic_slug": "topic_pk"}


@dataclass
class Probe:
    """How to probe a route: the kind of object each id parameter names.

    ``mode``: ``"same_as_missing"`` (private objects answer as missing ids), ``"no_leak"`` (the
    object is not secret, e.g. a person, but the page must not name private content), or
    ``"skip"`` with a ``reason``.
    """

    ids: dict = field(default_factory=dict)
    mode: str = "same_as_missing"
    reason: str = ""


ROUTES = {
    # --- machina: forum, conversation, polls, attachments
    "forum:index": Probe(mode="no_leak"),
    "forum:forum": Probe({"pk": "forum"}),
    "forum_conversation:topic": Probe({"forum_pk": "forum", "pk": "topic"}),
    "forum_conversation:topic_create": Probe({"forum_pk": "forum"}),
    "forum_conversation:topic_update": Probe({"forum_pk": "forum", "pk": "topic"}),
    "forum_conversation:post_create": Probe({"forum_pk": "forum", "topic_pk": "topic"}),
    "forum_conversation:post_update": Probe(
        {"forum_pk": "forum", "topic_pk": "topic", "pk": "post"}
    ),
    "forum_conversation:post_delete": Probe(
        {"forum_pk": "forum", "topic_pk": "topic", "pk": "post"}
    ),
    "forum_conversation:topic_poll_vote": Probe({"pk": "poll"}),
    "forum_conversation:attachment": Probe({"pk": "attachment"}),
    # --- machina: feeds
    "forum_feeds:latest_topics": Probe(mode="no_leak"),
    "forum_feeds:forum_latest_topics": Probe({"forum_pk": "forum"}),
    "forum_feeds:forum_latest_topics_with_descendants": Probe({"forum_pk": "forum"}),
    # --- machina: members (people are not secret; what they wrote in private forums is)
    "forum_member:profile_update": Probe(mode="no_leak"),
    "forum_member:profile": Probe({"pk": "user"}, mode="no_leak"),
    "forum_member:user_posts": Probe({"pk": "user"}, mode="no_leak"),
    "forum_member:user_subscriptions": Probe(mode="no_leak"),
    "forum_member:topic_subscribe": Probe({"pk": "topic"}),
    "forum_member:topic_unsubscribe": Probe({"pk": "topic"}),
    # --- machina: moderation
    "forum_moderation:topic_lock": Probe({"pk": "topic"}),
    "forum_moderation:topic_unlock": Probe({"pk": "topic"}),
    "forum_moderation:topic_delete": Probe({"pk": "topic"}),
    "forum_moderation:topic_move": Probe({"pk": "topic"}),
    "forum_moderation:topic_update_to_post": Probe({"pk": "topic"}),
    "forum_moderation:topic_update_to_sticky": Probe({"pk": "topic"}),
    "forum_moderation:topic_update_to_announce": Probe({"pk": "topic"}),
    "forum_moderation:queue": Probe(mode="no_leak"),
    "forum_moderation:queued_post": Probe({"pk": "post"}),
    "forum_moderation:approve_queued_post": Probe({"pk": "post"}),
    "forum_moderation:disapprove_queued_post": Probe({"pk": "post"}),
    # --- machina: search (a redirect to the site search) and tracking
    "forum_search:search": Probe(mode="no_leak"),
    "forum_tracking:mark_all_forums_read": Probe(mode="no_leak"),
    "forum_tracking:mark_subforums_read": Probe({"pk": "forum"}),
    "forum_tracking:mark_topics_read": Probe({"pk": "forum"}),
    "forum_tracking:unread_topics": Probe(mode="no_leak"),
    # --- Passerelle's community views
    "forum_community:workbench": Probe(mode="no_leak"),
    "forum_community:log": Probe(mode="no_leak"),
    "forum_community:report": Probe({"pk": "report"}),
    "forum_community:report_post": Probe({"pk": "post"}),
    "forum_community:hide_post": Probe({"pk": "post"}),
    "forum_community:show_post": Probe({"pk": "post"}),
    "forum_community:mark_solution": Probe({"pk": "topic", "post_pk": "reply"}),
    "forum_community:unmark_solution": Probe({"pk": "topic"}),
    "forum_community:topic_subscription": Probe({"pk": "topic"}),
    "forum_community:promote": Probe({"pk": "topic"}),
    "forum_community:assign_topic": Probe({"pk": "topic"}),
    "forum_community:no_answer": Probe({"pk": "topic"}),
    "forum_community:topic_suggestions": Probe(mode="no_leak"),
    "forum_community:forum_subscription": Probe({"pk": "forum"}),
    "forum_community:subscriptions": Probe(mode="no_leak"),
    "forum_community:unsubscribe": Probe(
        mode="skip",
        reason="takes a signed token, not an id: a forged or unknown token is refused (400) "
        "before anything is looked up (tests/forum/test_notifications.py)",
    ),
    "forum_community:discuss_practice": Probe(
        mode="skip",
        reason="takes a guide page id, not a forum object; it opens or joins the topic in the "
        "page's domain forum, checked with can_add_topic",
    ),
}


def _walk(patterns, prefix="", namespace="", params=()):
    for entry in patterns:
        here = (*params, *entry.pattern.converters)
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), set(here)


def forum_routes():
    """``(route, name, parameters)`` of every URL pattern under /forum/."""
    return [r for r in _walk(get_resolver().url_patterns) if r[0].startswith("forum/")]


def test_every_forum_route_has_a_probe():
    routes = forum_routes()
    assert len(routes) > 40  # machina's and ours are all there
    missing = [f"{name} ({route})" for route, name, _p in routes if name not in ROUTES]
    assert not missing, "Forum routes without an entry in ROUTES: " + ", ".join(missing)
    for route, name, params in routes:
        params = params - set(SLUG_OF)
        probe = ROUTES[name]
        if probe.mode != "skip":
            assert params == set(probe.ids), (name, route, params)
        else:
            assert probe.reason


# --- The world -----------------------------------------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    author = factories.make_user("Personnel d'établissement", username="auteur-rssi")
    author.groups.add(world.rssi)
    world.private_reply = Post.objects.create(
        topic=world.private_topic, poster=author, subject="Re", content="Réponse sensible QW"
    )
    world.public_reply = Post.objects.create(
        topic=world.public_topic, poster=world.editor, subject="Re", content="Réponse publique"
    )
    world.private_poll = TopicPoll.objects.create(topic=world.private_topic, question="Vote RSSI ?")
    TopicPollOption.objects.create(poll=world.private_poll, text="Option secrète")
    world.public_poll = TopicPoll.objects.create(topic=world.public_topic, question="Vote RH ?")
    TopicPollOption.objects.create(poll=world.public_poll, text="Option publique")
    world.private_report = PostReport.objects.create(
        post=world.private_reply, forum=world.private_forum, reporter=world.staff_a, reason="other"
    )
    world.public_report = PostReport.objects.create(
        post=world.public_reply, forum=world.rh_forum, reporter=world.staff_b, reason="other"
    )
    attach(world.private_reply, "rapport-incident.pdf")
    return world


def objects(world, kind):
    """``(private object, public object)`` of a kind."""
    return {
        "forum": (world.private_forum, world.rh_forum),
        "topic": (world.private_topic, world.public_topic),
        "post": (world.private_topic.first_post, world.public_topic.first_post),
        "reply": (world.private_reply, world.public_reply),
        "poll": (world.private_poll, world.public_poll),
        "attachment": (world.private_attachment, world.public_attachment),
        "report": (world.private_report, world.public_report),
        "user": (world.staff_a, world.staff_b),
    }[kind]


def secrets(world):
    """What no outsider may ever read, in a body or a redirect."""
    slugs = [world.private_category.slug, world.private_forum.slug, world.private_topic.slug]
    return [*slugs, *(quote(slug) for slug in slugs), *_names(world)]


def _names(world):
    return [
        world.private_category.name,
        world.private_category.slug,
        world.private_forum.name,
        world.private_forum.slug,
        world.private_topic.subject,
        world.private_topic.slug,
        "Détails sensibles",
        "Réponse sensible QW",
        "secret.pdf",
        "rapport-incident",
        "Vote RSSI",
        "Option secrète",
    ]


def build_url(name, params, choice):
    """The URL of ``name`` with each id parameter given by ``choice[param]``: an object or None
    (an id that does not exist)."""
    kwargs = {}
    for param in params:
        if param in SLUG_OF:
            continue
        obj = choice[param]
        kwargs[param] = MISSING_ID if obj is None else obj.pk
    for slug_param, id_param in SLUG_OF.items():
        if slug_param in params:
            obj = choice[id_param]
            kwargs[slug_param] = getattr(obj, "slug", None) or "inconnu"
    return reverse(name, kwargs=kwargs)


def variants(world, probe):
    """Pairs of choices (private, missing): everything private / missing, then, where a URL
    names several objects, each one private / missing in turn with the others public."""
    private = {p: objects(world, k)[0] for p, k in probe.ids.items()}
    public = {p: objects(world, k)[1] for p, k in probe.ids.items()}
    pairs = [(private, dict.fromkeys(probe.ids))]
    if len(probe.ids) > 1:
        for param in probe.ids:
            pairs.append(({**public, param: private[param]}, {**public, param: None}))
    return pairs


CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"|(csrftoken=)[^;]+')


def normalised(response, url):
    body = response.content.decode(errors="replace")
    location = response.get("Location", "")
    for text in (url, quote(url)):
        body = body.replace(text, "<URL>")
        location = location.replace(text, "<URL>")
    return response.status_code, CSRF.sub(r"\1\2<CSRF>", body), location


def probe_names():
    return sorted(name for name, probe in ROUTES.items() if probe.mode != "skip")


@pytest.mark.parametrize("name", probe_names())
def test_private_objects_answer_as_missing_ids(client_for, world, name):
    params = {n: p for _r, n, p in forum_routes()}[name]
    probe = ROUTES[name]
    people = {"outsider": world.staff_b, "anonymous": None}
    for who, user in people.items():
        for method in ("get", "post"):
            if probe.mode == "no_leak":
                choices = [{p: objects(world, k)[0] for p, k in probe.ids.items()}]
                for choice in choices:
                    url = build_url(name, params, choice)
                    response = getattr(client_for(user), method)(url)
                    assert response.status_code < 500, (who, method, url)
                    _status, body, location = normalised(response, url)
                    for secret in secrets(world):
                        assert secret not in body, (who, method, url, secret)
                        assert secret not in location, (who, method, url, secret)
                continue
            for private, missing in variants(world, probe):
                private_url = build_url(name, params, private)
                missing_url = build_url(name, params, missing)
                # A fresh client each time: no message of one request shows in the next.
                answer = normalised(getattr(client_for(user), method)(private_url), private_url)
                expected = normalised(getattr(client_for(user), method)(missing_url), missing_url)
                assert answer[0] < 500 and expected[0] < 500, (who, method, private_url)
                assert answer[0] == expected[0], (who, method, private_url, answer[0], expected[0])
                assert answer[2] == expected[2], (who, method, private_url, answer[2])
                assert answer[1] == expected[1], (who, method, private_url)
                for secret in secrets(world):
                    assert secret not in answer[1] and secret not in answer[2], (
                        who,
                        method,
                        private_url,
                        secret,
                    )
    if probe.mode == "same_as_missing":
        # The private objects were real: a superuser does not get the missing-id answer.
        private = {p: objects(world, k)[0] for p, k in probe.ids.items()}
        url = build_url(name, params, private)
        admin = Client()
        admin.force_login(world.administrator)
        assert admin.get(url).status_code != 404, url
        # And ids that do not exist are a 404 for a superuser too, never a server error.
        for _private, missing in variants(world, probe):
            missing_url = build_url(name, params, missing)
            assert admin.get(missing_url).status_code in {404, 405}, missing_url


def test_issue_examples(client_for, world):
    """The two answers the issue reported: a 200 naming the private forum, and a 500."""
    outsider = client_for(world.staff_b)
    private = outsider.get(f"/forum/tracking/mark/forums/{world.private_forum.pk}/")
    assert private.status_code == 404
    assert quote(world.private_forum.slug) not in private.content.decode()
    missing = outsider.get(f"/forum/tracking/mark/forum/{MISSING_ID}/topics/")
    assert missing.status_code == 404
    # The forum's member still marks it read.
    member = client_for(world.staff_a).get(f"/forum/tracking/mark/forums/{world.private_forum.pk}/")
    assert member.status_code == 200
    assert quote(world.private_forum.slug) in member.content.decode()


def test_profile_counts_only_what_the_reader_may_read(client_for, world):
    """staff_a wrote one topic, in the private forum: an outsider sees none of it."""
    url = reverse("forum_member:profile", kwargs={"pk": world.staff_a.pk})

    def counts(user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        return response.context["topics_count"], response.context["profile"].posts_count

    assert counts(world.staff_b) == (0, 0)
    assert counts(None) == (0, 0)
    assert counts(world.staff_a) == (1, 1)
    assert client_for(world.staff_b).get("/forum/member/profile/abc/").status_code == 404


def test_topic_held_for_approval_exists_only_for_its_author_and_moderators(client_for, world):
    from tests.forum.world import Topic, topic_url

    held = factories.make_topic(world.rh_forum, world.staff_b, subject="Sujet en attente KL")
    Topic.objects.filter(pk=held.pk).update(approved=False)
    url = topic_url(held)
    missing = url.replace(f"-{held.pk}/", f"-{MISSING_ID}/")
    for user in (None, world.staff_a):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert "Sujet en attente KL" not in response.content.decode()
        assert client_for(user).get(missing).status_code == 404
    for user in (world.staff_b, world.officer_rh):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Sujet en attente KL" in response.content.decode()


def test_a_topic_page_shows_no_post_count_that_includes_private_forums(client_for, world):
    """staff_a has posts in the private forum only, then one public reply: the author column of
    that reply (the same for every reader) must not tell an outsider how much staff_a wrote."""
    from tests.forum.world import reply, topic_url

    reply(client_for(world.staff_a), world.public_topic, "Une réponse publique")
    html = client_for(world.staff_b).get(topic_url(world.public_topic)).content.decode()
    assert "Une réponse publique" in html
    assert "Messages :" not in html
    assert "posts-count" not in html


@pytest.mark.parametrize(
    "name", ["forum_moderation:queued_post", "forum_moderation:approve_queued_post",
             "forum_moderation:disapprove_queued_post"],
)  # fmt: skip
def test_a_held_post_exists_only_for_its_moderators(client_for, world, name):
    """machina answered 403 to a member for a held post's id and 404 for a missing one."""
    held = Post.objects.create(
        topic=world.public_topic, poster=world.staff_b, subject="Re", content="En attente QZ",
        approved=False,
    )  # fmt: skip
    url, missing = reverse(name, args=[held.pk]), reverse(name, args=[MISSING_ID])
    for user in (None, world.staff_a, world.officer_secu):
        client = client_for(user)
        assert client.get(url).status_code == client.get(missing).status_code == 404, user
        assert client.post(url).status_code == client.post(missing).status_code == 404, user
    assert client_for(world.officer_rh).get(url).status_code == 200
    held.refresh_from_db()
    assert not held.approved
