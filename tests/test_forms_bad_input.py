"""Every form of the site, fed what careless and hostile people type: over-long, empty,
whitespace-only, control characters, the wrong type, oversized files.

Each one answers its form again (200; the readers' feedback uses 400) with a French message
beside the field, the typed value still in the re-rendered form, never a 500.
"""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import roles
from notices.models import FeedEntry, Source
from tests import factories

pytestmark = pytest.mark.django_db

ENGLISH = ("This field", "Ensure this", "Enter a", "Select a valid", "Null characters")


def page_text(response):
    return html.unescape(response.content.decode())


def field_errors(response, name):
    """The error paragraphs rendered beside the field ``name``: with its id
    (templates/includes/form_fields.html), else the ones inside the field's own block."""
    text = response.content.decode()
    found = re.findall(rf'<p class="form-field__error" id="id_{name}-error">(.*?)</p>', text, re.S)
    for block in re.findall(
        rf'<div class="form-field__error" id="id_{name}_error">(.*?)</div>', text, re.S
    ):
        found += re.findall(r"<p>(.*?)</p>", block, re.S)
    if not found:
        # kb/includes/feedback.html: errors follow the field's own input inside its block.
        start = text.rfind(f'name="{name}"')
        block = re.match(r'.*?(?=name="|</form>)', text[start + 1 :], re.S) if start >= 0 else None
        found = re.findall(
            r'<p class="form-field__error">(.*?)</p>', block.group(0) if block else ""
        )
    return [html.unescape(m) for m in found]


def assert_french_error_beside(response, name, status=200):
    assert response.status_code == status, response.status_code
    errors = field_errors(response, name)
    assert errors, f"no error beside {name}"
    for error in errors:
        assert not any(word in error for word in ENGLISH), error


# --- /guides/partager/ ------------------------------------------------------------------------


@pytest.fixture
def sharer(site_tree):
    domain = factories.DomainFactory(name="RH / Siham", slug="rh")
    factories.make_officer(domain, email="officer@example.fr")
    staff = factories.make_user(roles.STAFF, factories.EstablishmentFactory())
    client = Client()
    client.force_login(staff)
    return client, domain


def experience(the_domain, **overrides):
    data = {
        "title": "Télétravail des gestionnaires de paie",
        "domain": the_domain.pk,
        "context": "Service RH de 12 personnes, contexte unique 4f1c.",
        "actions": "Nous avons ouvert le VPN à toute l'équipe.",
        "results": "La paie est partie à l'heure.",
        "tools": "Siham, VPN",
    }
    data.update(overrides)
    return data


def pdf(name, size=None):
    content = b"%PDF-1.4\n" + (b"0" * (size or 10))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_attachment_with_a_too_long_name_is_a_french_error_not_a_500(sharer):
    client, domain = sharer
    response = client.post(
        "/guides/partager/", experience(domain, attachment=pdf("r" * 150 + ".pdf"))
    )
    assert_french_error_beside(response, "attachment")
    assert "nom du fichier" in field_errors(response, "attachment")[0]
    # Nothing typed is lost.
    text = page_text(response)
    assert "Service RH de 12 personnes, contexte unique 4f1c." in text
    assert 'value="Télétravail des gestionnaires de paie"' in text


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("title", "T" * 201, "T" * 201),
        ("title", "", None),
        ("title", "   \t  ", None),
        ("title", "Titre\x00nul", None),
        ("context", "C" * 5001, "C" * 5001),
        ("context", "\n\n   \n", None),
        ("actions", "Étapes\x00 cachées", None),
        ("tools", "O" * 2001, "O" * 2001),
        ("domain", "pas-un-nombre", None),
        ("domain", "999999", None),
    ],
)
def test_experience_form_bad_text(sharer, field, value, kept):
    client, domain = sharer
    response = client.post("/guides/partager/", experience(domain, **{field: value}))
    assert_french_error_beside(response, field)
    text = page_text(response)
    # The other fields keep what was typed.
    assert "Service RH de 12 personnes, contexte unique 4f1c." in text or field == "context"
    if kept:
        assert kept in text


