"""Official notices flag the guide pages they touch (kb.reviews): a shared source reference, tag
or regulatory domain, or a link made by an editor; the owner is emailed and sees why, readers see
« Révision en cours suite à » until the page is verified; the history keeps both."""

import time

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from accounts import roles
from kb.models import PracticePage, ReviewRequest
from kb.sources import normalise_reference, reference_keys
from notices.models import NoticePage
from outbox.models import Message
from tests import factories
from tests.cache.test_varnish import varnish  # noqa: F401 (fixture)

BANNER = "Révision en cours suite à"


def source_block(title, url, reference="", issuer="anssi"):
    return {
        "type": "regulatory_source",
        "value": {"title": title, "issuer": issuer, "url": url, "reference": reference},
    }


@pytest.fixture
def world(site_tree):
    security = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    privacy = factories.DomainFactory(
        name="Données personnelles", slug="donnees-personnelles", regulatory=True
    )
    owner = factories.make_officer(security, username="camille", email="camille@example.fr")
    colleague = factories.make_officer(security, username="yanis", email="yanis@example.fr")
    privacy_owner = factories.make_officer(privacy, username="dpo", email="dpo@example.fr")
    vpn = factories.make_practice(
        site_tree.guides,
        title="Accéder au VPN",
        domain=security,
        owner_officer=owner,
        body=[
            {"type": "rich_text", "value": "<p>Le VPN est à jour.</p>"},
            source_block(
                "Avis sur les passerelles VPN",
                "https://www.cert.ssi.gouv.fr/avis/",
                reference="certfr-2026-avi-0123 ",  # typed carelessly: normalised
            ),
        ],
    )
    vpn.tags.add("vpn")
    vpn.save_revision().publish()
    workstations = factories.make_practice(
        site_tree.guides,
        title="Sécuriser les postes",
        domain=security,
        owner_officer=colleague,
        body=[
            source_block(
                "Recommandations sur le nomadisme",
                "https://cyber.gouv.fr/publications/recommandations-nomadisme/",
            )
        ],
    )
    visio = factories.make_practice(
        site_tree.guides,
        title="Visioconférence et RGPD",
        domain=privacy,
        owner_officer=privacy_owner,
    )
    return {
        "tree": site_tree,
        "security": security,
        "privacy": privacy,
        "owner": owner,
        "colleague": colleague,
        "privacy_owner": privacy_owner,
        "vpn": vpn,
        "workstations": workstations,
        "visio": visio,
    }


@pytest.fixture
def publish_notice(world, django_capture_on_commit_callbacks):
    """Publish a notice the way Wagtail does, with the after-commit task run."""

    def publish(title="Avis de test", domains=(), tags=(), **fields):
        fields.setdefault("source", factories.SourceFactory())
        fields.setdefault("slug", slugify(title))
        with django_capture_on_commit_callbacks(execute=True):
            notice = factories.make_notice(world["tree"].notices, title=title, **fields)
            if domains or tags:
                notice.domains.set(domains)
                notice.tags.add(*tags)
                notice.save_revision().publish()
        return notice

    return publish


def flagged(page):
    return list(ReviewRequest.objects.filter(page=page).order_by("pk"))


# --- Normalised keys -----------------------------------------------------------------------------


def test_references_are_normalised_so_that_matching_is_reliable():
    assert normalise_reference(" certfr-2026-avi-0123 ") == "CERTFR-2026-AVI-0123"
    assert (
        normalise_reference("https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0123/")
        == "CERTFR-2026-AVI-0123"
    )
    assert normalise_reference("https://www.Cyber.gouv.fr/publications/guide-x/?utm=1") == (
        "url:cyber.gouv.fr/publications/guide-x"
    )
    assert normalise_reference("https://www.cnil.fr/") == ""  # a home page names no text
    assert normalise_reference("cnil référentiel_RH") == "CNIL-RÉFÉRENTIEL-RH"
    assert reference_keys("CERTFR-2026-AVI-0001\nCNIL.referentiel.rh; ", "") == {
        "CERTFR-2026-AVI-0001",
        "CNIL-REFERENTIEL-RH",
    }


