"""The four roles of Passerelle and the permissions each one carries.

Everything here is idempotent: :func:`ensure_roles` runs after every ``migrate`` (see apps.py)
and from ``python manage.py setup_roles``; :func:`sync_domain_permissions` runs whenever a
domain or its forum changes. Forum rights are machina's per-forum permissions: a domain officer
moderates the forums of their domain only, editors and administrators moderate everywhere.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

STAFF = "Personnel d'établissement"
OFFICER = "Chargé de domaine"
EDITOR = "Éditeur"
ADMINISTRATOR = "Administrateur"
ROLE_NAMES = (STAFF, OFFICER, EDITOR, ADMINISTRATOR)
DOMAIN_OFFICER_GROUP_PREFIX = "Chargés de domaine · "

ROLE_LABELS = {
    STAFF: _("Personnel d'établissement"),
    OFFICER: _("Chargé de domaine"),
    EDITOR: _("Éditeur"),
    ADMINISTRATOR: _("Administrateur"),
}

READ_FORUM = ["can_see_forum", "can_read_forum"]
# Anonymous visitors read public forums and download their attachments, like the rest of the
# public topic (the topic page shows them the links); private forums refuse both (private.py).
ANONYMOUS_FORUM = [*READ_FORUM, "can_download_file"]
PARTICIPATE_FORUM = [
    *READ_FORUM,
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_delete_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_attach_file",
    "can_download_file",
]
MODERATE_FORUM = [
    "can_post_announcements",
    "can_post_stickies",
    "can_lock_topics",
    "can_move_topics",
    "can_edit_posts",
    "can_delete_posts",
    "can_approve_posts",
    "can_reply_to_locked_topics",
]

ADMIN_ACCESS = [("wagtailadmin", "access_admin")]
EDITOR_MODEL_PERMISSIONS = [
    *ADMIN_ACCESS,
    ("kb", "add_domain"),
    ("kb", "change_domain"),
    ("notices", "add_source"),
    ("notices", "change_source"),
    ("notices", "delete_source"),
    ("accounts", "add_establishment"),
    ("accounts", "change_establishment"),
    ("accounts", "change_accountrequest"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
]
OFFICER_MODEL_PERMISSIONS = [
    *ADMIN_ACCESS,
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
OFFICER_PAGE_PERMISSIONS = ["add_page", "change_page"]


def _permissions(pairs, using):
    """The Django permissions named by ``(app_label, codename)`` pairs that exist, in one query."""
    if not pairs:
        return []  # an empty Q() would match every permission
    wanted = Q()
    for app_label, codename in pairs:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.using(using).filter(wanted))


def _forum_permissions(codenames, using):
    from machina.apps.forum_permission.receivers import create_permissions
    from machina.core.db.models import get_model

    ForumPermission = get_model("forum_permission", "ForumPermission")
    if ForumPermission.objects.using(using).count() == 0:
        create_permissions()
    return list(ForumPermission.objects.using(using).filter(codename__in=codenames))


def set_forum_permissions(model, lookup, permissions, has_perm, using="default"):
    """Make the rows of ``model`` (machina's Group- or UserForumPermission) that match ``lookup``
    say ``has_perm`` for each of ``permissions``, creating the missing ones.

    Three queries whatever the number of permissions: an ``update_or_create`` per permission
    cost two or three, some thirty per forum, and creating a domain with its forums took seconds
    on PostgreSQL. Bulk writes send no ``post_save``: what follows forum permissions (the page
    cache's token, the front cache's ban, ``passerelle/frontcache/receivers.py``) is sent one,
    as for a single saved row, when anything changed. Returns the number of rows written."""
    rows = model.objects.using(using).filter(**lookup, permission__in=permissions)
    existing = dict(rows.values_list("permission_id", "has_perm"))
    wrong = [pk for pk, value in existing.items() if value != has_perm]
    missing = [
        model(**lookup, permission=permission, has_perm=has_perm)
        for permission in permissions
        if permission.pk not in existing
    ]
    if wrong:
        rows.filter(permission_id__in=wrong).update(has_perm=has_perm)
    if missing:
        model.objects.using(using).bulk_create(missing)
    if wrong or missing:
        instance = missing[0] if missing else rows.filter(permission_id=wrong[0]).first()
        post_save.send(
            sender=model,
            instance=instance,
            created=bool(missing),
            update_fields=None,
            raw=False,
            using=using,
        )
    return len(wrong) + len(missing)


def grant_group_forum_permissions(group, codenames, forum=None, using="default"):
    from machina.core.db.models import get_model

    GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
    lookup = {"group": group, "forum": forum}
    set_forum_permissions(GroupForumPermission, lookup, _forum_permissions(codenames, using),
                          has_perm=True, using=using)  # fmt: skip


def _grant_anonymous_forum_permissions(using):
    from machina.core.db.models import get_model

    UserForumPermission = get_model("forum_permission", "UserForumPermission")
    lookup = {"anonymous_user": True, "authenticated_user": False, "user": None, "forum": None}
    set_forum_permissions(UserForumPermission, lookup, _forum_permissions(ANONYMOUS_FORUM, using),
                          has_perm=True, using=using)  # fmt: skip


def _grant_page_permissions(group, page, codenames, using):
    from wagtail.models import GroupPagePermission

    for perm in _permissions([("wagtailcore", c) for c in codenames], using):
        GroupPagePermission.objects.using(using).get_or_create(
            group=group, page=page, permission=perm
        )


@transaction.atomic
def ensure_roles(using="default"):
    """Create the four groups and give each its permissions. Safe to run any number of times."""
    from wagtail.models import Page

    groups = {name: Group.objects.using(using).get_or_create(name=name)[0] for name in ROLE_NAMES}

    groups[OFFICER].permissions.add(*_permissions(OFFICER_MODEL_PERMISSIONS, using))
    groups[EDITOR].permissions.add(*_permissions(EDITOR_MODEL_PERMISSIONS, using))
    groups[ADMINISTRATOR].permissions.add(*Permission.objects.using(using).all())

    grant_group_forum_permissions(groups[STAFF], PARTICIPATE_FORUM, using=using)
    grant_group_forum_permissions(groups[OFFICER], PARTICIPATE_FORUM, using=using)
    for name in (EDITOR, ADMINISTRATOR):
        grant_group_forum_permissions(groups[name], PARTICIPATE_FORUM + MODERATE_FORUM, using=using)
    _grant_anonymous_forum_permissions(using)

    root = Page.objects.using(using).filter(depth=1).first()
    if root is not None:
        _grant_page_permissions(groups[EDITOR], root, EDITOR_PAGE_PERMISSIONS, using)
        _grant_page_permissions(
            groups[ADMINISTRATOR], root, [*EDITOR_PAGE_PERMISSIONS, "bulk_delete_page"], using
        )
    return groups


@transaction.atomic
def sync_domain_permissions(domain):
    """Give the officers of ``domain`` moderation of its forum category and every forum below it.

    Creates the domain's officer group if needed, and withdraws the group's moderation rights on
    forums that are no longer under the domain's category (after a move or a change of category).
    """
    from machina.core.db.models import get_model

    GroupForumPermission = get_model("forum_permission", "GroupForumPermission")

    group = domain.officer_group
    wanted_name = f"{DOMAIN_OFFICER_GROUP_PREFIX}{domain.name}"[:150]
    if group is None:
        group, _created = Group.objects.get_or_create(name=wanted_name)
        domain.officer_group = group
        domain.save(update_fields=["officer_group"])
    elif group.name != wanted_name:
        group.name = wanted_name
        group.save(update_fields=["name"])

    forums = list(domain.forum.get_descendants(include_self=True)) if domain.forum_id else []
    GroupForumPermission.objects.filter(group=group).exclude(forum__in=forums).delete()
    for forum in forums:
        grant_group_forum_permissions(group, PARTICIPATE_FORUM + MODERATE_FORUM, forum=forum)
    return group


def assign_officer(user, domain):
    """Make ``user`` an officer of ``domain``: its moderation rights, and the officer role."""
    group = sync_domain_permissions(domain)
    user.groups.add(group, Group.objects.get(name=OFFICER))


def role_of(user):
    """The highest role a user holds, for display ("Éditeur", …), or None."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    for name in (ADMINISTRATOR, EDITOR, OFFICER, STAFF):
        if name in names:
            return ROLE_LABELS[name]
    return None


def role_and_permissions_of(user):
    """``role_of(user)``, reading in the same query every permission Django's ``ModelBackend``
    would read for ``user.has_perm`` (their own and their groups'), kept on the user object for
    the rest of the request where the backend looks for them (``_perm_cache``).

    The header of every page shows the role and asks ``perms.wagtailadmin.access_admin``: one
    query instead of three. Superusers (``has_perm`` answers them without the backend) and
    inactive accounts (no permission) are left to the backend."""
    if not user.is_authenticated:
        return None
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    qn = connection.ops.quote_name
    membership = qn(user.groups.through._meta.db_table)
    group = qn(Group._meta.db_table)
    permission = qn(Permission._meta.db_table)
    own = qn(user.user_permissions.through._meta.db_table)
    given = qn(Group.permissions.through._meta.db_table)
    content_type = qn(ContentType._meta.db_table)
    sql = (  # only table names are interpolated; the user id is a parameter
        f"SELECT 'g', g.name, NULL FROM {group} g "  # noqa: S608
        f"JOIN {membership} m ON m.group_id = g.id WHERE m.user_id = %s "
        f"UNION ALL SELECT 'p', ct.app_label, p.codename FROM {permission} p "
        f"JOIN {own} up ON up.permission_id = p.id "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id WHERE up.user_id = %s "
        f"UNION ALL SELECT 'p', ct.app_label, p.codename FROM {permission} p "
        f"JOIN {given} gp ON gp.permission_id = p.id "
        f"JOIN {membership} m ON m.group_id = gp.group_id "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id WHERE m.user_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * 3)
        rows = cursor.fetchall()
    if user.is_active and not user.is_superuser and not hasattr(user, "_perm_cache"):
        user._perm_cache = {f"{app}.{codename}" for kind, app, codename in rows if kind == "p"}
    names = {name for kind, name, _codename in rows if kind == "g"}
    for name in (ADMINISTRATOR, EDITOR, OFFICER, STAFF):
        if name in names:
            return ROLE_LABELS[name]
    return None


def edits_every_domain(user):
    """Editors and administrators write in every domain; officers in their own only."""
    return user.is_superuser or user.groups.filter(name__in=[EDITOR, ADMINISTRATOR]).exists()


def officer_domains(user):
    """The domains ``user`` is an officer of."""
    from kb.models import Domain

    return Domain.objects.filter(officer_group__in=user.groups.all())
