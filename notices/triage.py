"""The editorial decisions on feed entries: accept (a draft notice is made), dismiss, restore.

Plain functions, called by the admin views; each one runs in a transaction and locks the entry, so
that two editors deciding at the same time cannot make two notices of one entry.
"""

import html
import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from notices.models import FeedEntry, NoticeIndexPage, NoticePage
from passerelle.sanitizer import strip_tags

REFERENCE = re.compile(r"\b(CERTFR-\d{4}-(?:ALE|AVI|ACT|IOC|CTI|DUR|REC|INF)-\d{3,4})\b", re.I)
CATEGORY_BY_REFERENCE = {
    "ALE": NoticePage.Category.SECURITY_ALERT,
    "AVI": NoticePage.Category.ADVISORY,
    "REC": NoticePage.Category.RECOMMENDATION,
}


class TriageError(Exception):
    """A decision that cannot be made (already decided, no notices index); French message."""


def notices_index():
    return NoticeIndexPage.objects.first()


def can_triage(user):
    """Whoever may create notices may sort the queue: it is where notices come from."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    index = notices_index()
    return index is not None and index.permissions_for_user(user).can_add_subpage()


def guess_reference(entry):
    for text in (entry.title, entry.guid, entry.link):
        match = REFERENCE.search(text or "")
        if match:
            return match.group(1).upper()
    return ""


def entry_references(entry):
    """Every CERT-FR id the entry names in its title, link or id, one per line (the notice's
    « textes cités », which flag the guide pages citing them: kb.reviews)."""
    found = []
    for text in (entry.title, entry.link, entry.guid):
        for match in REFERENCE.findall(text or ""):
            if match.upper() not in found:
                found.append(match.upper())
    return "\n".join(found)


def _unique_slug(parent, title):
    base = slugify(title)[:70].strip("-") or "actualite"
    slug, n = base, 2
    siblings = parent.get_children()
    while siblings.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _plain_summary(entry):
    text = " ".join(html.unescape(strip_tags(entry.summary)).split())
    return (text or entry.title)[:2000]


def _locked(entry_pk):
    return FeedEntry.objects.select_for_update().select_related("source").get(pk=entry_pk)


@transaction.atomic
def accept(entry_pk, user):
    """Make a draft notice from the entry (never published); return the draft page."""
    entry = _locked(entry_pk)
    if entry.status != FeedEntry.Status.PENDING:
        raise TriageError(_("Cette entrée a déjà été traitée (%(status)s).")
                          % {"status": entry.get_status_display()})  # fmt: skip
    index = notices_index()
    if index is None:
        raise TriageError(_("La page « Actualités » n'existe pas encore."))
    reference = guess_reference(entry)
    category = NoticePage.Category.INFORMATION
    if reference:
        category = CATEGORY_BY_REFERENCE.get(reference.split("-")[2], category)
    published = entry.published_at or entry.first_seen_at
    page = NoticePage(
        title=entry.title[:255],
        slug=_unique_slug(index, entry.title),
        source=entry.source,
        reference=reference,
        source_references=entry_references(entry),
        original_url=entry.link,
        original_published_at=timezone.localdate(published),
        source_updated_at=entry.source_updated_at,
        category=category,
        summary=_plain_summary(entry),
        live=False,
        owner=user,
    )
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    entry.status = FeedEntry.Status.ACCEPTED
    entry.notice = page
    entry.decided_by = user
    entry.decided_at = timezone.now()
    # What changed before acceptance is already in the draft.
    entry.changes_seen_at = entry.decided_at if entry.changed_at_source_at else None
    entry.save()
    return page


@transaction.atomic
def dismiss(entry_pk, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise TriageError(_("Indiquez pourquoi cette entrée est écartée."))
    entry = _locked(entry_pk)
    if entry.status != FeedEntry.Status.PENDING:
        raise TriageError(_("Cette entrée a déjà été traitée (%(status)s).")
                          % {"status": entry.get_status_display()})  # fmt: skip
    entry.status = FeedEntry.Status.DISMISSED
    entry.dismiss_reason = reason[:2000]
    entry.decided_by = user
    entry.decided_at = timezone.now()
    entry.save()
    return entry


@transaction.atomic
def restore(entry_pk, user):
    """Put a dismissed entry back in the queue (a dismissal made by mistake)."""
    entry = _locked(entry_pk)
    if entry.status != FeedEntry.Status.DISMISSED:
        raise TriageError(_("Seule une entrée écartée peut être remise à trier."))
    entry.status = FeedEntry.Status.PENDING
    entry.dismiss_reason = ""
    entry.decided_by = None
    entry.decided_at = None
    entry.save()
    return entry


@transaction.atomic
def acknowledge_changes(entry_pk, user):
    entry = _locked(entry_pk)
    entry.changes_seen_at = timezone.now()
    entry.save(update_fields=["changes_seen_at"])
    return entry