# --- What flags what -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_notice_citing_the_pages_reference_flags_it_and_emails_its_owner(world, publish_notice):
    notice = publish_notice(
        "Vulnérabilités dans des passerelles VPN", reference="CERTFR-2026-AVI-0123"
    )
    (request,) = flagged(world["vpn"])
    assert request.notice_id == notice.pk and request.is_open
    assert request.reason == ReviewRequest.Reason.REFERENCE
    assert request.detail == "CERTFR-2026-AVI-0123"
    assert flagged(world["workstations"]) == [] and flagged(world["visio"]) == []
    (message,) = Message.objects.all()
    assert message.to == "camille@example.fr"  # the owner, not the domain's other officer
    assert "CERT-FR a publié « Vulnérabilités dans des passerelles VPN »" in message.subject
    assert "vérifiez cette page" in message.body_text
    assert "source citée par la page : CERTFR-2026-AVI-0123" in message.body_text
    assert "/admin/revisions-demandees/" in message.body_text


@pytest.mark.django_db
def test_a_notice_that_shares_nothing_flags_nothing(world, publish_notice):
    publish_notice(
        "Une autre alerte",
        reference="CERTFR-2026-AVI-0999",
        source_references="https://cyber.gouv.fr/publications/autre-guide",
        original_url="https://www.cert.ssi.gouv.fr/",
        domains=[world["security"]],  # not a regulatory domain
        tags=["messagerie"],
    )
    assert ReviewRequest.objects.count() == 0
    assert Message.objects.count() == 0
    assert BANNER not in Client().get(world["vpn"].url).content.decode()


@pytest.mark.django_db
def test_a_guide_link_cited_by_the_notice_flags_the_page(world, publish_notice):
    publish_notice(
        "L'ANSSI met à jour ses recommandations",
        source_references="Sans rapport\nhttps://www.cyber.gouv.fr/publications/recommandations-nomadisme",
    )
    (request,) = flagged(world["workstations"])
    assert request.reason == ReviewRequest.Reason.REFERENCE
    assert flagged(world["vpn"]) == []
    assert Message.objects.get().to == "yanis@example.fr"


@pytest.mark.django_db
def test_a_shared_tag_flags_the_page(world, publish_notice):
    publish_notice("Nouvelles passerelles", tags=["vpn"])
    (request,) = flagged(world["vpn"])
    assert request.reason == ReviewRequest.Reason.TAG and request.detail == "vpn"
    assert flagged(world["workstations"]) == []


@pytest.mark.django_db
def test_only_a_regulatory_domain_flags_its_pages(world, publish_notice):
    publish_notice("Sécurité : généralités", domains=[world["security"]])
    assert ReviewRequest.objects.count() == 0
    publish_notice("La CNIL publie un référentiel", domains=[world["privacy"]])
    (request,) = flagged(world["visio"])
    assert request.reason == ReviewRequest.Reason.DOMAIN
    assert request.detail == "Données personnelles"
    assert Message.objects.get().to == "dpo@example.fr"


@pytest.mark.django_db
def test_publishing_the_same_notice_again_adds_no_request_and_no_email(
    world, publish_notice, django_capture_on_commit_callbacks
):
    from ops.tasks import flag_pages_for_notice

    notice = publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123", tags=["vpn"])
    assert ReviewRequest.objects.count() == 1 and Message.objects.count() == 1
    notice = NoticePage.objects.get(pk=notice.pk)
    notice.summary = "Résumé corrigé."
    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    flag_pages_for_notice.call(notice.pk)  # a worker running the task twice
    assert ReviewRequest.objects.count() == 1 and Message.objects.count() == 1
    # Even once verified, the same notice does not ask again.
    ReviewRequest.objects.update(resolved_at=timezone.now())
    flag_pages_for_notice.call(notice.pk)
    assert ReviewRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_notice_flags_nothing(world):
    from ops.tasks import flag_pages_for_notice

    notice = factories.make_notice(world["tree"].notices, reference="CERTFR-2026-AVI-0123")
    notice.unpublish()
    assert flag_pages_for_notice.call(notice.pk) == 0
    assert ReviewRequest.objects.count() == 0


