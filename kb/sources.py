"""Normalised keys of regulatory sources, so that a guide page and a notice citing the same text
are matched reliably however each editor typed it.

- A CERT-FR reference found anywhere in the text (an id or a link that contains it):
  ``CERTFR-2026-AVI-0123`` (upper case).
- Another link: ``url:<host without www.>/<path without trailing slash>`` in lower case, without
  scheme, query or fragment; a link to a site's home page (no path) names no text and is ignored.
- Anything else (a CNIL referential id, an ANSSI guide id): upper case, runs of spaces, underscores
  and dots turned into one hyphen, e.g. ``cnil referentiel_RH`` → ``CNIL-REFERENTIEL-RH``.
"""

import re
from urllib.parse import urlsplit

CERTFR = re.compile(r"CERTFR-\d{4}-(?:ALE|AVI|ACT|IOC|CTI|DUR|REC|INF)-\d{3,4}", re.I)
SEPARATORS = re.compile(r"[\s_.]+")
MAX_KEY = 200


def normalise_reference(text):
    """The normalised key of one reference (``""`` when it names nothing)."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    match = CERTFR.search(text)
    if match:
        return match.group(0).upper()
    if re.match(r"https?://", text, re.I):
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().removeprefix("www.")
        path = parts.path.rstrip("/").lower()
        if not host or not path:
            return ""
        return f"url:{host}{path}"[:MAX_KEY]
    key = SEPARATORS.sub("-", text.upper()).strip("-")
    return key[:MAX_KEY]


def reference_keys(*texts):
    """Every key found in ``texts``: each text may hold several references, one per line or
    separated by commas/semicolons; every CERT-FR id in a text counts."""
    keys = set()
    for text in texts:
        for line in re.split(r"[\n;,]+", text or ""):
            keys.update(match.upper() for match in CERTFR.findall(line))
            key = normalise_reference(line)
            if key:
                keys.add(key)
    return keys


def page_source_keys(page):
    """The keys of a guide or practice page's regulatory source blocks (reference and link)."""
    keys = set()
    for block in page.body or []:
        if block.block_type != "regulatory_source":
            continue
        keys |= reference_keys(block.value.get("reference") or "", block.value.get("url") or "")
    return keys


def notice_source_keys(notice):
    """The keys a notice cites: its reference of origin, its listed references, its link."""
    return reference_keys(notice.reference, notice.source_references, notice.original_url)
