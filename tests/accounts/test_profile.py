"""/compte/profil/: a person chooses the domains and audiences whose urgent notices they get."""

import pytest
from django.contrib.auth import get_user_model

from accounts import roles
from accounts.models import Profile
from notices.models import Audience
from notices.models.pages import ensure_audiences
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/compte/profil/"


@pytest.fixture
def audiences(db):
    ensure_audiences()
    return {a.slug: a for a in Audience.objects.all()}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/compte/connexion/?next=/compte/profil/")


def test_a_person_follows_audiences_and_domains_from_the_public_site(
    client_for, staff_user, audiences
):
    security, _forum = factories.make_domain_with_forum("Sécurité SI")
    client = client_for(staff_user)
    page = client.get(URL).content.decode()
    assert "<h1>Mon profil</h1>" in page
    assert 'href="/compte/profil/"' in page  # the header links to it
    assert "<legend>Publics suivis</legend>" in page
    response = client.post(
        URL,
        {
            "job_title": "RSSI",
            "followed_audiences": [audiences["rssi"].pk],
            "followed_domains": [security.pk],
        },
        follow=True,
    )
    assert "Votre profil est enregistré." in response.content.decode()
    profile = Profile.objects.get(user=staff_user)
    assert profile.job_title == "RSSI"
    assert list(profile.followed_audiences.all()) == [audiences["rssi"]]
    assert list(profile.followed_domains.all()) == [security]
    # Unchecking everything unfollows.
    client.post(URL, {"job_title": "RSSI"})
    assert not profile.followed_audiences.exists() and not profile.followed_domains.exists()


def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    client_for, staff_user, audiences
):
    response = client_for(staff_user).post(
        URL, {"job_title": "x" * 151, "followed_audiences": ["999999"]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "150 caractères au plus" in page
    assert "999999" in page and "choix valide" in page
    assert 'value="' + "x" * 151 + '"' in page
    assert not Profile.objects.get(user=staff_user).job_title


def test_an_account_without_a_profile_gets_one(client_for, audiences):
    user = get_user_model().objects.create_user("sans-profil", password="x")
    assert client_for(user).get(URL).status_code == 200
    assert Profile.objects.filter(user=user).exists()


def test_each_person_edits_only_their_own_profile(client_for, audiences):
    alice = factories.make_user(roles.STAFF)
    bob = factories.make_user(roles.STAFF)
    client_for(alice).post(URL, {"job_title": "DPO"})
    assert Profile.objects.get(user=alice).job_title == "DPO"
    assert Profile.objects.get(user=bob).job_title == ""


def test_a_person_chooses_to_be_listed_as_their_establishments_contact(client_for):
    establishment = factories.EstablishmentFactory(name="Université de Valmont", uai="0751717J")
    person = factories.make_user(roles.STAFF, establishment, first_name="Nadia", last_name="Roux")
    client = client_for(person)
    page = client.get(URL).content.decode()
    assert "Me proposer comme contact de mon établissement" in page
    assert 'href="/etablissements/0751717j/"' in page  # the establishment links to its page
    reader = client_for(None)
    assert "Nadia Roux" not in reader.get("/etablissements/0751717j/").content.decode()
    client.post(URL, {"job_title": "DRH", "listed_as_contact": "on", "contact_role": "  Paie  "})
    profile = Profile.objects.get(user=person)
    assert profile.listed_as_contact and profile.contact_role == "Paie"
    listed = reader.get("/etablissements/0751717j/").content.decode()
    assert "Nadia Roux" in listed and "Paie" in listed
    # Unticking the box takes the person off the page.
    client.post(URL, {"job_title": "DRH", "contact_role": "Paie"})
    assert not Profile.objects.get(user=person).listed_as_contact
    assert "Nadia Roux" not in reader.get("/etablissements/0751717j/").content.decode()
