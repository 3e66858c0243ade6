"""Keeping the search documents true to the content they describe.

`document_for_page` / `document_for_post` say what the index should hold for one source row
(or None: nothing, because it is unpublished, private, a navigation page…). `sync_*` apply it
to one row; `search.receivers` calls them after each commit; `manage.py search_rebuild` and
`search_check` apply them to everything.
"""

import datetime
import html
import logging
import re

from django.apps import apps
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from machina.core.db.models import get_model
from modelsearch import index
from modelsearch.backends import get_search_backend
from wagtail.models import Page

from passerelle.sanitizer import strip_tags
from search.backend import title_norms_deferred
from search.models import SearchDocument

logger = logging.getLogger(__name__)

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

# Pages that only lead elsewhere: the home page and the lists of guides and notices.
NAVIGATION_MODELS = {"homepage", "guideindexpage", "noticeindexpage"}
GUIDE_MODELS = {"guidepage", "practicepage"}
NOTICE_MODELS = {"noticepage"}
# Field names the notices app may use for a notice's end of validity (issue #4).
NOTICE_EXPIRY_FIELDS = ("expires_on", "expiry_date", "valid_until", "expires_at")

MARKDOWN_SYNTAX_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>~|]+")


# --- What a document holds ----------------------------------------------------------------------


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return html.unescape(strip_tags(str(value)))


def _as_datetime(value):
    if value is None:
        return timezone.now()
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time(12)))


def page_kind(specific):
    name = specific._meta.model_name
    if name in GUIDE_MODELS:
        return SearchDocument.Kind.GUIDE
    if name in NOTICE_MODELS:
        return SearchDocument.Kind.NOTICE
    return SearchDocument.Kind.PAGE


def searchable_pages():
    return Page.objects.live().public().filter(depth__gt=2)


def document_for_page(page, public_ids=None):
    """(fields, domain ids) of ``page``'s document, or None when it must not be found."""
    Domain = apps.get_model("kb", "Domain")
    specific = page.specific
    if specific._meta.model_name in NAVIGATION_MODELS or page.depth <= 2 or not page.live:
        return None
    if public_ids is not None:
        if page.pk not in public_ids:
            return None
    elif not searchable_pages().filter(pk=page.pk).exists():
        return None
    body = []
    for field in specific.get_search_fields():
        if isinstance(field, index.SearchField) and field.field_name != "title":
            body.append(_text(field.get_value(specific)))
    kind = page_kind(specific)
    domains = []
    if getattr(specific, "domain_id", None):
        domains.append(specific.domain_id)
    if kind == SearchDocument.Kind.NOTICE and hasattr(specific, "domains"):
        domains.extend(specific.domains.values_list("pk", flat=True))
    archived = False
    for name in NOTICE_EXPIRY_FIELDS:
        expiry = getattr(specific, name, None)
        if expiry:
            archived = _as_datetime(expiry) < timezone.now()
    date = getattr(specific, "original_published_at", None) or (
        page.last_published_at or page.first_published_at
    )
    url = page.get_url() or page.url_path
    context = [page.get_parent().title] if kind == SearchDocument.Kind.GUIDE else []
    if domains:
        context.extend(Domain.objects.filter(pk__in=domains).values_list("name", flat=True))
    source = getattr(specific, "source", None) if getattr(specific, "source_id", None) else None
    if source is not None:
        context.extend([source.name, source.acronym])
    return (
        {
            "kind": kind,
            "title": page.title[:512],
            "body": " ".join(part for part in body if part),
            "context": " ".join(context),
            "url": url[:1024],
            "date": _as_datetime(date),
            "source_id": getattr(specific, "source_id", None),
            "archived": archived,
            "approved": True,
        },
        sorted(set(domains)),
    )


def forum_info(forum_ids=None):
    """{forum id: (domain ids, words placing its posts)}. A forum belongs to the domain naming it
    or one of its parents; its posts are also found by the forum's and the domain's names."""
    Domain = apps.get_model("kb", "Domain")
    forums = Forum.objects.all() if forum_ids is None else Forum.objects.filter(pk__in=forum_ids)
    by_category = {}
    names = {}
    for domain_id, forum_id, name in Domain.objects.values_list("pk", "forum_id", "name"):
        names[domain_id] = name
        if forum_id:
            by_category.setdefault(forum_id, []).append(domain_id)
    result = {}
    for forum in forums:
        ids = [forum.pk, *(a.pk for a in forum.get_ancestors())] if by_category else []
        domain_ids = sorted({d for fid in ids for d in by_category.get(fid, [])})
        result[forum.pk] = (domain_ids, " ".join([forum.name, *(names[d] for d in domain_ids)]))
    return result


