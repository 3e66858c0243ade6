"""/actualites/: filters that combine and show in the URL, archives, pagination, Atom and RSS."""

import datetime

import defusedxml.ElementTree as ET
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices.models import Audience, NoticePage, Source
from notices.models.pages import ensure_audiences
from tests import factories

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = datetime.date.today()


@pytest.fixture
def world(site_tree):
    ensure_audiences()
    anssi = factories.SourceFactory(acronym="CERT-FR", name="ANSSI / CERT-FR")
    cnil = Source.objects.create(acronym="CNIL", name="CNIL")
    security = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    hr = factories.DomainFactory(name="RH", slug="rh")
    dsi = Audience.objects.get(slug="dsi")
    dpo = Audience.objects.get(slug="dpo")

    def notice(title, source, priority="information", category="information", days=1,
               audiences=(), domains=(), **kwargs):  # fmt: skip
        page = factories.make_notice(
            site_tree.notices,
            title=title,
            source=source,
            priority=priority,
            category=category,
            impact="<p>Agir.</p>" if priority == "urgent" else "",
            original_published_at=TODAY - datetime.timedelta(days=days),
            **kwargs,
        )
        page.audiences.set(audiences)
        page.domains.set(domains)
        page.save_revision().publish()
        return page

    return {
        "urgent": notice("Faille VPN urgente", anssi, "urgent", "alerte", 1, [dsi], [security]),
        "avis": notice("Avis messagerie", anssi, "important", "avis", 5, [dsi], [security]),
        "cnil": notice("Rappel CNIL", cnil, "information", "recommandation", 10, [dpo], [hr]),
        "old": notice(
            "Ancienne alerte",
            anssi,
            "urgent",
            "alerte",
            400,
            [dsi],
            [security],
            expires_at=TODAY - datetime.timedelta(days=300),
        ),
        "index": site_tree.notices,
    }


def titles(response):
    return [n.title for n in response.context["notices"]]


def test_list_newest_first_without_archived(client, world):
    response = client.get("/actualites/")
    assert titles(response) == ["Faille VPN urgente", "Avis messagerie", "Rappel CNIL"]


def test_filters_combine_and_show_in_the_url(client, world):
    response = client.get("/actualites/?source=cert-fr&priorite=urgent")
    assert titles(response) == ["Faille VPN urgente"]
    html = response.content.decode()
    # The feed links carry the same filters, for a DSI to subscribe to "ANSSI + urgent".
    assert "/actualites/atom/?source=cert-fr&amp;priorite=urgent" in html
    assert 'value="cert-fr" selected' in html
    assert titles(client.get("/actualites/?public=dpo")) == ["Rappel CNIL"]
    assert titles(client.get("/actualites/?domaine=securite-si&categorie=avis")) == [
        "Avis messagerie"
    ]
    assert titles(client.get("/actualites/?public=dsi&source=cnil")) == []
    year = (TODAY - datetime.timedelta(days=400)).year
    assert "Ancienne alerte" in titles(client.get(f"/actualites/?annee={year}&archives=1"))


def test_archived_notices_are_listed_on_request_and_stay_reachable(client, world):
    response = client.get("/actualites/?archives=1")
    assert "Ancienne alerte" in titles(response)
    assert "Archivée" in response.content.decode()
    page = client.get(world["old"].url)
    assert page.status_code == 200
    assert "Actualité archivée" in page.content.decode()


def test_an_invalid_filter_is_a_clear_error_not_a_500(client, world):
    response = client.get("/actualites/?source=inconnue&annee=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un filtre n'est pas valide" in html
    assert titles(response) == []
    assert client.get("/actualites/atom/?priorite=extreme").status_code == 400


def test_pagination_keeps_the_filters(client, world):
    source = Source.objects.get(acronym="CNIL")
    for i in range(25):
        factories.make_notice(world["index"], title=f"Note CNIL {i}", source=source, slug=f"n{i}")
    response = client.get("/actualites/?source=cnil")
    assert len(titles(response)) == 20
    assert "?source=cnil&amp;page=2" in response.content.decode()
    assert len(titles(client.get("/actualites/?source=cnil&page=2"))) == 6


def test_atom_feed_is_valid_and_filtered(client, world):
    response = client.get("/actualites/atom/?source=cert-fr&priorite=urgent")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}id").text.startswith("http://testserver/actualites/")
    assert feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["[Urgent] Faille VPN urgente"]
    entry = entries[0]
    assert entry.find(f"{ATOM}id").text == f"http://testserver{world['urgent'].url}"
    assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/actualites/")
    assert entry.find(f"{ATOM}updated").text


def test_rss_feed_has_unique_absolute_guids(client, world):
    response = client.get("/actualites/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    guids = [item.find("guid").text for item in channel.findall("item")]
    assert len(guids) == 3 == len(set(guids))
    assert all(g.startswith("http://testserver/actualites/") for g in guids)
    assert all(item.find("pubDate").text for item in channel.findall("item"))


def test_notice_page_shows_audiences_domains_and_related_guides(client, world, site_tree):
    guide = factories.make_guide(site_tree.guides, title="Guide VPN")
    notice = world["urgent"]
    notice.related_pages.create(page=guide)
    notice.save_revision().publish()
    html = client.get(notice.url).content.decode()
    assert "DSI" in html and "Sécurité SI" in html
    assert "Guide VPN" in html and guide.url in html


def test_urgent_notice_needs_an_impact():
    notice = NoticePage(
        title="x",
        slug="x",
        source=factories.SourceFactory(),
        original_published_at=TODAY,
        summary="x",
        priority="urgent",
    )
    with pytest.raises(Exception, match="impact"):
        notice.full_clean()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_list(client, site_tree, settings):
    settings.PASSERELLE_PAGE_CACHE = False  # count the render, not the page cache's hit
    ensure_audiences()
    source = factories.SourceFactory()
    domain = factories.DomainFactory(slug="securite-si")
    dsi = Audience.objects.get(slug="dsi")
    urls = ["/actualites/", "/actualites/?public=dsi&archives=1", "/actualites/atom/",
            "/actualites/rss/?domaine=securite-si", "/"]  # fmt: skip

    def add(n, start):
        for i in range(start, start + n):
            page = NoticePage(
                title=f"Avis {i}",
                slug=f"avis-{i}",
                source=source,
                summary="Résumé.",
                original_published_at=TODAY - datetime.timedelta(days=i),
            )
            site_tree.notices.add_child(instance=page)  # live, without a revision: faster
            page.domains.set([domain])
            page.audiences.set([dsi])
            page.save()

    add(10, 0)
    for url in urls:
        client.get(url)  # warm the site root cache
    ten = [_queries(client, url) for url in urls]
    add(50, 10)  # 60: three pages of the list (per_page 20), more than the feeds' 50
    for url in urls:
        client.get(url)  # the writes renewed the cached fragments (urgent banner)
    assert [_queries(client, url) for url in urls] == ten
