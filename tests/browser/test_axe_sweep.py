"""Every page type, as each kind of reader sees it, in a real Chromium (RGAA / WCAG 2.1 AA).

One browser, one page object, one live server: for each page, axe-core (pinned in
``tests/browser/axe/package.json``, installed by ``npm ci``) reports no serious or critical
violation; at 320 px wide nothing scrolls sideways; the visible text holds no English word.
Forms are also submitted empty (the browser's own validation switched off) and swept with their
errors shown.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from machina.core.db.models import get_model

from accounts import roles
from accounts.models import Profile
from forum.community import notifications
from forum.community.emails import unsubscribe_token
from forum.community.models import PostReport
from forum.community.solutions import mark_solution
from subscriptions import follows, tokens
from subscriptions.models import Rhythm
from tests import factories
from tests.forum.world import Post, build_world, forum_url, reply_url, topic_url
from tests.test_accessibility import BROKEN_FRENCH, ENGLISH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

TopicPoll = get_model("forum_polls", "TopicPoll")
TopicPollOption = get_model("forum_polls", "TopicPollOption")
TopicPollVote = get_model("forum_polls", "TopicPollVote")


@dataclass
class Visit:
    who: str
    path: str
    empty_submit: str = ""  # CSS selector of the submit button of a form to send empty


def _axe_missing():
    message = (
        f"axe-core absent ({AXE}) : lancez « npm ci --prefix tests/browser/axe » "
        "(make test-browser le fait)."
    )
    if os.environ.get("PASSERELLE_REQUIRE_BROWSER", "") in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def sweep(site_tree):
    """The world of every page type: guides, notices, the forum with a poll, an attachment, an
    accepted answer, a report, a queued post and subscriptions."""
    world = build_world()
    guide = factories.make_guide(
        site_tree.guides,
        title="Guide du télétravail",
        featured=True,
        body=[{"type": "rich_text", "value": "<h2>Partie</h2><p>Texte.</p>"}],
    )
    chapter = factories.make_practice(guide, title="Accéder au VPN", domain=world.rh)
    chapter.body = [{"type": "rich_text", "value": "<h2>Nouveau</h2><p>Texte revu.</p>"}]
    chapter.save_revision().publish()
    chapter.tags.add("vpn")
    chapter.save()
    notice = factories.make_notice(site_tree.notices, impact="<p>Impact</p>")
    factories.make_notice(site_tree.notices, title="Alerte", priority="urgent", impact="<p>A</p>")

    topic = world.public_topic
    poll = TopicPoll.objects.create(topic=topic, question="Quel outil utilisez-vous ?")
    first = TopicPollOption.objects.create(poll=poll, text="Siham")
    TopicPollOption.objects.create(poll=poll, text="Un autre outil")
    TopicPollVote.objects.create(poll_option=first, voter=world.staff_b)
    mark_solution(topic, topic.last_post, world.staff_b)
    report = PostReport.objects.create(post=topic.last_post, reporter=world.staff_a, reason="abuse")
    subscription = notifications.subscribe(world.staff_a, topic=topic)
    follows.follow(world.staff_a, world.rh, Rhythm.DAILY)
    follows.follow(world.staff_a, guide, Rhythm.WEEKLY)
    for n in range(3):
        factories.make_topic(world.rh_forum, world.staff_b, subject=f"Question n° {n + 2}")
    # A reply held for approval, for the moderation queue and its detail page.
    world.pending = Post.objects.create(
        topic=topic, poster=world.staff_b, subject="Re", content="En attente", approved=False
    )
    topic.refresh_from_db()
    # A page an official notice flagged (kb.reviews): the readers' banner and its history.
    from kb.reviews import request_review

    world.flagged = factories.make_practice(guide, title="Page à réviser", domain=world.rh)
    request_review(world.flagged, notice, "reference", "CERTFR-2026-AVI-0123")
    # Establishment pages (issue 14): the answerer's establishment, with a listed contact.
    valmont = factories.EstablishmentFactory(name="Université de Valmont", uai="0751717J")
    Profile.objects.filter(user=world.staff_b).update(establishment=valmont)
    contact = factories.make_user(roles.STAFF, valmont, first_name="Nadia", last_name="Lefèvre")
    Profile.objects.filter(user=contact).update(listed_as_contact=True, contact_role="Siham")
    world.contact_profile = Profile.objects.get(user=contact)
    return world, guide, chapter, notice, topic, report, subscription


def _pages(world, guide, chapter, notice, topic, report, subscription):
    forum = world.rh_forum
    slug_pk = {"slug": topic.slug, "pk": topic.pk}
    stop_url = reverse(
        "subscriptions:stop", args=[tokens.make(world.staff_a, "domain", world.rh.pk)]
    )
    topic_create = reverse(
        "forum_conversation:topic_create", kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk}
    )
    return [
        # Anonymous readers.
        Visit("anonyme", "/"),
        Visit("anonyme", "/guides/"),
        Visit("anonyme", guide.url),
        Visit("anonyme", chapter.url),
        Visit("anonyme", chapter.url + "historique/"),
        Visit("anonyme", chapter.url + "historique/comparer/"),
        Visit("anonyme", world.flagged.url),  # « Révision en cours suite à : … »
        Visit("anonyme", world.flagged.url + "historique/"),
        Visit("anonyme", f"/guides/domaine/{world.rh.slug}/"),
        Visit("anonyme", "/guides/mot-cle/vpn/"),
        Visit("anonyme", "/actualites/"),
        Visit("anonyme", "/actualites/?source=cert-fr&priorite=urgent&archives=1"),
        Visit("anonyme", notice.url),
        Visit("anonyme", "/recherche/"),
        Visit("anonyme", "/recherche/?q=texte"),
        Visit("anonyme", "/recherche/?q=paie&type=forum"),
        Visit("anonyme", "/recherche/?q=motintrouvable"),
        Visit("anonyme", "/compte/connexion/", "main form [type=submit]"),
        Visit("anonyme", "/mentions-legales/"),
        Visit("anonyme", "/accessibilite/"),
        Visit("anonyme", "/donnees-personnelles/"),
        Visit("anonyme", "/page-qui-n-existe-pas/"),
        Visit("anonyme", "/forum/"),
        Visit("anonyme", forum_url(forum)),
        Visit("anonyme", forum_url(forum) + "?etat=resolus"),
        Visit("anonyme", topic_url(topic)),
        Visit("anonyme", reverse("forum_member:profile", args=[world.staff_b.pk])),
        Visit("anonyme", reverse("forum_member:user_posts", args=[world.staff_b.pk])),
        Visit(
            "anonyme",
            reverse("forum_community:unsubscribe", args=[unsubscribe_token(subscription)]),
        ),
        Visit("anonyme", "/etablissements/"),
        Visit("anonyme", "/etablissements/?type=universite&region=Bretagne"),
        Visit("anonyme", "/etablissements/0751717j/"),
        # Establishment staff.
        Visit("personnel", "/etablissements/0751717j/"),
        Visit(
            "personnel",
            f"/etablissements/0751717j/ecrire/{world.contact_profile.pk}/",
            "main form [type=submit]",
        ),
        Visit("personnel", "/"),
        Visit("personnel", "/compte/profil/"),
        Visit("personnel", "/compte/contributions/"),
        Visit("personnel", "/guides/partager/", "main form [type=submit]"),
        Visit("personnel", "/forum/"),
        Visit("personnel", forum_url(forum)),
        Visit("personnel", topic_url(topic)),
        Visit("personnel", topic_url(topic) + "?view_results=true"),
        Visit("personnel", topic_create, "main form [type=submit]:not([name=preview])"),
        Visit("personnel", reply_url(topic), "main form [type=submit]:not([name=preview])"),
        Visit(
            "personnel",
            reverse("forum_community:report_post", args=[topic.last_post.pk]),
            "main form [type=submit]",
        ),
        # « Mes abonnements » (the old forum page redirects there), the follow buttons and a
        # stop link opened from an email.
        Visit("personnel", reverse("subscriptions:page")),
        Visit("personnel", guide.url),
        Visit("personnel", f"/guides/domaine/{world.rh.slug}/"),
        Visit("personnel", notice.url),
        Visit("anonyme", stop_url),
        Visit("personnel", reverse("forum_member:user_subscriptions")),
        Visit("personnel", reverse("forum_tracking:unread_topics")),
        Visit("personnel", reverse("forum_member:profile", args=[world.staff_a.pk])),
        # Domain officer.
        Visit("charge", topic_url(topic)),
        Visit("charge", "/forum/espace-moderation/"),
        Visit("charge", reverse("forum_community:log")),
        Visit("charge", reverse("forum_community:report", args=[report.pk])),
        Visit("charge", reverse("forum_moderation:queue")),
        Visit("charge", reverse("forum_moderation:queued_post", args=[world.pending.pk])),
        Visit("charge", reverse("forum_moderation:topic_lock", kwargs=slug_pk)),
        Visit(
            "charge",
            reverse("forum_moderation:topic_move", kwargs=slug_pk),
            "main form [type=submit]",
        ),
        # Editor.
        Visit("editeur", "/"),
        Visit("editeur", topic_url(topic)),
        Visit("editeur", "/forum/"),
    ]


def _session_cookie(user, base_url):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": base_url}


def _serious(results):
    return [
        f"{violation['id']} ({violation['impact']}): "
        + " | ".join(
            node["target"][0] if node["target"] else "?" for node in violation["nodes"][:4]
        )
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _check_page(page, label, problems):
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    problems += [f"{label}: {violation}" for violation in _serious(results)]
    text = page.evaluate("() => document.body.innerText")
    for pattern in (ENGLISH, BROKEN_FRENCH):
        problems += [f"{label}: texte « {m.group(0)} »" for m in pattern.finditer(text)]
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > 320:
        problems.append(f"{label}: défile de côté à 320 px ({width} px)")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_every_page_type_passes_axe_reflows_at_320px_and_speaks_french(page, live_server, sweep):
    if not AXE.exists():
        _axe_missing()
    world = sweep[0]
    people = {
        "personnel": world.staff_a,
        "charge": world.officer_rh,
        "editeur": world.editor,
    }
    page.context.add_init_script(path=str(AXE))
    problems = []
    signed_in_as = "anonyme"
    for visit in _pages(*sweep):
        if visit.who != signed_in_as:
            page.context.clear_cookies()
            if visit.who != "anonyme":
                page.context.add_cookies([_session_cookie(people[visit.who], live_server.url)])
            signed_in_as = visit.who
        response = page.goto(live_server.url + visit.path)
        label = f"[{visit.who}] {visit.path}"
        expected = 404 if "n-existe-pas" in visit.path else 200
        if response.status != expected:
            problems.append(f"{label}: statut {response.status}")
            continue
        _check_page(page, label, problems)
        if visit.empty_submit:
            page.evaluate(
                "selector => { const button = document.querySelector(selector);"
                " button.form.noValidate = true; button.form.querySelectorAll('input:not([type=hidden]):not([type=submit]), textarea')"
                ".forEach(f => { if (f.type === 'checkbox' || f.type === 'radio') f.checked = false; else f.value = ''; }); }",
                visit.empty_submit,
            )
            with page.expect_navigation():
                page.locator(visit.empty_submit).first.click()
            label += " (formulaire vide)"
            if not page.locator(".form-field__error").count():
                problems.append(f"{label}: aucune erreur affichée")
            # The error summary has the focus (static/js/form-errors.js), so it is read first.
            page.wait_for_load_state("load")
            if not page.evaluate("() => !!document.activeElement.closest('[data-error-summary]')"):
                problems.append(f"{label}: le focus n'est pas sur le résumé des erreurs")
            _check_page(page, label, problems)
    assert not problems, "\n".join(problems)