def solved_topic_ids(topic_ids=None):
    """Topics marked solved (forum_community.TopicSolution, from the forum issue #5), as
    {topic id: id of the accepted reply}."""
    try:
        solution = apps.get_model("forum_community", "TopicSolution")
    except LookupError:
        return {}
    rows = solution.objects.all()
    if topic_ids is not None:
        rows = rows.filter(topic_id__in=topic_ids)
    return dict(rows.values_list("topic_id", "post_id"))


def markdown_text(content):
    return MARKDOWN_SYNTAX_RE.sub(lambda m: f" {m.group(1) or ''} ", str(content or ""))


def topic_url(topic):
    try:
        return reverse(
            "forum_conversation:topic",
            kwargs={
                "forum_slug": topic.forum.slug,
                "forum_pk": topic.forum_id,
                "slug": topic.slug,
                "pk": topic.pk,
            },
        )
    except NoReverseMatch:
        return "/forum/"


def document_for_post(post, forums, solved_ids):
    """(fields, domain ids) of ``post``'s document (post with topic and forum loaded)."""
    topic = post.topic
    domain_ids, context = forums.get(topic.forum_id, ([], ""))
    return (
        {
            "kind": SearchDocument.Kind.FORUM,
            "title": (topic.subject or "")[:512],
            "body": markdown_text(post.content),
            "context": context,
            "url": f"{topic_url(topic)}?post={post.pk}#{post.pk}"[:1024],
            "date": post.created,
            "topic_id": topic.pk,
            "forum_id": topic.forum_id,
            "approved": bool(post.approved and topic.approved),
            "is_topic_head": topic.first_post_id == post.pk,
            "solved": topic.pk in solved_ids,
            "is_answer": solved_ids.get(topic.pk) == post.pk,
        },
        domain_ids,
    )


# --- Applying it --------------------------------------------------------------------------------


def _save(lookup, fields, domain_ids):
    document, _created = SearchDocument.objects.update_or_create(defaults=fields, **lookup)
    current = set(document.domains.values_list("pk", flat=True))
    if current != set(domain_ids):
        document.domains.set(domain_ids)
    get_search_backend().add(document)
    return document


def unindex(document):
    """Remove ``document`` from the full-text index; a failure is logged, never raised (deleting
    a page or a post must not depend on the index; search_check removes what is left)."""
    try:
        with transaction.atomic():
            get_search_backend().delete(document)
    except Exception:
        logger.exception("Could not remove search document %s from the index", document.pk)


def sync_page(page_id):
    page = Page.objects.filter(pk=page_id).first()
    wanted = document_for_page(page) if page else None
    if wanted is None:
        for document in SearchDocument.objects.filter(page_id=page_id):
            document.delete()
        return None
    return _save({"page_id": page_id}, *wanted)


def sync_page_and_descendants(page_id):
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        sync_page(page_id)
        return
    for descendant_id in Page.objects.descendant_of(page, inclusive=True).values_list(
        "pk", flat=True
    ):
        sync_page(descendant_id)


def _posts():
    return Post.objects.select_related("topic", "topic__forum")


def sync_post(post_id):
    post = _posts().filter(pk=post_id).first()
    if post is None:
        SearchDocument.objects.filter(post_id=post_id).delete()
        return None
    return _save(
        {"post_id": post_id},
        *document_for_post(
            post, forum_info([post.topic.forum_id]), solved_topic_ids([post.topic_id])
        ),
    )


def sync_topic(topic_id, force=False):
    """Re-derive a topic's documents when what they copy from it changed (subject, forum,
    approval, solution), or always with ``force``."""
    topic = Topic.objects.select_related("forum").filter(pk=topic_id).first()
    if topic is None:
        return
    documents = SearchDocument.objects.filter(topic_id=topic_id)
    solved_ids = solved_topic_ids([topic.pk])
    if not force:
        solved = topic.pk in solved_ids
        answer_id = solved_ids.get(topic.pk)
        differing = documents.exclude(
            title=topic.subject[:512],
            forum_id=topic.forum_id,
            solved=solved,
            url__startswith=topic_url(topic),
        )
        # Another reply accepted instead (the topic stays solved): its weight changes.
        answer_moved = documents.filter(is_answer=True).exclude(post_id=answer_id).exists() or (
            answer_id is not None and documents.filter(post_id=answer_id, is_answer=False).exists()
        )
        approval_changed = documents.filter(approved=True).exists() != bool(topic.approved)
        if not approval_changed and not answer_moved and not differing.exists():
            return
    forums = forum_info([topic.forum_id])
    for post in _posts().filter(topic_id=topic_id):
        _save({"post_id": post.pk}, *document_for_post(post, forums, solved_ids))