# --- Readers, owners, history --------------------------------------------------------------------


@pytest.mark.django_db
def test_readers_see_the_banner_until_the_owner_verifies_the_page(
    world, publish_notice, client_for
):
    notice = publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123")
    vpn = world["vpn"]
    html = client_for(None).get(vpn.url).content.decode()
    assert BANNER in html
    assert f'<a href="{notice.url}">Avis VPN</a>' in html
    assert BANNER not in client_for(None).get(world["workstations"].url).content.decode()

    # The owner sees why, in the review list and on the dashboard.
    owner = client_for(world["owner"])
    listing = owner.get("/admin/revisions-demandees/").content.decode()
    assert "Accéder au VPN" in listing and "Avis VPN" in listing
    assert "source citée par la page : CERTFR-2026-AVI-0123" in listing
    dashboard = owner.get("/admin/").content.decode()
    assert "Révisions demandées par une actualité" in dashboard and "Avis VPN" in dashboard
    # Another officer of the domain, not the owner, does not have it in their list.
    assert (
        "Accéder au VPN"
        not in client_for(world["colleague"]).get("/admin/revisions-demandees/").content.decode()
    )

    response = owner.post(f"/admin/revisions-demandees/page/{vpn.pk}/verifiee/")
    assert response.status_code == 302
    request = ReviewRequest.objects.get()
    assert request.resolved_at is not None and request.resolved_by == world["owner"]
    assert BANNER not in client_for(None).get(vpn.url).content.decode()
    page = PracticePage.objects.get(pk=vpn.pk)
    assert page.last_reviewed_at == timezone.localdate()
    assert page.get_latest_revision_as_object().last_reviewed_at == timezone.localdate()
    assert "Aucune page à vérifier" in owner.get("/admin/revisions-demandees/").content.decode()


@pytest.mark.django_db
def test_the_history_records_the_request_its_notice_and_its_resolution(
    world, publish_notice, client_for
):
    notice = publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123")
    vpn = world["vpn"]
    history = client_for(None).get(vpn.url + "historique/").content.decode()
    assert "Révisions demandées" in history
    assert "révision demandée suite à :" in history
    assert f'<a href="{notice.url}">Avis VPN</a>' in history
    assert "Révision en cours" in history and "Page vérifiée le" not in history
    client_for(world["owner"]).post(f"/admin/revisions-demandees/page/{vpn.pk}/verifiee/")
    history = client_for(None).get(vpn.url + "historique/").content.decode()
    assert "Page vérifiée le" in history and "Avis VPN" in history
    # A page never flagged shows no such section.
    other = client_for(None).get(world["visio"].url + "historique/").content.decode()
    assert "Révisions demandées" not in other


