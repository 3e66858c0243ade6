import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests import factories
from tests.forum.world import build_world


def body(html):
    return [{"type": "rich_text", "value": html}]


def publish_change(page, note="", minor=False, **fields):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.update_note = note
    page.minor_change = minor
    page.save_revision().publish()
    return page


def soon():
    """The digest job's "now": a minute after what the test just published."""
    return timezone.now() + datetime.timedelta(minutes=1)


@dataclass
class Everything:
    forum: object
    site: object
    guide: object
    other_guide: object
    notice_source: object


@pytest.fixture
def world(site_tree):
    return build_everything(site_tree)


def build_everything(site_tree):
    from machina.core.db.models import get_model

    forum_world = build_world()
    # The world's topics are older than any digest window: only what a test adds is new.
    long_ago = timezone.now() - datetime.timedelta(days=30)
    get_model("forum_conversation", "Topic").objects.update(created=long_ago)
    get_model("forum_conversation", "Post").objects.update(created=long_ago)
    forum_world.public_topic.refresh_from_db()  # a reply saves the whole topic again
    forum_world.private_topic.refresh_from_db()
    guide = factories.make_guide(
        site_tree.guides, title="Guide de la paie", domain=forum_world.rh, intro="Paie."
    )
    other = factories.make_guide(
        site_tree.guides, title="Guide des mots de passe", domain=forum_world.secu, intro="MdP."
    )
    from kb.models import PageUpdate

    PageUpdate.objects.update(published_at=timezone.now() - datetime.timedelta(days=30))
    source = factories.SourceFactory(acronym="CNIL", name="Commission nationale informatique")
    return Everything(forum_world, site_tree, guide, other, source)
