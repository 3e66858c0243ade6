"""Follow and unfollow, and the rhythm of each follow, in one place.

Who follows a domain or an audience stays where it always was (``accounts.Profile``: the
urgent-notice choices, the profile form edits them too); a ``Follow`` row only adds its rhythm
(none means « immédiatement »). Guide pages and notice sources have only ``Follow`` rows. Forum
and topic subscriptions are ``forum_community.Subscription`` rows, whose frequency is the rhythm.
"""

from django.db import transaction

from subscriptions.models import Follow, Rhythm

PROFILE_FIELDS = {"domain": "followed_domains", "audience": "followed_audiences"}


def kind_of(obj):
    from kb.models import Domain
    from notices.models import Audience, Source

    if isinstance(obj, Domain):
        return "domain"
    if isinstance(obj, Audience):
        return "audience"
    if isinstance(obj, Source):
        return "source"
    return "page"


def _profile(user):
    from accounts.models import Profile

    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def rhythm_of(user, obj):
    """The rhythm at which ``user`` follows ``obj``; ``Rhythm.NONE`` when not followed."""
    if not user.is_authenticated:
        return Rhythm.NONE
    from accounts.models import Profile

    kind = kind_of(obj)
    row = Follow.objects.filter(user=user, **{kind: obj}).first()
    if kind in PROFILE_FIELDS:
        lookup = {f"{PROFILE_FIELDS[kind]}": obj}
        followed = Profile.objects.filter(user=user, **lookup).exists()
        if not followed:
            return Rhythm.NONE
        return row.rhythm if row else Rhythm.IMMEDIATE
    return row.rhythm if row else Rhythm.NONE


@transaction.atomic
def set_rhythm(user, obj, rhythm):
    """Follow ``obj`` at ``rhythm``, or stop following it (``Rhythm.NONE``)."""
    kind = kind_of(obj)
    if kind in PROFILE_FIELDS:
        related = getattr(_profile(user), PROFILE_FIELDS[kind])
        if rhythm == Rhythm.NONE:
            related.remove(obj)
        else:
            related.add(obj)
    if rhythm == Rhythm.NONE:
        Follow.objects.filter(user=user, **{kind: obj}).delete()
    else:
        Follow.objects.update_or_create(user=user, **{kind: obj}, defaults={"rhythm": rhythm})


def follow(user, obj, rhythm=Rhythm.IMMEDIATE):
    set_rhythm(user, obj, rhythm)


def unfollow(user, obj):
    set_rhythm(user, obj, Rhythm.NONE)


def user_follows(user):
    """Everything ``user`` follows outside the forum: {kind: {pk: (object, rhythm)}}, with a fixed
    number of queries whatever the number of follows."""
    profile = _profile(user)
    found = {kind: {} for kind in ("domain", "audience", "page", "source")}
    rows = Follow.objects.filter(user=user).select_related("domain", "audience", "page", "source")
    rhythms = {}
    for row in rows:
        rhythms[(row.kind, row.target.pk)] = row
    for kind, field in PROFILE_FIELDS.items():
        for obj in getattr(profile, field).all():
            row = rhythms.get((kind, obj.pk))
            found[kind][obj.pk] = (obj, row.rhythm if row else Rhythm.IMMEDIATE)
    for (kind, pk), row in rhythms.items():
        if kind not in PROFILE_FIELDS:
            found[kind][pk] = (row.target, row.rhythm)
    return found


def restricted_paths():
    """Tree paths of the pages with a view restriction (password, sign-in, groups): they and
    their descendants never go into an email or the subscriptions page. One query."""
    from wagtail.models import PageViewRestriction

    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def readable_page(page, restricted):
    return page.live and not any(page.path.startswith(path) for path in restricted)
