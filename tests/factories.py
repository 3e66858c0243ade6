"""Small factories for each test's world (never the demo data)."""

import datetime
import itertools

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from machina.core.db.models import get_model

from accounts import roles
from accounts.models import Establishment, Profile
from kb.models import Domain, GuidePage, PracticePage
from notices.models import NoticePage, Source

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")

PASSWORD = "mot-de-passe-de-test"
_uai = itertools.count(1000000)


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    name = factory.Sequence(lambda n: f"Université de test {n}")
    uai = factory.LazyFunction(lambda: f"{next(_uai):07d}T")
    kind = Establishment.Kind.UNIVERSITY
    region = "Bretagne"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fr")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


def make_user(role=None, establishment=None, **kwargs):
    """A user with one of the four roles (by group name) and a profile."""
    user = UserFactory(**kwargs)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    if role == roles.ADMINISTRATOR:
        user.is_superuser = user.is_staff = True
        user.save()
    Profile.objects.create(user=user, establishment=establishment)
    if user.email:
        # Signing in through allauth needs a verified address (ACCOUNT_EMAIL_VERIFICATION).
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_officer(domain, **kwargs):
    user = make_user(role=None, **kwargs)
    roles.assign_officer(user, domain)
    return user


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Domaine {n}")
    slug = factory.Sequence(lambda n: f"domaine-{n}")


def make_category_with_forum(name="Catégorie", forum_name="Forum"):
    category = Forum.objects.create(name=name, type=Forum.FORUM_CAT)
    forum = Forum.objects.create(name=forum_name, type=Forum.FORUM_POST, parent=category)
    return category, forum


def make_domain_with_forum(name):
    category, forum = make_category_with_forum(name, f"Forum {name}")
    domain = DomainFactory(name=name, forum=category)
    roles.sync_domain_permissions(domain)
    return domain, forum


def make_topic(forum, poster, subject="Un sujet", content="Premier message", replies=0):
    topic = Topic.objects.create(
        forum=forum,
        poster=poster,
        subject=subject,
        type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED,
        approved=True,
    )
    Post.objects.create(topic=topic, poster=poster, subject=subject, content=content)
    for i in range(replies):
        Post.objects.create(topic=topic, poster=poster, subject=f"Re: {subject}", content=f"R{i}")
    topic.refresh_from_db()
    return topic


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("acronym",)

    acronym = "CERT-FR"
    name = "ANSSI / CERT-FR"


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_guide(guides_index, title="Guide de test", **kwargs):
    slug = kwargs.pop("slug", None) or title.lower().replace(" ", "-")
    return publish(guides_index, GuidePage(title=title, slug=slug, **kwargs))


def make_practice(parent, title="Pratique de test", **kwargs):
    slug = kwargs.pop("slug", None) or title.lower().replace(" ", "-")
    return publish(parent, PracticePage(title=title, slug=slug, **kwargs))


def make_notice(notices_index, title="Avis de test", **kwargs):
    kwargs.setdefault("source", SourceFactory())
    kwargs.setdefault("original_published_at", datetime.date(2026, 11, 1))
    kwargs.setdefault("summary", "Résumé de l'avis.")
    slug = kwargs.pop("slug", None) or title.lower().replace(" ", "-")
    return publish(notices_index, NoticePage(title=title, slug=slug, **kwargs))