def test_experience_control_characters_other_than_nul_are_refused_or_kept_inert(sharer):
    client, domain = sharer
    response = client.post(
        "/guides/partager/", experience(domain, title="Titre \x1b[31mrouge\x1b[0m")
    )
    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert_french_error_beside(response, "title")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.exe", b"MZ\x90\x00"),
        ("rapport.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)),
        ("vide.pdf", b""),
    ],
)
def test_experience_form_bad_attachments(sharer, name, content):
    client, domain = sharer
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post("/guides/partager/", experience(domain, attachment=upload))
    assert_french_error_beside(response, "attachment")
    assert "Service RH de 12 personnes, contexte unique 4f1c." in page_text(response)


# --- /compte/profil/ --------------------------------------------------------------------------


@pytest.fixture
def profile_client(site_tree):
    user = factories.make_user(roles.STAFF, factories.EstablishmentFactory())
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"job_title": "R" * 151}, "job_title", "R" * 151),
        ({"job_title": "RSSI\x00"}, "job_title", None),
        ({"job_title": "RSSI", "followed_domains": "abc"}, "followed_domains", None),
        ({"job_title": "RSSI", "followed_audiences": "424242"}, "followed_audiences", None),
        ({"job_title": "RSSI", "contact_role": "S" * 151}, "contact_role", "S" * 151),
        ({"job_title": "RSSI", "contact_role": "Paie\x00"}, "contact_role", None),
    ],
)
def test_profile_form_bad_input(profile_client, data, field, kept):
    response = profile_client.post("/compte/profil/", data)
    assert_french_error_beside(response, field)
    if kept:
        assert kept in page_text(response)


# --- /compte/connexion/ -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"username": "", "password": ""},
        {"username": "   ", "password": "   "},
        {"username": "camille\x00", "password": "x"},
        {"username": "u" * 5000, "password": "p" * 5000},
        {"username": "\x1b[2J", "password": "x"},
    ],
)
def test_sign_in_bad_input(client, site_tree, data):
    response = client.post("/compte/connexion/", data)
    assert response.status_code == 200
    text = page_text(response)
    assert not any(word in text for word in ENGLISH)
    assert "<form" in text


# --- /recherche/ ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "   ", "vpn\x00", "\x1b[31m", "m" * 5000, "é" * 300 + " vpn"],
)
def test_search_bad_input(client, site_tree, query):
    response = client.get("/recherche/", {"q": query, "type": "pas-un-type", "periode": "x" * 50})
    assert response.status_code == 200
    assert not any(word in page_text(response) for word in ENGLISH)


# --- Readers' feedback (<page>/avis/) ---------------------------------------------------------


@pytest.fixture
def guide(site_tree):
    return factories.make_guide(site_tree.guides, title="Guide du télétravail")


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"useful": "non", "comment": "c" * 2001}, "comment", "c" * 2001),
        ({"useful": "peut-être", "comment": "Mon avis 7d2e"}, "useful", "Mon avis 7d2e"),
        ({"comment": "Sans réponse 7d2e"}, "useful", "Sans réponse 7d2e"),
        ({"useful": "non", "comment": "avec\x00nul"}, "comment", None),
    ],
)
def test_feedback_bad_input(client, guide, data, field, kept):
    response = client.post(guide.url + "avis/", data)
    # The feedback view answers its re-rendered form with 400 (kb/views/feedback.py).
    assert_french_error_beside(response, field, status=400)
    if kept:
        assert kept in page_text(response)


# --- Admin: triage dismiss reason -------------------------------------------------------------


@pytest.fixture
def pending_entry(site_tree):
    import datetime

    from django.utils import timezone

    source = Source.objects.create(acronym="CNIL", name="CNIL")
    now = timezone.now()
    return FeedEntry.objects.create(
        source=source,
        guid="g-1",
        link="https://www.cnil.fr/a",
        title="Une entrée",
        published_at=now - datetime.timedelta(days=1),
        content_hash="x",
        first_seen_at=now,
        last_seen_at=now,
    )


@pytest.mark.parametrize(
    ("reason", "kept"),
    [("", None), ("   \n ", None), ("r" * 2001, "r" * 2001), ("motif\x00", None)],
)
def test_dismiss_reason_bad_input(client_for, editor, pending_entry, reason, kept):
    client = client_for(editor)
    response = client.post(
        f"/admin/actualites/a-trier/{pending_entry.pk}/ecarter/", {"reason": reason}
    )
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert not any(word in text for word in ENGLISH)
    if kept:
        assert kept in text
    pending_entry.refresh_from_db()
    assert pending_entry.status == FeedEntry.Status.PENDING


