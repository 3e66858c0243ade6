"""Markup checks that every page shares (RGAA): one h1, headings in order, landmarks, labels."""

import itertools
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts import roles
from tests import factories

# Words that betray an untranslated interface (whole words; French words spelt the same, such as
# "Message" or "Options", are not listed), and French that readers found wrong.
ENGLISH = re.compile(
    r"\b(Posts?|Topics?|Reply|Replies|Submit|Search|Hide results|Results|unread|Unread|Profile|"
    r"Views|Last post|Last|by|By|Forums? list|Subscribe|Unsubscribe|Announce|Sticky|"
    r"Total votes|Edit|Delete|Quote|Preview|Attachments?|Poll|Moderation|Queue|Sign in|"
    r"Not Found|Forbidden|Server Error|Page not found|Next|Previous|Mark|Subject|"
    r"Home|Back|Author|Joined|Online|Cancel|Save|Lock|Move|Change your vote|View results)\b"
)
BROKEN_FRENCH = re.compile(
    r"Profile de|Par:|sujets non lu\b|Vous pourriez sélectionner|Votant|\b1 (janvier|février|mars|"
    r"avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b"
)


def visible_text(html):
    """The text a reader sees: no tags, scripts, styles, comments or attribute values."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>|<!--.*?-->", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"(?s)<[^>]+>", " ", html)))


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings = []
        self.landmarks = []
        self.inputs = []
        self.label_targets = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.append(tag)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.inputs.append(attributes)


def outline(html):
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.fixture
def pages(site_tree):
    guide = factories.make_guide(
        site_tree.guides,
        title="Guide",
        body=[{"type": "rich_text", "value": "<h2>Partie</h2><p>x</p><h3>Sous-partie</h3>"}],
    )
    chapter = factories.make_practice(guide, title="Chapitre")
    kb_domain = factories.DomainFactory(name="Télétravail", slug="teletravail")
    kb_practice = factories.make_practice(site_tree.guides, title="Pratique", domain=kb_domain)
    kb_practice.tags.add("vpn")
    kb_practice.body = [{"type": "rich_text", "value": "<h2>Nouveau</h2><p>Texte.</p>"}]
    kb_practice.save_revision().publish()
    notice = factories.make_notice(site_tree.notices, impact="<p>Impact</p>")
    # An urgent notice puts the banner on every page checked here.
    factories.make_notice(
        site_tree.notices, title="Alerte", priority="urgent", impact="<p>Agir</p>"
    )
    _category, forum = factories.make_category_with_forum()
    author = factories.make_user(roles.STAFF)
    topic = factories.make_topic(forum, author, replies=2)
    return [
        "/",
        "/guides/",
        guide.url,
        chapter.url,
        kb_practice.url,
        kb_practice.url + "historique/",
        kb_practice.url + "historique/comparer/",
        "/guides/domaine/teletravail/",
        "/guides/mot-cle/vpn/",
        "/actualites/",
        "/actualites/?source=cert-fr&priorite=urgent&archives=1",
        "/actualites/?annee=inconnue",
        notice.url,
        "/recherche/?q=guide",
        "/compte/connexion/",
        "/mentions-legales/",
        "/forum/",
        reverse("forum:forum", kwargs={"slug": forum.slug, "pk": forum.pk}),
        reverse(
            "forum_conversation:topic",
            kwargs={
                "forum_slug": forum.slug,
                "forum_pk": forum.pk,
                "slug": topic.slug,
                "pk": topic.pk,
            },
        ),
    ]


@pytest.mark.django_db
def test_one_h1_and_no_skipped_heading_level(client, pages):
    for path in pages:
        headings = outline(client.get(path).content.decode()).headings
        assert headings.count(1) == 1, (path, headings)
        assert headings[0] == 1, (path, headings)
        for previous, current in itertools.pairwise(headings):
            assert current <= previous + 1, (path, headings)


@pytest.mark.django_db
def test_landmarks_and_labelled_fields(client, pages):
    for path in pages:
        parsed = outline(client.get(path).content.decode())
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in parsed.landmarks, (path, landmark)
        for field in parsed.inputs:
            assert field.get("id") in parsed.label_targets or field.get("aria-label"), (path, field)


@pytest.mark.django_db
def test_signed_in_pages_have_one_h1_landmarks_and_labelled_fields(client_for, staff_user):
    from notices.models.pages import ensure_audiences

    ensure_audiences()
    factories.make_domain_with_forum("Télétravail")
    client = client_for(staff_user)
    for path in ("/compte/profil/", "/compte/contributions/"):
        parsed = outline(client.get(path).content.decode())
        assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1, (path, parsed.headings)
        for previous, current in itertools.pairwise(parsed.headings):
            assert current <= previous + 1, (path, parsed.headings)
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in parsed.landmarks, (path, landmark)
        assert parsed.inputs, path
        for field in parsed.inputs:
            if field.get("type") in {"hidden", "submit"}:
                continue
            assert field.get("id") in parsed.label_targets or field.get("aria-label"), (path, field)


# --- Issue 13: errors reach screen readers, French error pages, statement, dates --------------


def _ids(html):
    return set(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.django_db
def test_every_described_by_of_a_form_with_errors_names_an_element_of_the_page(
    client_for, staff_user, site_tree
):
    factories.make_domain_with_forum("Télétravail")
    pages = [
        (client_for(None), "/compte/connexion/", {"login": "", "password": ""}),
        (client_for(staff_user), "/guides/partager/", {"title": ""}),
    ]
    for client, path, data in pages:
        html = client.post(path, data).content.decode()
        described = re.findall(r'aria-describedby="([^"]+)"', html)
        assert any(d.endswith("_error") for ids in described for d in ids.split()), path
        missing = {i for ids in described for i in ids.split()} - _ids(html)
        assert not missing, (path, missing)
        # The summary that static/js/form-errors.js focuses, with a link to each field in error.
        assert "data-error-summary" in html
        assert 'href="#id_login"' in html or 'href="#id_title"' in html
        assert "form-errors.js" in html


@pytest.mark.django_db
def test_404_and_403_are_french_pages_in_the_site_layout(client_for, site_tree, staff_user):
    response = client_for(None).get("/page-qui-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr"' in html and "Page introuvable" in html and "Not Found" not in html
    assert 'id="contenu"' in html and "Navigation principale" in html
    # A staff member refused the officers' workbench gets the French 403.
    response = client_for(staff_user).get("/forum/espace-moderation/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html and "Forbidden" not in html and '<html lang="fr"' in html


def test_500_is_french_and_needs_no_database(rf):
    from django.views.defaults import server_error

    # No django_db mark: any query would raise here.
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr"' in html and "Erreur du serveur" in html
    assert "Server Error" not in html and "Accessibilité : partiellement conforme" in html


@pytest.mark.django_db
def test_accessibility_statement_and_footer_mention(client):
    from kb.structure import ensure_site_structure

    ensure_site_structure()
    html = client.get("/accessibilite/").content.decode()
    for expected in (
        "partiellement conforme",
        "RGAA",
        "axe-core",
        "vérifications manuelles",
        "Pages de l'échantillon",
        "Non-conformités connues",
        "2 décembre 2026",
        "accessibilite@passerelle.local",
        "Défenseur des droits",
    ):
        assert expected in html, expected
    home = client.get("/").content.decode()
    assert '<a href="/accessibilite/">Accessibilité : partiellement conforme</a>' in home


def test_first_of_the_month_is_written_1er():
    import datetime

    from django.template import engines

    template = engines["django"].from_string('{{ d|date:"j F Y" }} · {{ e|date:"j F Y" }}')
    text = template.render({"d": datetime.date(2026, 12, 1), "e": datetime.date(2026, 12, 11)})
    assert text == "1er décembre 2026 · 11 décembre 2026"


@pytest.mark.django_db
def test_latest_notices_on_the_home_page_are_in_date_order(client, site_tree):
    import datetime

    for title, day in (("Avis ancien", 3), ("Avis récent", 20), ("Avis moyen", 10)):
        factories.make_notice(
            site_tree.notices, title=title, original_published_at=datetime.date(2026, 11, day)
        )
    html = client.get("/").content.decode()
    positions = [html.index(title) for title in ("Avis récent", "Avis moyen", "Avis ancien")]
    assert positions == sorted(positions)
