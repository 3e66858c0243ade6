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
