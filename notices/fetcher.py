"""Read the sources' RSS and Atom feeds and put new entries into the triage queue.

Three steps, each one its own function so that each can be tested and reused (the demo loads
fixture files through :func:`parse_feed` and :func:`ingest` without any network):

1. :func:`download`: HTTP GET with a timeout, an overall deadline, a size limit (the body is
   streamed and reading stops past the limit), a redirect limit and conditional GET.
2. :func:`parse_feed`: a strict pre-check with defusedxml (malformed XML, entity declarations
   and external references are refused before anything is expanded or read), then feedparser.
   Every title becomes plain text, every summary goes through the one sanitizer, relative links
   are resolved against the feed's address and only http(s) links are kept.
3. :func:`ingest`: in one transaction, new entries join the queue; known ones (same id, or the
   same link) are updated and flagged "mis à jour à la source" when they changed.

:func:`fetch_feed` records the outcome on the feed and its source; any error there stops that
feed only. Nothing is ever published: an editor accepts or dismisses each entry.
"""

import calendar
import codecs
import contextlib
import datetime
import hashlib
import html
import io
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser
import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from notices.models import FeedEntry, Source, SourceFeed
from passerelle.sanitizer import sanitize_html, strip_tags

logger = logging.getLogger(__name__)

FEED_ROOTS = {
    "rss",
    "{http://www.w3.org/2005/Atom}feed",
    "{http://purl.org/atom/ns#}feed",
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF",
}
HTML_ROOTS = {"html", "{http://www.w3.org/1999/xhtml}html"}
ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8"
XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
MAX_TITLE = 500
MAX_SUMMARY_SOURCE = 50_000


class FetchError(Exception):
    """A feed could not be read; the message (in French) is recorded on the feed and source."""


def _setting(name, default):
    return getattr(settings, name, default)


def timeout():
    return _setting("NOTICES_FETCH_TIMEOUT", 15)


def max_bytes():
    return _setting("NOTICES_FETCH_MAX_BYTES", 2 * 1024 * 1024)


def max_redirects():
    return _setting("NOTICES_FETCH_MAX_REDIRECTS", 5)


def user_agent():
    base = _setting("WAGTAILADMIN_BASE_URL", "")
    return f"Passerelle/1.0 (relais d'actualités; +{base})"


# --- 1. Download --------------------------------------------------------------------------------


@dataclass
class Download:
    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self):
        return self.status == 304


