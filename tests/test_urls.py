"""Each public URL answers, and each protected one answers only to the right people."""

import re

import pytest

from accounts import roles
from tests import factories

PUBLIC = [
    "/",
    "/guides/",
    "/actualites/",
    "/forum/",
    "/recherche/",
    "/recherche/?q=vpn",
    "/compte/connexion/",
    "/compte/deconnexion/",
    "/mentions-legales/",
    "/accessibilite/",
    "/donnees-personnelles/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_answer_anonymous_readers(client, site_tree, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'href="#contenu"' in html
    assert '<main id="contenu"' in html


@pytest.mark.django_db
def test_wagtail_admin_for_editors_and_officers_only(client_for, site_tree, staff_user, editor):
    domain, _forum = factories.make_domain_with_forum("Sécurité SI")
    officer = factories.make_officer(domain)
    assert client_for(None).get("/admin/").status_code == 302
    refused = client_for(staff_user).get("/admin/")
    assert refused.status_code == 302
    assert "/admin/login/" in refused["Location"]
    assert client_for(editor).get("/admin/").status_code == 200
    assert client_for(officer).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_django_admin_for_administrators_only(client_for, administrator, editor):
    assert client_for(administrator).get("/django-admin/").status_code == 200
    assert client_for(administrator).get("/django-admin/forum/forum/").status_code == 200
    assert client_for(editor).get("/django-admin/").status_code == 302
    assert client_for(None).get("/django-admin/").status_code == 302


@pytest.mark.django_db
def test_sign_in_and_sign_out(client, site_tree):
    user = factories.make_user(roles.STAFF, first_name="Camille", last_name="Martin")
    response = client.post(
        "/compte/connexion/",
        {"login": user.username, "password": factories.PASSWORD, "next": "/guides/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/guides/"
    html = client.get("/").content.decode()
    assert "Camille Martin" in html
    assert "Personnel d&#x27;établissement" in html or "Personnel d'établissement" in html
    # A GET never signs anyone out: it asks for confirmation.
    confirm = client.get("/compte/deconnexion/")
    assert confirm.status_code == 200
    assert "Camille Martin" in client.get("/").content.decode()
    client.post("/compte/deconnexion/")
    assert "Camille Martin" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_a_french_error_and_keeps_the_username(client, site_tree):
    user = factories.make_user(roles.STAFF)
    response = client.post("/compte/connexion/", {"login": user.username, "password": "non"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Identifiant ou mot de passe incorrect" in html
    assert f'value="{user.username}"' in html


@pytest.mark.django_db
def test_search_page_finds_published_pages(client, site_tree, django_capture_on_commit_callbacks):
    # The index is updated once the publishing transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_practice(
            site_tree.guides,
            title="Dimensionner le VPN",
            intro="Accès distant au système d'information",
        )
        factories.make_practice(site_tree.guides, title="Tenir le registre")
    html = client.get("/recherche/", {"q": "VPN"}).content.decode()
    text = re.sub(r"<[^>]+>", "", html)  # matched words are highlighted with <mark>
    assert "Dimensionner le VPN" in text
    assert "Tenir le registre" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ['"VPN', "AND OR NOT", "*?():~^[]{}-", "\x00\x01vpn", "x" * 10_000, "   "],
)
def test_search_never_fails_on_odd_queries(client, site_tree, query):
    response = client.get("/recherche/", {"q": query, "page": "999"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_machina_forum_search_goes_to_the_site_search(client):
    response = client.get("/forum/search/", {"q": "VPN télétravail"})
    assert response.status_code == 302
    assert response["Location"].startswith("/recherche/?")
    assert "type=forum" in response["Location"]
    assert "q=VPN+t%C3%A9l%C3%A9travail" in response["Location"]


@pytest.mark.django_db
def test_every_asset_is_served_by_the_site(client, site_tree):
    import re

    html = client.get("/").content.decode() + client.get("/forum/").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert [url for url in external if "/static/" in url or url.endswith((".css", ".js"))] == []
