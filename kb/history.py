"""Readers' history of changes: which published versions they see, and what changed between two.

Every publication of a guide or practice page (from the admin, a workflow or the scheduler) is
recorded by :func:`record_publication` with the editor's update note; the note is then cleared on
the page so that the next version does not repeat it. Minor changes are recorded but hidden.
"""

import difflib
from dataclasses import dataclass

from bs4 import BeautifulSoup
from django.db import transaction
from django.utils.html import escape

BLOCK_TAGS = ["h2", "h3", "h4", "p", "li", "summary", "blockquote", "figcaption", "th", "td"]


def is_knowledge_page(page):
    from kb.models import KnowledgePage

    return isinstance(page, KnowledgePage)


@transaction.atomic
def record_publication(page, revision=None):
    """Store the published version of ``page`` in its readers' history; return the row."""
    from kb.models import KnowledgePage, PageUpdate

    page = page.specific
    if not isinstance(page, KnowledgePage):
        return None
    revision = revision or page.live_revision
    update = PageUpdate.objects.create(
        page=page,
        revision=revision,
        domain_id=page.domain_id,
        title=page.title,
        published_at=page.last_published_at,
        note=page.update_note.strip(),
        minor=page.minor_change,
    )
    if page.update_note or page.minor_change:
        # The note belongs to this version only: clear it on the page, and on the revision the
        # editor will start from next time, unless a newer draft (with its own note) exists.
        type(page).objects.filter(pk=page.pk).update(update_note="", minor_change=False)
        page.update_note, page.minor_change = "", False
        latest = page.latest_revision
        published_pk = revision.pk if revision is not None else None
        if latest is not None and latest.pk == published_pk and isinstance(latest.content, dict):
            latest.content["update_note"] = ""
            latest.content["minor_change"] = False
            latest.save(update_fields=["content"])
    return update


def visible_updates(page):
    """The published versions readers see, newest first (minor changes left out)."""
    from kb.models import PageUpdate

    return PageUpdate.objects.filter(page=page, minor=False).order_by("-published_at", "-pk")


def rendered_text_lines(revision):
    """The readable text of a version, one line per paragraph, heading or list item."""
    page = revision.as_object()
    html = f"<h1>{escape(page.title)}</h1><p>{escape(page.intro)}</p>{page.body}"
    soup = BeautifulSoup(html, "html.parser")
    lines = []
    for element in soup.find_all(["h1", *BLOCK_TAGS]):
        if element.find(BLOCK_TAGS):  # a container: its children give the lines
            continue
        text = " ".join(element.get_text(" ").split())
        if text:
            lines.append(text)
    return lines


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff_lines(old_lines, new_lines):
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    result = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [DiffLine("same", line) for line in old_lines[i1:i2]]
            continue
        result += [DiffLine("removed", line) for line in old_lines[i1:i2]]
        result += [DiffLine("added", line) for line in new_lines[j1:j2]]
    return result


def compare(old_update, new_update):
    return diff_lines(
        rendered_text_lines(old_update.revision), rendered_text_lines(new_update.revision)
    )


def review_history(page):
    """The review requests of the page that readers may see (their notice is live and public),
    newest first: when each was asked, because of which notice, and when it was verified."""
    from kb.models import ReviewRequest

    requests = ReviewRequest.objects.filter(page_id=page.pk, notice__live=True).select_related(
        "notice"
    )
    public = [r for r in requests if not r.notice.get_view_restrictions().exists()]
    return sorted(public, key=lambda r: (r.created_at, r.pk), reverse=True)
