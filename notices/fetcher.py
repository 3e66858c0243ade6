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


def _check_encoding(body, content_type):
    """Refuse a body whose bytes do not match the encoding it declares."""
    declared = _declared_encoding(body)
    charset = ""
    if "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=")[-1].split(";")[0].strip(" \"'")
    # The XML declaration is what the parser goes by; the HTTP charset only when there is none.
    for name in filter(None, [declared or charset]):
        try:
            body.decode(name)
        except LookupError:
            raise FetchError(_("Encodage déclaré inconnu : %(enc)s.") % {"enc": name}) from None
        except UnicodeDecodeError:
            raise FetchError(
                _("L'encodage déclaré (%(enc)s) ne correspond pas au contenu du flux.")
                % {"enc": name}
            ) from None
    if declared and declared.replace("_", "-") not in {"utf-8", "utf8", "us-ascii", "ascii"}:
        # A single-byte declaration over bytes that are valid multi-byte UTF-8 is a mismatch
        # that would silently turn "é" into "Ã©".
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        if any(ord(char) > 127 for char in text) and not declared.startswith("utf"):
            raise FetchError(
                _(
                    "L'encodage déclaré (%(enc)s) ne correspond pas au contenu du flux, "
                    "qui est en UTF-8."
                )
                % {"enc": declared}
            )


def _looks_like_html(body, content_type):
    head = body[:1024].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def check_xml(body, content_type=""):
    """The strict pre-check: well-formed XML, no entity declaration, a feed's root element."""
    if not body.strip():
        raise FetchError(_("Réponse vide : la source n'a renvoyé aucun contenu."))
    _check_encoding(body, content_type)
    try:
        root = defusedxml.ElementTree.fromstring(
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
    except ParseError as exc:
        if _looks_like_html(body, content_type):
            raise FetchError(
                _("La source a renvoyé une page HTML au lieu d'un flux RSS ou Atom.")
            ) from None
        raise FetchError(_("XML mal formé : %(error)s.") % {"error": exc}) from None
    if root.tag in HTML_ROOTS:
        raise FetchError(_("La source a renvoyé une page HTML au lieu d'un flux RSS ou Atom."))
    if root.tag not in FEED_ROOTS:
        raise FetchError(
            _("Ce document XML n'est pas un flux RSS ou Atom (élément racine : %(tag)s).")
            % {"tag": root.tag}
        )


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
    check_xml(body, content_type)
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={
            "content-location": url,
            "content-type": content_type or "application/xml",
        },
        resolve_relative_uris=True,
        # nh3 (passerelle.sanitizer) cleans every summary below; a second pass only costs time.
        sanitize_html=False,
    )
    if parsed.get("bozo") and not parsed.get("entries") and not parsed.get("feed"):
        raise FetchError(_("Flux illisible : %(error)s.") % {"error": parsed.get("bozo_exception")})
    result = ParsedFeed(title=clean_text(parsed.feed.get("title", "")))
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
            )
        )
    return result


# --- 3. Ingest ----------------------------------------------------------------------------------


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


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
    if parsed.updated_at and entry.updated_at and parsed.updated_at > entry.updated_at:
        changes.append(
            _("Date de mise à jour : %(date)s.")
            % {"date": timezone.localtime(parsed.updated_at).strftime("%d/%m/%Y %H:%M")}
        )
    return changes


BATCH = 200
UPDATED_FIELDS = [
    "title",
    "link",
    "summary",
    "updated_at",
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
                    content_hash=item.content_hash,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            continue
        is_changed = entry.content_hash != item.content_hash or bool(
            item.updated_at and entry.updated_at and item.updated_at > entry.updated_at
        )
        if not is_changed:
            unchanged.append(entry.pk)
            continue
        changes = _describe_changes(entry, item)
        entry.title = item.title
        entry.link = item.link
        entry.summary = item.summary
        entry.updated_at = item.updated_at
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
            result.warnings = [str(w) for w in parsed.warnings]
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
    Source.objects.filter(pk=source.pk).update(
        last_fetch_at=source.last_fetch_at,
        last_success_at=source.last_success_at,
        last_error=source.last_error,
        last_error_at=source.last_error_at,
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
