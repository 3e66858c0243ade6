"""Queue emails in the database and deliver them after the transaction commits, with retries.

Use :func:`enqueue` everywhere instead of ``send_mail``: the message is written in the same
transaction as what caused it (a rolled-back post sends nothing), delivery is attempted once the
transaction has committed, by a background task (``ops.tasks.deliver_outbox``), and
``python manage.py send_outbox`` (timer, every minute) retries what could not be delivered, with
an increasing delay, up to ``MAX_ATTEMPTS``.
"""

import contextlib
import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.models import Message, RefusedAddress
from passerelle.sanitizer import sanitize_html

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A message is claimed (its next attempt pushed this far) before it is sent, so that a task run
# twice, or a task and send_outbox at once, never send it twice; a sender that died leaves it due
# again after the lease.
CLAIM_MINUTES = 10
BACKOFF = [1, 2, 5, 15, 30, 60, 180, 360]  # minutes before attempt n+1


def enqueue(to, subject, text, html="", headers=None, dedup_key=None, deliver=True):
    """Queue one email; return the Message, or None when ``dedup_key`` was already used."""
    if not to or RefusedAddress.is_stopped(to):
        return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                to=to,
                subject=subject[:255],
                body_text=text,
                body_html=html or "",
                headers=headers or {},
                dedup_key=dedup_key,
            )
    except IntegrityError:
        if dedup_key and Message.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    if deliver:
        from ops.tasks import deliver_outbox, enqueue_on_commit

        enqueue_on_commit(deliver_outbox, [message.pk])
    return message


def enqueue_many(messages):
    """Queue unsaved ``Message`` objects, each with its own ``dedup_key``, in one INSERT, and their
    delivery as one task after commit. Messages whose key was used already are left out (a job run
    twice sends nothing more). Returns ``[(pk, dedup_key)]`` of those queued now."""
    keys = [m.dedup_key for m in messages]
    existing = set(Message.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    fresh = [m for m in messages if m.dedup_key not in existing]
    if not fresh:
        return []
    Message.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Message.objects.filter(dedup_key__in=[m.dedup_key for m in fresh]).values_list(
            "pk", "dedup_key"
        )
    )
    if created:
        from ops.tasks import deliver_outbox, enqueue_on_commit

        enqueue_on_commit(deliver_outbox, [pk for pk, _key in created])
    return created


def due_messages(now=None):
    now = now or timezone.now()
    return Message.objects.filter(status=Message.Status.PENDING).exclude(next_attempt_at__gt=now)


def deliver_messages(ids=None, now=None):
    """Try to send the given (or every due) pending message. Returns (sent, failed) counts."""
    now = now or timezone.now()
    queryset = due_messages(now)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    sent = failed = 0
    messages = list(queryset[:500])
    if not messages:
        return 0, 0
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as exc:  # the server is down: every message waits for the next run
        for message in messages:
            _record_failure(message, exc, now)
        return 0, len(messages)
    try:
        for message in messages:
            claimed = (
                due_messages(now)
                .filter(pk=message.pk)
                .update(next_attempt_at=now + datetime.timedelta(minutes=CLAIM_MINUTES))
            )
            if not claimed:  # another sender has it
                continue
            if RefusedAddress.is_stopped(message.to):
                Message.objects.filter(pk=message.pk).update(
                    status=Message.Status.FAILED, last_error="adresse refusée"
                )
                failed += 1
                continue
            email = EmailMultiAlternatives(
                subject=message.subject,
                body=message.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                headers=message.headers or None,
                connection=connection,
            )
            if message.body_html:
                # Every HTML email leaves through the site's one sanitizer, at the point of
                # output, whatever template or text built it.
                email.attach_alternative(sanitize_html(message.body_html), "text/html")
            try:
                email.send()
            except Exception as exc:
                if is_refusal(exc):
                    record_refusal(message.to, f"{type(exc).__name__}: {exc}", now)
                _record_failure(message, exc, now)
                failed += 1
            else:
                Message.objects.filter(pk=message.pk).update(
                    status=Message.Status.SENT,
                    sent_at=now,
                    attempts=message.attempts + 1,
                    last_error="",
                )
                sent += 1
    finally:
        # Closing a broken connection must not hide the result.
        with contextlib.suppress(Exception):
            connection.close()
    return sent, failed


def _record_failure(message, exc, now):
    attempts = message.attempts + 1
    status = Message.Status.FAILED if attempts >= MAX_ATTEMPTS else Message.Status.PENDING
    delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    Message.objects.filter(pk=message.pk).update(
        attempts=attempts,
        status=status,
        next_attempt_at=now + datetime.timedelta(minutes=delay),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    logger.warning("Email %s to %s not delivered (attempt %s): %s", message.pk, message.to,
                   attempts, exc)  # fmt: skip


def is_refusal(exc):
    """A permanent refusal of the address by the server (SMTP 5xx), not a server that is down."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def record_refusal(email, error="", now=None):
    """Count one refusal or bounce of ``email`` (called at delivery, or for a recorded bounce);
    after ``RefusedAddress.STOP_AFTER`` nothing more is sent to it. Returns the row."""
    from django.db.models import F

    now = now or timezone.now()
    row, _created = RefusedAddress.objects.get_or_create(email=email.lower())
    RefusedAddress.objects.filter(pk=row.pk).update(
        refusals=F("refusals") + 1, last_error=str(error)[:2000], last_refused_at=now
    )
    row.refresh_from_db()
    return row


def clear_refusals(email):
    """The person gave (or confirmed) their address: try it again."""
    RefusedAddress.objects.filter(email__iexact=email).delete()
