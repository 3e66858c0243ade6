"""A real HTTP server on 127.0.0.1 serving fixtures/feeds/, plus the misbehaving endpoints."""

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from notices.models import Source, SourceFeed

FEEDS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
LAST_MODIFIED = "Thu, 26 Nov 2026 10:00:00 GMT"


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _send(self, status, body=b"", content_type="application/rss+xml; charset=utf-8",
              headers=None):  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path.startswith("/feeds/"):
            name = path.removeprefix("/feeds/")
            name = server.aliases.get(name, name)
            file = FEEDS_DIR / name
            if name in server.bodies:
                # A body built by the test (a byte-order mark, an encoding), with its header.
                body, content_type = server.bodies[name]
                return self._send(200, body, content_type)
            if "/" in name or not file.is_file():
                return self._send(404, b"introuvable", "text/plain")
            body = file.read_bytes().replace(b"__BASE__", server.base_url.encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, headers={"ETag": etag})
            content_type = (
                "text/html; charset=utf-8"
                if name.endswith(".html")
                else ("application/atom+xml" if ".atom" in name else "application/rss+xml")
            )
            content_type = server.content_types.get(name, content_type)
            return self._send(
                200, body, content_type, {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            )
        if path.startswith("/status/"):
            return self._send(int(path.rsplit("/", 1)[1]), b"erreur", "text/plain")
        if path == "/slow":
            time.sleep(2)
            return self._send(200, b"<rss/>")
        if path == "/loop":
            return self._send(302, headers={"Location": "/loop"})
        if path.startswith("/redirect/"):
            hops = int(path.rsplit("/", 1)[1])
            target = f"/redirect/{hops - 1}" if hops > 1 else "/feeds/cnil.atom.xml"
            return self._send(302, headers={"Location": target})
        if path == "/large":
            # No Content-Length: the limit must be enforced while streaming.
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 16_000 + b" -->"
            try:
                for data in [b'<?xml version="1.0"?><rss version="2.0"><channel>'] + [chunk] * 400:
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                server.large_aborted = True
            return None
        if path.startswith("/dtd/"):
            return self._send(200, b"", "application/xml-dtd")
        return self._send(404, b"introuvable", "text/plain")


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    server.daemon_threads = True
    server.requests = []
    server.aliases = {}
    server.content_types = {}  # name -> Content-Type header, e.g. a charset that contradicts
    server.bodies = {}  # name -> (body, Content-Type), for bodies a test builds
    server.large_aborted = False
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fast_fetch(settings):
    settings.NOTICES_FETCH_TIMEOUT = 0.5
    settings.NOTICES_FETCH_MAX_BYTES = 256 * 1024
    settings.NOTICES_FETCH_MAX_REDIRECTS = 5
    return settings


@pytest.fixture
def make_source(db):
    def make(*paths, server=None, acronym="CERT-FR", name=None, **kwargs):
        source = Source.objects.create(acronym=acronym, name=name or f"Source {acronym}", **kwargs)
        for position, path in enumerate(paths):
            url = path if path.startswith("http") else f"{server.base_url}{path}"
            SourceFeed.objects.create(source=source, url=url, sort_order=position)
        return source

    return make