# --- Forum: new topic, reply, report ----------------------------------------------------------


@pytest.fixture
def forum_world(db):
    from django.core.cache import caches

    from tests.forum.world import build_world

    for alias in ("forum_html", "forum_pages", "forum_views"):
        caches[alias].clear()
    return build_world()


def forum_errors(response):
    """machina's templates put errors in p.text-danger (ours in .form-field__error)."""
    text = page_text(response)
    return re.findall(
        r'class="[^"]*(?:invalid-feedback|form-field__error|errorlist|text-danger)[^"]*"', text
    )


@pytest.mark.parametrize(
    ("subject", "content", "kept"),
    [
        ("", "Contenu gardé 91ab", "Contenu gardé 91ab"),
        ("   ", "Contenu gardé 91ab", "Contenu gardé 91ab"),
        ("S" * 300, "Contenu gardé 91ab", "Contenu gardé 91ab"),
        ("Sujet gardé 91ab", "", "Sujet gardé 91ab"),
        ("Sujet gardé 91ab", "  \n ", "Sujet gardé 91ab"),
        ("Sujet\x00nul", "Contenu gardé 91ab", "Contenu gardé 91ab"),
    ],
)
def test_new_topic_bad_input(forum_world, subject, content, kept):
    from django.urls import reverse

    from tests.forum.world import FORMSETS

    forum = forum_world.rh_forum
    url = reverse(
        "forum_conversation:topic_create",
        kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk},
    )
    client = Client()
    client.force_login(forum_world.staff_a)
    response = client.post(
        url, {"subject": subject, "content": content, "topic_type": 0, **FORMSETS}
    )
    assert response.status_code == 200, response.status_code
    assert forum_errors(response)
    text = page_text(response)
    assert kept in text
    assert not any(word in text for word in ENGLISH)


@pytest.mark.parametrize("content", ["", "   ", "\x00"])
def test_reply_bad_input(forum_world, content):
    from tests.forum.world import reply

    client = Client()
    client.force_login(forum_world.staff_a)
    response = reply(client, forum_world.public_topic, content)
    assert response.status_code == 200, response.status_code
    assert forum_errors(response)
    assert not any(word in page_text(response) for word in ENGLISH)


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        ({"reason": "", "comment": "Précision gardée 5c3d"}, "Précision gardée 5c3d"),
        ({"reason": "pas-un-motif", "comment": "Précision gardée 5c3d"}, "Précision gardée 5c3d"),
        ({"reason": "spam", "comment": "p" * 2001}, "p" * 2001),
        ({"reason": "spam", "comment": "nul\x00"}, None),
    ],
)
def test_report_bad_input(forum_world, data, kept):
    from django.urls import reverse

    client = Client()
    client.force_login(forum_world.staff_a)
    url = reverse("forum_community:report_post", args=[forum_world.public_topic.last_post.pk])
    response = client.post(url, data)
    # The report view answers its re-rendered form with 400 (forum/community).
    assert response.status_code in {200, 400}, response.status_code
    text = page_text(response)
    assert not any(word in text for word in ENGLISH)
    if kept:
        assert kept in text


# --- Admin: officers' queue (experience review), sources ----------------------------------------


@pytest.fixture
def submitted(site_tree):
    from kb.models import ExperienceSubmission

    domain = factories.DomainFactory(name="RH / Siham", slug="rh")
    officer = factories.make_officer(domain, email="officer@example.fr")
    staff = factories.make_user(roles.STAFF, factories.EstablishmentFactory())
    submission = ExperienceSubmission.objects.create(
        submitter=staff,
        domain=domain,
        title="Paie à distance",
        context="Contexte.",
        actions="Actions.",
        results="Résultats.",
    )
    client = Client()
    client.force_login(officer)
    return client, submission


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"action": "changes", "message": "   "}, "message", None),
        ({"action": "decline", "message": ""}, "message", None),
        ({"action": "changes", "message": "m" * 5001}, "message", "m" * 5001),
        ({"action": "publier", "message": "Message gardé 3e4f"}, "action", "Message gardé 3e4f"),
        ({"message": "Message gardé 3e4f"}, "action", "Message gardé 3e4f"),
        ({"action": "changes", "message": "nul\x00"}, "message", None),
    ],
)
def test_experience_review_bad_input(submitted, data, field, kept):
    client, submission = submitted
    response = client.post(f"/admin/retours-experience/{submission.pk}/", data)
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert not any(word in text for word in ENGLISH)
    assert "error" in text
    if kept:
        assert kept in text
    submission.refresh_from_db()
    assert submission.status == submission.Status.SUBMITTED


