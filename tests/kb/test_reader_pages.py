"""What a reader sees around the content: anchors and table of contents, listings, forms'
accessibility on the pages that need a sign-in."""

import itertools

import pytest

from accounts import roles
from kb.toc import add_heading_anchors
from tests import factories
from tests.test_accessibility import outline


def test_headings_get_stable_unique_anchors_and_a_toc():
    html, toc = add_heading_anchors(
        "<h2>Cadre et règles</h2><p>x</p><h3>Un point d'équipe</h3><h2>Cadre et règles</h2>"
        "<h5>Ignoré</h5>"
    )
    assert '<h2 id="cadre-et-regles">Cadre et règles</h2>' in html
    assert '<h3 id="un-point-dequipe">' in html
    assert '<h2 id="cadre-et-regles-2">' in html
    assert [(e.level, e.anchor) for e in toc] == [
        (2, "cadre-et-regles"),
        (3, "un-point-dequipe"),
        (2, "cadre-et-regles-2"),
    ]
    again, _toc = add_heading_anchors(
        "<h2>Cadre et règles</h2><p>x</p><h3>Un point d'équipe</h3><h2>Cadre et règles</h2>"
    )
    assert 'id="cadre-et-regles"' in again  # same text, same anchor


@pytest.mark.django_db
def test_practice_page_shows_toc_breadcrumbs_related_and_tags(client, site_tree):
    domain = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    guide = factories.make_guide(site_tree.guides, title="Guide sécurité", domain=domain)
    page = factories.make_practice(
        guide,
        title="Chiffrer les postes",
        domain=domain,
        body=[{"type": "rich_text", "value": "<h2>Pourquoi</h2><p>x</p><h2>Comment</h2>"}],
    )
    page.tags.add("poste de travail")
    page.save_revision().publish()
    related = factories.make_practice(site_tree.guides, title="Mises à jour", domain=domain)
    other = factories.make_practice(site_tree.guides, title="Hors sujet")
    html = client.get(page.url).content.decode()
    assert '<a href="#pourquoi">Pourquoi</a>' in html and '<h2 id="comment">' in html
    assert 'class="breadcrumbs"' in html and ">Guide sécurité</a>" in html
    assert related.title in html and other.title not in html
    assert 'href="/guides/mot-cle/poste-de-travail/"' in html
    assert "Discuter de cette pratique" in html


@pytest.mark.django_db
def test_listing_per_domain_and_per_tag(client, site_tree):
    domain = factories.DomainFactory(name="Finances", slug="finances")
    inside = factories.make_practice(site_tree.guides, title="Factures", domain=domain)
    inside.tags.add("chorus")
    inside.save_revision().publish()
    factories.make_practice(site_tree.guides, title="Autre chose")
    draft = factories.make_practice(site_tree.guides, title="Brouillon", domain=domain)
    draft.unpublish()
    html = client.get("/guides/domaine/finances/").content.decode()
    assert "Domaine : Finances" in html and "Factures" in html
    assert "Autre chose" not in html and "Brouillon" not in html
    tag_html = client.get("/guides/mot-cle/chorus/").content.decode()
    assert "Factures" in tag_html and "Autre chose" not in tag_html
    assert client.get("/guides/domaine/inconnu/").status_code == 404
    assert client.get("/guides/mot-cle/inconnu/").status_code == 404
    assert 'href="domaine/finances/"' in client.get("/guides/").content.decode()


@pytest.mark.django_db
def test_signed_in_pages_have_one_h1_ordered_headings_and_labelled_fields(client_for, site_tree):
    factories.DomainFactory(name="RH", slug="rh")
    client = client_for(factories.make_user(roles.STAFF, factories.EstablishmentFactory()))
    for path in ("/guides/partager/", "/compte/contributions/"):
        parsed = outline(client.get(path).content.decode())
        assert parsed.headings.count(1) == 1, path
        for previous, current in itertools.pairwise(parsed.headings):
            assert current <= previous + 1, (path, parsed.headings)
        for field in parsed.inputs:
            assert field.get("id") in parsed.label_targets, (path, field)


@pytest.mark.django_db
def test_slugs_of_the_guides_own_routes_are_refused_with_a_clear_message(site_tree):
    from django.core.exceptions import ValidationError

    guide = factories.make_guide(site_tree.guides, title="Guide")
    with pytest.raises(ValidationError) as error:
        factories.make_practice(guide, title="Historique", slug="historique")
    assert "est réservé aux pages de service du guide" in str(error.value)
    assert factories.make_practice(guide, title="Historique du projet").live
