"""Subscriptions and emails: immediate, daily digest, none; never to the author; mentions;
signed one-click unsubscribe; and a real SMTP server on 127.0.0.1 stopped then started."""

import datetime
import io
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum.community import notifications
from forum.community.emails import unsubscribe_token
from forum.community.models import MemberSettings, Subscription
from outbox.delivery import deliver_messages
from outbox.models import Message
from tests.forum.world import FORMSETS, Post, build_world, reply


@pytest.fixture
def world(db):
    return build_world()


def sent_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_replying_subscribes_and_notifies_subscribers_but_not_the_author(
    client_for, world, django_capture_on_commit_callbacks
):
    notifications.subscribe(world.staff_a, topic=world.public_topic)
    with django_capture_on_commit_callbacks(execute=True):
        reply(client_for(world.staff_b), world.public_topic, "Nous utilisons des binômes.")
    assert Subscription.objects.filter(user=world.staff_b, topic=world.public_topic).exists()
    [message] = sent_to(world.staff_a)
    assert "Paie à distance" in message.subject
    assert "Nous utilisons des binômes." in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent_to(world.staff_b) == []


def test_auto_subscription_can_be_turned_off(client_for, world):
    MemberSettings.objects.create(user=world.staff_a, auto_subscribe=False)
    reply(client_for(world.staff_a), world.public_topic, "Sans abonnement")
    assert not Subscription.objects.filter(user=world.staff_a).exists()


def test_nothing_is_sent_before_the_transaction_commits(world):
    from django.db import transaction

    notifications.subscribe(world.staff_a, topic=world.public_topic)
    with pytest.raises(RuntimeError), transaction.atomic():
        post = Post.objects.create(
            topic=world.public_topic, poster=world.staff_b, subject="Re", content="Annulé"
        )
        notifications.post_published(post)
        raise RuntimeError
    assert mail.outbox == [] and Message.objects.count() == 0


