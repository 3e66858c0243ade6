"""Helpers of the accounts tests: a real TOTP code (RFC 6238), links read from the outbox."""

import base64
import hashlib
import hmac
import re
import struct
import time

from outbox.models import Message


def totp_code(secret, at=None, period=30, digits=6):
    """The TOTP code an authenticator app would show now for this base-32 secret."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def messages_to(email):
    return list(Message.objects.filter(to=email).order_by("pk"))


def link_in(message, fragment):
    """The first link of the message's text containing ``fragment``, as a path."""
    for url in re.findall(r"https?://[^\s<>\"]+", message.body_text):
        if fragment in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {fragment!r} in: {message.body_text}")


def sign_in(client, login, password, **extra):
    return client.post("/compte/connexion/", {"login": login, "password": password}, **extra)
