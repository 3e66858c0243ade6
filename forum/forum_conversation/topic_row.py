"""A topic page's topic and everything shown beside its posts, read in one query.

machina's view reads the topic with its forum, and the page then asked the database again for
its poll, accepted answer (with the answer's post and author), linked practice page, assignment
(with its officer), the reader's subscription and the reader's two read marks: seven queries, each
built by the ORM on every request (building ``select_related("forum", "poll")`` alone cost more
than the whole cached page of an anonymous reader). Here one SQL statement, written once per
process from the models' own columns, joins them all (every join is on a one-to-one or a unique
key, so it returns one row or none), and the rows are turned into model instances with each
field's own database converters, as the ORM would (``Model.from_db``), with the relations cached
as ``select_related`` caches them.

Nothing is cached across requests: every value is read from the database on every request.
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from machina.core.db.models import get_model

Topic = get_model("forum_conversation", "Topic")
Forum = get_model("forum", "Forum")
Post = get_model("forum_conversation", "Post")
TopicPoll = get_model("forum_polls", "TopicPoll")
ForumReadTrack = get_model("forum_tracking", "ForumReadTrack")
TopicReadTrack = get_model("forum_tracking", "TopicReadTrack")


class Part:
    """One model's concrete columns in a joined SELECT, and how to read them back."""

    def __init__(self, model, alias, fields=None, single=False):
        self.model = model
        self.alias = alias
        self.single = single  # one column, read as a value rather than an instance
        self.fields = list(fields or model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = next(
            (i for i, f in enumerate(self.fields) if f.primary_key), 0
        )  # a NULL here: no row on the LEFT JOIN's side
        self._converters = {}

    def columns(self, db):
        qn = db.ops.quote_name
        return [f"{self.alias}.{qn(f.column)}" for f in self.fields]

    def converters(self, db):
        # The compiler's own recipe (SQLCompiler.get_converters): the backend's converters for
        # the column, then the field's (booleans on SQLite, aware datetimes, JSON, markup…).
        found = self._converters.get(db.vendor)
        if found is None:
            found = []
            for field in self.fields:
                col = field.get_col(self.alias)
                found.append((db.ops.get_db_converters(col) + col.get_db_converters(db), col))
            self._converters[db.vendor] = found
        return found

    def values(self, db, row):
        values = []
        for value, (converters, col) in zip(row, self.converters(db), strict=True):
            for converter in converters:
                value = converter(value, col, db)
            values.append(value)
        return values

    def instance(self, db, row):
        if row[self.pk_index] is None:
            return None
        return self.model.from_db(db.alias, self.attnames, self.values(db, row))


def _parts():
    from wagtail.models import Page

    from forum.community.models import (
        PracticeDiscussion,
        Subscription,
        TopicAssignment,
        TopicSolution,
    )

    user = get_user_model()
    anonymous = [
        Part(Topic, "t"),
        Part(Forum, "f"),
        Part(TopicPoll, "pl", [TopicPoll._meta.pk]),
        Part(TopicSolution, "s"),
        Part(Post, "sp"),
        Part(user, "su"),
        Part(PracticeDiscussion, "d"),
        Part(Page, "pg"),
    ]
    signed_in = [
        Part(TopicAssignment, "a"),
        Part(user, "ao"),
        Part(Subscription, "sub"),
        Part(ForumReadTrack, "fr", [ForumReadTrack._meta.get_field("mark_time")], single=True),
        Part(TopicReadTrack, "tr", [TopicReadTrack._meta.get_field("mark_time")], single=True),
    ]
    return anonymous, signed_in


_statements = {}


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _statement(signed_in):
    """(sql, parts) for this backend; the SQL names only tables and columns of the models."""
    key = (connection.vendor, signed_in)
    if key in _statements:
        return _statements[key]
    from wagtail.models import Page

    from forum.community.models import (
        PracticeDiscussion,
        Subscription,
        TopicAssignment,
        TopicSolution,
    )

    anonymous, personal = _parts()
    parts = anonymous + (personal if signed_in else [])
    user_table = _table(get_user_model())
    joins = [
        f"FROM {_table(Topic)} t",
        f"INNER JOIN {_table(Forum)} f ON f.id = t.forum_id",
        f"LEFT JOIN {_table(TopicPoll)} pl ON pl.topic_id = t.id",
        f"LEFT JOIN {_table(TopicSolution)} s ON s.topic_id = t.id",
        f"LEFT JOIN {_table(Post)} sp ON sp.id = s.post_id",
        f"LEFT JOIN {user_table} su ON su.id = sp.poster_id",
        f"LEFT JOIN {_table(PracticeDiscussion)} d ON d.topic_id = t.id",
        f"LEFT JOIN {_table(Page)} pg ON pg.id = d.page_id",
    ]
    if signed_in:
        joins += [
            f"LEFT JOIN {_table(TopicAssignment)} a ON a.topic_id = t.id",
            f"LEFT JOIN {user_table} ao ON ao.id = a.officer_id",
            # One topic subscription per person (unique user + topic).
            f"LEFT JOIN {_table(Subscription)} sub ON sub.topic_id = t.id "
            "AND sub.forum_id IS NULL AND sub.user_id = %s",
            # machina keeps one read mark per person and forum, and per person and topic.
            f"LEFT JOIN {_table(ForumReadTrack)} fr ON fr.forum_id = t.forum_id "
            "AND fr.user_id = %s",
            f"LEFT JOIN {_table(TopicReadTrack)} tr ON tr.topic_id = t.id AND tr.user_id = %s",
        ]
    columns = ", ".join(column for part in parts for column in part.columns(connection))
    sql = f"SELECT {columns} " + " ".join(joins) + " WHERE t.id = %s"
    # The parameters: the user id once per personal join, then the topic id.
    order = ["user"] * (3 if signed_in else 0) + ["topic"]
    _statements[key] = (sql, parts, order)
    return _statements[key]


class TopicRow:
    """The topic (with its forum and poll cached) and what the page shows beside the posts."""

    def __init__(self, topic, solution, practice_link, assignment, subscription, marks):
        self.topic = topic
        self.solution = solution
        self.practice_link = practice_link
        self.assignment = assignment
        self.subscription = subscription
        self.forum_mark, self.topic_mark = marks

    def cache_state(self):
        """What a cached anonymous page depends on besides the topic and its forum."""
        page = self.practice_link.page if self.practice_link else None
        return (
            self.solution.post_id if self.solution else None,
            self.practice_link.pk if self.practice_link else None,
            page and (page.pk, page.live, page.url_path, page.last_published_at),
        )


def _cache(instance, name, value):
    instance._meta.get_field(name).set_cached_value(instance, value)


def topic_row(topic_id, user):
    """The topic ``topic_id`` and its page's companions for ``user``, or Http404."""
    signed_in = user.is_authenticated
    sql, parts, order = _statement(signed_in)
    params = [user.pk if name == "user" else int(topic_id) for name in order]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404
    objects, start = [], 0
    for part in parts:
        end = start + len(part.fields)
        values = row[start:end]
        if part.single:
            objects.append(part.values(connection, values)[0])
        else:
            objects.append(part.instance(connection, values))
        start = end
    topic, forum, poll, solution, solution_post, solution_poster, practice, page = objects[:8]
    _cache(topic, "forum", forum)
    if poll is None:
        _cache(topic, "poll", None)  # ``topic.poll`` raises DoesNotExist, as after select_related
    if solution is not None:
        _cache(solution, "topic", topic)
        _cache(solution, "post", solution_post)
        if solution_post is not None:
            _cache(solution_post, "poster", solution_poster)
    if practice is not None:
        _cache(practice, "topic", topic)
        _cache(practice, "page", page)
    assignment = subscription = None
    marks = (None, None)
    if signed_in:
        assignment, officer, subscription, forum_mark, topic_mark = objects[8:]
        if assignment is not None:
            _cache(assignment, "topic", topic)
            _cache(assignment, "officer", officer)
        marks = (forum_mark, topic_mark)
    return TopicRow(topic, solution, practice, assignment, subscription, marks)


# --- The page's posts ---------------------------------------------------------------------------

_posts_statements = {}


def _posts_statement():
    key = connection.vendor
    if key in _posts_statements:
        return _posts_statements[key]
    from accounts.models import Establishment, Profile
    from forum.community.models import HiddenPost

    ForumProfile = get_model("forum_member", "ForumProfile")
    user = get_user_model()
    parts = [
        Part(Post, "p"),
        Part(user, "u"),
        Part(Profile, "pr"),
        Part(Establishment, "e"),
        Part(ForumProfile, "fp"),
        Part(HiddenPost, "h"),
        Part(user, "ub"),
    ]
    user_table = _table(user)
    columns = ", ".join(column for part in parts for column in part.columns(connection))
    sql = (
        f"SELECT {columns} FROM {_table(Post)} p "  # noqa: S608 -- only the models' names
        f"LEFT JOIN {user_table} u ON u.id = p.poster_id "
        f"LEFT JOIN {_table(Profile)} pr ON pr.user_id = u.id "
        f"LEFT JOIN {_table(Establishment)} e ON e.id = pr.establishment_id "
        f"LEFT JOIN {_table(ForumProfile)} fp ON fp.user_id = u.id "
        f"LEFT JOIN {_table(HiddenPost)} h ON h.post_id = p.id "
        f"LEFT JOIN {user_table} ub ON ub.id = p.updated_by_id "
        # machina's list: the topic's approved posts in the model's order (``created``).
        "WHERE p.topic_id = %s AND p.approved = %s ORDER BY p.created ASC LIMIT %s OFFSET %s"
    )
    _posts_statements[key] = (sql, parts)
    return _posts_statements[key]


def posts_page(topic, offset, limit):
    """The topic's approved posts ``offset`` to ``offset + limit``, as the topic view's queryset
    gives them (``select_related`` of the author with their profile, establishment and forum
    profile, the hidden mark and the last editor; attachments prefetched)."""
    from django.db.models import prefetch_related_objects

    sql, parts = _posts_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [topic.pk, True, limit, offset])
        rows = cursor.fetchall()
    posts = []
    for row in rows:
        objects, start = [], 0
        for part in parts:
            end = start + len(part.fields)
            objects.append(part.instance(connection, row[start:end]))
            start = end
        post, poster, profile, establishment, forum_profile, hidden, updated_by = objects
        _cache(post, "topic", topic)
        _cache(post, "poster", poster)
        _cache(post, "updated_by", updated_by)
        _cache(post, "hidden", hidden)
        if hidden is not None:
            _cache(hidden, "post", post)
        if poster is not None:
            _cache(poster, "profile", profile)
            _cache(poster, "forum_profile", forum_profile)
            if profile is not None:
                _cache(profile, "user", poster)
                _cache(profile, "establishment", establishment)
            if forum_profile is not None:
                _cache(forum_profile, "user", poster)
        posts.append(post)
    prefetch_related_objects(posts, "attachments")
    return posts
