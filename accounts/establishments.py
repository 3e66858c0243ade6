"""Establishment pages (issue 14): what an establishment's people contributed, and who there
chose to be contacted.

Contributions, each in one query, whatever their number (the page's query count stays flat):

- experiences: accepted submissions whose author agreed to publication under the
  establishment's name (kb.ExperienceSubmission);
- solved answers: replies by its people accepted as a topic's answer (forum_community.
  TopicSolution), only in the forums the reader may read (`forum.queries.readable_forum_ids`);
- practices: live, public practice pages that credit it, through a testimony block (Wagtail's
  reference index, which records every snippet chosen in a page) or through an accepted
  experience that became the page.

Contacts are the members who ticked "listed_as_contact" on their profile. A signed-in person
writes to them through the site; the message goes out through the outbox, and the writer never
sees the address (the reply goes to the writer's address, which the form says).
"""

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from wagtail.models import ReferenceIndex

from accounts.models import Establishment, Profile
from outbox.delivery import enqueue

LIMIT = 50  # of each kind of contribution shown on the page


def experiences_of(establishment):
    from kb.models import ExperienceSubmission

    return list(
        ExperienceSubmission.objects.filter(
            establishment=establishment,
            status=ExperienceSubmission.Status.ACCEPTED,
            consent_to_publish=True,
        )
        .select_related("domain")
        .order_by("-updated_at")[:LIMIT]
    )


def practices_of(establishment, experiences=()):
    """Live, public practice pages crediting ``establishment``."""
    from kb.models import PracticePage

    credited = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Establishment),
        to_object_id=str(establishment.pk),
        content_type=ContentType.objects.get_for_model(PracticePage),
    ).values_list("object_id", flat=True)
    page_ids = {int(pk) for pk in credited}
    page_ids |= {exp.page_id for exp in experiences if exp.page_id}
    if not page_ids:
        return []
    return list(
        PracticePage.objects.live()
        .public()
        .filter(pk__in=page_ids)
        .select_related("domain")
        .order_by("title")[:LIMIT]
    )


def solved_answers_of(establishment, user):
    """Accepted answers by the establishment's people, in the forums ``user`` may read."""
    from forum.community.models import TopicSolution
    from forum.queries import readable_forum_ids

    return list(
        TopicSolution.objects.filter(
            post__poster__profile__establishment=establishment,
            post__approved=True,
            topic__approved=True,
            topic__forum_id__in=readable_forum_ids(user),
        )
        .select_related("topic__forum", "post__poster")
        .order_by("-marked_at")[:LIMIT]
    )


def contacts_of(establishment):
    return list(
        Profile.objects.filter(
            establishment=establishment, listed_as_contact=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def contact_for(establishment, profile_id):
    """The listed contact ``profile_id`` of ``establishment``, or None."""
    return (
        Profile.objects.filter(
            pk=profile_id,
            establishment=establishment,
            listed_as_contact=True,
            user__is_active=True,
        )
        .select_related("user", "establishment")
        .first()
    )


def display_name(user):
    return user.get_full_name() or user.get_username()


def send_contact_message(sender, contact, subject, message, base_url):
    """Queue the message for ``contact`` (a Profile) in the outbox; the reply goes to
    ``sender``'s address."""
    sender_profile = Profile.objects.filter(user=sender).select_related("establishment").first()
    context = {
        "sender_name": display_name(sender),
        "sender_establishment": getattr(sender_profile, "establishment", None),
        "contact": contact,
        "subject": subject,
        "message": message,
        "base_url": base_url,
    }
    headers = {"Reply-To": sender.email} if sender.email else {}
    return enqueue(
        to=contact.user.email,
        subject=_("%(name)s vous écrit par Passerelle : %(subject)s")
        % {"name": context["sender_name"], "subject": subject},
        text=render_to_string("accounts/establishments/contact_email.txt", context),
        headers=headers,
    )
