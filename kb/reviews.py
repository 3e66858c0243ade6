"""Official notices flag the guide pages they touch.

When a notice is published (``notices.apps`` → ``ops.tasks.flag_pages_for_notice``, after
commit), every live guide or practice page that shares something with it gets a
:class:`~kb.models.ReviewRequest`:

- a source reference (``kb.sources``: a CERT-FR id, a CNIL referential, an ANSSI guide's id or
  link, cited by the page's regulatory source blocks and by the notice);
- a tag;
- a domain marked « réglementaire » (``Domain.regulatory``);
- or an editor linked the page by hand (the notice's « Pages du guide à réviser »).

The people who answer for the page (``kb.freshness.Responsibility``: its owner, else the domain's
officers, else the editors) get an email through the outbox; readers see « Révision en cours
suite à : <notice> » on the page until someone who answers for it, or an editor, verifies it
(:func:`resolve_page`). Each request and its resolution show in the page's history.

Idempotent: one request per page and notice, one email per request and person.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.sources import notice_source_keys, page_source_keys
from outbox.delivery import enqueue
from passerelle.frontcache.purge import ban_after_commit


def _reason():
    from kb.models import ReviewRequest

    return ReviewRequest.Reason


def matching_pages(notice):
    """``[(page, reason, detail)]``: the live knowledge pages the notice concerns, one reason
    each (the most precise: manual link, then reference, tag, regulatory domain)."""
    from kb.freshness import knowledge_pages

    Reason = _reason()
    keys = notice_source_keys(notice)
    tags = {tag.pk: tag.name for tag in notice.tags.all()}
    regulatory = {d.pk: d.name for d in notice.domains.filter(regulatory=True)}
    manual = set(notice.review_pages.values_list("page_id", flat=True))
    pages = knowledge_pages()
    page_tags = _tags_by_page(pages) if tags else {}
    found = []
    for page in pages:
        if page.pk in manual:
            found.append((page, Reason.MANUAL, ""))
            continue
        shared = sorted(keys & page_source_keys(page)) if keys else []
        if shared:
            found.append((page, Reason.REFERENCE, ", ".join(shared)))
            continue
        shared_tags = sorted(tags[pk] for pk in page_tags.get(page.pk, set()) & set(tags))
        if shared_tags:
            found.append((page, Reason.TAG, ", ".join(shared_tags)))
            continue
        if page.domain_id in regulatory:
            found.append((page, Reason.DOMAIN, regulatory[page.domain_id]))
    return found


def _tags_by_page(pages):
    from kb.models import GuidePageTag, PracticePageTag

    ids = [page.pk for page in pages]
    result = {}
    for through in (GuidePageTag, PracticePageTag):
        rows = through.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag_id"
        )
        for page_id, tag_id in rows:
            result.setdefault(page_id, set()).add(tag_id)
    return result


def flag_pages(notice):
    """Create the missing review requests of a published notice; return the new ones."""
    from notices.models import NoticePage

    notice = NoticePage.objects.filter(pk=notice.pk, live=True).first()
    if notice is None:  # unpublished or deleted since
        return []
    created = []
    for page, reason, detail in matching_pages(notice):
        request = request_review(page, notice, reason, detail)
        if request is not None:
            created.append(request)
    return created


def request_review(page, notice, reason, detail=""):
    """One review request of ``page`` because of ``notice`` (None if one already exists), with
    its emails and the page's cache purge."""
    from kb.models import ReviewRequest

    try:
        with transaction.atomic():
            request = ReviewRequest.objects.create(
                page=page, notice=notice, reason=reason, detail=detail[:255]
            )
    except IntegrityError:  # the same notice published again, or two workers at once
        return None
    _email_owners(request, page, notice)
    ban_after_commit(f"page-{page.pk}")
    return request


