"""One digest per person and period: what a followed domain brings, never what cannot be read,
never empty, once per period, with flat query counts."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from machina.core.db.models import get_model
from wagtail.models import PageViewRestriction

from forum.community import notifications
from outbox.delivery import deliver_messages
from outbox.models import Message
from subscriptions import digest, follows
from subscriptions.models import DigestRun, Rhythm
from tests import factories
from tests.subscriptions.conftest import body, publish_change, soon

Post = get_model("forum_conversation", "Post")


def digests_to(user):
    deliver_messages()
    return [m for m in mail.outbox if m.to == [user.email] and "Résumé" in m.subject]


def test_a_followed_domain_brings_guides_notices_and_new_topics(world):
    fw = world.forum
    reader = fw.staff_a
    follows.follow(reader, fw.rh, Rhythm.DAILY)
    publish_change(world.guide, note="Nouveau barème 2027", body=body("<p>Barème.</p>"))
    publish_change(world.guide, note="Coquille", minor=True, body=body("<p>Barème !</p>"))
    publish_change(world.other_guide, note="Mots de passe longs")  # another domain
    factories.make_notice(world.site.notices, title="Prélèvement à la source", domains=[fw.rh])
    factories.make_notice(world.site.notices, title="Faille VPN", domains=[fw.secu])
    factories.make_topic(fw.rh_forum, fw.staff_b, subject="Télétravail des gestionnaires")
    Post.objects.create(topic=fw.public_topic, poster=fw.staff_b, subject="Re", content="Réponse")
    assert digest.send(Rhythm.DAILY, soon()) == 1
    [message] = digests_to(reader)
    text = message.body
    assert "== RH ==" in text
    assert "Guide de la paie – Nouveau barème 2027" in text and "Coquille" not in text
    assert "Prélèvement à la source" in text and "Faille VPN" not in text
    assert "Télétravail des gestionnaires" in text
    assert "Paie à distance" not in text  # a reply: only for followed topics
    assert "Mots de passe longs" not in text
    assert "http://" in text or "https://" in text
    html = message.alternatives[0][0]
    assert "<h2>RH</h2>" in html and "Guide de la paie" in html


def test_not_following_brings_nothing(world):
    fw = world.forum
    follows.follow(fw.staff_a, fw.secu, Rhythm.DAILY)
    publish_change(world.guide, note="Nouveau barème 2027")
    factories.make_topic(fw.rh_forum, fw.staff_b, subject="Télétravail")
    assert digest.send(Rhythm.DAILY, soon()) == 0  # never empty
    assert digests_to(fw.staff_a) == []


def test_followed_topic_replies_come_grouped_by_domain(world):
    fw = world.forum
    notifications.subscribe(fw.staff_a, topic=fw.public_topic, frequency="weekly")
    follows.follow(fw.staff_a, world.other_guide, Rhythm.WEEKLY)
    Post.objects.create(topic=fw.public_topic, poster=fw.staff_b, subject="Re", content="R1")
    Post.objects.create(topic=fw.public_topic, poster=fw.staff_b, subject="Re", content="R2")
    Post.objects.create(topic=fw.public_topic, poster=fw.staff_a, subject="Re", content="Moi")
    publish_change(world.other_guide, note="Mots de passe longs")
    assert digest.send(Rhythm.DAILY, soon()) == 0  # weekly follows stay out of the daily one
    assert digest.send(Rhythm.WEEKLY, soon()) == 1
    [message] = digests_to(fw.staff_a)
    assert "hebdomadaire" in message.subject
    text = message.body
    assert "Paie à distance (Forum RH) – 2 nouveaux messages" in text  # not their own
    assert text.index("== RH ==") < text.index("== Sécurité SI ==")


def test_never_what_the_reader_can_no_longer_read(world):
    fw = world.forum
    reader = fw.staff_a
    notifications.subscribe(reader, forum=fw.private_forum, frequency="daily")
    follows.follow(reader, world.guide, Rhythm.DAILY)
    Post.objects.create(topic=fw.private_topic, poster=fw.staff_b, subject="Re", content="Secret")
    publish_change(world.guide, note="Note confidentielle")
    # Readable: both come.
    [entry] = [d for d in digest.build(Rhythm.DAILY, soon()) if d[0] == reader]
    assert "Incident confidentiel XZ" in str(entry[1]) and "Guide de la paie" in str(entry[1])
    # The reader leaves the private group; the guide is restricted: neither comes.
    reader.groups.remove(fw.rssi)
    PageViewRestriction.objects.create(page=world.guide, restriction_type="login")
    assert digest.send(Rhythm.DAILY, soon()) == 0
    # Unpublished: the same.
    PageViewRestriction.objects.all().delete()
    world.guide.unpublish()
    assert digest.send(Rhythm.DAILY, soon()) == 0
    assert digests_to(reader) == []


def test_twice_in_a_period_sends_one(world):
    fw = world.forum
    follows.follow(fw.staff_a, fw.rh, Rhythm.DAILY)
    publish_change(world.guide, note="Nouveau barème 2027")
    call_command("send_digests", stdout=__import__("io").StringIO())
    call_command("send_digests", stdout=__import__("io").StringIO())
    assert digest.send(Rhythm.DAILY, soon()) == 0
    assert len(digests_to(fw.staff_a)) == 1
    assert DigestRun.objects.filter(user=fw.staff_a, period="daily").count() == 1
    assert Message.objects.filter(to=fw.staff_a.email, subject__contains="Résumé").count() == 1
    # The next day is another period (and nothing is new then: still nothing).
    tomorrow = timezone.now() + datetime.timedelta(days=1, hours=1)
    assert digest.send(Rhythm.DAILY, tomorrow) == 0


def test_dry_run_shows_and_sends_nothing(world):
    import io

    fw = world.forum
    follows.follow(fw.staff_a, fw.rh, Rhythm.DAILY)
    publish_change(world.guide, note="Nouveau barème 2027")
    out = io.StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    assert "agent-a" in out.getvalue() and "RH" in out.getvalue()
    assert "prêts à partir : 1" in out.getvalue()
    assert not Message.objects.filter(subject__contains="Résumé").exists()


def _world_of(world, count):
    from accounts import roles

    fw = world.forum
    people = [factories.make_user(roles.STAFF, username=f"lecteur-{i}") for i in range(count)]
    for person in people:
        follows.follow(person, fw.rh, Rhythm.DAILY)
        notifications.subscribe(person, topic=fw.public_topic, frequency="daily")
    for i in range(count):
        factories.make_topic(fw.rh_forum, fw.staff_b, subject=f"Sujet {i}")
        factories.make_notice(world.site.notices, title=f"Avis {i}", domains=[fw.rh])
        Post.objects.create(topic=fw.public_topic, poster=fw.staff_b, subject="Re", content="R")
    publish_change(world.guide, note="Nouveau barème 2027")
    return people


@pytest.mark.parametrize("count", [2, 20])
def test_digest_query_count_is_flat(world, django_assert_max_num_queries, count):
    people = _world_of(world, count)
    when = soon()
    with django_assert_max_num_queries(45):
        assert digest.send(Rhythm.DAILY, when) == count
    deliver_messages()
    sample = [m for m in mail.outbox if m.to == [people[-1].email]]
    assert sample and f"Sujet {count - 1}" in sample[0].body
