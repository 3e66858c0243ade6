import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from outbox.delivery import deliver_messages, enqueue
from outbox.models import Message


@pytest.mark.django_db(transaction=True)
def test_message_is_sent_after_the_transaction_commits():
    with transaction.atomic():
        enqueue("camille@univ-valmont.fr", "Nouvelle réponse", "Bonjour")
        assert len(mail.outbox) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille@univ-valmont.fr"]
    assert Message.objects.get().status == Message.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("camille@univ-valmont.fr", "Jamais", "x")
        raise RuntimeError
    assert mail.outbox == []
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_same_dedup_key_queues_one_message():
    assert enqueue("a@univ.fr", "Résumé", "x", dedup_key="digest:1:2026-11-28", deliver=False)
    assert (
        enqueue("a@univ.fr", "Résumé", "x", dedup_key="digest:1:2026-11-28", deliver=False) is None
    )
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_unreachable_server_keeps_messages_and_retries_later(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    enqueue("a@univ.fr", "Alerte", "x", deliver=False)
    sent, failed = deliver_messages()
    assert (sent, failed) == (0, 1)
    message = Message.objects.get()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > timezone.now()
    # Not due yet: nothing is tried again.
    assert deliver_messages() == (0, 0)
    # Once the server is back and the delay has passed, the message goes.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + datetime.timedelta(hours=1)
    assert deliver_messages(now=later) == (1, 0)
    assert len(mail.outbox) == 1
    call_command("send_outbox", verbosity=0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_html_part_leaves_through_the_sanitizer():
    enqueue(
        "camille@univ-valmont.fr",
        "Avis",
        "Texte",
        html='<p>Lire <a href="https://example.fr/avis" onclick="x()">l\'avis</a></p>'
        '<img src=x onerror="alert(1)"><script>alert(2)</script>'
        '<a href="java\u200bscript:alert(3)">piège</a>',
    )
    (sent,) = mail.outbox
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert '<a href="https://example.fr/avis"' in html and "Lire" in html
    for live in ("onerror", "onclick", "<script", "alert(2)", "javascript", "java\u200bscript"):
        assert live not in html
    assert "piège" in html  # the text of a refused link stays, as text
