"""In Chromium: the public pages run under the CSP without a single violation (no inline
script left), the feedback form gets its token when the person writes, and the Wagtail admin
loads nothing from another origin."""

import os

import pytest

from accounts import roles
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def world():
    from kb.structure import ensure_site_structure
    from notices.models import NoticePage

    tree = ensure_site_structure()
    guide = factories.make_guide(tree.guides, title="Guide du télétravail")
    practice = factories.make_practice(guide, title="Accéder au VPN")
    notice = factories.make_notice(
        tree.notices,
        title="Vulnérabilité critique",
        priority=NoticePage.Priority.URGENT,
        impact="Mettre à jour les passerelles VPN.",
    )
    _domain, forum = factories.make_domain_with_forum("Télétravail")
    author = factories.make_user(roles.STAFF)
    topic = factories.make_topic(forum, author, subject="Dimensionner le VPN")
    return {
        "pages": [
            "/",
            guide.url,
            practice.url,
            "/actualites/",
            notice.url,
            "/forum/",
            f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/",
            "/recherche/?q=vpn",
        ],
        "practice": practice,
    }


def test_no_csp_violation_and_the_feedback_form_works(page, live_server, world):
    from kb.models import PageFeedback

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH_CSP)
    for url in world["pages"]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == [], url
    # The urgent banner's static script still offers « Masquer ».
    assert page.get_by_role("button", name="Masquer").first.is_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors

    page.goto(live_server.url + world["practice"].url)
    assert page.context.cookies() == []  # reading sets no cookie
    page.get_by_label("Non").check()
    page.get_by_label("Commentaire").fill("Il manque la partie sur le MFA.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Merci, votre avis a bien été transmis").wait_for()
    assert PageFeedback.objects.get().comment == "Il manque la partie sur le MFA."
    assert {c["name"] for c in page.context.cookies()} == {"csrftoken"}
    assert page.evaluate("window.__csp") == []
    shots = os.environ.get("PASSERELLE_SCREENSHOTS")
    if shots:
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{shots}/feedback-{width}.png", full_page=True)


def test_without_javascript_the_confirmation_step_keeps_what_was_typed(
    chromium, live_server, world
):
    from kb.models import PageFeedback

    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + world["practice"].url)
    page.get_by_label("Oui").check()
    page.get_by_label("Commentaire").fill("Très clair.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    assert page.get_by_role("heading", level=1, name="Confirmer votre avis").is_visible()
    assert page.get_by_label("Commentaire").input_value() == "Très clair."
    assert not PageFeedback.objects.exists()
    shots = os.environ.get("PASSERELLE_SCREENSHOTS")
    if shots:
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{shots}/confirm-{width}.png", full_page=True)
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Merci, votre avis a bien été transmis").wait_for()
    assert PageFeedback.objects.get().comment == "Très clair."
    context.close()


def test_the_admin_loads_nothing_from_another_origin(page, live_server, world):
    editor = factories.make_user(roles.EDITOR, username="claire")
    elsewhere = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(live_server.url + "/admin/login/")
    page.wait_for_load_state("networkidle")
    # Signed in with the second factor passed (accounts.mfa; the TOTP step has its own tests).
    from django.conf import settings
    from django.test import Client

    from tests.conftest import mark_mfa_passed

    client = Client()
    client.force_login(editor)
    mark_mfa_passed(client, editor)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": session.key, "value": session.value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + "/admin/"
    page.goto(live_server.url + f"/admin/pages/{world['practice'].pk}/edit/")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/admin/account/")
    page.wait_for_load_state("networkidle")
    assert elsewhere == []
