import datetime
import re

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from accounts import roles
from kb.models import GuideIndexPage, GuidePage, HomePage, PracticePage, StandardPage
from kb.structure import ensure_site_structure
from notices.models import NoticeIndexPage, NoticePage
from tests import factories


class TreeRulesTests(WagtailPageTestCase):
    def test_home_sits_at_the_root_and_holds_the_sections(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {GuideIndexPage, NoticeIndexPage, StandardPage})

    def test_guides(self):
        self.assertAllowedParentPageTypes(GuideIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(GuideIndexPage, {GuidePage, PracticePage})
        self.assertAllowedParentPageTypes(GuidePage, {GuideIndexPage})
        self.assertAllowedSubpageTypes(GuidePage, {PracticePage})
        self.assertAllowedParentPageTypes(PracticePage, {GuidePage, GuideIndexPage})
        self.assertAllowedSubpageTypes(PracticePage, set())

    def test_notices_and_legal_pages(self):
        self.assertAllowedParentPageTypes(NoticeIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {NoticePage})
        self.assertAllowedParentPageTypes(NoticePage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(NoticePage, set())
        self.assertAllowedParentPageTypes(StandardPage, {HomePage})

    def test_every_page_type_renders(self):
        tree = ensure_site_structure()
        guide = factories.make_guide(tree.guides, intro="Introduction du guide")
        chapter = factories.make_practice(guide, title="Premier chapitre")
        notice = factories.make_notice(tree.notices)
        legal = tree.home.get_children().get(slug="mentions-legales").specific
        for page in (tree.home, tree.guides, tree.notices, guide, chapter, notice, legal):
            self.assertPageIsRenderable(page)


@pytest.mark.django_db
def test_site_structure_is_created_once_and_served_at_the_expected_urls(client):
    first = ensure_site_structure()
    second = ensure_site_structure()
    assert first.home.pk == second.home.pk
    assert HomePage.objects.count() == 1
    assert first.guides.url == "/guides/"
    assert first.notices.url == "/actualites/"
    for path in (
        "/",
        "/guides/",
        "/actualites/",
        "/mentions-legales/",
        "/accessibilite/",
        "/donnees-personnelles/",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_every_block_of_the_stream_renders(client, site_tree):
    establishment = factories.EstablishmentFactory(name="Université de Kerlann")
    body = [
        {"type": "rich_text", "value": "<h2>Organisation</h2><p>Texte du chapitre.</p>"},
        {
            "type": "callout",
            "value": {
                "kind": "attention",
                "title": "Vigilance",
                "text": "<p>Ne pas exposer l'interface.</p>",
            },
        },
        {"type": "checklist", "value": {"title": "Avant de partir", "items": ["Poste à jour"]}},
        {
            "type": "steps",
            "value": {
                "title": "Étapes",
                "steps": [{"title": "Demander l'accès", "text": "<p>Au responsable.</p>"}],
            },
        },
        {
            "type": "faq",
            "value": {
                "title": "",
                "items": [{"question": "Faut-il un VPN ?", "answer": "<p>Oui.</p>"}],
            },
        },
        {
            "type": "testimony",
            "value": {
                "quote": "Cela a marché.",
                "establishment": establishment.pk,
                "author_role": "DSI",
            },
        },
        {
            "type": "regulatory_source",
            "value": {
                "title": "Guide RGPD",
                "issuer": "cnil",
                "url": "https://www.cnil.fr/",
                "date": "2026-01-15",
            },
        },
        {
            "type": "table",
            "value": {
                "data": [["Outil", "Usage"], ["VPN", "Accès SI"]],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
            },
        },
    ]
    practice = factories.make_practice(site_tree.guides, title="Pratique complète", body=body)
    html = client.get(practice.url).content.decode()
    assert '<h2 id="organisation">Organisation</h2>' in html
    assert "Attention" in html and "Vigilance" in html
    assert "Poste à jour" in html
    assert "Demander l&#x27;accès" in html or "Demander l'accès" in html
    assert "<summary>Faut-il un VPN ?</summary>" in html
    assert "Université de Kerlann" in html
    assert "CNIL" in html and 'href="https://www.cnil.fr/"' in html
    assert re.search(r'<th scope="col"[^>]*>\s*Outil\s*</th>', html)


@pytest.mark.django_db
def test_chapters_link_to_previous_and_next(client, site_tree):
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail")
    first = factories.make_practice(guide, title="Organiser")
    second = factories.make_practice(guide, title="Outils")
    third = factories.make_practice(guide, title="VPN")
    html = client.get(second.url).content.decode()
    assert f'rel="prev" href="{first.url}"' in html
    assert f'rel="next" href="{third.url}"' in html
    guide_html = client.get(guide.url).content.decode()
    assert guide_html.index("Organiser") < guide_html.index("Outils") < guide_html.index("VPN")


@pytest.mark.django_db
def test_home_shows_latest_notices_featured_guides_and_readable_discussions(client, site_tree):
    from machina.core.db.models import get_model

    ForumPermission = get_model("forum_permission", "ForumPermission")
    UserForumPermission = get_model("forum_permission", "UserForumPermission")

    factories.make_notice(
        site_tree.notices,
        title="Alerte VPN critique",
        priority="urgent",
        impact="<p>Corriger.</p>",
        original_published_at=datetime.date(2026, 11, 20),
    )
    factories.make_guide(site_tree.guides, title="Guide à la une", featured=True)
    factories.make_guide(site_tree.guides, title="Guide discret", featured=False)
    author = factories.make_user(roles.STAFF)
    _cat, public_forum = factories.make_category_with_forum("Public", "Forum public")
    _cat2, closed_forum = factories.make_category_with_forum("Réservé", "Forum réservé")
    factories.make_topic(public_forum, author, subject="Discussion ouverte")
    factories.make_topic(closed_forum, author, subject="Discussion réservée")
    UserForumPermission.objects.create(
        anonymous_user=True,
        forum=closed_forum,
        has_perm=False,
        permission=ForumPermission.objects.get(codename="can_read_forum"),
    )

    html = client.get("/").content.decode()
    assert "Alerte VPN critique" in html
    assert "Guide à la une" in html
    assert "Guide discret" not in html
    assert "Discussion ouverte" in html
    assert "Discussion réservée" not in html

    client.force_login(author)
    staff_html = client.get("/").content.decode()
    assert "Discussion réservée" in staff_html


@pytest.mark.django_db
def test_unpublished_pages_are_not_listed_nor_served(client, site_tree):
    draft = factories.make_guide(site_tree.guides, title="Brouillon secret", featured=True)
    draft.unpublish()
    assert "Brouillon secret" not in client.get("/guides/").content.decode()
    assert "Brouillon secret" not in client.get("/").content.decode()
    assert client.get("/guides/brouillon-secret/").status_code == 404


@pytest.mark.django_db
def test_urgent_notice_requires_an_impact(site_tree):
    from django.core.exceptions import ValidationError

    notice = NoticePage(
        title="Urgent",
        slug="urgent",
        source=factories.SourceFactory(),
        original_published_at=datetime.date(2026, 11, 1),
        summary="s",
        priority="urgent",
    )
    with pytest.raises(ValidationError) as error:
        notice.full_clean()
    assert "impact" in error.value.message_dict
