"""Stop links without signing in (GET asks, POST and RFC 8058 one-click do), the List-Unsubscribe
headers on a real SMTP server on 127.0.0.1, and refused addresses."""

import datetime
import socket

import pytest
from django.test import Client
from django.utils import timezone

from forum.community import notifications
from forum.community.models import Subscription
from outbox.delivery import deliver_messages
from outbox.models import Message, RefusedAddress
from subscriptions import digest, follows, tokens
from subscriptions.models import Follow, Rhythm
from tests import factories
from tests.subscriptions.conftest import publish_change, soon


def test_get_asks_and_post_stops_without_signing_in(world):
    person = world.forum.staff_a
    follows.follow(person, world.guide, Rhythm.DAILY)
    url = tokens.stop_url(tokens.make(person, "page", world.guide.pk)).split("testserver")[-1]
    client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no CSRF token
    page = client.get(url)
    assert page.status_code == 200 and "Guide de la paie" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert Follow.objects.filter(user=person, page=world.guide).exists()  # a GET changes nothing
    one_click = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "C'est fait" in one_click.content.decode()
    assert not Follow.objects.filter(user=person, page=world.guide).exists()
    assert client.post(url).status_code == 200  # twice is fine


def test_digest_link_stops_every_follow_at_that_rhythm(world):
    person = world.forum.staff_a
    follows.follow(person, world.forum.rh, Rhythm.DAILY)
    follows.follow(person, world.guide, Rhythm.WEEKLY)
    sub = notifications.subscribe(person, topic=world.forum.public_topic, frequency="daily")
    url = tokens.stop_url(tokens.make(person, "digest", "daily")).split("testserver")[-1]
    Client(enforce_csrf_checks=True).post(url)
    assert follows.rhythm_of(person, world.forum.rh) == Rhythm.NONE
    assert not person.profile.followed_domains.exists()
    assert follows.rhythm_of(person, world.guide) == Rhythm.WEEKLY  # the weekly one stays
    assert Subscription.objects.get(pk=sub.pk).frequency == "none"


def test_forged_or_truncated_link_is_refused(client, world):
    person = world.forum.staff_a
    follows.follow(person, world.guide, Rhythm.DAILY)
    url = tokens.stop_url(tokens.make(person, "page", world.guide.pk)).split("testserver")[-1]
    for bad in (url[:-4] + "xyz/", "/compte/abonnements/arreter/abc/"):
        response = client.post(bad)
        assert response.status_code == 400 and "pas valide" in response.content.decode()
    assert Follow.objects.filter(user=person, page=world.guide).exists()


def test_a_link_of_one_person_cannot_stop_another_s(world):
    a, b = world.forum.staff_a, world.forum.staff_b
    sub_b = notifications.subscribe(b, topic=world.forum.public_topic)
    forged = tokens.make(a, "sub", sub_b.pk)  # a's own signature, b's subscription
    Client().post(f"/compte/abonnements/arreter/{forged}/")
    assert Subscription.objects.filter(pk=sub_b.pk).exists()


@pytest.fixture
def smtp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings, smtp_port):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.received, self.refuse = [], set()

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in self.refuse:
                return "550 5.1.1 Adresse inconnue"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            from email import message_from_bytes

            self.received.append(message_from_bytes(envelope.original_content))
            return "250 OK"

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def _check_headers(received):
    header = received["List-Unsubscribe"]
    assert ("<mailto:" in header and "/compte/abonnements/arreter/" in header) or (
        "/forum/desabonnement/" in header and "<mailto:" in header
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return header


@pytest.mark.django_db(transaction=True)
def test_headers_on_a_real_smtp_server_and_the_one_click_works(smtp_server, site_tree):
    from tests.subscriptions.conftest import build_everything

    world = build_everything(site_tree)
    fw = world.forum
    follows.follow(fw.staff_a, fw.rh, Rhythm.DAILY)
    notifications.subscribe(fw.staff_b, topic=fw.public_topic)
    publish_change(world.guide, note="Nouveau barème 2027")
    # The digest and an immediate forum email, both through the outbox.
    assert digest.send(Rhythm.DAILY, soon()) == 1
    post = factories.make_topic(fw.rh_forum, fw.staff_a, subject="Autre").first_post
    post.topic = fw.public_topic
    post.save()
    notifications.queue_post_emails(post)
    deliver_messages(now=timezone.now() + datetime.timedelta(minutes=1))
    by_to = {m["To"]: m for m in smtp_server.received}
    digest_mail, forum_mail = by_to[fw.staff_a.email], by_to[fw.staff_b.email]
    assert "Résumé quotidien" in digest_mail["Subject"] or "R=C3=A9sum" in digest_mail["Subject"]
    header = _check_headers(digest_mail)
    _check_headers(forum_mail)
    # The mail client's one-click POST, to the https URL of the header, without any cookie.
    https = next(part.strip(" <>") for part in header.split(",") if "http" in part)
    response = Client(enforce_csrf_checks=True).post(
        https.split("testserver")[-1].split("127.0.0.1:8000")[-1],
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert follows.rhythm_of(fw.staff_a, fw.rh) == Rhythm.NONE


@pytest.mark.django_db(transaction=True)
def test_a_refused_address_stops_after_three_tries(smtp_server, client_for, site_tree):
    from tests.subscriptions.conftest import build_everything

    world = build_everything(site_tree)
    person = world.forum.staff_a
    smtp_server.refuse.add(person.email)
    notifications.subscribe(person, topic=world.forum.public_topic)
    when = timezone.now()
    for i in range(3):
        Post = factories.Post
        post = Post.objects.create(
            topic=world.forum.public_topic, poster=world.forum.staff_b, subject="Re", content=f"{i}"
        )
        notifications.queue_post_emails(post)
        when += datetime.timedelta(hours=6)
        deliver_messages(now=when)
    row = RefusedAddress.objects.get(email=person.email)
    assert row.refusals >= 3 and row.stopped
    assert smtp_server.received == []
    # Nothing more is queued or sent to it; the others still get theirs.
    Post = factories.Post
    post = Post.objects.create(
        topic=world.forum.public_topic, poster=world.forum.staff_b, subject="Re", content="4"
    )
    before = Message.objects.filter(to=person.email).count()
    notifications.queue_post_emails(post)
    assert Message.objects.filter(to=person.email).count() == before
    page = client_for(person).get("/compte/abonnements/").content.decode()
    assert "Adresse refusée" in page and person.email in page


def test_a_recorded_bounce_counts_like_a_refusal(client_for, world):
    from outbox.delivery import record_refusal

    person = world.forum.staff_b
    record_refusal(person.email, "bounce: 550 mailbox unavailable")
    page = client_for(person).get("/compte/abonnements/").content.decode()
    assert "Adresse refusée 1 fois" in page
    record_refusal(person.email, "bounce")
    record_refusal(person.email, "bounce")
    assert (
        "nous n'y envoyons plus rien"
        in client_for(person).get("/compte/abonnements/").content.decode()
    )
    assert notifications.subscribe(person, topic=world.forum.public_topic)
    from outbox.delivery import enqueue

    assert enqueue(person.email, "Test", "Texte") is None
