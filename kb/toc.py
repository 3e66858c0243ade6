"""Anchors on the headings of a rendered body, and the table of contents built from them."""

import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import slugify

HEADING_RE = re.compile(r"<h([2-4])((?:\s[^>]*)?)>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
ID_RE = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@dataclass
class TocEntry:
    level: int
    anchor: str
    text: str


def add_heading_anchors(html):
    """Give every h2–h4 a stable id (from its text, deduplicated) and return (html, toc).

    The same text always gives the same anchor, so links to ``#cadre-et-regles-communes`` keep
    working across versions as long as the heading keeps its words.
    """
    toc = []
    used = set()

    def replace(match):
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        text = " ".join(strip_tags(inner).split())
        existing = ID_RE.search(attrs)
        if existing:
            anchor = existing.group(1)
        else:
            base = slugify(text)[:60] or "section"
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            attrs = f'{attrs} id="{anchor}"'
        used.add(anchor)
        if text:
            toc.append(TocEntry(level, anchor, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    # ``html`` is the body Wagtail rendered (already safe); only ids made by slugify are added.
    return mark_safe(HEADING_RE.sub(replace, html)), toc  # noqa: S308