def download(url, etag="", last_modified=""):
    """GET ``url``; raise :class:`FetchError` with a French message on any failure."""
    headers = {"User-Agent": user_agent(), "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    limit = max_bytes()
    seconds = timeout()
    deadline = time.monotonic() + 3 * seconds
    with requests.Session() as session:
        session.max_redirects = max_redirects()
        session.trust_env = False  # no proxy or .netrc taken from the environment
        try:
            response = session.get(url, headers=headers, timeout=seconds, stream=True)
        except requests.TooManyRedirects:
            raise FetchError(
                _("Trop de redirections (plus de %(n)s) : boucle de redirection probable.")
                % {"n": session.max_redirects}
            ) from None
        except requests.Timeout:
            raise FetchError(
                _("Délai dépassé : la source n'a pas répondu en %(s)s secondes.") % {"s": seconds}
            ) from None
        except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema) as exc:  # fmt: skip
            raise FetchError(_("Adresse invalide : %(error)s") % {"error": exc}) from None
        except requests.ConnectionError as exc:
            raise FetchError(_("Connexion impossible : %(error)s") % {"error": exc}) from None
        except requests.RequestException as exc:
            raise FetchError(_("Erreur HTTP : %(error)s") % {"error": exc}) from None
        with response:
            if response.status_code == 304:
                return Download(url=response.url, status=304)
            if response.status_code >= 400:
                raise FetchError(
                    _("La source a répondu HTTP %(status)s (%(reason)s).")
                    % {"status": response.status_code, "reason": response.reason or ""}
                )
            if response.status_code != 200:
                raise FetchError(
                    _("Réponse HTTP inattendue : %(status)s.") % {"status": response.status_code}
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(_too_large(limit))
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(chunk_size=65536):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(_too_large(limit))
                    if time.monotonic() > deadline:
                        raise FetchError(
                            _("Délai dépassé : le flux n'a pas été reçu en %(s)s secondes.")
                            % {"s": 3 * seconds}
                        )
                    chunks.append(chunk)
            except requests.RequestException as exc:
                if isinstance(exc, requests.exceptions.ConnectionError) and "timed out" in str(exc):
                    raise FetchError(
                        _("Délai dépassé : la source n'a pas répondu en %(s)s secondes.")
                        % {"s": seconds}
                    ) from None
                raise FetchError(_("Réception interrompue : %(error)s") % {"error": exc}) from None
            return Download(
                url=response.url,
                status=response.status_code,
                body=b"".join(chunks),
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", "")[:300],
                last_modified=response.headers.get("Last-Modified", "")[:100],
            )


def _too_large(limit):
    return _("Flux trop volumineux : plus de %(kb)s Kio, la lecture a été interrompue.") % {
        "kb": limit // 1024
    }


# --- 2. Parse -----------------------------------------------------------------------------------


@dataclass
class ParsedEntry:
    guid: str
    link: str
    title: str
    summary: str
    published_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    version_at: datetime.datetime | None = None

    @property
    def content_hash(self):
        text = "\x00".join([self.title, self.link, self.summary])
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ParsedFeed:
    title: str = ""
    entries: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _declared_encoding(body):
    match = XML_DECLARATION.match(body[:200])
    return match.group(1).decode("ascii").lower() if match else ""


BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
UTF8 = "utf-8"
CP1252 = "cp1252"
ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso8859-1": "ISO-8859-1"}


def _label(name):
    return ENCODING_LABELS.get(name, name.upper())


def _canonical(name, where, warnings):
    """Python's name for the encoding ``name``, or "" (with a warning) when it is unknown."""
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        warnings.append(
            _("Encodage inconnu annoncé par %(where)s (%(name)s) : ignoré.")
            % {"where": where, "name": name[:40]}
        )
        return ""


def _family(name):
    """utf-16-le and utf-16 are one encoding as far as an announcement goes."""
    return name.removesuffix("-le").removesuffix("-be")


def _decodes(body, name):
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


@dataclass
class DecodedBody:
    text: str
    encoding: str
    warnings: list = field(default_factory=list)


def decode_body(body, content_type=""):
    """Decide the body's encoding from its bytes, its XML declaration and the HTTP header together.

    A byte-order mark decides. Otherwise bytes that are valid UTF-8 and not plain ASCII are
    UTF-8, whatever is announced (a single-byte text practically never is valid UTF-8, and
    reading UTF-8 as ISO-8859-1 is what makes "universitÃ©"); bytes that are not UTF-8 are read
    in the single-byte encoding announced (ISO-8859-1 read as Windows-1252, its superset, as
    browsers do), else in Windows-1252. Whenever the bytes contradict what was announced, or
    the text comes from a guess, a warning says so: it is recorded on the feed and its source.
    """
    warnings = []
    header_raw = ""
    if "charset=" in content_type.lower():
        header_raw = content_type.lower().split("charset=")[-1].split(";")[0].strip(" \"'")
    header = _canonical(header_raw, _("l'en-tête HTTP"), warnings)
    bom = next(((name, len(mark)) for mark, name in BOMS if body.startswith(mark)), None)
    if bom:
        name, size = bom
        text = _decodes(body[size:], name)
        if text is None:
            text = body[size:].decode(name, errors="replace")
            warnings.append(
                _("Le flux commence par une marque d'ordre des octets %(enc)s mais contient "
                  "des octets invalides dans cet encodage : caractères remplacés par « \ufffd ».")
                % {"enc": _label(name)}
            )  # fmt: skip
        declared = _canonical(_declared_encoding(text.encode(UTF8)), _("le document"), warnings)
        for announced, where in ((header, _("l'en-tête HTTP")), (declared, _("le document"))):
            if announced and _family(announced) != _family(name):
                warnings.append(capfirst(
                    _("%(where)s annonce %(announced)s, mais le flux commence par une marque "
                      "d'ordre des octets %(enc)s : lu en %(enc)s.")
                    % {"where": where, "announced": _label(announced), "enc": _label(name)}
                ))  # fmt: skip
        return DecodedBody(text, name, warnings)

    declared = _canonical(_declared_encoding(body), _("le document"), warnings)
    if body.isascii():
        # Every ASCII-compatible encoding reads these bytes the same way: nothing to decide.
        return DecodedBody(body.decode("ascii"), UTF8, warnings)
    announced = [(declared, _("le document")), (header, _("l'en-tête HTTP"))]
    announced = [(name, where) for name, where in announced if name]
    text = _decodes(body, UTF8)
    if text is not None:
        for name, where in announced:
            if name != UTF8:
                warnings.append(capfirst(
                    _("%(where)s annonce %(announced)s, mais le contenu est de l'UTF-8 : "
                      "lu en UTF-8 (sinon « é » serait devenu « Ã© »).")
                    % {"where": where, "announced": _label(name)}
                ))  # fmt: skip
        return DecodedBody(text, UTF8, warnings)
    # Not UTF-8: the single-byte encoding announced (the document's first, as XML parsers do).
    for name, where in announced:
        if name == UTF8 or name.startswith(("utf-16", "utf-32")):
            continue
        chosen = CP1252 if name == "iso8859-1" and _decodes(body, CP1252) is not None else name
        text = _decodes(body, chosen)
        if text is None:
            continue
        for other, other_where in announced:
            if other not in {name, chosen}:
                warnings.append(capfirst(
                    _("%(where)s annonce %(announced)s, %(other_where)s %(other)s : "
                      "lu en %(enc)s, vérifiez les accents.")
                    % {"where": where, "announced": _label(name), "other_where": other_where,
                       "other": _label(other), "enc": _label(chosen)}
                ))  # fmt: skip
        return DecodedBody(text, chosen, warnings)
    # Announced as UTF-8 (or not at all), and it is not: Windows-1252 is what such feeds are.
    text = _decodes(body, CP1252)
    chosen = CP1252 if text is not None else "iso8859-1"
    text = text if text is not None else body.decode("iso8859-1")
    warnings.append(
        _("%(what)s, mais ses octets n'en sont pas : lu en %(enc)s, vérifiez les accents.")
        % {
            "what": (
                _("Le flux est annoncé en %(enc)s") % {"enc": _label(announced[0][0])}
                if announced
                else _("Le flux n'annonce pas d'encodage, donc UTF-8")
            ),
            "enc": _label(chosen),
        }
    )
    return DecodedBody(text, chosen, warnings)


XML_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
ENCODING_PSEUDO_ATTRIBUTE = re.compile(r"""(\sencoding\s*=\s*)(["'])[^"']*\2""")
ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
# A "&" that starts no entity or character reference: the commonest way a feed is not XML.
RAW_AMPERSAND = re.compile(r"&(?![A-Za-z][A-Za-z0-9._-]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")


FIRST_ELEMENT = re.compile(rb"<[A-Za-z_:]")


def _prolog(body):
    """What comes before the root element: the only place a DTD (and so an entity declaration)
    can be. A bulletin quoting "<!ENTITY" in its text is not refused for it."""
    match = FIRST_ELEMENT.search(body)
    return body[: match.start()] if match else body


def _as_utf8_document(text):
    """The decoded text as UTF-8 bytes that say so, so that no parser guesses again."""
    text = text.removeprefix("\ufeff")
    declaration = XML_DECLARATION_TEXT.match(text)
    if declaration:
        fixed = ENCODING_PSEUDO_ATTRIBUTE.sub(r"\1\2utf-8\2", declaration.group(0))
        text = fixed + text[declaration.end() :]
    return text.encode(UTF8)


def _refuse_entities(body):
    """defusedxml on ``body``: raise for entity declarations and external references."""
    try:
        return defusedxml.ElementTree.fromstring(
            body, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden:
        raise FetchError(
            _(
                "Le flux déclare des entités XML (expansion d'entités ou entité externe) : "
                "refusé, rien n'a été développé ni lu."
            )
        ) from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise FetchError(
            _("Le flux fait référence à une ressource externe : refusé, rien n'a été lu.")
        ) from None


def _looks_like_html(body, content_type):
    head = body[:1024].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


@dataclass
class CheckedBody:
    body: bytes  # UTF-8, declared as such
    well_formed: bool
    warnings: list = field(default_factory=list)


def check_xml(body, content_type=""):
    """The pre-check: no entity declaration nor external reference (on the raw bytes and on the
    decoded text), a known encoding decision, and a feed's root element when the XML is
    well-formed. Not well-formed XML goes on to feedparser's tolerant parser (``bozo``)."""
    if not body.strip():
        raise FetchError(_("Réponse vide : la source n'a renvoyé aucun contenu."))
    # 1. The raw bytes, before any decision of ours: a DTD declaring entities is refused here.
    with contextlib.suppress(ParseError):  # a wrong encoding or broken markup: see below
        _refuse_entities(body)
    decoded = decode_body(body, content_type)
    utf8 = _as_utf8_document(decoded.text)
    # 2. The decoded document: an entity declaration in its prolog is refused, even when broken
    # markup or a wrong encoding stopped the parser before it.
    if ENTITY_DECLARATION.search(_prolog(utf8)):
        raise FetchError(
            _(
                "Le flux déclare des entités XML (expansion d'entités ou entité externe) : "
                "refusé, rien n'a été développé ni lu."
            )
        )
    warnings = list(decoded.warnings)
    try:
        root = _refuse_entities(utf8)
    except ParseError as exc:
        if _looks_like_html(utf8, content_type):
            raise FetchError(
                _("La source a renvoyé une page HTML au lieu d'un flux RSS ou Atom.")
            ) from None
        repaired = RAW_AMPERSAND.sub("&amp;", utf8.decode(UTF8)).encode(UTF8)
        try:
            root = _refuse_entities(repaired)
        except ParseError:
            warnings.append(
                _("XML mal formé (%(error)s) : lu par l'analyseur tolérant, vérifiez le texte.")
                % {"error": exc}
            )
            # feedparser's tolerant parser reads the rest ("bozo"); with the "&" fixed first,
            # it does not turn "R&D" into "R&D;".
            return CheckedBody(repaired, False, warnings)
        warnings.append(
            _("XML mal formé (%(error)s) : « & » isolés lus comme du texte.") % {"error": exc}
        )
        utf8 = repaired
    if root.tag in HTML_ROOTS:
        raise FetchError(_("La source a renvoyé une page HTML au lieu d'un flux RSS ou Atom."))
    if root.tag not in FEED_ROOTS:
        raise FetchError(
            _("Ce document XML n'est pas un flux RSS ou Atom (élément racine : %(tag)s).")
            % {"tag": root.tag}
        )
    return CheckedBody(utf8, True, warnings)


def clean_text(value):
    """Plain text from a title that may hold HTML or entities: tags dropped, spaces collapsed."""
    text = html.unescape(strip_tags(value or ""))
    return " ".join(text.split())


def _datetime(struct):
    if not struct:
        return None
    return datetime.datetime.fromtimestamp(calendar.timegm(struct), tz=datetime.UTC)


def _http_link(base, link):
    if not link:
        return ""
    absolute = urljoin(base, link.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return absolute[:1000]


def parse_feed(body, url, content_type=""):
    """Check then parse ``body``; return a :class:`ParsedFeed` or raise :class:`FetchError`."""
    checked = check_xml(body, content_type)
    parsed = feedparser.parse(
        io.BytesIO(checked.body),
        response_headers={
            "content-location": url,
            # The encoding is decided (check_xml): feedparser must not guess again.
            "content-type": "application/xml; charset=utf-8",
        },
        resolve_relative_uris=True,
        # nh3 (passerelle.sanitizer) cleans every summary below; a second pass only costs time.
        sanitize_html=False,
    )
    if not checked.well_formed:
        if not parsed.get("version"):
            raise FetchError(
                _("Ce document n'est pas un flux RSS ou Atom, et son XML est mal formé.")
            )
        if not any(e.get("id") or e.get("link") for e in parsed.get("entries", [])):
            raise FetchError(
                _("XML mal formé : %(error)s ; aucune entrée lisible.")
                % {"error": parsed.get("bozo_exception") or checked.warnings[-1]}
            )
    elif parsed.get("bozo") and not parsed.get("entries") and not parsed.get("feed"):
        raise FetchError(_("Flux illisible : %(error)s.") % {"error": parsed.get("bozo_exception")})
    is_atom = parsed.get("version", "").startswith("atom")
    result = ParsedFeed(title=clean_text(parsed.feed.get("title", "")), warnings=checked.warnings)
    base = parsed.feed.get("link") or url
    seen = set()
    for position, entry in enumerate(parsed.entries, start=1):
        raw_link = entry.get("link", "")
        link = _http_link(url, raw_link) or _http_link(base, raw_link)
        if raw_link and not link:
            result.warnings.append(
                _("Entrée n° %(n)s : lien refusé (%(link)s).")
                % {"n": position, "link": raw_link[:200]}
            )
        guid = (entry.get("id") or "").strip()[:500] or link
        title = clean_text(entry.get("title", ""))[:MAX_TITLE]
        if not guid:
            result.warnings.append(
                _("Entrée n° %(n)s (« %(title)s ») sans identifiant ni lien : ignorée.")
                % {"n": position, "title": title[:80]}
            )
            continue
        if guid in seen:
            result.warnings.append(
                _(
                    "Entrée n° %(n)s : identifiant en double (%(guid)s) ; "
                    "seule la première est gardée."
                )
                % {"n": position, "guid": guid[:200]}
            )
            continue
        seen.add(guid)
        raw_summary = entry.get("summary", "")
        if not raw_summary and entry.get("content"):
            raw_summary = entry["content"][0].get("value", "")
        summary = sanitize_html(raw_summary[:MAX_SUMMARY_SOURCE]).strip()
        published = _datetime(entry.get("published_parsed"))
        # dict.get: feedparser's own get() maps a missing updated date to the published one.
        updated = _datetime(dict.get(entry, "updated_parsed"))
        # The date of this version, as each format gives it: Atom "updated" (else "published"),
        # RSS "pubDate" (else "dc:date", which feedparser reads as updated).
        version_at = (updated or published) if is_atom else (published or updated)
        if published is None and updated is None:
            result.warnings.append(
                _("Entrée n° %(n)s (« %(title)s ») sans date : la date de réception est utilisée.")
                % {"n": position, "title": title[:80]}
            )
        result.entries.append(
            ParsedEntry(
                guid=guid,
                link=link,
                title=title or _("(sans titre)"),
                summary=summary,
                published_at=published or updated,
                updated_at=updated,
                version_at=version_at,
            )
        )
    return result


# --- 3. Ingest ----------------------------------------------------------------------------------


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # copies older than the version we hold: left out
    warnings: list = field(default_factory=list)


SUPERSEDED_KEPT = 10


def _is_stale(entry, item):
    """True when ``item`` must not replace the stored version (a cache or a mirror serving an
    old copy): it is dated before it, it has no date while the stored version has one, or it
    is a version already replaced and is not dated after the current one."""
    stored = entry.source_updated_at
    if stored is not None and (item.version_at is None or item.version_at < stored):
        return True
    newer = item.version_at is not None and (stored is None or item.version_at > stored)
    return not newer and item.content_hash in entry.superseded_hashes.split()


def _when(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else _("sans date")


def _describe_changes(entry, parsed):
    changes = []
    if entry.title != parsed.title:
        changes.append(
            _("Titre : « %(old)s » devient « %(new)s ».")
            % {"old": entry.title, "new": parsed.title}
        )
    if entry.link != parsed.link:
        changes.append(
            _("Lien : %(old)s devient %(new)s.") % {"old": entry.link or "–", "new": parsed.link}
        )
    if entry.summary != parsed.summary:
        changes.append(_("Le résumé a changé."))
    if (
        parsed.version_at
        and entry.source_updated_at
        and parsed.version_at > entry.source_updated_at
    ):
        changes.append(
            _("Mise à jour à la source le %(date)s.")
            % {"date": timezone.localtime(parsed.version_at).strftime("%d/%m/%Y %H:%M")}
        )
    return changes


BATCH = 200
UPDATED_FIELDS = [
    "title",
    "link",
    "summary",
    "updated_at",
    "source_updated_at",
    "superseded_hashes",
    "content_hash",
    "last_seen_at",
    "changed_at_source_at",
    "changes",
]


@transaction.atomic
def ingest(source, parsed, feed=None, now=None):
    """Add new entries to the queue and flag the ones that changed at the source."""
    now = now or timezone.now()
    result = IngestResult()
    entries = parsed.entries
    by_guid = {
        e.guid: e
        for e in FeedEntry.objects.filter(source=source, guid__in=[p.guid for p in entries])
    }
    links = [p.link for p in entries if p.link and p.guid not in by_guid]
    by_link = {}
    for known in FeedEntry.objects.filter(source=source, link__in=links).order_by("pk"):
        by_link.setdefault(known.link, known)
    new, changed, unchanged = [], [], []
    for item in entries:
        entry = by_guid.get(item.guid) or (by_link.get(item.link) if item.link else None)
        if entry is None:
            new.append(
                FeedEntry(
                    source=source,
                    feed=feed,
                    guid=item.guid,
                    link=item.link,
                    title=item.title,
                    summary=item.summary,
                    published_at=item.published_at or now,
                    updated_at=item.updated_at,
                    source_updated_at=item.version_at,
                    content_hash=item.content_hash,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            continue
        is_changed = entry.content_hash != item.content_hash or bool(
            item.version_at
            and entry.source_updated_at
            and item.version_at > entry.source_updated_at
        )
        if is_changed and _is_stale(entry, item):
            result.stale += 1
            result.warnings.append(
                _(
                    "« %(title)s » : copie du %(old)s plus ancienne que la version enregistrée "
                    "(du %(new)s) ; la version enregistrée est gardée."
                )
                % {
                    "title": entry.title[:80],
                    "old": _when(item.version_at),
                    "new": _when(entry.source_updated_at),
                }
            )
            unchanged.append(entry.pk)
            continue
        if not is_changed:
            unchanged.append(entry.pk)
            continue
        changes = _describe_changes(entry, item)
        entry.title = item.title
        entry.link = item.link
        entry.summary = item.summary
        entry.updated_at = item.updated_at
        entry.source_updated_at = item.version_at or entry.source_updated_at
        entry.superseded_hashes = " ".join(
            [*entry.superseded_hashes.split(), entry.content_hash][-SUPERSEDED_KEPT:]
        )
        entry.content_hash = item.content_hash
        entry.last_seen_at = now
        entry.changed_at_source_at = now
        entry.changes = "\n".join(str(c) for c in changes) or str(_("Le contenu a changé."))
        changed.append(entry)
    # A few statements per feed rather than one per entry.
    FeedEntry.objects.bulk_create(new, batch_size=BATCH)
    FeedEntry.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=BATCH)
    for start in range(0, len(unchanged), BATCH):
        FeedEntry.objects.filter(pk__in=unchanged[start : start + BATCH]).update(last_seen_at=now)
    result.created, result.updated, result.unchanged = len(new), len(changed), len(unchanged)
    source.entry_count = FeedEntry.objects.filter(source=source).count()
    Source.objects.filter(pk=source.pk).update(entry_count=source.entry_count)
    return result


# --- Fetch: the three steps, and the status they leave ------------------------------------------


@dataclass
class FetchResult:
    feed: SourceFeed
    ok: bool
    not_modified: bool = False
    busy: bool = False  # another process was fetching this feed: left alone this time
    error: str = ""
    ingest: IngestResult | None = None
    warnings: list = field(default_factory=list)


def _take_lease(feed):
    """Mark ``feed`` as being fetched by this process, unless another process already is (one
    conditional UPDATE: atomic on SQLite and PostgreSQL, across processes and servers)."""
    started = timezone.now()
    until = started + datetime.timedelta(seconds=3 * timeout() + 60)
    free = Q(fetching_until__isnull=True) | Q(fetching_until__lt=started)
    return SourceFeed.objects.filter(free, pk=feed.pk).update(fetching_until=until) == 1


def _release_lease(feed):
    SourceFeed.objects.filter(pk=feed.pk).update(fetching_until=None)


def fetch_feed(feed, now=None):
    """Fetch, parse and ingest one feed; record the outcome; never raise for a bad feed. A feed
    that another process is fetching right now is left alone (``busy``)."""
    if not _take_lease(feed):
        return FetchResult(feed=feed, ok=True, busy=True)
    try:
        return _fetch_feed(feed, now)
    finally:
        _release_lease(feed)


def _fetch_feed(feed, now=None):
    now = now or timezone.now()
    source = feed.source
    result = FetchResult(feed=feed, ok=False)
    try:
        response = download(feed.url, feed.etag, feed.last_modified)
        if response.not_modified:
            result.ok = result.not_modified = True
        else:
            parsed = parse_feed(response.body, response.url, response.content_type)
            result.ingest = ingest(source, parsed, feed=feed, now=now)
            result.warnings = [str(w) for w in [*parsed.warnings, *result.ingest.warnings]]
            result.ok = True
            feed.etag = response.etag
            feed.last_modified = response.last_modified
    except FetchError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug or an unforeseen input must not stop the other feeds
        logger.exception("Unexpected error while fetching %s", feed.url)
        result.error = _("Erreur inattendue : %(error)s") % {"error": type(exc).__name__}

    feed.last_fetch_at = now
    if result.ok:
        feed.last_success_at = now
        if not result.not_modified:
            feed.last_warnings = "\n".join(result.warnings)
    else:
        feed.last_error = result.error
        feed.last_error_at = now
    feed.save(
        update_fields=[
            "etag",
            "last_modified",
            "last_fetch_at",
            "last_success_at",
            "last_warnings",
            "last_error",
            "last_error_at",
        ]
    )
    _record_on_source(source, feed, result, now)
    return result


def _record_on_source(source, feed, result, now):
    source.last_fetch_at = now
    if result.ok:
        source.last_success_at = now
    else:
        source.last_error = f"{feed.url} : {result.error}"
        source.last_error_at = now
    # The warnings of every feed of the source, as their last successful read left them.
    source.last_warnings = "\n".join(
        f"{url} : {line}"
        for url, warnings in SourceFeed.objects.filter(source=source)
        .order_by("sort_order", "pk")
        .values_list("url", "last_warnings")
        for line in warnings.splitlines()
        if line.strip()
    )
    Source.objects.filter(pk=source.pk).update(
        last_fetch_at=source.last_fetch_at,
        last_success_at=source.last_success_at,
        last_error=source.last_error,
        last_error_at=source.last_error_at,
        last_warnings=source.last_warnings,
    )


def fetch_sources(sources=None, now=None):
    """Fetch every feed of the given (or every active) source; one bad feed stops nothing."""
    if sources is None:
        sources = Source.objects.filter(is_active=True)
    results = []
    for source in sources:
        for feed in source.feeds.all():
            results.append(fetch_feed(feed, now=now))
    return results
