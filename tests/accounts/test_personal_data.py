"""Export and deletion of one's own account: what the person gets, and what remains afterwards."""

import json
import socket

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from machina.core.db.models import get_model

from accounts import roles
from accounts.personal_data import erasure, export
from accounts.personal_data_models import SignInEvent
from forum.community import notifications
from forum.community.models import ModerationAction, PostReport, Subscription
from kb.models import ExperienceSubmission
from outbox.models import Message
from tests import factories
from tests.forum.world import attach, reply, topic_url

Post = get_model("forum_conversation", "Post")
Topic = get_model("forum_conversation", "Topic")
TopicPoll = get_model("forum_polls", "TopicPoll")
TopicPollOption = get_model("forum_polls", "TopicPollOption")
TopicPollVote = get_model("forum_polls", "TopicPollVote")

NAME_MARKERS = ("Partante", "cpartante", "cpartante@univ-depart.fr")


@pytest.fixture(autouse=True)
def clean_caches():
    for alias in ("forum_html", "forum_pages", "forum_views"):
        caches[alias].clear()


@pytest.fixture
def mail_server_down(settings):
    """A mail server that refuses connections: every email stays pending in the outbox."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def world(db, settings, tmp_path, site_tree, client_for, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    domain, forum = factories.make_domain_with_forum("Ressources humaines")
    leaving = factories.make_user(
        roles.STAFF,
        factories.EstablishmentFactory(name="Université du Départ"),
        username="cpartante",
        first_name="Camille",
        last_name="Partante",
        email="cpartante@univ-depart.fr",
    )
    other = factories.make_user(roles.STAFF, username="yrestant", first_name="Yanis")
    moderator = factories.make_user(roles.EDITOR, username="moderatrice")
    with django_capture_on_commit_callbacks(execute=True):
        own_topic = factories.make_topic(
            forum, leaving, subject="Télétravail des gestionnaires", content="Quelle charte ?"
        )
        other_topic = factories.make_topic(
            forum, other, subject="Paie à distance", content="Comment faites-vous ?"
        )
        notifications.subscribe(other, topic=other_topic)
        notifications.subscribe(leaving, forum=forum)
        # The person replies (with an attachment), another person mentions them by name.
        reply(client_for(leaving), other_topic, "Nous utilisons des binômes rutabaga.")
        own_reply = Post.objects.get(content="Nous utilisons des binômes rutabaga.")
        attachment = attach(own_reply, "procedure-partante.pdf")
        reply(
            client_for(other),
            own_topic,
            "Merci @cpartante, voir aussi ce qu'a écrit Camille Partante (cpartante@univ-depart.fr).",
        )
    poll = TopicPoll.objects.create(topic=other_topic, question="Combien de jours ?")
    option = TopicPollOption.objects.create(poll=poll, text="Deux")
    TopicPollVote.objects.create(poll_option=option, voter=leaving)
    PostReport.objects.create(
        post=other_topic.first_post,
        forum=forum,
        reporter=leaving,
        reason=PostReport.Reason.OTHER,
        comment="Hors sujet",
        excerpt="Comment faites-vous ?",
    )
    ModerationAction.objects.create(
        actor=moderator,
        kind=ModerationAction.Kind.EDIT,
        forum=forum,
        target="Message de Camille Partante",
        note="Coordonnées de cpartante retirées",
    )
    kept_page = factories.make_practice(site_tree.guides, title="Binômes de paie")
    accepted = ExperienceSubmission.objects.create(
        submitter=leaving,
        domain=domain,
        title="Binômes à l'université",
        context="Contexte rédigé par Camille Partante",
        actions="Actions",
        results="Résultats",
        status=ExperienceSubmission.Status.ACCEPTED,
        page=kept_page,
    )
    pending = ExperienceSubmission.objects.create(
        submitter=leaving, domain=domain, title="Brouillon", context="c", actions="a", results="r"
    )
    SignInEvent.objects.create(user=leaving, ip_prefix="192.0.2.0/24", user_agent_family="Firefox")
    return {
        "leaving": leaving,
        "other": other,
        "forum": forum,
        "own_topic": own_topic,
        "other_topic": other_topic,
        "own_reply": own_reply,
        "attachment": attachment,
        "accepted": accepted,
        "pending": pending,
        "kept_page": kept_page,
    }


def _pending_messages_about_them(world, client_for, django_capture_on_commit_callbacks):
    """Queue, while the mail server is down, emails to and about the person."""
    with django_capture_on_commit_callbacks(execute=True):
        reply(client_for(world["leaving"]), world["other_topic"], "Encore un mot de rutabaga.")
        reply(client_for(world["other"]), world["own_topic"], "Bonjour @cpartante !")
    pending = Message.objects.filter(status=Message.Status.PENDING)
    assert pending.filter(to="cpartante@univ-depart.fr").exists()
    assert pending.exclude(to="cpartante@univ-depart.fr").filter(body_text__contains="Partante")


def _assert_nowhere(client_for, world, search=True):
    """Their name, username and address appear in no page, feed, search result or email."""
    anonymous = client_for(None)
    reader = client_for(world["other"])
    urls = [
        "/",
        reverse("forum:index"),
        reverse("forum:forum", kwargs={"slug": world["forum"].slug, "pk": world["forum"].pk}),
        reverse("forum_feeds:latest_topics"),
        reverse("forum_member:profile", args=[world["other"].pk]),
        reverse("forum_member:user_posts", args=[world["other"].pk]),
    ]
    for topic in Topic.objects.all():
        urls.append(topic_url(topic))
    if search:
        urls.append(reverse("search") + "?q=rutabaga")
        for word in ("Partante", "cpartante", "Camille"):
            found = anonymous.get(reverse("search"), {"q": word})
            assert not list(found.context["items"]), word
    for client in (anonymous, reader):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for marker in NAME_MARKERS:
                assert marker not in body, (marker, url)
    assert (
        anonymous.get(reverse("forum_member:profile", args=[world["leaving"].pk])).status_code
        == 404
    )
    for message in Message.objects.all():
        text = f"{message.to} {message.subject} {message.body_text} {message.body_html}"
        for marker in NAME_MARKERS:
            assert marker not in text, (marker, message.subject)


def test_delete_keeping_posts_as_former_member(
    world, client_for, mail_server_down, django_capture_on_commit_callbacks
):
    leaving = world["leaving"]
    _pending_messages_about_them(world, client_for, django_capture_on_commit_callbacks)
    client = client_for(leaving)
    session_key = client.session.session_key
    # Before: the topic page names them.
    assert (
        "Camille Partante" in client_for(None).get(topic_url(world["other_topic"])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:delete_account"),
            {"posts": "keep", "password": factories.PASSWORD, "confirmation": "SUPPRIMER"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account_deleted")
    assert not User.objects.filter(username="cpartante").exists()
    assert export.remaining_references(leaving.pk) == []
    # Their posts remain, under "Ancien membre", with their attachment.
    kept = Post.objects.get(pk=world["own_reply"].pk)
    assert kept.poster is None and kept.username == "Ancien membre"
    assert kept.attachments.count() == 1
    page = client_for(None).get(topic_url(world["other_topic"])).content.decode()
    assert "Ancien membre" in page and "binômes rutabaga" in page
    mention = Post.objects.get(content__startswith="Merci ")
    assert mention.content.raw == (
        "Merci Ancien membre, voir aussi ce qu'a écrit Ancien membre (Ancien membre)."
    )
    assert Topic.objects.get(pk=world["own_topic"].pk).poster is None
    # Nothing else of theirs remains; what the agency keeps has no name.
    assert not Subscription.objects.filter(user_id=leaving.pk).exists()
    assert not TopicPollVote.objects.filter(voter_id=leaving.pk).exists()
    assert not SignInEvent.objects.filter(user_id=leaving.pk).exists()
    assert not Message.objects.filter(to="cpartante@univ-depart.fr").exists()
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    accepted = ExperienceSubmission.objects.get(pk=world["accepted"].pk)
    assert accepted.submitter is None and "Partante" not in accepted.context
    assert not ExperienceSubmission.objects.filter(pk=world["pending"].pk).exists()
    log = ModerationAction.objects.get()
    assert log.target == "Message de Ancien membre" and "cpartante" not in log.note
    assert PostReport.objects.get().reporter is None
    # Search still finds the kept post, by its words, without the name.
    found = client_for(None).get(reverse("search"), {"q": "rutabaga"})
    assert any(item["doc"].post_id == kept.pk for item in found.context["items"])
    _assert_nowhere(client_for, world)


def test_delete_with_posts(world, client_for, mail_server_down, django_capture_on_commit_callbacks):
    leaving = world["leaving"]
    _pending_messages_about_them(world, client_for, django_capture_on_commit_callbacks)
    file_name = world["attachment"].file.name
    storage = world["attachment"].file.storage  # forum attachments: the private storage
    assert storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(leaving).post(
            reverse("accounts:delete_account"),
            {"posts": "delete", "password": factories.PASSWORD, "confirmation": "supprimer"},
        )
    assert response.status_code == 302
    assert export.remaining_references(leaving.pk) == []
    assert not Post.objects.filter(content__contains="rutabaga").exists()
    assert not storage.exists(file_name)
    # The topic they started stays for the others' replies, without author.
    own_topic = Topic.objects.get(pk=world["own_topic"].pk)
    assert own_topic.poster is None
    assert own_topic.first_post.poster == world["other"]
    found = client_for(None).get(reverse("search"), {"q": "rutabaga"})
    assert found.context["items"] == [] or not list(found.context["items"])
    _assert_nowhere(client_for, world)


def test_deletion_needs_password_and_typed_confirmation(world, client_for):
    client = client_for(world["leaving"])
    response = client.post(
        reverse("accounts:delete_account"),
        {"posts": "delete", "password": "pas-le-bon", "confirmation": "oui"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce mot de passe n&#x27;est pas le bon." in html
    assert "Tapez exactement SUPPRIMER" in html
    assert 'value="oui"' in html  # what was typed is kept
    assert 'value="delete" id="id_posts_1" required checked' in html  # the choice is kept
    assert User.objects.filter(pk=world["leaving"].pk).exists()
    response = client.post(reverse("accounts:delete_account"), {})
    assert "Choisissez ce que deviennent vos messages." in response.content.decode()
    assert User.objects.filter(pk=world["leaving"].pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for name in ("personal_data", "personal_data_json", "delete_account"):
        url = reverse(f"accounts:{name}")
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    before = User.objects.count()
    response = client.post(
        reverse("accounts:delete_account"), {"posts": "delete", "confirmation": "SUPPRIMER"}
    )
    assert response.status_code == 302 and User.objects.count() == before


def test_each_person_exports_and_deletes_only_themselves(world, client_for):
    other = world["other"]
    response = client_for(other).get(reverse("accounts:personal_data_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="passerelle-donnees-')
    data = json.loads(response.content)
    assert data["compte"]["identifiant"] == "yrestant"
    assert "rutabaga" not in response.content.decode()
    assert [t["titre"] for t in data["sujets"]] == ["Paie à distance"]
    # The other person deleting their account leaves the first one whole.
    client_for(other).post(
        reverse("accounts:delete_account"),
        {"posts": "keep", "password": factories.PASSWORD, "confirmation": "SUPPRIMER"},
    )
    assert not User.objects.filter(pk=other.pk).exists()
    leaving = User.objects.get(pk=world["leaving"].pk)
    assert Post.objects.filter(poster=leaving).count() == 2


def test_export_holds_everything(world, client_for):
    leaving = world["leaving"]
    leaving.profile.job_title = "Gestionnaire RH"
    leaving.profile.save()
    world["other_topic"].subscribers.add(leaving)  # machina's "follow this topic"
    response = client_for(leaving).get(reverse("accounts:personal_data_json"))
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == "cpartante@univ-depart.fr"
    assert data["profil"]["etablissement"]["nom"] == "Université du Départ"
    assert data["profil"]["fonction"] == "Gestionnaire RH"
    assert data["roles"] == [roles.STAFF]
    assert [t["titre"] for t in data["sujets"]] == ["Télétravail des gestionnaires"]
    assert {p["contenu"] for p in data["messages_du_forum"]} == {
        "Quelle charte ?",
        "Nous utilisons des binômes rutabaga.",
    }
    assert data["pieces_jointes"][0]["fichier"].startswith("procedure-partante")
    assert data["votes_aux_sondages"][0]["reponse"] == "Deux"
    assert {s["titre"] for s in data["retours_d_experience"]} == {
        "Binômes à l'université",
        "Brouillon",
    }
    assert data["abonnements"]["forum"][0]["forum"] == world["forum"].name
    assert "Paie à distance" in [sub["sujet"] for sub in data["abonnements"]["forum"]]
    assert data["signalements_envoyes"][0]["precisions"] == "Hors sujet"
    assert "192.0.2.0/24" in [e["reseau"] for e in data["historique_des_connexions"]]
    assert data["courriels_adresses"]  # the mention email sent to them
    assert "anonymes" in data["avis_sur_les_pages"]["note"]
    page = client_for(leaving).get(reverse("accounts:personal_data"))
    html = page.content.decode()
    assert "Mes données personnelles" in html
    assert "Université du Départ" in html and "Combien de jours ?" in html
    assert "Binômes à l&#x27;université" in html


@pytest.mark.parametrize("view", ["accounts:personal_data_json", "accounts:personal_data"])
def test_export_query_count_is_flat(db, client_for, view):
    _category, forum = factories.make_category_with_forum()
    person = factories.make_user(roles.STAFF, factories.EstablishmentFactory())

    def count(n):
        Post.objects.filter(poster=person).delete()
        topic = factories.make_topic(forum, person, subject=f"Sujet {n}", replies=n - 1)
        for post in list(topic.posts.all())[:3]:
            attach(post)
        client = client_for(person)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(view))
        assert response.status_code == 200
        return len(queries)

    assert count(10) == count(200)


def test_profile_links_the_personal_data_section(db, client_for, staff_user):
    html = client_for(staff_user).get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:personal_data") in html
    assert reverse("accounts:personal_data_json") in html
    assert reverse("accounts:delete_account") in html
    assert 'href="/donnees-personnelles/"' in html


def test_erase_account_report(world):
    report = erasure.erase_account(world["leaving"], keep_posts=True)
    assert report["posts_kept"] == 2 and report["remaining_references"] == []
    assert report["experiences_kept"] == 1 and report["experiences_deleted"] == 1


def test_personal_data_pages_are_accessible(world, client_for):
    """One h1, no skipped heading level, landmarks, every field labelled (as tests/test_accessibility)."""
    import itertools

    from tests.test_accessibility import outline

    client = client_for(world["leaving"])
    responses = [
        client.get(reverse("accounts:personal_data")),
        client.get(reverse("accounts:delete_account")),
        client.post(reverse("accounts:delete_account"), {"posts": "keep"}),
        client_for(None).get(reverse("accounts:account_deleted")),
        client_for(None).get("/donnees-personnelles/"),
    ]
    for response in responses:
        parsed = outline(response.content.decode())
        assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1, parsed.headings
        for previous, current in itertools.pairwise(parsed.headings):
            assert current <= previous + 1, parsed.headings
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in parsed.landmarks
        for field in parsed.inputs:
            assert field.get("id") in parsed.label_targets or field.get("aria-label"), field


def test_password_guessing_on_the_deletion_form_is_stopped(db, client_for, staff_user):
    from django.core.cache import cache

    cache.delete(f"personal-data:delete-attempts:{staff_user.pk}")
    client = client_for(staff_user)
    url = reverse("accounts:delete_account")
    for _attempt in range(5):
        response = client.post(url, {"posts": "keep", "password": "x", "confirmation": "SUPPRIMER"})
        assert "Ce mot de passe n&#x27;est pas le bon." in response.content.decode()
    # Even the right password is refused for a while now; the account stays.
    response = client.post(
        url, {"posts": "keep", "password": factories.PASSWORD, "confirmation": "SUPPRIMER"}
    )
    assert "Trop d&#x27;essais de mot de passe" in response.content.decode()
    assert User.objects.filter(pk=staff_user.pk).exists()
    # The count lives in the cache, which outlives the test's rows (ids are reused on SQLite).
    cache.delete(f"personal-data:delete-attempts:{staff_user.pk}")


def test_account_without_password_must_have_signed_in_recently(db, client_for, staff_user):
    import datetime

    from django.utils import timezone

    staff_user.set_unusable_password()
    staff_user.save()
    client = client_for(staff_user)
    User.objects.filter(pk=staff_user.pk).update(
        last_login=timezone.now() - datetime.timedelta(hours=2)
    )
    url = reverse("accounts:delete_account")
    response = client.post(url, {"posts": "keep", "confirmation": "SUPPRIMER"})
    assert "reconnectez-vous" in response.content.decode()
    assert User.objects.filter(pk=staff_user.pk).exists()
    User.objects.filter(pk=staff_user.pk).update(last_login=timezone.now())
    response = client.post(url, {"posts": "keep", "confirmation": "SUPPRIMER"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=staff_user.pk).exists()
