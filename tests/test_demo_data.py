"""The demo loader: twice gives the same rows, and it never touches what a person created."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape
from machina.core.db.models import get_model
from wagtail.models import Page

from accounts.models import Establishment
from kb.models import (
    Domain,
    ExperienceSubmission,
    GuidePage,
    PageFeedback,
    PageUpdate,
    PracticePage,
    ReviewRequest,
)
from notices.models import Audience, FeedEntry, NoticePage, Source, SourceFeed
from subscriptions.models import Follow

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")

MODELS = [
    User,
    Group,
    Establishment,
    Domain,
    Source,
    Page,
    GuidePage,
    PracticePage,
    PageUpdate,
    PageFeedback,
    ExperienceSubmission,
    ReviewRequest,
    NoticePage,
    Audience,
    SourceFeed,
    FeedEntry,
    Forum,
    Topic,
    Post,
    GroupForumPermission,
    Follow,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db(transaction=True)
def test_loading_twice_duplicates_nothing():
    call_command("load_demo_data", verbosity=0)
    first = counts()
    call_command("load_demo_data", verbosity=0)
    assert counts() == first
    # What the demo promises is there.
    assert first["Establishment"] >= 5
    assert first["NoticePage"] >= 12
    assert NoticePage.objects.filter(priority="urgent").exists()
    assert FeedEntry.objects.filter(status="pending").count() >= 5
    assert SourceFeed.objects.count() >= 5
    assert set(Source.objects.values_list("acronym", flat=True)) >= {
        "MESR",
        "France Universités",
        "CERT-FR",
        "CNIL",
        "DNUM",
    }
    guide = GuidePage.objects.get(slug="guide-du-teletravail")
    assert PracticePage.objects.child_of(guide).count() >= 6
    # The living guide: a chapter with a history, an overdue page, a pending experience, feedback.
    vpn = PracticePage.objects.get(slug="acceder-au-si-par-le-vpn")
    assert PageUpdate.objects.filter(page=vpn, minor=False).count() >= 3
    assert any(page.is_review_overdue() for page in PracticePage.objects.live())
    assert ExperienceSubmission.objects.filter(status="submitted").exists()
    assert PageFeedback.objects.filter(useful=False).exclude(comment="").exists()
    # An official notice flagged a guide page: its owner has an open review request, and readers
    # see « Révision en cours suite à » on the page.
    workstations = PracticePage.objects.get(slug="securiser-les-postes-de-travail")
    flag = ReviewRequest.objects.get(page=workstations, resolved_at=None)
    assert flag.notice.slug == "recommandations-nomadisme" and flag.reason == "reference"
    assert workstations.owner_officer is not None
    html = Client().get(workstations.url).content.decode()
    assert "Révision en cours suite à" in html and escape(flag.notice.title) in html
    assert {u.username for u in User.objects.all()} >= {"personnel", "charge", "editeur", "admin"}
    assert Domain.objects.filter(forum__isnull=False).count() == Domain.objects.count()
    # A person follows two domains, with a daily digest ready to send (issue 14).
    from subscriptions import digest

    camille = User.objects.get(username="personnel")
    assert Follow.objects.filter(user=camille, domain__isnull=False, rhythm="daily").count() == 2
    ready = dict(digest.build("daily"))
    assert camille in ready and digest.count_items(ready[camille]) > 0
    # An establishment's page: its listed contact and each kind of contribution (issue 14).

    html = Client().get("/etablissements/0759991a/").content.decode()
    assert "Camille Martin" in html and "Poste de travail, VPN et télétravail" in html
    assert "Patch Apogée avant l&#x27;ouverture des inscriptions" in html  # accepted answer
    assert "Deux mille agents sur le VPN" in html  # accepted experience
    assert 'href="/guides/guide-du-teletravail/acceder-au-si-par-le-vpn/"' in html  # credited


@pytest.mark.django_db(transaction=True)
def test_loader_adds_what_is_missing_and_touches_nothing_else(client):
    from kb.structure import ensure_site_structure
    from tests import factories

    tree = ensure_site_structure()
    own_page = factories.make_practice(tree.guides, title="Notre pratique maison")
    someone = factories.make_user(
        None, username="personnel", first_name="Vraie", last_name="Personne"
    )
    someone.set_password("son-propre-mot-de-passe")
    someone.save()
    own_establishment = Establishment.objects.create(name="Vrai établissement", uai="0759991A")

    call_command("load_demo_data", verbosity=0)

    own_page.refresh_from_db()
    assert own_page.live and own_page.title == "Notre pratique maison"
    someone.refresh_from_db()
    assert someone.first_name == "Vraie"
    assert someone.check_password("son-propre-mot-de-passe")
    assert not someone.groups.exists()
    assert not someone.follows.exists()
    own_establishment.refresh_from_db()
    assert own_establishment.name == "Vrai établissement"
    # The rest of the demo is there all the same.
    assert User.objects.filter(username="editeur").exists()
    assert GuidePage.objects.filter(slug="guide-du-teletravail").exists()

    # An edited demo page keeps its edit on the next run.
    guide = GuidePage.objects.get(slug="guide-du-teletravail")
    guide.title = "Guide du télétravail (édition 2027)"
    guide.save_revision().publish()
    call_command("load_demo_data", verbosity=0)
    assert GuidePage.objects.get(slug="guide-du-teletravail").title.endswith("(édition 2027)")
    assert client.get("/").status_code == 200
