"""Demo: « personnel » (Camille Martin) follows two domains with a daily digest, so that
``manage.py send_digests --dry-run`` right after ``load_demo_data`` shows a digest ready to go
(the demo's topics and notices of those domains are new of the day)."""

from django.contrib.auth import get_user_model

DEMO_PERSON = "personnel"
DEMO_DOMAINS = ("securite-si", "teletravail")


def load_follows():
    """Add the demo follows that are missing; a real account with a demo name is left alone."""
    from kb.models import Domain
    from subscriptions import follows
    from subscriptions.models import Follow, Rhythm

    user = get_user_model().objects.filter(username=DEMO_PERSON).first()
    if user is None or not user.email.endswith("@passerelle.local"):
        return 0
    created = 0
    for domain in Domain.objects.filter(slug__in=DEMO_DOMAINS):
        if not Follow.objects.filter(user=user, domain=domain).exists():
            follows.follow(user, domain, Rhythm.DAILY)
            created += 1
    return created
