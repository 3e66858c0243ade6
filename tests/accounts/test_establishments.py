"""/etablissements/: each establishment's contributions (experiences, accepted answers in
forums the reader may read, credited practices) and its listed contacts, with a contact form
that writes through the outbox without showing the address."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from machina.core.db.models import get_model

from accounts import roles
from accounts.models import Establishment, Profile
from forum.community.solutions import mark_solution
from kb.models import ExperienceSubmission
from outbox.models import Message
from tests import factories
from tests.search.conftest import make_private_forum

Post = get_model("forum_conversation", "Post")

pytestmark = pytest.mark.django_db


def credit_body(establishment):
    return json.dumps(
        [
            {
                "type": "testimony",
                "value": {"quote": "Cela a marché.", "establishment": establishment.pk},
            }
        ]
    )


def accepted_answer(forum, asker, answerer, subject):
    topic = factories.make_topic(forum, asker, subject=subject, content="Question ?")
    reply = Post.objects.create(topic=topic, poster=answerer, subject="Re", content="Réponse.")
    mark_solution(topic, reply, asker)
    return topic


def contribute(world, n):
    """``n`` of each contribution by the establishment's people."""
    e, member, asker = world["establishment"], world["member"], world["asker"]
    for i in range(n):
        accepted_answer(world["forum"], asker, member, f"Sujet public {world['tag']}{i}")
        factories.make_practice(
            world["guide"],
            title=f"Pratique {world['tag']}{i}",
            slug=f"pratique-{world['tag']}-{i}",
            body=credit_body(e),
        )
        ExperienceSubmission.objects.create(
            submitter=member,
            establishment=e,
            domain=world["domain"],
            title=f"Retour {world['tag']}{i}",
            context="c",
            actions="a",
            results="r",
            consent_to_publish=True,
            status=ExperienceSubmission.Status.ACCEPTED,
        )
        contact = factories.make_user(roles.STAFF, e, first_name=f"Contact{world['tag']}{i}")
        Profile.objects.filter(user=contact).update(listed_as_contact=True, contact_role="RH")


@pytest.fixture
def world(site_tree):
    e = factories.EstablishmentFactory(name="Université de Valmont", uai="0751717J")
    domain, forum = factories.make_domain_with_forum("Télétravail")
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail", domain=domain)
    member = factories.make_user(roles.STAFF, e, first_name="Camille", last_name="Martin")
    asker = factories.make_user(roles.STAFF, factories.EstablishmentFactory())
    insider = factories.make_user(roles.STAFF)
    private = make_private_forum([insider, asker, member])
    accepted_answer(private, asker, member, "Sujet réservé aux membres")
    accepted_answer(forum, asker, asker, "Réponse d'un autre établissement")
    listed = factories.make_user(roles.STAFF, e, first_name="Nadia", last_name="Lefèvre")
    Profile.objects.filter(user=listed).update(listed_as_contact=True, contact_role="Siham, paie")
    factories.make_user(roles.STAFF, e, first_name="Discret", last_name="Anonyme")
    return {
        "establishment": e,
        "domain": domain,
        "forum": forum,
        "guide": guide,
        "member": member,
        "asker": asker,
        "insider": insider,
        "listed": listed,
        "tag": "a",
    }


URL = "/etablissements/0751717j/"


def test_the_page_lists_contributions_and_listed_contacts(world, client):
    contribute(world, 1)
    html = client.get(URL).content.decode()
    assert "<h1>Université de Valmont</h1>" in html
    assert "Sujet public a0" in html  # accepted answer by a member, public forum
    assert "Pratique a0" in html  # credited by a testimony block
    assert "Retour a0" in html  # accepted experience, published with consent
    assert "Réponse d&#x27;un autre établissement" not in html
    assert "Nadia Lefèvre" in html and "Siham, paie" in html
    assert "Discret" not in html  # not opted in: not shown
    assert world["listed"].email not in html


def test_unpublished_or_unconsented_contributions_are_not_shown(world, client):
    page = factories.make_practice(
        world["guide"], title="Pratique retirée", body=credit_body(world["establishment"])
    )
    page.unpublish()
    ExperienceSubmission.objects.create(
        submitter=world["member"],
        establishment=world["establishment"],
        domain=world["domain"],
        title="Retour sans accord",
        context="c",
        actions="a",
        results="r",
        consent_to_publish=False,
        status=ExperienceSubmission.Status.ACCEPTED,
    )
    ExperienceSubmission.objects.create(
        submitter=world["member"],
        establishment=world["establishment"],
        domain=world["domain"],
        title="Retour en attente",
        context="c",
        actions="a",
        results="r",
        consent_to_publish=True,
    )
    html = client.get(URL).content.decode()
    assert "Pratique retirée" not in html
    assert "Retour sans accord" not in html and "Retour en attente" not in html


def test_private_forum_answer_is_listed_for_members_only(world, client_for):
    assert "Sujet réservé aux membres" not in client_for(None).get(URL).content.decode()
    outsider = factories.make_user(roles.STAFF)
    assert "Sujet réservé aux membres" not in client_for(outsider).get(URL).content.decode()
    assert "Sujet réservé aux membres" in client_for(world["insider"]).get(URL).content.decode()


