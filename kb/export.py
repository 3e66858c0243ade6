"""A whole guide as one PDF: cover with update date, table of contents, chapters, sources.

Rendered by WeasyPrint from the same HTML as the site (``templates/kb/guide_pdf.html``). It needs
Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); ``make install`` and
``.ci/run`` install them when missing. Nothing is fetched over the network while rendering.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from kb.toc import add_heading_anchors

CACHE_SECONDS = 24 * 3600
LOCK_SECONDS = 120


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are missing."""


class PdfInProgress(Exception):
    """Another request is rendering this very PDF: one rendering at a time per guide version."""


def _no_network(url, *args, **kwargs):
    raise ValueError(f"external resource refused in PDF export: {url}")


def regulatory_sources(pages):
    sources = []
    for page in pages:
        for block in page.body:
            if block.block_type == "regulatory_source":
                sources.append((page, block.value))
    return sources


def guide_context(guide, request):
    chapters = list(guide.chapters())
    sections = []
    for index, chapter in enumerate(chapters, start=1):
        html, toc = add_heading_anchors(str(chapter.body))
        sections.append({"page": chapter, "anchor": f"chapitre-{index}", "html": html, "toc": toc})
    intro_html, intro_toc = add_heading_anchors(str(guide.body))
    dates = [p.last_published_at for p in [guide, *chapters] if p.last_published_at]
    return {
        "guide": guide,
        "intro_html": intro_html,
        "intro_toc": intro_toc,
        "sections": sections,
        "updated_at": max(dates) if dates else timezone.now(),
        "sources": regulatory_sources([guide, *chapters]),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }


def render_guide_pdf(guide, request):
    """The PDF bytes of ``guide``; cached until the guide or one of its chapters changes."""
    # The cache key comes from two cheap columns, read before anything is rendered.
    version = list(guide.chapters().values_list("pk", "last_published_at"))
    digest = hashlib.sha256(f"{guide.pk}:{guide.last_published_at}|{version}".encode()).hexdigest()
    key = f"kb-guide-pdf:{digest}"
    pdf = cache.get(key)
    if pdf is not None:
        return pdf
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango missing from the system
        raise PdfUnavailable(str(error)) from error
    lock = f"{key}:lock"
    if not cache.add(lock, 1, LOCK_SECONDS):
        raise PdfInProgress
    try:
        context = guide_context(guide, request)
        html = render_to_string("kb/guide_pdf.html", context, request=request)
        pdf = HTML(string=html, base_url=context["base_url"], url_fetcher=_no_network).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return pdf