def sync_forum_domains():
    """After a domain or the forum tree changed: each forum document's domains."""
    through = SearchDocument.domains.through
    for forum_id, (domain_ids, context) in forum_info().items():
        doc_ids = list(
            SearchDocument.objects.filter(forum_id=forum_id).values_list("pk", flat=True)
        )
        if not doc_ids:
            continue
        links = through.objects.filter(searchdocument_id__in=doc_ids)
        unchanged = (
            not SearchDocument.objects.filter(pk__in=doc_ids).exclude(context=context).exists()
            and set(links.values_list("domain_id", flat=True)) == set(domain_ids)
            and links.count() == len(doc_ids) * len(domain_ids)
        )
        if unchanged:
            continue
        with transaction.atomic():
            SearchDocument.objects.filter(pk__in=doc_ids).exclude(context=context).update(
                context=context
            )
            through.objects.filter(searchdocument_id__in=doc_ids).delete()
            through.objects.bulk_create(
                [
                    through(searchdocument_id=doc_id, domain_id=domain_id)
                    for doc_id in doc_ids
                    for domain_id in domain_ids
                ]
            )
            # Re-index them all: the context is searched, and the domains are filtered on.
            for batch in _batches(list(SearchDocument.objects.filter(pk__in=doc_ids))):
                _index_batch(batch)


def after_commit(function, *args):
    """Run ``function(*args)`` once the current transaction commits, as a background task
    (``ops.tasks.update_search_index``); a failure is logged, never raised to the person who
    published or posted (search_check repairs what it missed)."""
    from ops.tasks import enqueue_on_commit, update_search_index

    enqueue_on_commit(update_search_index, function.__name__, list(args))


# --- Whole index --------------------------------------------------------------------------------

BATCH = 2000


def _index_batch(documents):
    backend = get_search_backend()
    backend.add_bulk(SearchDocument, documents)


def _bulk_upsert(rows, key):
    """rows: list of (key value, fields, domain ids). Returns the saved documents."""
    documents = [SearchDocument(**{key: value}, **fields) for value, fields, _d in rows]
    update_fields = sorted({name for _v, fields, _d in rows for name in fields})
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=update_fields,
        batch_size=500,
    )
    saved = list(SearchDocument.objects.filter(**{f"{key}__in": [value for value, _f, _d in rows]}))
    by_key = {getattr(doc, key): doc for doc in saved}
    through = SearchDocument.domains.through
    through.objects.filter(searchdocument_id__in=[doc.pk for doc in saved]).delete()
    through.objects.bulk_create(
        [
            through(searchdocument_id=by_key[value].pk, domain_id=domain_id)
            for value, _f, domain_ids in rows
            for domain_id in domain_ids
        ],
        batch_size=1000,
    )
    return saved


def expected_page_rows():
    public_ids = set(searchable_pages().values_list("pk", flat=True))
    for page in searchable_pages().specific().iterator(chunk_size=500):
        wanted = document_for_page(page, public_ids=public_ids)
        if wanted is not None:
            yield page.pk, *wanted


def expected_post_rows():
    forums = forum_info()
    solved_ids = solved_topic_ids()
    for post in _posts().order_by("pk").iterator(chunk_size=2000):
        yield (post.pk, *document_for_post(post, forums, solved_ids))