def test_frequency_none_and_daily_send_nothing_at_once(
    client_for, world, django_capture_on_commit_callbacks
):
    notifications.subscribe(world.staff_a, topic=world.public_topic, frequency="none")
    notifications.subscribe(world.officer_rh, forum=world.rh_forum, frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        reply(client_for(world.staff_b), world.public_topic, "Rien en direct")
    assert sent_to(world.staff_a) == [] and sent_to(world.officer_rh) == []


def test_forum_subscription_gets_new_topics(client_for, world, django_capture_on_commit_callbacks):
    client_for(world.officer_rh).post(
        reverse("forum_community:forum_subscription", args=[world.rh_forum.pk]),
        {"frequency": "immediate"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff_b).post(
            reverse(
                "forum_conversation:topic_create",
                kwargs={"forum_slug": world.rh_forum.slug, "forum_pk": world.rh_forum.pk},
            ),
            {"subject": "Nouveau sujet paie", "content": "Question", "topic_type": 0, **FORMSETS},
        )
    assert any("Nouveau sujet paie" in m.subject for m in sent_to(world.officer_rh))


def test_mention_notifies_only_readers(client_for, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply(
            client_for(world.staff_a),
            world.private_topic,
            "Qu'en pensez-vous @agent-b et @charge-rh ?",
        )
        reply(client_for(world.staff_b), world.public_topic, "Merci @agent-a !")
    assert sent_to(world.officer_rh) == []  # cannot read the private forum
    assert not any("Incident" in m.subject for m in sent_to(world.staff_b))
    [mention] = sent_to(world.staff_a)
    assert "vous mentionne" in mention.subject


def test_one_click_unsubscribe_without_signing_in(client, world):
    subscription = notifications.subscribe(world.staff_a, topic=world.public_topic)
    url = reverse("forum_community:unsubscribe", args=[unsubscribe_token(subscription)])
    page = client.get(url)
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()  # a GET changes nothing
    assert client.post(url).status_code == 200  # RFC 8058: POST from the mail client, no CSRF
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert client.post(url).status_code == 200  # twice is fine
    forged = client.get(url[:-3] + "xyz/")
    assert forged.status_code == 400
    assert "pas valide" in forged.content.decode()


def test_daily_digest_once_a_day(world):
    notifications.subscribe(world.officer_rh, forum=world.rh_forum, frequency="daily")
    notifications.subscribe(world.staff_a, topic=world.public_topic, frequency="daily")
    Post.objects.create(
        topic=world.public_topic, poster=world.staff_b, subject="Re", content="Du nouveau"
    )
    call_command("send_digests", stdout=io.StringIO())
    digest = sent_to(world.officer_rh)
    assert len(digest) == 1 and "Paie à distance" in digest[0].body
    assert len(sent_to(world.staff_a)) == 1
    assert "List-Unsubscribe" in digest[0].extra_headers
    call_command("send_digests", stdout=io.StringIO())
    assert len(sent_to(world.officer_rh)) == 1
    # Nothing new the next day: no digest.
    tomorrow = timezone.now() + datetime.timedelta(days=1, hours=1)
    assert notifications.send_digests(now=tomorrow) == 0


def test_digest_leaves_out_what_the_reader_cannot_read(world):
    notifications.subscribe(world.staff_b, forum=world.private_forum, frequency="daily")
    Post.objects.create(
        topic=world.private_topic, poster=world.staff_a, subject="Re", content="Secret"
    )
    assert notifications.send_digests() == 0
    assert sent_to(world.staff_b) == []


@pytest.fixture
def smtp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_real_smtp_server_stopped_then_started_loses_nothing(settings, smtp_port):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    received = []

    class Collect(MessageHandler):
        def handle_message(self, message):
            received.append(message)

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    world = build_world()
    notifications.subscribe(world.staff_a, topic=world.public_topic)
    # The server is down: the reply is saved, the email waits in the outbox.
    post = Post.objects.create(
        topic=world.public_topic, poster=world.staff_b, subject="Re", content="Pendant la panne"
    )
    notifications.post_published(post)
    message = Message.objects.get(to=world.staff_a.email)
    assert message.status == Message.Status.PENDING and message.attempts == 1
    controller = Controller(Collect(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        later = timezone.now() + datetime.timedelta(minutes=5)
        assert deliver_messages(now=later) == (1, 0)
    finally:
        controller.stop()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(received) == 1
    assert received[0]["To"] == world.staff_a.email
    assert "Pendant la panne" in received[0].get_payload(0).get_payload(decode=True).decode()
    assert "/forum/desabonnement/" in received[0]["List-Unsubscribe"]


def test_a_reply_costs_the_same_queries_for_2_or_42_subscribers(
    client_for, world, django_capture_on_commit_callbacks
):
    """The fan-out leaves the request: its queries are bounded and do not grow with the number
    of subscribers, who are all notified once the tasks run (after commit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import roles
    from tests import factories

    topic = world.public_topic
    author = client_for(world.staff_b)

    def subscribe_more(count, start):
        for i in range(start, start + count):
            user = factories.make_user(
                roles.STAFF, username=f"abonne-{i}", email=f"abonne-{i}@example.fr"
            )
            notifications.subscribe(user, topic=topic)

    def measured_reply(text):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = reply(author, topic, text)
        assert response.status_code == 302
        return len(queries), callbacks

    measured_reply("Échauffement : caches et abonnement de l'auteur.")
    subscribe_more(2, 0)
    few, _ = measured_reply("Deux abonnés.")
    subscribe_more(40, 2)
    many, callbacks = measured_reply("Quarante-deux abonnés.")
    assert few == many, (few, many)
    assert many <= 45
    assert not any("Quarante-deux" in m.body for m in mail.outbox)  # nothing inside the request
    while callbacks:  # the tasks, as the worker runs them once the reply is committed
        with django_capture_on_commit_callbacks() as more:
            for callback in callbacks:
                callback()
        callbacks = more
    told = {m.to[0] for m in mail.outbox if "Quarante-deux abonnés." in m.body}
    assert told == {f"abonne-{i}@example.fr" for i in range(42)}
