"""What changes what: signals of Wagtail and machina turned into tags to ban after commit.

Tags are set on responses by ``headers.tags_for_view`` (forum, feeds, search) and
``wagtail_hooks`` (pages: ``page-<id>``, ``type-<model>``; the banner: ``banner-<notice id>``).
Privacy changes (a page's view restriction, a forum permission) ban everything: a page that
became private must leave the cache at once.
"""

from django.db.models.signals import post_delete, post_init, post_save
from machina.core.db.models import get_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from passerelle.frontcache.purge import ALL, ban_after_commit, enabled

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
UserForumPermission = get_model("forum_permission", "UserForumPermission")

KB_LISTINGS = {
    # Home (featured guides), /guides/ with its domain and tag listings, the guides (chapter
    # lists), practices (chapter navigation, related practices), search and the Atom feeds.
    "type-homepage",
    "type-guideindexpage",
    "type-guidepage",
    "type-practicepage",
    "search",
    "feed",
}
NOTICE_LISTINGS = {"type-homepage", "type-noticeindexpage", "search"}
FORUM_LISTINGS = {"forum-index", "forum-feed", "search", "type-homepage"}


def tags_for_page(page, parent_ids=()):
    """Tags of the cached pages that show ``page``: itself, its parents, and the listings."""
    from notices.models import NoticePage

    page = page.specific_deferred if type(page) is Page else page
    tags = {f"page-{page.pk}", *(f"page-{pk}" for pk in parent_ids if pk)}
    if page.depth is not None and page.depth <= 2:  # the home page: every page's breadcrumbs
        return {ALL}
    parent_path = page.path[: -page.steplen] if page.path else ""
    if parent_path:
        parent_id = Page.objects.filter(path=parent_path).values_list("pk", flat=True).first()
        if parent_id:
            tags.add(f"page-{parent_id}")
    if isinstance(page, NoticePage):
        if page.priority == NoticePage.Priority.URGENT:
            return {ALL}  # in or out of the banner, which every page shows
        tags |= NOTICE_LISTINGS | {f"banner-{page.pk}"}
    else:
        tags |= KB_LISTINGS | {f"type-{page.specific_class._meta.model_name}"}
    return tags


def on_page_changed(sender, instance, **kwargs):
    ban_after_commit(*tags_for_page(instance))


def on_page_moved(sender, instance, parent_page_before=None, parent_page_after=None, **kwargs):
    parents = [getattr(parent_page_before, "pk", None), getattr(parent_page_after, "pk", None)]
    ban_after_commit(*tags_for_page(instance, parents))


def on_page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        ban_after_commit(*tags_for_page(instance))


def on_privacy_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        ban_after_commit(ALL)


# --- Forum --------------------------------------------------------------------------------------


def _forum_tags(forum_ids):
    tags = set(FORUM_LISTINGS)
    for forum in Forum.objects.filter(pk__in=[pk for pk in forum_ids if pk]):
        tags.add(f"forum-{forum.pk}")
        tags.update(f"forum-{pk}" for pk in forum.get_ancestors().values_list("pk", flat=True))
    return tags


def _topic_tags(topic_id, forum_ids):
    from forum.community.models import PracticeDiscussion

    tags = _forum_tags(forum_ids) | {f"topic-{topic_id}"}
    # A practice page shows its discussion's reply count.
    page_id = (
        PracticeDiscussion.objects.filter(topic_id=topic_id)
        .values_list("page_id", flat=True)
        .first()
    )
    if page_id:
        tags.add(f"page-{page_id}")
    return tags


def remember_forum(sender, instance, **kwargs):
    # The forum a topic was loaded in: after a move, both forums' pages change.
    instance._frontcache_forum_id = instance.__dict__.get("forum_id")


def on_topic_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    forums = {instance.forum_id, getattr(instance, "_frontcache_forum_id", None)}
    ban_after_commit(*_topic_tags(instance.pk, forums))
    instance._frontcache_forum_id = instance.forum_id


def on_post_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    topic_id = instance.__dict__.get("topic_id")
    forum_id = Topic.objects.filter(pk=topic_id).values_list("forum_id", flat=True).first()
    ban_after_commit(*_topic_tags(topic_id, {forum_id}))


def on_forum_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        ban_after_commit(*_forum_tags({instance.pk, instance.parent_id}))


def on_solution_changed(sender, instance, **kwargs):
    topic = Topic.objects.filter(pk=instance.topic_id).values_list("forum_id", flat=True).first()
    ban_after_commit(*_topic_tags(instance.topic_id, {topic}))


def _when_enabled(receiver):
    """Receivers do nothing (not even a query) unless FRONTEND_CACHE_URL is set."""

    def wrapper(*args, **kwargs):
        if enabled():
            receiver(*args, **kwargs)

    return wrapper


def connect():
    from forum.community.models import TopicSolution

    def on(signal, receiver, sender=None):
        uid = f"frontcache-{receiver.__name__}-{getattr(sender, '__name__', 'any')}-{id(signal)}"
        signal.connect(_when_enabled(receiver), sender=sender, weak=False, dispatch_uid=uid)

    on(page_published, on_page_changed)
    on(page_unpublished, on_page_changed)
    on(post_page_move, on_page_moved)
    on(post_delete, on_page_deleted)
    for model in (PageViewRestriction, GroupForumPermission, UserForumPermission):
        on(post_save, on_privacy_changed, model)
        on(post_delete, on_privacy_changed, model)
    post_init.connect(remember_forum, sender=Topic, dispatch_uid="frontcache-topic-init")
    for signal in (post_save, post_delete):
        on(signal, on_topic_changed, Topic)
        on(signal, on_post_changed, Post)
        on(signal, on_forum_changed, Forum)
        on(signal, on_solution_changed, TopicSolution)


# --- The page cache inside Django (passerelle/pagecache.py) -------------------------------------
# Always on, FRONTEND_CACHE_URL or not: any write to what a public page may show replaces the
# page cache's generation token. Coarse on purpose (one token for the whole site): a write is
# rare next to reads, and a missed dependency would mean a stale page, which is worse.

PAGE_CACHE_APPS = {
    "kb",
    "notices",
    "wagtailcore",
    "wagtailimages",
    "wagtaildocs",
    "taggit",
    "wagtailredirects",
    "forum",
    "forum_conversation",
    "forum_attachments",
    "forum_polls",
    "forum_permission",
    "forum_community",
}
# Written often, shown on no public page (or only to the person concerned).
PAGE_CACHE_IGNORED = {
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.pagesubscription",
    "wagtailcore.referenceindex",
    "wagtailcore.uploadedfile",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
    "wagtailcore.taskstate",
    "wagtailcore.workflowstate",
    "wagtailimages.rendition",
    "forum_community.subscription",
    "forum_community.membersettings",
    "forum_community.postreport",
}


def _changes_public_pages(sender):
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in PAGE_CACHE_APPS
        and meta.label_lower not in PAGE_CACHE_IGNORED
    )


def on_content_written(sender, using=None, **kwargs):
    from passerelle import pagecache

    if _changes_public_pages(sender):
        pagecache.bump(using or "default")


def on_page_event(sender, **kwargs):
    from passerelle import pagecache

    pagecache.bump()


def connect_page_cache():
    from django.db.models.signals import m2m_changed

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(on_content_written, weak=False, dispatch_uid=f"pagecache-{id(signal)}")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(on_page_event, weak=False, dispatch_uid=f"pagecache-page-{id(signal)}")