def _batches(rows, size=BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rebuild(stdout=None):
    """Re-derive every document from its source and re-index it, in batches that each commit
    on their own (search keeps answering and people keep posting meanwhile); then remove the
    documents whose source is gone or hidden. Returns the number of documents."""
    total = 0
    kept = {"page_id": set(), "post_id": set()}
    with title_norms_deferred():  # refreshed once, below
        for key, rows in (("page_id", expected_page_rows()), ("post_id", expected_post_rows())):
            for batch in _batches(rows):
                with transaction.atomic():
                    documents = _bulk_upsert(batch, key)
                    _index_batch(documents)
                kept[key].update(value for value, _f, _d in batch)
                total += len(batch)
                if stdout:
                    stdout.write(f"  {total} documents")
    stale = SearchDocument.objects.exclude(page_id__in=kept["page_id"]).exclude(
        post_id__in=kept["post_id"]
    )
    for document in stale.iterator():
        document.delete()
    _remove_orphan_entries()
    index_ = get_search_backend().get_index_for_model(SearchDocument)
    if hasattr(index_, "_refresh_title_norms"):
        index_._refresh_title_norms(full=True)
    return total


def _index_entries():
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.conf import get_app_config

    IndexEntry = get_app_config().get_model("IndexEntry")
    content_type = ContentType.objects.get_for_model(SearchDocument)
    return IndexEntry.objects.filter(content_type=content_type)


def _remove_orphan_entries():
    from django.db.models import TextField
    from django.db.models.functions import Cast

    existing = SearchDocument.objects.annotate(key=Cast("pk", TextField())).values("key")
    return _index_entries().exclude(object_id__in=existing).delete()[0]


def _documents_with_wrong_filter_rows():
    """Indexed documents whose search.FilterRow (what the database backends filter and count
    on) is missing or differs from the document: a document without one is never found."""
    from search.engine import search_run_class
    from search.models import FilterRow, domain_keys

    if not search_run_class().uses_filter_rows:
        return []  # an external engine (OpenSearch, Elasticsearch): no FilterRow
    rows = {
        row[0]: row[1:]
        for row in FilterRow.objects.values_list(
            "document_id",
            "kind",
            "forum_id",
            "approved",
            "source_id",
            "date",
            "domain_keys",
            "weight",
        )
    }
    indexed = set(_index_entries().values_list("object_id", flat=True))
    wrong = []
    for doc in SearchDocument.objects.prefetch_related("domains").iterator(chunk_size=2000):
        if str(doc.pk) not in indexed:
            continue  # reported (and repaired) as not in the full-text index
        expected = (
            doc.kind,
            doc.forum_id,
            doc.approved,
            doc.source_id,
            doc.date,
            domain_keys([d.pk for d in doc.domains.all()]),
            doc.weight,
        )
        if rows.get(doc.pk) != expected:
            wrong.append(doc)
    return wrong


def check(repair=False):
    """Compare the index with the content. Returns a report: {problem: [descriptions]}."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    report = {"missing": [], "stale": [], "unindexed": [], "filters": [], "orphans": 0}
    fields_checked = (
        "kind",
        "title",
        "body",
        "context",
        "url",
        "forum_id",
        "approved",
        "solved",
        "is_answer",
        "archived",
    )
    for key, rows in (("page_id", expected_page_rows()), ("post_id", expected_post_rows())):
        seen = set()
        for batch in _batches(rows):
            existing = {
                getattr(doc, key): doc
                for doc in SearchDocument.objects.filter(
                    **{f"{key}__in": [value for value, _f, _d in batch]}
                ).prefetch_related("domains")
            }
            broken = []
            for value, fields, domain_ids in batch:
                seen.add(value)
                doc = existing.get(value)
                label = f"{'page' if key == 'page_id' else 'message'} {value}"
                if doc is None:
                    report["missing"].append(label)
                    broken.append((value, fields, domain_ids))
                    continue
                differs = any(
                    name in fields and getattr(doc, name) != fields[name] for name in fields_checked
                ) or sorted(d.pk for d in doc.domains.all()) != list(domain_ids)
                if differs:
                    report["stale"].append(label)
                    broken.append((value, fields, domain_ids))
            if repair and broken:
                with transaction.atomic():
                    _index_batch(_bulk_upsert(broken, key))
        extra = SearchDocument.objects.exclude(**{f"{key}__in": seen}).exclude(**{key: None})
        for document in extra:
            report["stale"].append(f"document {document.pk} ({document.title[:60]})")
            if repair:
                document.delete()
    indexed = _index_entries().values("object_id")
    unindexed = SearchDocument.objects.annotate(key=Cast("pk", TextField())).exclude(
        key__in=indexed
    )
    report["unindexed"] = [f"document {pk}" for pk in unindexed.values_list("pk", flat=True)]
    if repair and report["unindexed"]:
        for batch in _batches(list(unindexed)):
            _index_batch(batch)
    report["filters"] = [f"document {doc.pk}" for doc in _documents_with_wrong_filter_rows()]
    if repair and report["filters"]:
        for batch in _batches(_documents_with_wrong_filter_rows()):
            _index_batch(batch)
    report["orphans"] = (
        _remove_orphan_entries()
        if repair
        else (
            _index_entries()
            .exclude(
                object_id__in=SearchDocument.objects.annotate(key=Cast("pk", TextField())).values(
                    "key"
                )
            )
            .count()
        )
    )
    return report