@pytest.mark.django_db
def test_publishing_the_page_with_a_new_verification_date_closes_its_requests(
    world, publish_notice, client_for
):
    publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123")
    vpn = PracticePage.objects.get(pk=world["vpn"].pk)

    # A correction published without touching « dernière vérification » answers nothing.
    vpn.title = "Accéder au VPN de l'établissement"
    vpn.save_revision(user=world["owner"]).publish()
    assert ReviewRequest.objects.get().is_open
    assert BANNER in client_for(None).get(vpn.url).content.decode()

    # The owner checks the page and publishes it with today's date: the request is answered.
    vpn = PracticePage.objects.get(pk=vpn.pk)
    vpn.last_reviewed_at = timezone.localdate()
    vpn.save_revision(user=world["owner"]).publish()
    request = ReviewRequest.objects.get()
    assert not request.is_open and request.resolved_by == world["owner"]
    assert BANNER not in client_for(None).get(vpn.url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("editor", True), ("colleague", False), ("reader", False), ("anon", False)],
)
def test_only_the_owner_or_an_editor_may_verify(world, publish_notice, client_for, who, allowed):
    publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123")
    users = {
        "owner": world["owner"],
        "editor": factories.make_user(roles.EDITOR),
        "colleague": world["colleague"],  # officer of the domain, but the page has its owner
        "reader": factories.make_user(roles.STAFF, factories.EstablishmentFactory()),
        "anon": None,
    }
    vpn = world["vpn"]
    response = client_for(users[who]).post(f"/admin/revisions-demandees/page/{vpn.pk}/verifiee/")
    request = ReviewRequest.objects.get()
    if allowed:
        assert response.status_code == 302 and request.resolved_at is not None
        assert BANNER not in client_for(None).get(vpn.url).content.decode()
    else:
        # Refused: Wagtail sends people without the right to its home page (with a message)
        # and people without the admin to sign in; never to the list with a success.
        assert response.status_code in (302, 403)
        assert response.get("Location", "") != "/admin/revisions-demandees/"
        assert request.resolved_at is None
        assert BANNER in client_for(None).get(vpn.url).content.decode()


@pytest.mark.django_db
def test_verifying_needs_a_post_and_a_knowledge_page(world, publish_notice, client_for):
    notice = publish_notice("Avis VPN", reference="CERTFR-2026-AVI-0123")
    editor = client_for(factories.make_user(roles.EDITOR))
    url = f"/admin/revisions-demandees/page/{world['vpn'].pk}/verifiee/"
    assert editor.get(url).status_code == 405
    assert editor.post(f"/admin/revisions-demandees/page/{notice.pk}/verifiee/").status_code == 404
    assert editor.post("/admin/revisions-demandees/page/999999/verifiee/").status_code == 404
    assert ReviewRequest.objects.get().resolved_at is None


# --- A link made by hand -------------------------------------------------------------------------


def notice_form(source, review_pages, **fields):
    data = {
        "title": "Doctrine d'hébergement",
        "slug": "doctrine-hebergement",
        "source": source.pk,
        "reference": "",
        "source_references": "",
        "original_url": "",
        "original_published_at": "2026-11-20",
        "source_updated_at": "",
        "category": "reglementation",
        "priority": "information",
        "summary": "Rappel de la doctrine d'hébergement.",
        "impact": rich_text(""),
        "body": streamfield([]),
        "expires_at": "",
        "tags": "",
        "related_pages": inline_formset([]),
        "review_pages": inline_formset([{"page": pk} for pk in review_pages]),
        "comments": inline_formset([]),
        "action-publish": "action-publish",
    }
    data.update(fields)
    return nested_form_data(data)


