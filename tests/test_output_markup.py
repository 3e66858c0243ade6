"""What leaves the site as HTML (pages, feeds, emails) comes out of the one sanitizer, at the
point of output; text stays text. Feeds and emails are parsed as a reader would."""

import datetime
import html
from html.parser import HTMLParser

import defusedxml.ElementTree as ET
import pytest
from django.core import mail
from django.utils import timezone

from kb.models import PageUpdate
from notices import triage
from notices.fetcher import ingest, parse_feed
from notices.models import FeedEntry, NoticePage, Source
from passerelle.sanitizer import safe_url, sanitize_html
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_NOTE = "<script>alert(1)</script><img src=x onerror=alert(2)> d'expérience & a < b"
HIDDEN_SCHEME = "java\u200bscript:alert(3)"


class Markup(HTMLParser):
    """The elements and attributes an HTML reader (feed reader, mail client) would build."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.attrs = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def assert_inert(fragment, images=0):
    """No script, no event handler, no unsafe URL; ``images``: how many <img> the text may hold
    (editors' rich text may have some; quoted markup must never make one)."""
    markup = Markup(fragment)
    assert markup.tags.count("img") == images and "script" not in markup.tags, fragment
    assert not [name for name, _value in markup.attrs if name.startswith("on")], fragment
    for name, value in markup.attrs:
        if name in {"href", "src"}:
            assert safe_url(value) == value, value


ADVISORY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>CERT-FR</title><link>https://www.cert.ssi.gouv.fr/</link>
<description>Avis</description>
<item><title>Retour d'exp\xc3\xa9rience : faille XSS (CERTFR-2026-AVI-0999)</title>
<link>https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0999/</link>
<guid isPermaLink="false">CERTFR-2026-AVI-0999</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate>
<description>Le champ accepte &amp;lt;img src=x onerror=alert(1)&amp;gt; : retour d'exp\xc3\xa9rience &amp;amp; a &amp;lt; b.</description>
</item></channel></rss>"""


@pytest.fixture
def accepted_notice(site_tree, editor):
    source = Source.objects.create(acronym="CERT-FR", name="ANSSI / CERT-FR")
    ingest(source, parse_feed(ADVISORY, "https://www.cert.ssi.gouv.fr/avis/feed/"))
    entry = FeedEntry.objects.get()
    # Stored and shown safely: the quoted markup is text.
    assert "<img" not in entry.summary and "&lt;img" in entry.summary
    page = triage.accept(entry.pk, editor)
    page.impact = (
        f'<p>Voir <a href="{HIDDEN_SCHEME}">ceci</a> et <a href="https://ex.fr/">là</a>.</p>'
    )
    page.save_revision(user=editor).publish()
    return page


@pytest.mark.parametrize("path", ["/actualites/rss/", "/actualites/atom/"])
def test_quoted_markup_never_becomes_live_html_in_the_notices_feeds(client, accepted_notice, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    if path.endswith("rss/"):
        [item] = root.iter("item")
        title, description = item.findtext("title"), item.findtext("description")
    else:
        [item] = root.iter(f"{ATOM}entry")
        summary = item.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        title, description = item.findtext(f"{ATOM}title"), summary.text
    # The title is text, escaped once by XML only.
    assert title == "Retour d'expérience : faille XSS (CERTFR-2026-AVI-0999)"
    # The description is HTML for the reader: nothing live in it, the quote readable once.
    assert_inert(description)
    assert "&lt;img src=x onerror=alert(1)&gt;" in description
    shown = html.unescape(description)
    assert "<img src=x onerror=alert(1)>" in shown
    assert "retour d'expérience & a < b" in shown
    assert "&amp;" not in shown and "&#x27;" not in shown
    # The impact's rich text: the hidden scheme is gone, the external link is kept.
    assert "javascript" not in shown.replace("\u200b", "")
    assert 'href="https://ex.fr/"' in description


def test_the_notice_page_shows_the_quote_as_text_and_rich_text_links_are_safe(
    client, accepted_notice
):
    text = client.get(accepted_notice.url).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<img src=x" not in text
    assert HIDDEN_SCHEME not in text and "javascript:" not in text
    assert '<a href="https://ex.fr/" rel="nofollow noopener">là</a>' in text


@pytest.mark.django_db(transaction=True)
def test_the_urgent_email_html_part_goes_through_the_sanitizer(site_tree):
    security = factories.DomainFactory(name="Sécurité", slug="securite")
    reader = factories.make_user(None, username="rssi", email="rssi@univ.fr")
    reader.profile.followed_domains.add(security)
    page = NoticePage(
        title="Faille d'expérience <b>",
        slug="faille-urgente",
        source=factories.SourceFactory(),
        original_published_at=datetime.date.today() - datetime.timedelta(days=2),
        priority="urgent",
        summary="Le champ accepte <img src=x onerror=alert(1)>.",
        impact=f'<p><a href="{HIDDEN_SCHEME}">Lien</a> <img src=x onerror=alert(1)></p>',
        live=False,
    )
    site_tree.notices.add_child(instance=page)
    page.domains.set([security])
    page.save_revision().publish()
    [message] = mail.outbox
    body_html = message.alternatives[0][0]
    # The editor's image stays (inert), the quoted one in the summary is text.
    assert_inert(body_html, images=1)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body_html
    # The text part and the subject are text.
    assert "Le champ accepte <img src=x onerror=alert(1)>." in message.body
    assert message.subject.endswith("Faille d'expérience <b>")


def test_the_guide_feed_update_note_is_text_not_markup(client, site_tree):
    guide = factories.make_guide(
        site_tree.guides, title="Guide d'expérience", slug="guide-experience"
    )
    PageUpdate.objects.create(
        page=guide,
        title=guide.title,
        published_at=timezone.now() - datetime.timedelta(hours=1),
        note=HOSTILE_NOTE,
    )
    response = client.get("/guides/mises-a-jour.atom")
    root = ET.fromstring(response.content)
    summaries = [e.find(f"{ATOM}summary") for e in root.iter(f"{ATOM}entry")]
    [summary] = [s for s in summaries if "alert(2)" in (s.text or "")]
    assert "Guide d'expérience" in [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert summary.get("type") == "html"
    assert_inert(summary.text)
    shown = html.unescape(summary.text)
    assert "<script>alert(1)</script><img src=x onerror=alert(2)> d'expérience & a < b" in shown


@pytest.mark.parametrize(
    "url",
    [
        HIDDEN_SCHEME,
        "java\u200dscript:alert(1)",
        "\u202ejavascript:alert(1)",
        "jav\x00ascript:alert(1)",
        "java\nscript:alert(1)",
        "\ufeffjavascript:alert(1)",
        "data\u200b:text/html,x",
    ],
)
def test_the_url_rule_sees_through_invisible_characters(url):
    assert safe_url(url) is None
    cleaned = sanitize_html(f'<a href="{url}">x</a>')
    assert "href" not in cleaned and ">x</a>" in cleaned


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cnil.fr/a", "https://www.cnil.fr/a"),
        ("mailto:rssi@univ.fr", "mailto:rssi@univ.fr"),
        ("/guides/vpn/", "/guides/vpn/"),
        ("#section", "#section"),
        ("https://ex.fr/\u200ba", "https://ex.fr/a"),
    ],
)
def test_the_url_rule_keeps_safe_links(url, expected):
    assert safe_url(url) == expected


def test_rich_text_on_a_rendered_page_drops_hidden_schemes(client, site_tree):
    from wagtail.rich_text import RichText, expand_db_html

    html_out = expand_db_html(
        f'<p><a href="{HIDDEN_SCHEME}">a</a> <a href="https://ex.fr/">b</a> '
        f'<a href="/guides/">c</a></p>'
    )
    assert "script" not in html_out.replace("\u200b", "")
    assert '<a href="https://ex.fr/" rel="nofollow noopener">b</a>' in html_out
    assert '<a href="/guides/">c</a>' in html_out
    assert str(RichText(f'<a href="{HIDDEN_SCHEME}">a</a>')) == "<a>a</a>"
    # And a real page: a practice whose rich text body holds the hidden scheme.
    practice = factories.make_practice(
        site_tree.guides,
        title="Pratique piégée",
        body=[{"type": "rich_text", "value": f'<p><a href="{HIDDEN_SCHEME}">piège</a></p>'}],
    )
    text = client.get(practice.url).content.decode()
    assert "piège" in text and HIDDEN_SCHEME not in text
