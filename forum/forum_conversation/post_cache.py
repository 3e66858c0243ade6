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

Each post's controls (edit, report, mark as the solution, hide, delete) are the reader's own:
which of them a reader gets is computed for every post on every request (``controls_of``: the
permission handler's answers for this reader, read from the database on this request, the
accepted answer, who wrote the post), and the controls' HTML is rendered once per post and set of
answers (``post_controls.html``) and shared by every reader who gets the same answers, with a
placeholder for the CSRF token, which is put in per request (and only asked for when a control
is a form, as ``{% csrf_token %}`` would).
"""

import hashlib

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TIMEOUT = 24 * 3600
BODY_TEMPLATE = "forum_conversation/partials/post_body.html"
SIDEBAR_TEMPLATE = "forum_conversation/partials/post_sidebar.html"
CONTROLS_TEMPLATE = "forum_conversation/partials/post_controls.html"
# Stands for the request's CSRF token in cached controls (upper case: no slug or id contains it).
CSRF_PLACEHOLDER = "CSRFTOKENPLACEHOLDERFORTHISREQUEST"
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


def controls_of(post, topic, user, handler, solution, can_mark_solution, can_moderate):
    """Which controls ``user`` gets on ``post`` (the checks of machina's template, and ours)."""
    head = post.pk == topic.first_post_id
    return {
        "head": head,
        "edit": bool(handler.can_edit_post(post, user)),
        "report": bool(user.is_authenticated and post.poster_id != user.pk),
        "mark_solution": bool(
            can_mark_solution and not head and (solution is None or solution.post_id != post.pk)
        ),
        "hide": bool(can_moderate),
        "delete": bool(handler.can_delete_post(post, user)),
    }


def _controls_key(post, topic, forum, controls):
    state = (
        post.pk,
        topic.pk,
        topic.slug,
        forum.pk,
        forum.slug,
        get_language(),
        sorted(controls.items()),
    )
    return f"forum:controls:v{MARKUP_VERSION}:" + hashlib.sha256(repr(state).encode()).hexdigest()


def attach_rendered_posts(posts, topic, forum, can_download, controls=None, request=None):
    """Give each post ``body_html`` and ``sidebar_html``, from the cache or rendered now; with
    ``controls`` ({post id: controls_of(…)}), ``controls_html`` too (with this request's CSRF
    token)."""
    posts = list(posts)
    keys = {
        post.pk: f"forum:post:v{MARKUP_VERSION}:{fingerprint(post, topic, forum, can_download)}"
        for post in posts
    }
    control_keys = {
        post.pk: _controls_key(post, topic, forum, controls[post.pk])
        for post in posts
        if controls is not None
    }
    cached = caches["forum_html"].get_many([*keys.values(), *control_keys.values()])
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
    token = None
    for post in posts:
        if post.pk not in control_keys:
            continue
        key = control_keys[post.pk]
        html = cached.get(key)
        if html is None:
            context = {
                "post": post,
                "topic": topic,
                "forum": forum,
                "controls": controls[post.pk],
                "csrf_token": CSRF_PLACEHOLDER,
            }
            html = rendered[key] = render_to_string(CONTROLS_TEMPLATE, context)
        if CSRF_PLACEHOLDER in html:
            token = token or get_token(request)
            html = html.replace(CSRF_PLACEHOLDER, token)
        post.controls_html = mark_safe(html)  # noqa: S308 -- our template, ids and slugs
    if rendered:
        caches["forum_html"].set_many(rendered, TIMEOUT)