@pytest.mark.django_db
def test_an_editor_links_a_notice_to_pages_by_hand(
    world, client_for, django_capture_on_commit_callbacks
):
    editor = client_for(factories.make_user(roles.EDITOR))
    source = factories.SourceFactory(acronym="DNUM", name="Direction du numérique")
    notices = world["tree"].notices
    # Bad input: a page that is not a guide or practice; the form comes back with what was typed.
    refused = editor.post(
        f"/admin/pages/add/notices/noticepage/{notices.pk}/",
        notice_form(source, [world["tree"].guides.pk]),
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Choisissez un guide ou une bonne pratique" in html
    assert "Rappel de la doctrine d&#x27;hébergement." in html
    assert not NoticePage.objects.filter(slug="doctrine-hebergement").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/admin/pages/add/notices/noticepage/{notices.pk}/",
            notice_form(source, [world["workstations"].pk]),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = NoticePage.objects.get(slug="doctrine-hebergement")
    assert notice.live
    (request,) = flagged(world["workstations"])
    assert request.reason == ReviewRequest.Reason.MANUAL and request.notice_id == notice.pk
    assert ReviewRequest.objects.count() == 1
    assert Message.objects.get().to == "yanis@example.fr"
    listing = client_for(world["colleague"]).get("/admin/revisions-demandees/").content.decode()
    assert "lien fait par un éditeur" in listing


@pytest.mark.django_db
def test_a_link_by_hand_added_later_flags_on_the_next_publication(world, publish_notice):
    from notices.models import NoticeReviewPage
    from ops.tasks import flag_pages_for_notice

    notice = publish_notice("Sans lien")
    assert ReviewRequest.objects.count() == 0
    NoticeReviewPage.objects.create(notice=notice, page=world["visio"])
    assert flag_pages_for_notice.call(notice.pk) == 1
    assert flagged(world["visio"])[0].reason == ReviewRequest.Reason.MANUAL


@pytest.mark.django_db
def test_the_banner_leaves_out_a_notice_readers_cannot_see(world, publish_notice, client_for):
    from wagtail.models import PageViewRestriction

    notice = publish_notice("Avis réservé", reference="CERTFR-2026-AVI-0123")
    PageViewRestriction.objects.create(page=notice, restriction_type="login")
    assert BANNER not in client_for(None).get(world["vpn"].url).content.decode()
    assert (
        "Avis réservé"
        not in client_for(None).get(world["vpn"].url + "historique/").content.decode()
    )
    assert ReviewRequest.objects.get().is_open  # still open for the owner


# --- The front cache -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_cached_page_shows_the_banner_at_once_and_loses_it_once_verified(varnish):  # noqa: F811
    """A real Varnish in front of the live server (tests/cache): the page's cached copy is banned
    when the request is created and when it is resolved."""
    from kb.reviews import resolve_page
    from kb.structure import ensure_site_structure
    from tests.cache.test_varnish import get, wait_for

    tree = ensure_site_structure()
    domain = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    owner = factories.make_officer(domain, email="camille@example.fr")
    page = factories.make_practice(
        tree.guides,
        title="Accéder au VPN",
        domain=domain,
        owner_officer=owner,
        body=[source_block("Avis VPN", "https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0123/")],
    )
    url = varnish + page.url
    assert BANNER not in get(url).text
    assert get(url).headers["X-Cache"] == "HIT"
    factories.make_notice(tree.notices, title="Avis VPN", reference="CERTFR-2026-AVI-0123")
    assert wait_for(url, BANNER) < 2
    resolve_page(page, owner)
    start = time.monotonic()
    while BANNER in get(url).text:
        assert time.monotonic() - start < 2, "the banner is still served after verification"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_the_owner_receives_the_review_request_on_a_real_smtp_server(settings):
    """The email leaves through the outbox to an aiosmtpd server on 127.0.0.1."""
    from email.header import decode_header, make_header

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    from kb.structure import ensure_site_structure
    from outbox.delivery import deliver_messages
    from tests.cache.test_varnish import free_port

    received = []

    class Collect(MessageHandler):
        def handle_message(self, message):
            received.append(message)

    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        tree = ensure_site_structure()
        domain = factories.DomainFactory(name="Données personnelles", slug="dp", regulatory=True)
        owner = factories.make_officer(domain, email="dpo@example.fr")
        page = factories.make_practice(
            tree.guides, title="Visioconférence et RGPD", domain=domain, owner_officer=owner
        )
        source = factories.SourceFactory(acronym="CNIL", name="CNIL")
        notice = factories.make_notice(tree.notices, title="Nouveau référentiel", source=source)
        notice.domains.set([domain])
        notice.save_revision().publish()  # commits: the task runs, the outbox delivers
        deliver_messages()
    finally:
        controller.stop()
    assert ReviewRequest.objects.get().page_id == page.pk
    (email,) = received
    assert email["To"] == "dpo@example.fr"
    subject = str(make_header(decode_header(email["Subject"])))
    assert "CNIL a publié « Nouveau référentiel » : vérifiez" in subject
    body = email.get_payload(decode=True).decode()
    assert "vérifiez cette page" in body and "domaine réglementaire : Données personnelles" in body
    assert Message.objects.get().status == Message.Status.SENT
