"""Establishments' experiences: who reviews them, and what accepting, asking for changes or
declining does. A submission never publishes itself: accepting makes a *draft* practice page."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import roles
from outbox.delivery import enqueue


def is_editor(user):
    return (
        user.is_superuser
        or user.groups.filter(name__in=[roles.EDITOR, roles.ADMINISTRATOR]).exists()
    )


def reviewers_for(domain):
    """The domain's active officers; the editors when the domain has none."""
    User = get_user_model()
    officers = list(domain.officers) if domain is not None else []
    if officers:
        return officers
    return list(User.objects.filter(groups__name=roles.EDITOR, is_active=True).distinct())


def reviewable_submissions(user):
    from kb.models import ExperienceSubmission

    queryset = ExperienceSubmission.objects.select_related(
        "domain", "submitter", "establishment", "page"
    )
    if is_editor(user):
        return queryset
    group_ids = list(user.groups.values_list("pk", flat=True))
    return queryset.filter(Q(domain__officer_group_id__in=group_ids))


def can_review(user, submission):
    return user.is_authenticated and reviewable_submissions(user).filter(pk=submission.pk).exists()


def _base_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _notify(people, subject, template, context, key):
    for person in people:
        if person.email:
            enqueue(
                to=person.email,
                subject=subject,
                text=render_to_string(
                    template, {**context, "person": person, "base_url": _base_url()}
                ),
                dedup_key=f"{key}:{person.pk}",
            )


def notify_reviewers(submission):
    _notify(
        reviewers_for(submission.domain),
        _("Nouveau retour d'expérience à examiner : %(title)s") % {"title": submission.title[:120]},
        "kb/emails/experience_submitted.txt",
        {"submission": submission},
        f"kb-experience:{submission.pk}:submitted:{submission.updated_at.isoformat()}",
    )


def notify_submitter(submission):
    if submission.submitter is None:
        return
    _notify(
        [submission.submitter],
        _("Votre retour d'expérience « %(title)s » : %(status)s")
        % {"title": submission.title[:100], "status": submission.get_status_display().lower()},
        "kb/emails/experience_status.txt",
        {"submission": submission},
        f"kb-experience:{submission.pk}:{submission.status}:{submission.updated_at.isoformat()}",
    )


@transaction.atomic
def submit(submission):
    submission.status = submission.Status.SUBMITTED
    submission.save()
    notify_reviewers(submission)
    return submission


def _paragraphs(text):
    return linebreaks(escape(text))


def draft_body(submission):
    sections = [
        (_("Contexte"), submission.context),
        (_("Ce qui a été fait"), submission.actions),
        (_("Résultats"), submission.results),
        (_("Outils utilisés"), submission.tools),
    ]
    html = "".join(
        f"<h2>{escape(title)}</h2>{_paragraphs(text)}" for title, text in sections if text.strip()
    )
    body = [{"type": "rich_text", "value": html}]
    if submission.consent_to_publish and submission.establishment_id:
        body.append(
            {
                "type": "testimony",
                "value": {
                    "quote": submission.results[:1000],
                    "establishment": submission.establishment_id,
                    "author_role": "",
                },
            }
        )
    return body


def _unique_slug(parent, title):
    base = slugify(title)[:70] or "retour-d-experience"
    slug, n = base, 2
    while parent.get_children().filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def accept(submission, officer):
    """Create a draft practice page under /guides/ in the submission's domain, owned by the
    officer, and tell the submitter. Returns the page."""
    from wagtail.documents import get_document_model

    from kb.editorial import sync_page_editorial
    from kb.models import GuideIndexPage, PracticePage

    index = GuideIndexPage.objects.first()
    body = draft_body(submission)
    if submission.attachment:
        Document = get_document_model()
        submission.attachment.open("rb")
        document = Document(title=_("Pièce jointe – %(title)s") % {"title": submission.title[:150]})
        document.file.save(
            submission.attachment.name.rsplit("/", 1)[-1],
            ContentFile(submission.attachment.read()),
            save=False,
        )
        submission.attachment.close()
        document.uploaded_by_user = officer
        document.save()
        body.append({"type": "document", "value": {"document": document.pk, "label": ""}})
    page = PracticePage(
        title=submission.title,
        slug=_unique_slug(index, submission.title),
        intro=submission.context[:600],
        body=body,
        domain=submission.domain,
        owner=officer,
        # The owner keeps the page fresh: an officer of the domain, else (an editor accepted
        # for a domain without officers) nobody yet, and reminders go to the editors.
        owner_officer=officer if officer in list(submission.domain.officers) else None,
        live=False,
    )
    index.add_child(instance=page)
    page.save_revision(user=officer, log_action=True)
    sync_page_editorial(page)
    submission.status = submission.Status.ACCEPTED
    submission.reviewed_by = officer
    submission.page = page
    submission.save()
    notify_submitter(submission)
    return page


@transaction.atomic
def request_changes(submission, officer, message):
    submission.status = submission.Status.CHANGES_REQUESTED
    submission.officer_message = message
    submission.reviewed_by = officer
    submission.save()
    notify_submitter(submission)


@transaction.atomic
def decline(submission, officer, reason):
    submission.status = submission.Status.DECLINED
    submission.officer_message = reason
    submission.reviewed_by = officer
    submission.save()
    notify_submitter(submission)
