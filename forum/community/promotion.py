"""From discussion to guide: an officer turns a topic into a draft practice page.

The page is a draft (never published by this action): the question and the accepted answer (or,
without one, every approved reply) are copied, rendered from Markdown and sanitized by the
project's one sanitizer; the establishments of the participants are credited; page and topic are
linked both ways through ``PracticeDiscussion``.
"""

from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from machina.core.db.models import get_model

from forum.community.models import ModerationAction, PracticeDiscussion
from forum.community.solutions import solution_of
from passerelle.sanitizer import render_markdown, sanitize_html

Forum = get_model("forum", "Forum")


def domain_of(forum):
    """The knowledge-base domain whose forum category holds ``forum`` (or None)."""
    from kb.models import Domain

    ancestor_ids = list(forum.get_ancestors(include_self=True).values_list("id", flat=True))
    return Domain.objects.filter(forum_id__in=ancestor_ids).order_by("-forum__level").first()


def parent_page_for(domain):
    """Where the draft goes: the domain's first guide, else the guides index."""
    from kb.models import GuideIndexPage, GuidePage

    if domain is not None:
        guide = GuidePage.objects.filter(domain=domain).order_by("path").first()
        if guide is not None:
            return guide
    return GuideIndexPage.objects.order_by("path").first()


def participants_establishments(posts):
    names = []
    for post in posts:
        profile = getattr(post.poster, "profile", None) if post.poster_id else None
        establishment = getattr(profile, "establishment", None)
        if establishment is not None and establishment.name not in names:
            names.append(establishment.name)
    return names


def _post_html(post):
    return sanitize_html(render_markdown(post.content.raw or ""))


def draft_body(topic):
    posts = list(
        topic.posts.filter(approved=True).select_related("poster__profile__establishment")
        .order_by("created")
    )  # fmt: skip
    if not posts:
        raise ValueError("empty topic")
    question = posts[0]
    solution = solution_of(topic)
    answers = [solution.post] if solution else posts[1:]
    parts = [f"<h2>{escape(_('La question'))}</h2>", _post_html(question)]
    if answers:
        title = _("La réponse retenue") if solution else _("Les réponses")
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.extend(_post_html(answer) for answer in answers)
    establishments = participants_establishments(posts)
    if establishments:
        parts.append(
            "<p>"
            + escape(
                _("Avec les contributions de : %(names)s.") % {"names": ", ".join(establishments)}
            )
            + "</p>"
        )
    return sanitize_html("".join(parts)), establishments


@transaction.atomic
def promote_topic(topic, user):
    """Create the draft practice page for ``topic``; returns the PracticeDiscussion link."""
    from kb.models import PracticePage

    existing = PracticeDiscussion.objects.filter(topic=topic).select_related("page").first()
    if existing is not None:
        return existing, False
    domain = domain_of(topic.forum)
    parent = parent_page_for(domain)
    if parent is None:
        raise ValueError("no guides index")
    html, _establishments = draft_body(topic)
    base_slug = slugify(topic.subject)[:70] or "pratique"
    slug, n = base_slug, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base_slug}-{n}"
    page = PracticePage(
        title=topic.subject[:255],
        slug=slug,
        intro=_("Bonne pratique issue de la discussion du forum « %(subject)s ».")
        % {"subject": topic.subject},
        body=[{"type": "rich_text", "value": html}],
        domain=domain,
        live=False,
        owner=user,
    )
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    link = PracticeDiscussion.objects.create(page=page, topic=topic, promoted=True, created_by=user)
    from forum.community.moderation import log

    log(user, ModerationAction.Kind.PROMOTE, topic=topic, note=page.title)
    return link, True


def discussion_forum_for(page):
    """The forum where a practice page's discussion starts: its domain's first forum."""
    domain = getattr(page, "domain", None)
    if domain is None or domain.forum_id is None:
        return None
    return (
        domain.forum.get_descendants(include_self=True)
        .filter(type=Forum.FORUM_POST)
        .order_by("tree_id", "lft")
        .first()
    )