SOURCE_FORM = {
    "feeds-TOTAL_FORMS": "1",
    "feeds-INITIAL_FORMS": "0",
    "feeds-MIN_NUM_FORMS": "0",
    "feeds-MAX_NUM_FORMS": "1000",
    "feeds-0-url": "https://www.cnil.fr/fr/rss.xml",
    "feeds-0-ORDER": "1",
    "feeds-0-id": "",
}


@pytest.mark.parametrize(
    ("overrides", "kept"),
    [
        ({"name": "N" * 201, "acronym": "CNIL"}, "N" * 201),
        ({"name": "   ", "acronym": "CNIL"}, None),
        ({"name": "CNIL", "acronym": "A" * 41}, "A" * 41),
        ({"name": "CNIL\x00", "acronym": "CNIL"}, None),
        ({"name": "CNIL", "acronym": "CNIL", "website": "pas une adresse"}, "pas une adresse"),
        ({"name": "CNIL", "acronym": "CNIL", "feeds-0-url": "javascript:alert(1)"}, None),
        ({"name": "CNIL", "acronym": "CNIL", "slug": "pas un slug !"}, "pas un slug !"),
    ],
)
def test_source_admin_bad_input(client_for, editor, site_tree, overrides, kept):
    data = {**SOURCE_FORM, "description": "Description gardée 8a9b", **overrides}
    response = client_for(editor).post("/admin/snippets/notices/source/add/", data)
    assert response.status_code in {200, 400}, response.status_code
    text = page_text(response)
    assert "Description gardée 8a9b" in text
    if kept:
        assert kept in text
    assert not Source.objects.exists()


# --- Forum moderation: report resolution, topic move, assignment; subscriptions ------------------


@pytest.fixture
def officer_client(forum_world):
    client = Client()
    client.force_login(forum_world.officer_rh)
    return client


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        ({"action": "", "note": "Note gardée 7e2a"}, "Note gardée 7e2a"),
        ({"action": "pas-une-decision", "note": "Note gardée 7e2a"}, "Note gardée 7e2a"),
        ({"action": "dismiss", "note": "n" * 2001}, "n" * 2001),
        ({"action": "dismiss", "note": "nul\x00"}, None),
    ],
)
def test_report_resolution_bad_input(forum_world, officer_client, data, kept):
    from django.urls import reverse

    from forum.community.models import PostReport

    report = PostReport.objects.create(
        post=forum_world.public_topic.last_post, reporter=forum_world.staff_a, reason="spam"
    )
    response = officer_client.post(reverse("forum_community:report", args=[report.pk]), data)
    assert response.status_code in {200, 400}, response.status_code
    text = page_text(response)
    assert "form-field__error" in text
    assert not any(word in text for word in ENGLISH)
    if kept:
        assert kept in text
    report.refresh_from_db()
    assert report.status == PostReport.Status.OPEN


