"""Log filters: the request id on every record, and no secrets in any of them.

``RedactFilter`` rewrites a record's message and arguments before any handler formats it:
``password=…``, ``token=…``, ``secret=…``, session and CSRF cookies, ``Authorization`` headers and
the credentials of URLs (``smtp://user:password@host``) become ``[masqué]``, and a record that
carries an email body (``extra={"email_body": …}`` or the outbox's ``body_text`` / ``body_html``)
loses it. Django's own request logging adds the request object: it is dropped from the record.
"""

import contextvars
import logging
import re

request_id_var = contextvars.ContextVar("request_id", default="-")

MASK = "[masqué]"
SENSITIVE_NAMES = (
    r"password|passwd|mot_de_passe|pwd|secret|token|api[_-]?key|csrfmiddlewaretoken|csrftoken"
    r"|sessionid|session_key|authorization|cookie"
)
# key=value, key: value, "key": "value"  (value up to a separator)
KEY_VALUE = re.compile(
    rf"""(?P<key>["']?\b(?:{SENSITIVE_NAMES})\b["']?\s*[=:]\s*)(?P<quote>["']?)(?P<value>(?:Bearer\s+|Basic\s+)?[^\s"'&,;}}]+)""",
    re.IGNORECASE,
)
URL_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<cred>[^/\s:@]+:[^/\s@]+)@", re.I
)
BODY_ATTRIBUTES = ("email_body", "body_text", "body_html", "body")


def redact(text):
    text = URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return KEY_VALUE.sub(lambda m: f"{m['key']}{m['quote']}{MASK}", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we have, redacted
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for name in BODY_ATTRIBUTES:
            if hasattr(record, name):
                setattr(record, name, MASK)
        if hasattr(record, "request"):
            record.request = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print exc_text as it is when exc_info is gone (the JSON one too).
            record.exc_text = redact(record.exc_text)
            record.exc_info = None
        return True
