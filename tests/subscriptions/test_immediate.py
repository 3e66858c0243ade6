"""Follows at the rhythm « immédiatement »: a guide page's published change (not a minor one)
and a notice are emailed at once to who follows them, once, never to who cannot read them, never
to the editor who published, with the stop link and the RFC 8058 headers."""

import pytest
from django.core import mail
from wagtail.models import PageViewRestriction

from notices.models import Audience
from notices.models.pages import ensure_audiences
from outbox.delivery import deliver_messages
from outbox.models import Message, RefusedAddress
from subscriptions import follows, immediate
from subscriptions.models import Rhythm
from tests import factories
from tests.subscriptions.conftest import body
from tests.subscriptions.test_emails import _check_headers, smtp_port, smtp_server  # noqa: F401


def received_by(user, word):
    deliver_messages()
    return [m for m in mail.outbox if m.to == [user.email] and word in m.subject]


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish a change of a page as ``user``, running what waits for the commit (the tasks)."""

    def publish(page, note="", minor=False, user=None, **fields):
        page = page.specific_class.objects.get(pk=page.pk)
        for name, value in fields.items():
            setattr(page, name, value)
        page.update_note, page.minor_change = note, minor
        with django_capture_on_commit_callbacks(execute=True):
            revision = page.save_revision(user=user)
            revision.publish(user=user)
        return revision

    return publish


@pytest.fixture
def publish_notice(django_capture_on_commit_callbacks, world):
    def publish_notice(title, user=None, **kwargs):
        from notices.models import NoticePage

        kwargs.setdefault("source", world.notice_source)
        domains = kwargs.pop("domains", [])
        audiences = kwargs.pop("audiences", [])
        notice = NoticePage(
            title=title,
            slug=title.lower().replace(" ", "-"),
            original_published_at=__import__("datetime").date(2026, 11, 1),
            summary="Ce qui change pour les établissements.",
            live=False,
            **kwargs,
        )
        world.site.notices.add_child(instance=notice)
        notice.domains.set(domains)
        notice.audiences.set(audiences)
        with django_capture_on_commit_callbacks(execute=True):
            notice.save_revision(user=user).publish(user=user)
        return notice

    return publish_notice


def test_guide_change_goes_at_once_to_who_follows_its_domain_or_the_page(world, publish):
    fw = world.forum
    by_domain, by_page, daily = fw.staff_a, fw.staff_b, fw.officer_rh
    follows.follow(by_domain, fw.rh)  # « immédiatement »: the profile's domain, no rhythm row
    follows.follow(by_page, world.guide, Rhythm.IMMEDIATE)
    follows.follow(daily, fw.rh, Rhythm.DAILY)  # the digest brings it, not an email now
    follows.follow(fw.officer_secu, fw.secu)  # another domain
    publish(world.guide, note="Nouveau barème 2027", body=body("<p>Barème.</p>"))
    [to_domain] = received_by(by_domain, "Guide mis à jour")
    assert to_domain.subject == "[Passerelle] Guide mis à jour : Guide de la paie"
    assert "Nouveau barème 2027" in to_domain.body
    assert f"http://testserver{world.guide.url}" in to_domain.body
    assert "/compte/abonnements/arreter/" in to_domain.body
    assert to_domain.alternatives and "Nouveau barème 2027" in to_domain.alternatives[0][0]
    assert len(received_by(by_page, "Guide mis à jour")) == 1
    assert received_by(daily, "Guide mis à jour") == []
    assert received_by(fw.officer_secu, "Guide mis à jour") == []
    assert follows.rhythm_of(daily, fw.rh) == Rhythm.DAILY  # untouched


def test_the_stop_link_names_the_follow_that_brought_it(world, publish):
    from django.test import Client

    fw = world.forum
    follows.follow(fw.staff_b, world.site.guides)  # the guide index: every guide
    publish(world.guide, note="Nouveau barème 2027")
    [message] = received_by(fw.staff_b, "Guide mis à jour")
    header = message.extra_headers["List-Unsubscribe"]
    url = header.split("<", 1)[1].split(">", 1)[0].split("testserver", 1)[1]
    asked = Client().get(url).content.decode()
    assert f"le guide « {world.site.guides.title} »" in asked
    Client().post(url, {"List-Unsubscribe": "One-Click"})
    assert follows.rhythm_of(fw.staff_b, world.site.guides) == Rhythm.NONE


def test_minor_change_and_unfollowed_send_nothing(world, publish):
    fw = world.forum
    follows.follow(fw.staff_a, fw.rh)
    publish(world.guide, note="Coquille", minor=True, body=body("<p>Barème !</p>"))
    assert received_by(fw.staff_a, "Guide mis à jour") == []
    publish(world.other_guide, note="Mots de passe longs")  # a domain they do not follow
    assert received_by(fw.staff_a, "Guide mis à jour") == []
    assert not Message.objects.filter(subject__contains="Guide mis à jour").exists()


def test_restricted_page_sends_nothing_public_one_does(world, publish):
    fw = world.forum
    follows.follow(fw.staff_a, fw.rh)
    follows.follow(fw.staff_b, world.guide, Rhythm.IMMEDIATE)
    restriction = PageViewRestriction.objects.create(
        page=world.guide, restriction_type=PageViewRestriction.LOGIN
    )
    publish(world.guide, note="Barème confidentiel")
    assert received_by(fw.staff_a, "Guide mis à jour") == []
    assert received_by(fw.staff_b, "Guide mis à jour") == []
    restriction.delete()
    publish(world.guide, note="Barème public")
    assert len(received_by(fw.staff_a, "Guide mis à jour")) == 1


def test_never_to_the_editor_who_published_nor_a_refused_address(world, publish):
    fw = world.forum
    for person in (fw.editor, fw.staff_a, fw.staff_b):
        follows.follow(person, fw.rh)
    RefusedAddress.objects.create(email=fw.staff_b.email.upper(), refusals=3)
    publish(world.guide, note="Nouveau barème 2027", user=fw.editor)
    assert received_by(fw.editor, "Guide mis à jour") == []
    assert received_by(fw.staff_b, "Guide mis à jour") == []
    assert len(received_by(fw.staff_a, "Guide mis à jour")) == 1


def test_publishing_the_same_revision_again_sends_once(
    world, publish, django_capture_on_commit_callbacks
):
    fw = world.forum
    follows.follow(fw.staff_a, fw.rh)
    revision = publish(world.guide, note="Nouveau barème 2027")
    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()
    assert immediate.notify_page_update(world.guide.pk, revision.pk) == 0  # a task run twice
    assert len(received_by(fw.staff_a, "Guide mis à jour")) == 1
    # A new revision with its note is another email.
    publish(world.guide, note="Barème rectifié")
    assert len(received_by(fw.staff_a, "Guide mis à jour")) == 2


def test_notice_goes_to_who_follows_its_source_domain_or_audience(world, publish_notice):
    ensure_audiences()
    fw = world.forum
    rssi = Audience.objects.get(slug="rssi")
    by_source, by_domain, by_audience = fw.staff_a, fw.staff_b, fw.officer_rh
    follows.follow(by_source, world.notice_source, Rhythm.IMMEDIATE)
    follows.follow(by_domain, fw.rh)
    follows.follow(by_audience, rssi)
    follows.follow(fw.officer_secu, world.notice_source, Rhythm.WEEKLY)
    follows.follow(fw.administrator, fw.rh, Rhythm.DAILY)
    notice = publish_notice("Prélèvement à la source", domains=[fw.rh], audiences=[rssi],
                            user=fw.editor)  # fmt: skip
    for person in (by_source, by_domain, by_audience):
        [message] = received_by(person, "Prélèvement")
        assert message.subject == "[Passerelle] CNIL : Prélèvement à la source"
        assert f"http://testserver{notice.url}" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received_by(fw.officer_secu, "Prélèvement") == []
    assert received_by(fw.administrator, "Prélèvement") == []
    # An edit of the notice, published again, sends nothing more.
    notice.title = "Prélèvement à la source (mise à jour)"
    notice.save_revision().publish()
    assert immediate.notify_notice(notice.pk) == 0
    assert len(received_by(by_source, "Prélèvement")) == 1


def test_urgent_notice_is_not_sent_twice(world, publish_notice):
    fw = world.forum
    follows.follow(fw.staff_a, fw.secu)  # the urgent alert reaches them
    follows.follow(fw.staff_b, world.notice_source, Rhythm.IMMEDIATE)  # only this email does
    publish_notice("Faille critique VPN", domains=[fw.secu], priority="urgent",
                   impact="<p>Appliquer le correctif.</p>")  # fmt: skip
    deliver_messages()
    to_a = [m for m in mail.outbox if m.to == [fw.staff_a.email]]
    assert [m.subject for m in to_a] == ["[Urgent] CNIL : Faille critique VPN"]
    assert [m.subject for m in mail.outbox if m.to == [fw.staff_b.email]] == [
        "[Passerelle] CNIL : Faille critique VPN"
    ]


def test_restricted_notice_sends_nothing(world, publish_notice, django_capture_on_commit_callbacks):
    fw = world.forum
    follows.follow(fw.staff_a, world.notice_source, Rhythm.IMMEDIATE)
    PageViewRestriction.objects.create(
        page=world.site.notices, restriction_type=PageViewRestriction.LOGIN
    )
    publish_notice("Avis réservé")
    assert received_by(fw.staff_a, "Avis réservé") == []


@pytest.mark.parametrize("count", [2, 20])
def test_query_count_is_flat_in_the_number_of_followers(
    world, django_assert_max_num_queries, count
):
    from accounts import roles

    fw = world.forum
    people = [factories.make_user(roles.STAFF, username=f"lecteur-{i}") for i in range(count)]
    for i, person in enumerate(people):
        if i % 2:
            follows.follow(person, fw.rh)
        else:
            follows.follow(person, world.guide, Rhythm.IMMEDIATE)
            follows.follow(person, world.notice_source, Rhythm.IMMEDIATE)
    page = world.guide.specific_class.objects.get(pk=world.guide.pk)
    page.update_note = "Nouveau barème 2027"
    revision = page.save_revision()
    revision.publish()  # outside a captured commit: the task is run by hand below
    notice = factories.make_notice(world.site.notices, title="Avis RH", source=world.notice_source,
                                   domains=[fw.rh])  # fmt: skip
    # The same bound for 2 and for 20 followers (12 and 14 queries measured with both).
    with django_assert_max_num_queries(12):
        assert immediate.notify_page_update(world.guide.pk, revision.pk) == count
    with django_assert_max_num_queries(14):
        assert immediate.notify_notice(notice.pk) == count
    assert len(received_by(people[-1], "Guide mis à jour")) == 1


@pytest.mark.django_db(transaction=True)
def test_headers_on_a_real_smtp_server(smtp_server, site_tree):  # noqa: F811
    from django.test import Client

    from tests.subscriptions.conftest import build_everything

    world = build_everything(site_tree)
    follows.follow(world.forum.staff_a, world.forum.rh)
    page = world.guide.specific_class.objects.get(pk=world.guide.pk)
    page.update_note = "Nouveau barème 2027"
    page.save_revision().publish()  # committed at once: the task runs, then the delivery
    [received] = [m for m in smtp_server.received if m["To"] == world.forum.staff_a.email]
    header = _check_headers(received)
    url = header.split("<", 1)[1].split(">", 1)[0].split("testserver", 1)[1]
    assert (
        Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert follows.rhythm_of(world.forum.staff_a, world.forum.rh) == Rhythm.NONE
