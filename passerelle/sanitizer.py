"""The one place where user-written markup becomes HTML.

Every piece of HTML that a person (or a remote feed) wrote passes through :func:`sanitize_html`
before it is shown: forum posts (through :func:`render_markdown`, which machina calls), feed
summaries, shared experiences. nh3 (Rust's ammonia) parses the HTML like a browser would, so
entity-encoded or mixed-case ``javascript:`` links and broken tags cannot slip through a regex.
"""

import markdown2
import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
        "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "u", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang"},
}

# Relative URLs are kept (nh3 passes them through); any other scheme is removed with its attribute.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Tags whose content goes away with them, rather than being kept as text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript"})


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allowlists removed."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )


def strip_tags(html: str) -> str:
    """Plain text of ``html`` (no tag kept), for titles, excerpts and email subjects."""
    if not html:
        return ""
    return nh3.clean(html, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))


MARKDOWN_EXTRAS = {
    "break-on-newline": True,
    "fenced-code-blocks": None,
    "tables": None,
    "strike": None,
    "cuddled-lists": None,
}


def render_markdown(text: str, **_ignored) -> str:
    """Render a forum post written in Markdown to sanitized HTML (machina's MARKUP_LANGUAGE).

    Raw HTML in the source is escaped by markdown2, then the result is sanitized anyway: the
    sanitizer is the guarantee, not the Markdown library's safe mode.
    """
    if not text:
        return ""
    html = markdown2.markdown(str(text), safe_mode="escape", extras=MARKDOWN_EXTRAS)
    return sanitize_html(str(html).strip())
