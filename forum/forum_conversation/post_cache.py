"""Each post's HTML, rendered once per version and shared by every reader.

On a topic page, what a post shows is the same for everyone except its controls (edit, delete,
report, mark as solution, hide), which stay rendered for each reader. The rest (subject, author,
date, content, attachments, signature, edits, author column) is rendered from
``post_body.html`` and ``post_sidebar.html`` and kept in the cache under a key made of everything
those templates show, read with the posts (no extra query):

- the post (``updated`` changes on every save: an edit, an approval, a hidden post is saved
  with ``approved=False`` and then no longer listed at all), its subject, its edit count, reason
  and editor;
- its author: names, username, post count, signature, establishment;
- its attachments (ids, names, comments) and whether the reader may download them;
- the topic's and forum's slugs and ids (the post's permalink).

A change to any of them gives a new key, so no reader ever gets an old version; the cache is one
``get_many`` for the page and one ``set_many`` for the posts rendered.
"""

import hashlib

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

TIMEOUT = 24 * 3600
BODY_TEMPLATE = "forum_conversation/partials/post_body.html"
SIDEBAR_TEMPLATE = "forum_conversation/partials/post_sidebar.html"
# Part of every key: change it when those two templates change, so that no cached post keeps the
# old markup for a day after a deployment (2: accessible French markup, issue 13).
MARKUP_VERSION = 2


def _person(user):
    if user is None:
        return None
    profile = getattr(user, "forum_profile", None)
    establishment = getattr(getattr(user, "profile", None), "establishment", None)
    return (
        user.pk,
        user.username,
        user.first_name,
        user.last_name,
        profile and profile.posts_count,
        profile and getattr(profile.signature, "raw", None),
        profile and profile.avatar.name,
        establishment and establishment.name,
    )


def fingerprint(post, topic, forum, can_download):
    state = (
        post.pk,
        post.updated.isoformat(),
        post.subject,
        post.username,
        post.enable_signature,
        post.updates_count,
        post.update_reason,
        _person(post.poster),
        post.updated_by_id,
        post.updated_by
        and (post.updated_by.username, post.updated_by.first_name, post.updated_by.last_name),
        [(a.pk, a.file.name, a.comment) for a in post.attachments.all()],
        bool(can_download),
        topic.pk,
        topic.slug,
        forum.pk,
        forum.slug,
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()


def attach_rendered_posts(posts, topic, forum, can_download):
    """Give each post ``body_html`` and ``sidebar_html``, from the cache or rendered now."""
    posts = list(posts)
    keys = {
        post.pk: f"forum:post:v{MARKUP_VERSION}:{fingerprint(post, topic, forum, can_download)}"
        for post in posts
    }
    cached = caches["forum_html"].get_many(list(keys.values()))
    rendered = {}
    for post in posts:
        parts = cached.get(keys[post.pk])
        if parts is None:
            context = {
                "post": post,
                "topic": topic,
                "forum": forum,
                "user_can_download_files": can_download,
            }
            parts = (
                render_to_string(BODY_TEMPLATE, context),
                render_to_string(SIDEBAR_TEMPLATE, context),
            )
            rendered[keys[post.pk]] = parts
        post.body_html, post.sidebar_html = mark_safe(parts[0]), mark_safe(parts[1])  # noqa: S308
    if rendered:
        caches["forum_html"].set_many(rendered, TIMEOUT)
