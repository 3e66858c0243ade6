"""Markup checks that every page shares (RGAA): one h1, headings in order, landmarks, labels."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts import roles
from tests import factories


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
