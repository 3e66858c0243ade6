"""The one place where user-written markup becomes HTML.

Every piece of HTML that a person (or a remote feed) wrote passes through :func:`sanitize_html`
before it is shown: forum posts (through :func:`render_markdown`, which machina calls), feed
summaries, shared experiences. nh3 (Rust's ammonia) parses the HTML like a browser would, so
entity-encoded or mixed-case ``javascript:`` links and broken tags cannot slip through a regex.
"""

import re
import unicodedata
from html import escape as html_escape
from urllib.parse import urlsplit

import markdown2
import nh3
from django.utils.html import linebreaks

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


URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster"})
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def safe_url(url: str) -> str | None:
    """The one URL rule: whitespace, control and Unicode format characters (zero-width spaces,
    joiners, direction marks…) are removed, then only http, https, mailto and relative URLs are
    kept. Returns the cleaned URL, or None when it must go.

    A browser reads ``java\u200bscript:`` as a relative link, an email client or a feed reader
    may not: removing the invisible character first shows the scheme it hides.
    """
    if url is None:
        return None
    cleaned = "".join(
        char
        for char in str(url)
        if not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf", "Zs", "Zl", "Zp"}
    )
    match = SCHEME.match(cleaned)
    if match and match.group(1).lower() not in ALLOWED_URL_SCHEMES:
        return None
    if not match and ":" in cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return None  # "a:b" with a scheme our pattern does not read: refused rather than guessed
    return cleaned


def _attribute_filter(tag, attribute, value):
    if attribute in URL_ATTRIBUTES:
        return safe_url(value)
    return value


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allowlists removed."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )


def text_to_html(text: str) -> str:
    """Plain text (a notice summary, an update note) as HTML for a feed or an email: escaped,
    paragraphs and line breaks kept, and through the sanitizer like all HTML that leaves."""
    if not text:
        return ""
    return sanitize_html(linebreaks(html_escape(str(text), quote=False)))


# --- Rich text (Wagtail) ------------------------------------------------------------------------

A_TAG = re.compile(r"<a(\b[^>]*)>")
EXTERNAL_REL = "noopener nofollow"


def _local_hosts():
    from django.conf import settings

    hosts = {h.lstrip(".").lower() for h in getattr(settings, "ALLOWED_HOSTS", []) if h != "*"}
    base = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").hostname
    return hosts | ({base.lower()} if base else set())


def safe_rich_text_links(html: str) -> str:
    """Apply :func:`safe_url` to every link of rendered rich text, and give external links
    ``rel="noopener nofollow"``. Only ``<a>`` opening tags change: the rest of Wagtail's output
    (embeds, images, anchors) is left as Wagtail rendered it."""
    if not html or "<a" not in html:
        return html
    from wagtail.rich_text.rewriters import extract_attrs

    local = None

    def rewrite(match):
        nonlocal local
        attrs = extract_attrs(match.group(1))
        if "href" in attrs:
            href = safe_url(attrs["href"])
            if href is None:
                del attrs["href"]
            else:
                attrs["href"] = href
                host = urlsplit(href).hostname
                if host:
                    local = _local_hosts() if local is None else local
                    if host.lower() not in local:
                        rel = set(attrs.get("rel", "").split()) | set(EXTERNAL_REL.split())
                        attrs["rel"] = " ".join(sorted(rel))
        rendered = "".join(
            f' {name}="{html_escape(str(value), quote=True)}"' for name, value in attrs.items()
        )
        return f"<a{rendered}>"

    return A_TAG.sub(rewrite, html)


def install_rich_text_link_rule():
    """Make every rich text rendered by Wagtail (``|richtext``, ``RichText``, rich text blocks,
    all of which go through ``wagtail.rich_text.expand_db_html`` and its front-end rewriter)
    leave through :func:`safe_rich_text_links`. Idempotent."""
    import wagtail.rich_text as rich_text

    if getattr(rich_text.get_rewriter, "passerelle_safe_links", False):
        return
    original = rich_text.get_rewriter

    class SafeLinksRewriter:
        def __init__(self, inner):
            self.inner = inner

        def __call__(self, html):
            return safe_rich_text_links(self.inner(html))

        def __getattr__(self, name):  # extract_references() and the like
            return getattr(self.inner, name)

    def get_rewriter():
        return SafeLinksRewriter(original())

    get_rewriter.passerelle_safe_links = True
    rich_text.get_rewriter = get_rewriter


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
