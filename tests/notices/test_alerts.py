"""An urgent notice, once published, is emailed once to the people who follow its audience or domain."""

import datetime

import pytest
from django.core import mail

from notices.models import Audience, NoticePage
from notices.models.pages import ensure_audiences
from outbox.models import Message
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(site_tree):
    ensure_audiences()
    security = factories.DomainFactory(name="Sécurité SI", slug="securite-si")
    rh = factories.DomainFactory(name="RH", slug="rh")
    rssi = factories.make_user(None, username="rssi", email="rssi@univ.fr")
    rssi.profile.followed_audiences.add(Audience.objects.get(slug="rssi"))
    by_domain = factories.make_user(None, username="secu", email="secu@univ.fr")
    by_domain.profile.followed_domains.add(security)
    both = factories.make_user(None, username="both", email="both@univ.fr")
    both.profile.followed_domains.add(security)
    both.profile.followed_audiences.add(Audience.objects.get(slug="rssi"))
    other = factories.make_user(None, username="rh", email="rh@univ.fr")
    other.profile.followed_domains.add(rh)
    inactive = factories.make_user(None, username="parti", email="parti@univ.fr", is_active=False)
    inactive.profile.followed_domains.add(security)
    return {"security": security, "index": site_tree.notices}


def draft(index, priority="urgent", **kwargs):
    page = NoticePage(
        title="Faille critique VPN",
        slug="faille-critique-vpn",
        source=factories.SourceFactory(),
        original_published_at=datetime.date.today() - datetime.timedelta(days=10),
        summary="Une faille activement exploitée.",
        impact="<p>Appliquer le correctif.</p>" if priority == "urgent" else "",
        priority=priority,
        live=False,
        **kwargs,
    )
    index.add_child(instance=page)
    page.domains.set([])
    return page


def publish(page, audiences=(), domains=()):
    page.audiences.set(audiences)
    page.domains.set(domains)
    page.save_revision().publish()


def test_urgent_notice_is_emailed_once_to_followers(people):
    page = draft(people["index"])
    publish(page, [Audience.objects.get(slug="rssi")], [people["security"]])
    assert sorted(m.to[0] for m in mail.outbox) == ["both@univ.fr", "rssi@univ.fr", "secu@univ.fr"]
    message = mail.outbox[0]
    assert message.subject == "[Urgent] CERT-FR : Faille critique VPN"
    assert "Appliquer le correctif." in message.body
    assert f"http://testserver{page.url}" in message.body  # absolute link (PASSERELLE_BASE_URL)
    assert message.alternatives and "Appliquer le correctif." in message.alternatives[0][0]
    assert message.extra_headers.get("Auto-Submitted") == "auto-generated"
    # Publishing an edit sends nothing more.
    page.title = "Faille critique VPN (mise à jour)"
    page.save_revision().publish()
    assert len(mail.outbox) == 3
    assert Message.objects.count() == 3


def urgent(outbox):
    return [m for m in outbox if m.subject.startswith("[Urgent]")]


def test_non_urgent_notice_sends_no_urgent_alert(people):
    page = draft(people["index"], priority="important")
    publish(page, [Audience.objects.get(slug="rssi")], [people["security"]])
    assert urgent(mail.outbox) == []
    # Its followers (« immédiatement » by default) get the ordinary email of their follow
    # (subscriptions.immediate), once each.
    assert sorted(m.to[0] for m in mail.outbox) == ["both@univ.fr", "rssi@univ.fr", "secu@univ.fr"]
    assert all(m.subject == "[Passerelle] CERT-FR : Faille critique VPN" for m in mail.outbox)


def test_notice_becoming_urgent_is_sent_then(people):
    page = draft(people["index"], priority="important")
    publish(page, [], [people["security"]])
    assert urgent(mail.outbox) == []
    page.priority = "urgent"
    page.impact = "<p>Agir vite.</p>"
    page.save_revision().publish()
    assert sorted(m.to[0] for m in urgent(mail.outbox)) == ["both@univ.fr", "secu@univ.fr"]


def test_expired_urgent_notice_sends_nothing(people):
    page = draft(people["index"], expires_at=datetime.date.today() - datetime.timedelta(days=1))
    publish(page, [Audience.objects.get(slug="rssi")], [])
    assert mail.outbox == []


def test_publish_leaves_the_alert_emails_to_the_worker(people, tmp_path):
    """With the database backend, as `make run` and production have it: Publish queues one task
    and returns; nobody is emailed until the tasks worker runs it, then each follower once."""
    import json

    from tests.ops.servers import database_url, environment, manage, shell

    page = draft(people["index"])
    page.domains.set([people["security"]])
    page.save()
    env = environment(tmp_path, database_url(tmp_path), EMAIL_URL="console://")
    state = (
        "import json; from django_tasks_db.models import DBTaskResult as R; "
        "from outbox.models import Message; "
        "print(json.dumps([sorted(R.objects.values_list('task_path', 'status')), "
        "sorted(Message.objects.values_list('to', flat=True))]))"
    )
    published = shell(
        env,
        "from notices.models import NoticePage; "
        f"NoticePage.objects.get(pk={page.pk}).save_revision().publish(); " + state,
    )
    assert published.returncode == 0, published.stderr
    tasks, messages = json.loads(published.stdout.strip().splitlines()[-1])
    assert ["ops.tasks.alert_urgent_notice", "READY"] in tasks
    assert messages == []
    worker = manage(env, "tasks_worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    done = shell(env, state)
    tasks, messages = json.loads(done.stdout.strip().splitlines()[-1])
    assert ["ops.tasks.alert_urgent_notice", "SUCCESSFUL"] in tasks
    assert messages == ["both@univ.fr", "secu@univ.fr"]
