"""« Mes abonnements »: everything followed, on one page, changed or stopped with one POST."""

import pytest
from django.urls import reverse

from forum.community import notifications
from forum.community.models import Subscription
from notices.models import Audience
from notices.models.pages import ensure_audiences
from subscriptions import follows
from subscriptions.models import Follow, Rhythm
from tests import factories

URL = "/compte/abonnements/"


def test_the_url_is_the_profile_one():
    assert reverse("subscriptions:page") == URL


def test_page_lists_every_follow_with_its_rhythm_and_is_private(client_for, world):
    ensure_audiences()
    person = world.forum.staff_a
    person.profile.followed_domains.add(world.forum.rh)  # an urgent-notice choice, as before
    person.profile.followed_audiences.add(Audience.objects.get(slug="rssi"))
    follows.follow(person, world.guide, Rhythm.DAILY)
    follows.follow(person, world.notice_source, Rhythm.WEEKLY)
    notifications.subscribe(person, forum=world.forum.rh_forum, frequency="daily")
    notifications.subscribe(person, topic=world.forum.public_topic)
    response = client_for(person).get(URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<h1>Mes abonnements</h1>" in html
    for shown in ("Guide de la paie", "Commission nationale informatique", "Forum RH",
                  "Paie à distance", "RSSI"):  # fmt: skip
        assert shown in html
    form = response.context["form"]
    assert form[f"domain-{world.forum.rh.pk}"].value() == Rhythm.IMMEDIATE
    assert form[f"domain-{world.forum.secu.pk}"].value() == Rhythm.NONE
    assert form[f"page-{world.guide.pk}"].value() == Rhythm.DAILY
    assert form[f"source-{world.notice_source.pk}"].value() == Rhythm.WEEKLY
    for label in ("immédiatement", "résumé quotidien", "résumé hebdomadaire", "jamais"):
        assert label in html


def test_one_post_changes_and_stops_everything(client_for, world):
    person = world.forum.staff_a
    person.profile.followed_domains.add(world.forum.rh)
    follows.follow(person, world.guide, Rhythm.DAILY)
    topic_sub = notifications.subscribe(person, topic=world.forum.public_topic)
    forum_sub = notifications.subscribe(person, forum=world.forum.rh_forum)
    client = client_for(person)
    data = {name: field.value() for name, field in client.get(URL).context["form"]._bound_items()}
    data.update(
        {
            f"domain-{world.forum.rh.pk}": "weekly",
            f"domain-{world.forum.secu.pk}": "daily",
            f"page-{world.guide.pk}": "none",
            f"topic-{topic_sub.pk}": "none",
            f"forum-{forum_sub.pk}": "weekly",
            "prefs-notify_mentions": "on",
        }
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    assert follows.rhythm_of(person, world.forum.rh) == Rhythm.WEEKLY
    assert follows.rhythm_of(person, world.forum.secu) == Rhythm.DAILY
    assert set(person.profile.followed_domains.all()) == {world.forum.rh, world.forum.secu}
    assert not Follow.objects.filter(user=person, page=world.guide).exists()
    assert Subscription.objects.get(pk=topic_sub.pk).frequency == "none"
    assert Subscription.objects.get(pk=forum_sub.pk).frequency == "weekly"
    assert not notifications.settings_for(person).auto_subscribe
    page = client.get(URL).content.decode()
    assert "Guide de la paie" not in page  # stopped: gone from the list
    # Stopping a domain on the page is stopping its urgent notices too (one place).
    data = {n: f.value() for n, f in client.get(URL).context["form"]._bound_items()}
    data[f"domain-{world.forum.rh.pk}"] = "none"
    client.post(URL, data)
    assert list(person.profile.followed_domains.all()) == [world.forum.secu]


def test_profile_form_choices_show_up_here(client_for, world):
    person = world.forum.staff_b
    client = client_for(person)
    client.post("/compte/profil/", {"job_title": "DRH", "followed_domains": [world.forum.secu.pk]})
    form = client.get(URL).context["form"]
    assert form[f"domain-{world.forum.secu.pk}"].value() == Rhythm.IMMEDIATE


def test_old_forum_page_redirects_permanently(client_for, world):
    response = client_for(world.forum.staff_a).get("/forum/mes-abonnements/")
    assert response.status_code == 301 and response["Location"] == URL


def test_anonymous_is_sent_to_sign_in_and_sees_nobody_s_follows(client, world):
    follows.follow(world.forum.staff_a, world.guide, Rhythm.DAILY)
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert client.post(URL, {f"page-{world.guide.pk}": "none"}).status_code == 302
    assert Follow.objects.filter(user=world.forum.staff_a, page=world.guide).exists()


def test_each_person_sees_and_changes_only_their_own(client_for, world):
    follows.follow(world.forum.staff_a, world.guide, Rhythm.DAILY)
    client = client_for(world.forum.staff_b)
    assert "Guide de la paie" not in client.get(URL).content.decode()
    data = {n: f.value() for n, f in client.get(URL).context["form"]._bound_items()}
    data[f"page-{world.guide.pk}"] = "none"  # not a field of theirs: ignored
    client.post(URL, data)
    assert Follow.objects.filter(user=world.forum.staff_a, page=world.guide).exists()


def test_a_private_forum_subscription_is_hidden_once_access_is_lost(client_for, world):
    person = world.forum.staff_a
    notifications.subscribe(person, forum=world.forum.private_forum, frequency="daily")
    assert "Échanges entre RSSI" in client_for(person).get(URL).content.decode()
    person.groups.remove(world.forum.rssi)
    assert "Échanges entre RSSI" not in client_for(person).get(URL).content.decode()
    # and nobody else ever sees it
    assert "Échanges entre RSSI" not in client_for(world.forum.staff_b).get(URL).content.decode()


def _follow_many(person, world, count):
    for i in range(count):
        domain = factories.DomainFactory(name=f"Domaine {i:02d}", slug=f"dom-{i:02d}")
        follows.follow(person, domain, Rhythm.DAILY)
        guide = factories.make_guide(world.site.guides, title=f"Guide {i:02d}", domain=domain)
        follows.follow(person, guide, Rhythm.WEEKLY)
        source = factories.SourceFactory(acronym=f"S{i:02d}", name=f"Source {i:02d}")
        follows.follow(person, source, Rhythm.DAILY)
        _cat, forum = factories.make_category_with_forum(f"Cat {i:02d}", f"Forum {i:02d}")
        notifications.subscribe(person, forum=forum, frequency="weekly")
        topic = factories.make_topic(forum, person, subject=f"Sujet {i:02d}")
        notifications.subscribe(person, topic=topic, frequency="daily")


@pytest.mark.parametrize("count", [2, 20])
def test_query_count_is_flat(client_for, world, django_assert_max_num_queries, count):
    from accounts import roles

    person = factories.make_user(roles.STAFF, username=f"suiveur-{count}")
    _follow_many(person, world, count)
    client = client_for(person)
    client.get(URL)  # warm the site-root cache like any later request
    with django_assert_max_num_queries(40):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Guide {count - 1:02d}" in html and f"Sujet {count - 1:02d}" in html