@pytest.mark.parametrize("motif", ["", "   ", "m" * 2001, "\x00"])
def test_topic_move_reason_bad_input(forum_world, officer_client, motif):
    from django.urls import reverse

    topic = forum_world.public_topic
    other = factories.Forum.objects.create(
        name="Autre forum RH", type=factories.Forum.FORUM_POST, parent=forum_world.rh_forum.parent
    )
    response = officer_client.post(
        reverse("forum_moderation:topic_move", kwargs={"slug": topic.slug, "pk": topic.pk}),
        {"forum": other.pk, "motif": motif},
    )
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert forum_errors(response)
    assert not any(word in text for word in ENGLISH)
    topic.refresh_from_db()
    assert topic.forum_id == forum_world.rh_forum.pk


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"officer": "", "note": "Note gardée 3b9f"}, "officer", "Note gardée 3b9f"),
        ({"officer": "pas-un-id", "note": "Note gardée 3b9f"}, "officer", "Note gardée 3b9f"),
        ({"officer": "987654", "note": "Note gardée 3b9f"}, "officer", "Note gardée 3b9f"),
        ({"officer": "{officer}", "note": "a" * 2001}, "note", "a" * 2001),
    ],
)
def test_topic_assignment_bad_input(forum_world, officer_client, data, field, kept):
    from django.urls import reverse

    from forum.community.models import TopicAssignment

    data = {k: v.format(officer=forum_world.officer_rh.pk) for k, v in data.items()}
    url = reverse("forum_community:assign_topic", args=[forum_world.public_topic.pk])
    response = officer_client.post(url, data)
    assert_french_error_beside(response, field)
    assert kept in page_text(response)
    assert not TopicAssignment.objects.exists()


@pytest.mark.parametrize("note", ["", "   ", "\x00"])
def test_no_answer_needed_bad_input(forum_world, officer_client, note):
    from django.urls import reverse

    url = reverse("forum_community:no_answer", args=[forum_world.public_topic.pk])
    assert_french_error_beside(officer_client.post(url, {"note": note}), "note")


@pytest.mark.parametrize("frequency", ["", "jamais-de-la-vie", "\x00", "f" * 500])
def test_subscription_frequency_bad_input(forum_world, frequency):
    from django.urls import reverse

    from forum.community.models import Subscription

    client = Client()
    client.force_login(forum_world.staff_a)
    response = client.post(
        reverse("forum_community:topic_subscription", args=[forum_world.public_topic.pk]),
        {"frequency": frequency},
    )
    assert response.status_code < 500, response.status_code
    # Nothing outside the offered frequencies was saved (a NUL cannot even be queried on
    # PostgreSQL, so compare what is stored).
    saved = set(Subscription.objects.values_list("frequency", flat=True))
    assert saved <= set(Subscription.Frequency.values), saved
    assert not any(word in page_text(client.get("/compte/abonnements/")) for word in ENGLISH)


@pytest.mark.parametrize("rhythm", ["", "jamais-de-la-vie", "\x00", "r" * 500, "DAILY"])
def test_subscriptions_page_bad_input(forum_world, rhythm):
    """« Mes abonnements »: a rhythm outside the list gets a French error beside its select,
    nothing is saved (not even the valid changes of the same POST), and the other choices the
    person made stay selected."""
    from forum.community import notifications
    from forum.community.models import Subscription
    from subscriptions.models import Follow

    person = forum_world.staff_a
    sub = notifications.subscribe(person, topic=forum_world.public_topic)
    client = Client()
    client.force_login(person)
    data = {
        n: f.value() for n, f in client.get("/compte/abonnements/").context["form"]._bound_items()
    }
    data[f"domain-{forum_world.rh.pk}"] = rhythm
    data[f"domain-{forum_world.secu.pk}"] = "weekly"
    data[f"topic-{sub.pk}"] = "daily"
    response = client.post("/compte/abonnements/", data)
    assert_french_error_beside(response, f"domain-{forum_world.rh.pk}", status=400)
    assert "no-store" in response["Cache-Control"]
    assert not Follow.objects.filter(user=person).exists()
    assert Subscription.objects.get(pk=sub.pk).frequency == "immediate"
    text = response.content.decode()
    assert '<option value="weekly" selected>' in text  # the person's other choices are kept
    assert not any(word in page_text(response) for word in ENGLISH)
    # Unknown fields and a missing select are not errors of the person: ignored / kept.
    data[f"domain-{forum_world.rh.pk}"] = "none"
    data["page-424242"] = "daily"
    assert client.post("/compte/abonnements/", data).status_code == 302


