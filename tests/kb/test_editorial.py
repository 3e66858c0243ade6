"""Per-domain page permissions and the review workflow: officers review, an editor publishes."""

import pytest
from wagtail.models import Page, Workflow, WorkflowPage

from accounts import roles
from kb.editorial import EDITORIAL_WORKFLOW, ensure_editorial_setup
from tests import factories


@pytest.fixture
def world(site_tree):
    telework = factories.DomainFactory(name="Télétravail", slug="teletravail")
    finances = factories.DomainFactory(name="Finances", slug="finances")
    officer = factories.make_officer(telework)
    finance_officer = factories.make_officer(finances)
    guide = factories.make_guide(site_tree.guides, title="Guide du télétravail", domain=telework)
    chapter = factories.make_practice(guide, title="VPN", domain=telework)
    invoices = factories.make_practice(site_tree.guides, title="Factures", domain=finances)
    editor = factories.make_user(roles.EDITOR)
    return {
        "officer": officer,
        "finance_officer": finance_officer,
        "guide": guide,
        "chapter": chapter,
        "invoices": invoices,
        "editor": editor,
        "telework": telework,
    }


def edit_status(client, page):
    return client.get(f"/admin/pages/{page.pk}/edit/").status_code


@pytest.mark.django_db
def test_officers_edit_their_domains_pages_only(client_for, world):
    officer = client_for(world["officer"])
    assert edit_status(officer, world["guide"]) == 200
    assert edit_status(officer, world["chapter"]) == 200
    assert edit_status(officer, world["invoices"]) == 302  # refused: back to the dashboard
    finance = client_for(world["finance_officer"])
    assert edit_status(finance, world["invoices"]) == 200
    assert edit_status(finance, world["guide"]) == 302
    assert edit_status(finance, world["chapter"]) == 302


@pytest.mark.django_db
def test_officers_cannot_publish_but_editors_can(world):
    chapter = world["chapter"]
    assert chapter.permissions_for_user(world["officer"]).can_edit()
    assert not chapter.permissions_for_user(world["officer"]).can_publish()
    assert chapter.permissions_for_user(world["editor"]).can_publish()
    assert world["guide"].permissions_for_user(world["officer"]).can_add_subpage()
    assert not world["invoices"].permissions_for_user(world["officer"]).can_edit()


@pytest.mark.django_db
def test_moving_a_page_to_another_domain_moves_its_officers(client_for, world):
    invoices = world["invoices"]
    invoices.domain = world["telework"]
    invoices.save_revision().publish()
    assert edit_status(client_for(world["officer"]), invoices) == 200
    assert edit_status(client_for(world["finance_officer"]), invoices) == 302


@pytest.mark.django_db
def test_change_is_reviewed_by_the_domains_officers_then_published_by_an_editor(world):
    chapter = world["chapter"].specific_class.objects.get(pk=world["chapter"].pk)
    workflow = chapter.get_workflow()
    assert workflow.name == "Relecture · Télétravail"
    chapter.title = "VPN : nouvelle version"
    chapter.update_note = "Nouvelle procédure"
    revision = chapter.save_revision(user=world["officer"])
    state = workflow.start(chapter, world["officer"])
    first = state.current_task_state
    # The other domain's officer and the editor cannot act on the officers' task.
    assert first.task.specific.get_actions(chapter, world["finance_officer"]) == []
    assert first.task.specific.get_actions(chapter, world["editor"]) == []
    assert first.task.specific.get_actions(chapter, world["officer"])
    first.task.specific.on_action(first, world["officer"], "approve")
    state.refresh_from_db()
    second = state.current_task_state
    assert second.task.name == "Publication par un éditeur"
    assert second.task.specific.get_actions(chapter, world["officer"]) == []
    chapter.refresh_from_db()
    assert chapter.title == "VPN"  # not published yet
    second.task.specific.on_action(second, world["editor"], "approve")
    chapter.refresh_from_db()
    assert chapter.title == "VPN : nouvelle version"
    assert chapter.live_revision_id == revision.pk


@pytest.mark.django_db
def test_pages_without_domain_go_through_the_editors_and_setup_is_idempotent(site_tree):
    page = factories.make_practice(site_tree.guides, title="Sans domaine")
    assert page.get_workflow().name == EDITORIAL_WORKFLOW
    root = Page.get_first_root_node()
    assert WorkflowPage.objects.get(page=root).workflow.name == EDITORIAL_WORKFLOW
    counts = (Workflow.objects.count(), WorkflowPage.objects.count())
    ensure_editorial_setup()
    ensure_editorial_setup()
    assert (Workflow.objects.count(), WorkflowPage.objects.count()) == counts


def add_status(client, model, parent):
    return client.get(f"/admin/pages/add/kb/{model}/{parent.pk}/").status_code


def practice_form(title, domain):
    from django.utils.text import slugify
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "intro": "Ce que nous avons appris.",
            "body": streamfield([]),
            "domain": domain.pk if domain else "",
            "owner_officer": "",
            "last_reviewed_at": "",
            "review_interval_months": 6,
            "update_note": "",
            "tags": "",
        }
    )


@pytest.mark.django_db
def test_officers_write_stand_alone_practices_of_their_domains(client_for, site_tree, world):
    from kb.models import PracticePage

    ensure_editorial_setup()
    officer = client_for(world["officer"])
    index = site_tree.guides
    assert add_status(officer, "practicepage", index) == 200
    response = officer.post(
        f"/admin/pages/add/kb/practicepage/{index.pk}/",
        practice_form("Badges et accès aux bâtiments", world["telework"]),
    )
    assert response.status_code == 302
    page = PracticePage.objects.get(title="Badges et accès aux bâtiments")
    assert page.get_parent().pk == index.pk and not page.live  # a draft, for the workflow
    assert page.domain == world["telework"]
    # Another domain's page is refused, and what was typed stays in the form.
    response = officer.post(
        f"/admin/pages/add/kb/practicepage/{index.pk}/",
        practice_form("Notes de frais", factories.DomainFactory(name="Finances 2")),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez l&#x27;un de vos domaines (Télétravail)" in html
    assert "Notes de frais" in html
    assert not PracticePage.objects.filter(title="Notes de frais").exists()


@pytest.mark.django_db
def test_officers_do_not_create_guides_nor_chapters_in_other_domains(client_for, site_tree, world):
    ensure_editorial_setup()
    officer = client_for(world["officer"])
    assert add_status(officer, "guidepage", site_tree.guides) == 302
    finance_guide = factories.make_guide(
        site_tree.guides, title="Guide des finances", domain=world["invoices"].domain
    )
    ensure_editorial_setup()
    assert add_status(officer, "practicepage", finance_guide) == 302
    assert add_status(client_for(world["finance_officer"]), "practicepage", finance_guide) == 200
    assert add_status(officer, "practicepage", world["guide"]) == 200
    # Editors create guides; staff without a role create nothing.
    assert add_status(client_for(world["editor"]), "guidepage", site_tree.guides) == 200
    staff = client_for(factories.make_user(roles.STAFF))
    assert add_status(staff, "practicepage", site_tree.guides) in {302, 403}
