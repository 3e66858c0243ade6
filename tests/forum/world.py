"""The forum world of the forum tests: two domains, a private forum, people in every role."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from machina.core.db.models import get_model

from accounts import roles
from forum.community.private import make_private
from tests import factories

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
Attachment = get_model("forum_attachments", "Attachment")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FORMSETS = {
    "poll-TOTAL_FORMS": 0,
    "poll-INITIAL_FORMS": 0,
    "poll-MIN_NUM_FORMS": 0,
    "poll-MAX_NUM_FORMS": 30,
    "attachment-TOTAL_FORMS": 0,
    "attachment-INITIAL_FORMS": 0,
    "attachment-MIN_NUM_FORMS": 0,
    "attachment-MAX_NUM_FORMS": 15,
}


@dataclass
class World:
    rh: object
    rh_forum: object
    secu: object
    secu_forum: object
    private_category: object
    private_forum: object
    rssi: object
    staff_a: object
    staff_b: object
    officer_rh: object
    officer_secu: object
    editor: object
    administrator: object
    public_topic: object
    private_topic: object
    public_attachment: object
    private_attachment: object


def attach(post, name="note.pdf", content=PDF):
    return Attachment.objects.create(
        post=post, file=SimpleUploadedFile(name, content, content_type="application/pdf")
    )


def build_world():
    rh, rh_forum = factories.make_domain_with_forum("RH")
    secu, secu_forum = factories.make_domain_with_forum("Sécurité SI")
    establishment_a = factories.EstablishmentFactory(name="Université A")
    establishment_b = factories.EstablishmentFactory(name="Université B")
    staff_a = factories.make_user(roles.STAFF, establishment_a, username="agent-a")
    staff_b = factories.make_user(roles.STAFF, establishment_b, username="agent-b")
    rssi = Group.objects.create(name="Réseau RSSI")
    staff_a.groups.add(rssi)
    private_category, private_forum = factories.make_category_with_forum(
        "Réseau RSSI", "Échanges entre RSSI"
    )
    make_private(private_category, rssi)
    officer_rh = factories.make_officer(rh, username="charge-rh")
    officer_secu = factories.make_officer(secu, username="charge-secu")
    editor = factories.make_user(roles.EDITOR, username="editeur")
    administrator = factories.make_user(roles.ADMINISTRATOR, username="admin")
    public_topic = factories.make_topic(
        rh_forum, staff_b, subject="Paie à distance", content="Comment faites-vous ?", replies=1
    )
    private_topic = factories.make_topic(
        private_forum, staff_a, subject="Incident confidentiel XZ", content="Détails sensibles"
    )
    return World(
        rh=rh,
        rh_forum=rh_forum,
        secu=secu,
        secu_forum=secu_forum,
        private_category=private_category,
        private_forum=private_forum,
        rssi=rssi,
        staff_a=staff_a,
        staff_b=staff_b,
        officer_rh=officer_rh,
        officer_secu=officer_secu,
        editor=editor,
        administrator=administrator,
        public_topic=public_topic,
        private_topic=private_topic,
        public_attachment=attach(public_topic.first_post),
        private_attachment=attach(private_topic.first_post, "secret.pdf"),
    )


def topic_url(topic):
    return reverse(
        "forum_conversation:topic",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum_id,
            "slug": topic.slug,
            "pk": topic.pk,
        },
    )


def forum_url(forum):
    return reverse("forum:forum", kwargs={"slug": forum.slug, "pk": forum.pk})


def reply_url(topic):
    return reverse(
        "forum_conversation:post_create",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum_id,
            "topic_slug": topic.slug,
            "topic_pk": topic.pk,
        },
    )


def post_update_url(post):
    topic = post.topic
    return reverse(
        "forum_conversation:post_update",
        kwargs={
            "forum_slug": topic.forum.slug,
            "forum_pk": topic.forum_id,
            "topic_slug": topic.slug,
            "topic_pk": topic.pk,
            "pk": post.pk,
        },
    )


def lock_url(topic):
    return reverse("forum_moderation:topic_lock", kwargs={"slug": topic.slug, "pk": topic.pk})


def attachment_url(attachment):
    return reverse("forum_conversation:attachment", kwargs={"pk": attachment.pk})


def reply(client, topic, content):
    return client.post(
        reply_url(topic), {"subject": f"Re: {topic.subject}", "content": content, **FORMSETS}
    )