# --- Wagtail admin: domains and establishments ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"name": "", "slug": "gardé-1", "description": "Description gardée 2d4e"}, "name",
         "Description gardée 2d4e"),
        ({"name": "   ", "slug": "garde-2", "description": "Description gardée 2d4e"}, "name",
         "Description gardée 2d4e"),
        ({"name": "N" * 121, "slug": "garde-3", "description": ""}, "name", "N" * 121),
        ({"name": "Domaine gardé 2d4e", "slug": "pas un slug !", "description": ""}, "slug",
         "Domaine gardé 2d4e"),
    ],
)  # fmt: skip
def test_domain_admin_bad_input(client_for, editor, data, field, kept):
    from django.urls import reverse

    response = client_for(editor).post(reverse("wagtailsnippets_kb_domain:add"), data)
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert kept in text
    assert not any(word in text for word in ENGLISH)
    from kb.models import Domain

    assert not Domain.objects.filter(slug=data["slug"]).exists()


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        ({"name": "Université gardée 8c1a", "uai": "123", "kind": "universite"}, "Université gardée 8c1a"),
        ({"name": "Université gardée 8c1a", "uai": "12345678", "kind": "universite"}, "Université gardée 8c1a"),
        ({"name": "", "uai": "0751717J", "kind": "universite"}, "0751717J"),
        ({"name": "Université gardée 8c1a", "uai": "0751717J", "kind": "pas-un-type"}, "Université gardée 8c1a"),
        ({"name": "Université gardée 8c1a", "uai": "0751717J", "kind": "universite",
          "email_domains": "pas un domaine, @@"}, "Université gardée 8c1a"),
    ],
)  # fmt: skip
def test_establishment_admin_bad_input(client_for, editor, data, kept):
    from django.urls import reverse

    from accounts.models import Establishment

    data = {"region": "", "email_domains": "", "saml_scopes": "", **data}
    response = client_for(editor).post(reverse("wagtailsnippets_accounts_establishment:add"), data)
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert kept in text
    assert not any(word in text for word in ENGLISH)
    assert not Establishment.objects.filter(name=data["name"]).exists() or not data["name"]


# --- /etablissements/<uai>/ecrire/<id>/ -------------------------------------------------------


@pytest.fixture
def contact_world(site_tree):
    from accounts.models import Profile

    establishment = factories.EstablishmentFactory(uai="0751717J")
    listed = factories.make_user(roles.STAFF, establishment)
    Profile.objects.filter(user=listed).update(listed_as_contact=True)
    writer = factories.make_user(roles.STAFF)
    client = Client()
    client.force_login(writer)
    url = f"/etablissements/0751717j/ecrire/{listed.profile.pk}/"
    return {"client": client, "url": url, "listed": listed}


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"subject": "", "message": "Message gardé 5e2b"}, "subject", "Message gardé 5e2b"),
        ({"subject": "   ", "message": "Message gardé 5e2b"}, "subject", "Message gardé 5e2b"),
        ({"subject": "O" * 151, "message": "Message gardé 5e2b"}, "subject", "O" * 151),
        ({"subject": "Objet\x00", "message": "Message gardé 5e2b"}, "subject", "Message gardé 5e2b"),
        ({"subject": "Objet gardé 5e2b", "message": ""}, "message", "Objet gardé 5e2b"),
        ({"subject": "Objet gardé 5e2b", "message": " \n\t "}, "message", "Objet gardé 5e2b"),
        ({"subject": "Objet gardé 5e2b", "message": "M" * 5001}, "message", "M" * 5001),
        ({"subject": "Objet gardé 5e2b", "message": "Texte\x00"}, "message", "Objet gardé 5e2b"),
    ],
)  # fmt: skip
def test_establishment_contact_bad_input(contact_world, data, field, kept):
    from outbox.models import Message

    response = contact_world["client"].post(contact_world["url"], data)
    assert_french_error_beside(response, field)
    assert kept in page_text(response)
    assert not Message.objects.filter(to=contact_world["listed"].email).exists()
    assert contact_world["listed"].email not in page_text(response)


def test_establishment_contact_to_a_bad_id_is_a_404_not_a_500(contact_world):
    client = contact_world["client"]
    assert client.get("/etablissements/0751717j/ecrire/999999/").status_code == 404
    assert client.get("/etablissements/0751717j/ecrire/99999999999999999999/").status_code == 404
    assert client.get("/etablissements/%00/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 500},
        {"q": "\x00"},
        {"type": "pas-un-type"},
        {"region": "Atlantide"},
        {"page": "abc"},
    ],
)
def test_establishment_list_bad_input(client, site_tree, params):
    response = client.get("/etablissements/", params)
    assert response.status_code == 200
    assert not any(word in page_text(response) for word in ENGLISH)
