"""The one search index: a document per searchable thing (guide or practice page, notice, other
page, forum post), indexed through Wagtail's search framework (modelsearch).

Documents are derived data: `search.indexing` writes them after each commit and
`manage.py search_rebuild` / `search_check` rebuild or repair them from the source rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelsearch import index


class SearchDocument(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        GUIDE = "guide", _("Guides")
        NOTICE = "notice", _("Actualités")
        FORUM = "forum", _("Forum")
        PAGE = "page", _("Pages")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, db_index=True)
    # Exactly one of page / post is set.
    page = models.OneToOneField(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    post = models.OneToOneField(
        "forum_conversation.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    # Forum documents: where the post lives and whether it may be shown at all.
    topic = models.ForeignKey(
        "forum_conversation.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    forum = models.ForeignKey(
        "forum.Forum", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    approved = models.BooleanField(_("visible"), default=True)
    is_topic_head = models.BooleanField(default=False)
    solved = models.BooleanField(_("résolu"), default=False)
    # The reply accepted as the topic's answer (forum_community.TopicSolution).
    is_answer = models.BooleanField(_("réponse acceptée"), default=False)
    # Notices: where they come from; archived once past their expiry.
    source = models.ForeignKey(
        "notices.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived = models.BooleanField(_("archivé"), default=False)
    domains = models.ManyToManyField("kb.Domain", blank=True, related_name="+")

    title = models.CharField(_("titre"), max_length=512)
    body = models.TextField(_("texte"), blank=True)
    # Words that place the document (its domains, guide, forum, source): searched, never shown.
    context = models.TextField(_("contexte"), blank=True)
    url = models.CharField(_("adresse"), max_length=1024)
    date = models.DateTimeField(_("date"), db_index=True)
    indexed_at = models.DateTimeField(auto_now=True)

    # search.indexing indexes each document itself, in the same savepoint as the document, so that
    # a failing index never leaves a half-written document nor breaks the request that caused it.
    search_auto_update = False

    search_fields = [
        index.SearchField("title", boost=3),
        index.SearchField("body"),
        index.SearchField("context", boost=0.5),
        index.FilterField("id"),
        index.FilterField("kind"),
        index.FilterField("forum_id"),
        index.FilterField("approved"),
        index.FilterField("source_id"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("document de recherche")
        verbose_name_plural = _("documents de recherche")
        indexes = [models.Index(fields=["forum", "approved"])]

    def __str__(self):
        return self.title

    @property
    def weight(self):
        return document_weight(self.kind, self.is_answer)


# How much more a kind of document weighs in the ranking than a forum reply that matches as
# well (issue 14): guide and practice pages and accepted answers come before scattered replies
# for the same words, notices between them. The engines multiply their relevance by it
# (`search.engine`); FilterRow keeps it beside the filters. 4 rather than 3: PostgreSQL's ts_rank
# (not normalised by length, as in Wagtail) scores a short reply naming the words twice 3.3 times
# a page naming them once; a reply naming them three times or more still comes first.
KIND_WEIGHTS = {"guide": 4.0, "notice": 2.0, "page": 1.0, "forum": 1.0}
ANSWER_WEIGHT = 4.0


def document_weight(kind, is_answer=False):
    if kind == SearchDocument.Kind.FORUM and is_answer:
        return ANSWER_WEIGHT
    return KIND_WEIGHTS.get(kind, 1.0)


class FilterRow(models.Model):
    """What a search filters and counts on for one indexed document, keyed by its
    index entry (Wagtail's index entry id, which is also the FTS5 rowid on SQLite).

    The search joins the full-text matches straight to these narrow rows, so the count, the four
    facets and the visibility filter cost one pass over the match (`search.engine`), instead of
    going through the index entry's text and the document's wide row for every match. Written by
    the database search backends (`search.sqlite_backend`, `search.postgres_backend`) whenever a
    document is (re)indexed; a trigger removes a row with its index entry (migration 0003).
    """

    entry_id = models.IntegerField(primary_key=True)  # INTEGER PRIMARY KEY: SQLite's rowid
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    forum_id = models.IntegerField(null=True)
    approved = models.BooleanField(default=True)
    source_id = models.IntegerField(null=True)
    date = models.DateTimeField()
    # The document's domain ids as " 3 7 " (a facet counts a domain with one instr()).
    domain_keys = models.CharField(max_length=255, blank=True)
    # The document's ranking weight (`document_weight`), multiplied into its relevance.
    weight = models.FloatField(default=1.0)

    def __str__(self):
        return f"{self.entry_id} → {self.document_id}"

    @classmethod
    def refresh(cls, documents):
        """Upsert the rows of ``documents``, which the index has just (re)indexed."""
        from modelsearch.conf import get_app_config
        from modelsearch.utils import get_content_type_pk

        entries = get_app_config().get_model("IndexEntry")._default_manager
        entry_ids = dict(
            entries.filter(
                content_type_id=get_content_type_pk(SearchDocument),
                object_id__in=[str(d.pk) for d in documents],
            ).values_list("object_id", "id")
        )
        domains = {}
        for doc_id, domain_id in SearchDocument.domains.through.objects.filter(
            searchdocument_id__in=[d.pk for d in documents]
        ).values_list("searchdocument_id", "domain_id"):
            domains.setdefault(doc_id, []).append(domain_id)
        rows = [
            cls(
                entry_id=entry_ids[str(doc.pk)],
                document_id=doc.pk,
                kind=doc.kind,
                forum_id=doc.forum_id,
                approved=doc.approved,
                source_id=doc.source_id,
                date=doc.date,
                domain_keys=domain_keys(domains.get(doc.pk, ())),
                weight=doc.weight,
            )
            for doc in documents
            if str(doc.pk) in entry_ids
        ]
        fields = [
            "document",
            "kind",
            "forum_id",
            "approved",
            "source_id",
            "date",
            "domain_keys",
            "weight",
        ]
        cls.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["entry_id"],
            update_fields=fields,
            batch_size=500,
        )


class FilterGeneration(models.Model):
    """One row whose ``token`` changes with every write to FilterRow (triggers, migration 0004;
    on PostgreSQL at commit), so that a search can tell in the same statement as its full-text
    match whether the facet bitmaps kept in memory (`search.facet_bitmaps`) still describe the
    index.

    A random token rather than a counter: a counter restarts when the table is emptied (a restore,
    a test's flush) and could meet an old value again; NULL (no row) means "unknown", and the
    search then counts in SQL.
    """

    token = models.BigIntegerField(null=True)

    def __str__(self):
        return str(self.token)


def domain_keys(domain_ids):
    """Domain ids as FilterRow stores them: " 3 7 " (so " 3 " never matches " 13 ")."""
    return f" {' '.join(str(pk) for pk in sorted(domain_ids))} " if domain_ids else ""