def _email_owners(request, page, notice):
    from kb.freshness import Responsibility

    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    context = {
        "page": page,
        "notice": notice,
        "review": request,
        "page_url": f"{base_url}{page.url}",
        "notice_url": f"{base_url}{notice.url}",
        "reviews_url": f"{base_url}{reverse('kb_review_requests')}",
    }
    subject = _("%(source)s a publié « %(notice)s » : vérifiez « %(page)s »") % {
        "source": notice.source.acronym or notice.source.name,
        "notice": notice.title,
        "page": page.title,
    }
    text = render_to_string("kb/emails/review_request.txt", context)
    for person in Responsibility().people_for(page):
        if person.email:
            enqueue(
                to=person.email,
                subject=subject[:255],
                text=text,
                headers={"Auto-Submitted": "auto-generated"},
                dedup_key=f"kb-review-request:{request.pk}:{person.pk}",
            )


def open_requests(page):
    from kb.models import ReviewRequest

    return (
        ReviewRequest.objects.filter(page_id=page.pk, resolved_at=None)
        .select_related("notice")
        .order_by("created_at", "pk")
    )


def visible_open_requests(page):
    """What readers see in the banner: open requests whose notice is live and public."""
    return [r for r in open_requests(page) if r.notice.live and _is_public(r.notice)]


def _is_public(notice):
    return not notice.get_view_restrictions().exists()


def can_resolve(user, page):
    """Whoever answers for the page (its owner, else its domain's officers), and the editors."""
    from kb.experiences import is_editor
    from kb.freshness import Responsibility

    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_editor(user):
        return True
    return any(person.pk == user.pk for person in Responsibility().people_for(page.specific))


@transaction.atomic
def resolve_page(page, user, today=None):
    """The page was verified: close its open requests and record the review date. Returns the
    number of requests closed."""
    from kb.models import ReviewRequest

    page = page.specific
    now = timezone.now()
    closed = ReviewRequest.objects.filter(page_id=page.pk, resolved_at=None).update(
        resolved_at=now, resolved_by=user
    )
    if not closed:  # nothing was asked (or someone verified it a moment ago)
        return 0
    today = today or timezone.localdate()
    type(page).objects.filter(pk=page.pk).update(last_reviewed_at=today)
    # The editor's next draft starts from the latest revision: it keeps the review date too.
    latest = page.latest_revision
    if latest is not None and isinstance(latest.content, dict):
        latest.content["last_reviewed_at"] = today.isoformat()
        latest.save(update_fields=["content"])
    ban_after_commit(f"page-{page.pk}")
    return closed


def close_on_verified_publication(page, update, user=None):
    """An editor who publishes the page with a new « dernière vérification », on or after a
    request was made, has verified it: close those requests as the « Page vérifiée » button
    would. A publication that leaves the date as it was (a typo fixed) closes nothing.
    Returns the number of requests closed."""
    from kb.models import PageUpdate, ReviewRequest

    reviewed = page.last_reviewed_at
    if reviewed is None:
        return 0
    previous = (
        PageUpdate.objects.filter(page_id=page.pk)
        .exclude(pk=update.pk)
        .select_related("revision")
        .order_by("-published_at", "-pk")
        .first()
    )
    before = None
    if previous is not None and previous.revision is not None:
        before = (previous.revision.content or {}).get("last_reviewed_at")
    if before == reviewed.isoformat():
        return 0
    closed = ReviewRequest.objects.filter(
        page_id=page.pk, resolved_at=None, created_at__date__lte=reviewed
    ).update(resolved_at=timezone.now(), resolved_by=user)
    if closed:
        ban_after_commit(f"page-{page.pk}")
    return closed


def requests_for(user):
    """The review requests of the pages ``user`` answers for (every page for an editor), open
    first, then the latest resolved ones."""
    from kb.experiences import is_editor
    from kb.freshness import Responsibility, knowledge_pages
    from kb.models import ReviewRequest

    pages = {page.pk: page for page in knowledge_pages()}
    if not is_editor(user):
        responsibility = Responsibility()
        pages = {
            pk: page
            for pk, page in pages.items()
            if any(person.pk == user.pk for person in responsibility.people_for(page))
        }
    rows = (
        ReviewRequest.objects.filter(page_id__in=list(pages))
        .select_related("notice", "notice__source", "resolved_by")
        .order_by("resolved_at", "-created_at")
    )
    open_rows = [(pages[r.page_id], r) for r in rows if r.resolved_at is None]
    done = [(pages[r.page_id], r) for r in rows if r.resolved_at is not None][:50]
    return open_rows, done
