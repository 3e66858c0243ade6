"""Freshness that someone owns: the reader's badge, the owner's admin panel, the reminders."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import roles
from kb.freshness import send_review_reminders
from kb.models import PageFeedback
from outbox.models import Message
from tests import factories

TODAY = timezone.localdate()
LONG_AGO = TODAY - datetime.timedelta(days=400)
RECENTLY = TODAY - datetime.timedelta(days=10)


@pytest.fixture
def world(site_tree):
    domain = factories.DomainFactory(name="Télétravail", slug="teletravail")
    owner = factories.make_officer(domain, email="owner@example.fr")
    colleague = factories.make_officer(domain, email="colleague@example.fr")
    overdue = factories.make_practice(
        site_tree.guides,
        title="Accès VPN",
        domain=domain,
        owner_officer=owner,
        last_reviewed_at=LONG_AGO,
    )
    fresh = factories.make_practice(
        site_tree.guides,
        title="Visioconférence",
        domain=domain,
        owner_officer=owner,
        last_reviewed_at=RECENTLY,
    )
    return domain, owner, colleague, overdue, fresh


@pytest.mark.django_db
def test_readers_see_verified_date_or_review_pending(client, world):
    _domain, _owner, _colleague, overdue, fresh = world
    fresh_html = client.get(fresh.url).content.decode()
    assert "Vérifié le" in fresh_html and "Révision en attente" not in fresh_html
    overdue_html = client.get(overdue.url).content.decode()
    assert "Révision en attente" in overdue_html and "Vérifié le" not in overdue_html


@pytest.mark.django_db
def test_review_interval_is_configurable_and_defaults_to_six_months(site_tree):
    page = factories.make_practice(site_tree.guides, last_reviewed_at=datetime.date(2026, 1, 31))
    assert page.review_interval_months == 6
    assert page.review_due_on == datetime.date(2026, 7, 31)
    page.review_interval_months = 1
    assert page.review_due_on == datetime.date(2026, 2, 28)
    assert page.is_review_overdue(today=datetime.date(2026, 3, 1))
    assert not page.is_review_overdue(today=datetime.date(2026, 2, 27))


@pytest.mark.django_db
def test_reminders_go_to_the_owner_once_a_day(world):
    _domain, owner, colleague, overdue, _fresh = world
    assert send_review_reminders(today=TODAY) == 1
    message = Message.objects.get(to=owner.email)
    assert "Accès VPN" in message.body_text
    assert "Visioconférence" not in message.body_text
    assert f"/admin/pages/{overdue.pk}/edit/" in message.body_text
    assert not Message.objects.filter(to=colleague.email).exists()
    # Twice the same day: nothing more. The next day: again.
    call_command("send_review_reminders")
    assert Message.objects.filter(to=owner.email).count() == 1
    assert send_review_reminders(today=TODAY + datetime.timedelta(days=1)) == 1
    assert Message.objects.filter(to=owner.email).count() == 2


@pytest.mark.django_db
def test_page_whose_owner_left_falls_back_to_the_domain_officers(world):
    domain, owner, colleague, _overdue, _fresh = world
    owner.groups.remove(domain.officer_group)  # no longer an officer of this domain
    assert send_review_reminders(today=TODAY) == 1
    assert list(Message.objects.values_list("to", flat=True)) == [colleague.email]
    Message.objects.all().delete()
    owner.is_active = False
    owner.save()
    owner.groups.add(domain.officer_group)
    send_review_reminders(today=TODAY + datetime.timedelta(days=1))
    assert list(Message.objects.values_list("to", flat=True)) == [colleague.email]


@pytest.mark.django_db
def test_domain_without_officers_falls_back_to_editors(site_tree):
    editor = factories.make_user(roles.EDITOR, email="editeur@example.fr")
    lonely = factories.DomainFactory(name="Finances", slug="finances")
    factories.make_practice(site_tree.guides, domain=lonely, last_reviewed_at=LONG_AGO)
    send_review_reminders(today=TODAY)
    assert list(Message.objects.values_list("to", flat=True)) == [editor.email]


@pytest.mark.django_db
def test_admin_dashboard_lists_the_owners_due_pages_and_negative_feedback(client_for, world):
    _domain, owner, colleague, _overdue, fresh = world
    PageFeedback.objects.create(page=fresh, useful=False, comment="Le lien vers Renater est mort")
    PageFeedback.objects.create(page=fresh, useful=False, comment="")
    html = client_for(owner).get("/admin/").content.decode()
    assert "Mes pages à réviser" in html
    assert "Accès VPN" in html and "En retard" in html
    assert "Le lien vers Renater est mort" in html
    other_html = client_for(colleague).get("/admin/").content.decode()
    assert "Mes pages à réviser" in other_html
    assert "Accès VPN" not in other_html
    assert "Le lien vers Renater est mort" not in other_html