def test_contact_is_hidden_once_the_person_opts_out(world, client_for):
    client = client_for(world["insider"])
    assert "Nadia Lefèvre" in client.get(URL).content.decode()
    profile = Profile.objects.get(user=world["listed"])
    contact_url = f"/etablissements/0751717j/ecrire/{profile.pk}/"
    assert client.get(contact_url).status_code == 200
    Profile.objects.filter(pk=profile.pk).update(listed_as_contact=False)
    assert "Nadia Lefèvre" not in client.get(URL).content.decode()
    response = client.get(contact_url)
    assert response.status_code == 404
    assert "pas (ou plus) proposée comme contact" in response.content.decode()
    unlisted = Profile.objects.get(user__first_name="Discret")
    assert client.get(f"/etablissements/0751717j/ecrire/{unlisted.pk}/").status_code == 404


def test_anonymous_page_is_publicly_cacheable_and_signed_in_page_is_private(world, client_for):
    anonymous = client_for(None).get(URL)
    assert anonymous.status_code == 200
    assert "public" in anonymous["Cache-Control"] and "s-maxage" in anonymous["Cache-Control"]
    assert not anonymous.cookies
    listing = client_for(None).get("/etablissements/")
    assert "public" in listing["Cache-Control"]
    signed_in = client_for(world["insider"]).get(URL)
    assert signed_in["Cache-Control"] == "private, no-store"


def test_query_count_is_flat(world, client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    contribute(world, 2)
    cache.clear()
    client.get(URL)  # warm the readable-forums cache
    few = queries()
    world["tag"] = "b"
    contribute(world, 18)
    cache.clear()
    client.get(URL)
    many = queries()
    html = client.get(URL).content.decode()
    assert "Sujet public b17" in html and "Pratique b17" in html and "Retour b17" in html
    assert few == many


def test_signed_in_person_writes_to_a_contact_without_seeing_the_address(world, client_for):
    profile = Profile.objects.get(user=world["listed"])
    url = f"/etablissements/0751717j/ecrire/{profile.pk}/"
    client = client_for(world["insider"])
    form = client.get(url).content.decode()
    assert world["listed"].email not in form
    response = client.post(url, {"subject": "Paie et Siham", "message": "Bonjour,\nUne question."})
    assert response.status_code == 302 and response.url == URL
    page = client.get(URL).content.decode()
    assert "Votre message est envoyé à Nadia Lefèvre." in page
    assert world["listed"].email not in page
    message = Message.objects.get(to=world["listed"].email)
    assert "Paie et Siham" in message.subject
    assert "Une question." in message.body_text
    assert message.headers["Reply-To"] == world["insider"].email


def test_anonymous_visitor_cannot_write_and_sees_no_form_link(world, client_for):
    profile = Profile.objects.get(user=world["listed"])
    url = f"/etablissements/0751717j/ecrire/{profile.pk}/"
    anonymous = client_for(None)
    response = anonymous.post(url, {"subject": "S", "message": "M"})
    assert response.status_code == 302 and response.url.startswith("/compte/connexion/")
    assert not Message.objects.filter(to=world["listed"].email).exists()
    assert url not in anonymous.get(URL).content.decode()
    assert url in client_for(world["insider"]).get(URL).content.decode()


def test_contact_messages_are_rate_limited_per_writer(world, client_for, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "establishment_contact": "2/h/user",
    }
    cache.clear()
    profile = Profile.objects.get(user=world["listed"])
    url = f"/etablissements/0751717j/ecrire/{profile.pk}/"
    client = client_for(world["insider"])
    for i in range(2):
        assert client.post(url, {"subject": f"S{i}", "message": "M"}).status_code == 302
    refused = client.post(url, {"subject": "Encore", "message": "Mon long message"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "réessayez dans une heure" in html and "Mon long message" in html
    assert Message.objects.filter(to=world["listed"].email).count() == 2
    # Another writer is not held back.
    other = client_for(world["asker"])
    assert other.post(url, {"subject": "S", "message": "M"}).status_code == 302


def test_list_filters_by_name_kind_and_region(world, client):
    factories.EstablishmentFactory(
        name="École des Mines d'Alès", kind=Establishment.Kind.SCHOOL, region="Occitanie"
    )
    html = client.get("/etablissements/", {"type": "ecole"}).content.decode()
    assert "École des Mines" in html and "Université de Valmont" not in html
    html = client.get("/etablissements/", {"region": "Occitanie"}).content.decode()
    assert "École des Mines" in html and "Université de Valmont" not in html
    html = client.get("/etablissements/", {"q": "valmont"}).content.decode()
    assert "Université de Valmont" in html and "École des Mines" not in html
    assert 'href="/etablissements/0751717j/"' in html
    assert client.get("/etablissements/", {"type": "nimporte"}).status_code == 200


def test_unknown_establishment_is_404_and_upper_case_redirects(world, client):
    assert client.get("/etablissements/0000000Z/").status_code == 404
    response = client.get("/etablissements/0751717J/")
    assert response.status_code == 301 and response.url == URL


def test_establishment_is_linked_from_the_profile_and_the_testimony(world, client_for):
    profile = client_for(world["member"]).get("/compte/profil/").content.decode()
    assert f'href="{URL}"' in profile
    page = factories.make_practice(
        world["guide"], title="Pratique citée", body=credit_body(world["establishment"])
    )
    assert f'href="{URL}"' in client_for(None).get(page.url).content.decode()
