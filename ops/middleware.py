"""A request id on every request: taken from the reverse proxy's ``X-Request-ID`` when it looks
like one, otherwise made here; put on every log line of the request (``ops.logging``) and sent
back as ``X-Request-ID``. The time the request spent in Django (from this first middleware on)
is sent as ``Server-Timing: app;dur=<ms>`` (benchmarks/reply_bench.py reads it)."""

import re
import time
import uuid

from ops.logging import request_id_var

VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
