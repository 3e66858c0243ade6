"""Who may edit which guide page, and the workflow a change goes through.

- Page permissions per domain: the officer group of a domain (``Chargés de domaine · <name>``)
  gets ``change_page`` on every guide and practice of that domain (and ``add_page`` under its
  guides, to write new chapters), and ``add_page`` on the guide index to write stand-alone
  practices. Wagtail page permissions cover a page and its descendants, so a guide's officers also
  look after its chapters. Officers cannot touch another domain's pages: the page form refuses a
  domain that is not theirs (kb.page_forms) and kb.wagtail_hooks refuses new guides and chapters
  under another domain's guide.
- Workflow: a change to a page of a domain is reviewed by that domain's officers
  (``Relecture · <name>``: officers' approval, then an editor's, which publishes). Pages without a
  domain, or whose domain has no officer group yet, go through ``Validation éditoriale`` (an
  editor's approval), assigned at the root in place of Wagtail's default "Moderators approval".

Everything is idempotent: :func:`ensure_editorial_setup` can run after every deployment.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts import roles

OFFICER_CHANGE = ["change_page"]
OFFICER_GUIDE = ["add_page", "change_page"]
EDITORIAL_WORKFLOW = "Validation éditoriale"
EDITOR_TASK = "Publication par un éditeur"
DOMAIN_WORKFLOW_PREFIX = "Relecture · "
DOMAIN_TASK_PREFIX = "Relecture par les chargés · "


def _page_permissions(codenames):
    return list(
        Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames)
    )


def _editor_task():
    from wagtail.models import GroupApprovalTask

    task = GroupApprovalTask.objects.filter(name=EDITOR_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=EDITOR_TASK)
    editors = Group.objects.filter(name__in=[roles.EDITOR, roles.ADMINISTRATOR])
    task.groups.add(*editors)
    return task


def _workflow(name, tasks):
    from wagtail.models import Workflow, WorkflowTask

    workflow = Workflow.objects.filter(name=name).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=name, active=True)
    if not workflow.workflow_tasks.exists():
        for order, task in enumerate(tasks):
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


def editorial_workflow():
    return _workflow(EDITORIAL_WORKFLOW, [_editor_task()])


def domain_workflow(domain):
    """The officers-then-editor workflow of ``domain`` (None when it has no officer group)."""
    from wagtail.models import GroupApprovalTask

    if domain is None or domain.officer_group_id is None:
        return None
    name = f"{DOMAIN_TASK_PREFIX}{domain.name}"[:255]
    task = GroupApprovalTask.objects.filter(name=name).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
    task.groups.add(domain.officer_group)
    return _workflow(f"{DOMAIN_WORKFLOW_PREFIX}{domain.name}"[:255], [task, _editor_task()])


@transaction.atomic
def sync_page_editorial(page):
    """Page permissions and workflow of one guide or practice page, from its domain."""
    from wagtail.models import GroupPagePermission, WorkflowPage

    from kb.models import GuidePage, KnowledgePage

    page = page.specific
    if not isinstance(page, KnowledgePage):
        return
    domain = page.domain
    group = domain.officer_group if domain is not None else None
    stale = GroupPagePermission.objects.filter(
        page=page, group__name__startswith=roles.DOMAIN_OFFICER_GROUP_PREFIX
    )
    if group is not None:
        stale = stale.exclude(group=group)
    stale.delete()
    if group is not None:
        codenames = OFFICER_GUIDE if isinstance(page, GuidePage) else OFFICER_CHANGE
        for permission in _page_permissions(codenames):
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    workflow = domain_workflow(domain)
    if workflow is None:
        WorkflowPage.objects.filter(page=page).delete()
    else:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})


def domain_pages(domain):
    from kb.models import GuidePage, PracticePage

    return [*GuidePage.objects.filter(domain=domain), *PracticePage.objects.filter(domain=domain)]


def grant_guide_index(group):
    """``add_page`` on every guide index (/guides/): the domain's officers write stand-alone
    practices there (kb.wagtail_hooks keeps them to practices of their own domains)."""
    from wagtail.models import GroupPagePermission

    from kb.models import GuideIndexPage

    for index in GuideIndexPage.objects.all():
        for permission in _page_permissions(["add_page"]):
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )


@transaction.atomic
def sync_domain_editorial(domain):
    """After a domain is saved: its workflow, and permissions on each of its pages."""
    domain_workflow(domain)
    if domain.officer_group_id is not None:
        grant_guide_index(domain.officer_group)
    for page in domain_pages(domain):
        sync_page_editorial(page)


@transaction.atomic
def ensure_editorial_setup():
    """The default editorial workflow at the root, then every domain and every page."""
    from wagtail.models import Page, WorkflowPage

    from kb.models import Domain, GuidePage, PracticePage

    roles.ensure_roles()
    root = Page.get_first_root_node()
    if root is not None:
        WorkflowPage.objects.update_or_create(
            page=root, defaults={"workflow": editorial_workflow()}
        )
    for domain in Domain.objects.all():
        if domain.officer_group_id is None:
            roles.sync_domain_permissions(domain)
        domain_workflow(domain)
        grant_guide_index(domain.officer_group)
    for model in (GuidePage, PracticePage):
        for page in model.objects.all():
            sync_page_editorial(page)
