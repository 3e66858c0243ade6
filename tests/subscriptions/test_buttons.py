"""Follow / unfollow buttons on a domain's page, a guide page and a notice's source."""

from wagtail.models import PageViewRestriction

from subscriptions import follows
from subscriptions.models import Rhythm
from tests import factories


def test_anonymous_gets_a_sign_in_link_and_the_page_stays_public(client, world):
    response = client.get(f"/guides/domaine/{world.forum.rh.slug}/")
    html = response.content.decode()
    assert "Suivre le domaine « RH »" in html and "/compte/connexion/?next=" in html
    assert "csrfmiddlewaretoken" not in html and "Set-Cookie" not in str(response.headers)
    assert response["Cache-Control"].startswith("public")


def test_follow_then_unfollow_a_domain(client_for, world):
    person = world.forum.staff_a
    client = client_for(person)
    page = f"/guides/domaine/{world.forum.rh.slug}/"
    assert "Suivre le domaine « RH »" in client.get(page).content.decode()
    url = f"/compte/abonnements/suivre/domain/{world.forum.rh.pk}/"
    response = client.post(url, {"rhythm": "weekly", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert follows.rhythm_of(person, world.forum.rh) == Rhythm.WEEKLY
    assert world.forum.rh in person.profile.followed_domains.all()  # urgent notices too
    html = client.get(page).content.decode()
    assert "Vous suivez le domaine « RH » (résumé hebdomadaire)" in html
    assert "private" in client.get(page)["Cache-Control"]
    client.post(url, {"action": "unfollow", "next": page})
    assert follows.rhythm_of(person, world.forum.rh) == Rhythm.NONE
    assert not person.profile.followed_domains.exists()


def test_follow_a_guide_and_a_notice_source(client_for, world):
    person = world.forum.staff_b
    client = client_for(person)
    assert "Suivre le guide « Guide de la paie »" in client.get(world.guide.url).content.decode()
    client.post(f"/compte/abonnements/suivre/page/{world.guide.pk}/", {"rhythm": "daily"})
    assert follows.rhythm_of(person, world.guide) == Rhythm.DAILY
    notice = factories.make_notice(
        world.site.notices, title="Avis CNIL", source=world.notice_source
    )
    html = client.get(notice.url).content.decode()
    assert "Suivre les actualités de « Commission nationale informatique »" in html
    client.post(f"/compte/abonnements/suivre/source/{world.notice_source.pk}/", {})
    assert follows.rhythm_of(person, world.notice_source) == Rhythm.IMMEDIATE


def test_refused_sides(client, client_for, world):
    url = f"/compte/abonnements/suivre/page/{world.guide.pk}/"
    # Anonymous: to sign-in, nothing followed.
    assert client.post(url).status_code == 302
    person = world.forum.staff_a
    signed_in = client_for(person)
    # A GET does not follow; a restricted page, a notice page or a bad kind cannot be followed.
    assert signed_in.get(url).status_code == 405
    PageViewRestriction.objects.create(page=world.guide, restriction_type="login")
    assert signed_in.post(url).status_code == 404
    assert (
        signed_in.post(f"/compte/abonnements/suivre/page/{world.site.notices.pk}/").status_code
        == 404
    )
    assert (
        signed_in.post(
            f"/compte/abonnements/suivre/topic/{world.forum.public_topic.pk}/"
        ).status_code
        == 404
    )
    assert follows.rhythm_of(person, world.guide) == Rhythm.NONE
    # An outside "next" is not followed.
    response = signed_in.post(
        f"/compte/abonnements/suivre/domain/{world.forum.rh.pk}/",
        {"next": "https://ailleurs.example/"},
    )
    assert response["Location"] == "/compte/abonnements/"
    # A rhythm outside the list: a French message, nothing saved.
    signed_in.post(f"/compte/abonnements/suivre/domain/{world.forum.secu.pk}/", {"rhythm": "x"})
    assert follows.rhythm_of(person, world.forum.secu) == Rhythm.NONE
