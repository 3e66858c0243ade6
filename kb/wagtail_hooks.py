from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.roles import sync_domain_permissions
from kb import admin_views
from kb.models import Domain


class DomainViewSet(SnippetViewSet):
    model = Domain
    icon = "folder-open-inverse"
    menu_label = _("Domaines")
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "slug", "forum", "regulatory"]


register_snippet(DomainViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def sync_domain_after_save(request, instance):
    """A domain saved in the admin gets its officer group, forum rights, page rights and
    review workflow at once."""
    if isinstance(instance, Domain):
        from kb.editorial import sync_domain_editorial

        sync_domain_permissions(instance)
        sync_domain_editorial(instance)


@hooks.register("after_create_page")
def sync_page_after_create(request, page):
    from kb.editorial import grant_guide_index, sync_page_editorial
    from kb.models import GuideIndexPage

    sync_page_editorial(page)
    if isinstance(page.specific, GuideIndexPage):
        for domain in Domain.objects.exclude(officer_group=None).select_related("officer_group"):
            grant_guide_index(domain.officer_group)


@hooks.register("before_create_page")
def officers_write_practices_of_their_domains(request, parent_page, page_class):
    """Officers may add, under the guide index, stand-alone practices only (a new guide is an
    editor's decision), and chapters only under their own domains' guides."""
    from accounts import roles
    from kb.models import GuideIndexPage, GuidePage, PracticePage

    user = request.user
    own_domains = roles.officer_domains(user)
    if roles.edits_every_domain(user) or not own_domains.exists():
        return None
    parent = parent_page.specific
    if isinstance(parent, GuideIndexPage):
        allowed = page_class is PracticePage
    elif isinstance(parent, GuidePage):
        allowed = own_domains.filter(pk=parent.domain_id).exists()
    else:
        return None
    if allowed:
        return None
    messages.error(
        request,
        _(
            "Les chargés de domaine ajoutent des pratiques, et des chapitres aux guides de leurs "
            "domaines. Un nouveau guide est créé par un éditeur."
        ),
    )
    return redirect("wagtailadmin_explore", parent_page.pk)


@hooks.register("register_admin_urls")
def register_kb_admin_urls():
    return [
        path("retours-experience/", admin_views.experience_queue, name="kb_experience_queue"),
        path(
            "retours-experience/<int:pk>/",
            admin_views.experience_detail,
            name="kb_experience_detail",
        ),
        path("avis-lecteurs/", admin_views.feedback_report, name="kb_feedback_report"),
        path(
            "avis-lecteurs/<int:pk>/traite/",
            admin_views.feedback_handled,
            name="kb_feedback_handled",
        ),
        path("revisions-demandees/", admin_views.review_requests, name="kb_review_requests"),
        path(
            "revisions-demandees/page/<int:page_id>/verifiee/",
            admin_views.review_resolve,
            name="kb_review_resolve",
        ),
    ]


class ReviewerMenuItem(MenuItem):
    """Shown to editors and to domain officers only."""

    def is_shown(self, request):
        from accounts import roles

        user = request.user
        return (
            user.is_superuser
            or user.groups.filter(
                name__in=[roles.EDITOR, roles.ADMINISTRATOR, roles.OFFICER]
            ).exists()
        )


@hooks.register("register_admin_menu_item")
def experiences_menu_item():
    return ReviewerMenuItem(
        _("Retours d'expérience"),
        reverse("kb_experience_queue"),
        icon_name="openquote",
        order=220,
    )


@hooks.register("register_admin_menu_item")
def feedback_menu_item():
    return ReviewerMenuItem(
        _("Avis des lecteurs"), reverse("kb_feedback_report"), icon_name="comment", order=230
    )


@hooks.register("register_admin_menu_item")
def review_requests_menu_item():
    return ReviewerMenuItem(
        _("Demandes de révision"), reverse("kb_review_requests"), icon_name="warning", order=225
    )


class ReviewDuePanel(Component):
    """Dashboard panel: the pages the signed-in person answers for that are due or overdue,
    and readers' "Non" with a comment on them."""

    name = "kb_review_due"
    order = 50
    template_name = "kb/admin/review_due_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        from django.utils import timezone

        from kb.freshness import Responsibility, due_pages_for, feedback_to_review_for
        from kb.reviews import requests_for

        responsibility = Responsibility()
        today = timezone.localdate()
        pages = due_pages_for(self.user, today=today, responsibility=responsibility)
        return {
            "due_pages": [(page, page.is_review_overdue(today)) for page in pages],
            "feedback_items": feedback_to_review_for(self.user, responsibility=responsibility),
            "review_requests": requests_for(self.user)[0],
        }


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request, panels):
    panels.append(ReviewDuePanel(request.user))
