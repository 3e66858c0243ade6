"""Freshness that someone owns: who answers for a page, what is due, and the review reminders."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from outbox.delivery import enqueue

DUE_SOON_DAYS = 30


def knowledge_pages():
    """Every live guide and practice page, with what freshness needs, in one query per type."""
    from kb.models import GuidePage, PracticePage

    pages = []
    for model in (GuidePage, PracticePage):
        pages += list(
            model.objects.live().select_related("domain", "owner_officer").order_by("title")
        )
    return pages


class Responsibility:
    """Resolves who answers for a page, with the officer groups loaded once."""

    def __init__(self):
        from kb.models import Domain

        User = get_user_model()
        self.officers = {}
        for domain in Domain.objects.exclude(officer_group=None):
            self.officers[domain.pk] = list(
                User.objects.filter(groups=domain.officer_group_id, is_active=True).order_by("pk")
            )
        self.editors = list(
            User.objects.filter(groups__name=roles.EDITOR, is_active=True).order_by("pk")
        )

    def people_for(self, page):
        """The page's owner while active and still an officer of the page's domain; otherwise
        the domain's officers; with no officer at all, the editors."""
        officers = self.officers.get(page.domain_id, [])
        owner = page.owner_officer
        active = owner is not None and owner.is_active
        if active and (page.domain_id is None or any(o.pk == owner.pk for o in officers)):
            return [owner]
        return officers or self.editors


def due_pages_for(user, today=None, pages=None, responsibility=None):
    """The pages ``user`` answers for that are overdue or due within DUE_SOON_DAYS."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    responsibility = responsibility or Responsibility()
    due = []
    for page in pages if pages is not None else knowledge_pages():
        if page.review_due_on is None or page.review_due_on > horizon:
            continue
        if any(person.pk == user.pk for person in responsibility.people_for(page)):
            due.append(page)
    return sorted(due, key=lambda p: p.review_due_on)


def feedback_to_review_for(user, responsibility=None):
    """ "Non" answers with a comment on pages ``user`` answers for, not yet handled."""
    from kb.models import PageFeedback

    responsibility = responsibility or Responsibility()
    items = (
        PageFeedback.objects.filter(useful=False, handled_at=None)
        .exclude(comment="")
        .select_related("page")
        .order_by("-created_at")
    )
    pages = {page.pk: page for page in knowledge_pages()}
    result = []
    for item in items:
        page = pages.get(item.page_id)
        if page is not None and any(p.pk == user.pk for p in responsibility.people_for(page)):
            result.append((page, item))
    return result


def send_review_reminders(today=None):
    """Email each responsible person the list of their overdue pages, once a day at most.

    Returns the number of emails queued (0 when run again the same day).
    """
    today = today or timezone.localdate()
    responsibility = Responsibility()
    overdue = {}
    people = {}
    for page in knowledge_pages():
        if not page.is_review_overdue(today):
            continue
        for person in responsibility.people_for(page):
            if person.email:
                overdue.setdefault(person.pk, []).append(page)
                people[person.pk] = person
    sent = 0
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for pk, pages in overdue.items():
        person = people[pk]
        context = {"person": person, "pages": pages, "base_url": base_url, "today": today}
        message = enqueue(
            to=person.email,
            subject=_("Passerelle : %(count)s page(s) à vérifier") % {"count": len(pages)},
            text=render_to_string("kb/emails/review_reminder.txt", context),
            dedup_key=f"kb-review-reminder:{pk}:{today.isoformat()}",
        )
        sent += message is not None
    return sent
