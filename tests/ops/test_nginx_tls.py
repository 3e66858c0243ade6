"""deploy/nginx/passerelle.conf as it ships (ports and paths rewritten), run by Debian's nginx in
front of a real gunicorn, with a self-signed certificate made here: HTTPS pages, HTTP redirected,
HSTS, modern TLS only, private files never reachable by a guessable URL, and a forum attachment
downloaded through X-Accel-Redirect by a reader of its topic (and refused to anyone else)."""

import datetime
import ipaddress
import os
import ssl
import subprocess
from importlib import import_module
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import override_settings

from tests.forum.world import PDF, attach, attachment_url, build_world, topic_url
from tests.ops import tls_settings
from tests.ops.servers import BIN, ROOT, database_url, environment, free_port, stop, wait_for

NGINX = Path(os.environ.get("PASSERELLE_TEST_NGINX", "/usr/sbin/nginx"))
CONF = ROOT / "deploy" / "nginx" / "passerelle.conf"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not NGINX.exists(), reason=f"nginx not installed ({NGINX}): apt-get install nginx-light"
    ),
]


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 (and localhost); returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def render(directory, *, http_port, https_port, app_port, cert, key, static, media, private):
    """The shipped file with this test's ports and paths; fails if one of them is not found
    (the file changed shape: this test must follow)."""
    text = CONF.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:6081;": f"server 127.0.0.1:{app_port};",
        "/etc/ssl/passerelle/fullchain.pem": str(cert),
        "/etc/ssl/passerelle/privkey.pem": str(key),
        "/srv/passerelle/var/static/": f"{static}/",
        "/srv/passerelle/var/media/": f"{media}/",
        "/srv/passerelle/var/private/": f"{private}/",
        "/var/www/letsencrypt": str(directory / "acme"),
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {CONF.name}"
        text = text.replace(old, new)
    (directory / "passerelle.conf").write_text(text)
    temp = directory / "temp"
    temp.mkdir()
    (directory / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/passerelle.conf;
}}
"""
    )
    return directory / "nginx.conf"


def session_cookie(user):
    """A session of ``user`` as the app server reads it (signed with its secret key)."""
    with override_settings(SECRET_KEY=tls_settings.SECRET_KEY):
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key


def https_session(cert):
    """A client trusting only this test's certificate (not REQUESTS_CA_BUNDLE's CAs)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(cert)
    return session


def answered(url, **kwargs):
    try:
        requests.get(url, timeout=5, allow_redirects=False, **kwargs)
    except requests.RequestException:
        return False
    return True


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_nginx_serves_https_redirects_http_and_hands_private_files_over_x_accel(world, tmp_path):
    tmp_path.chmod(0o755)
    private, media, static = tmp_path / "private", tmp_path / "media", tmp_path / "static"
    # A Wagtail document file and a file at machina's old attachment place, in MEDIA_ROOT.
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "budget-confidentiel.pdf").write_bytes(PDF)
    (media / "machina" / "attachments").mkdir(parents=True)
    (media / "machina" / "attachments" / "secret.pdf").write_bytes(PDF)
    (media / "images").mkdir()
    (media / "images" / "logo.txt").write_text("rendu public")
    static.mkdir()
    (static / "site.abc123.css").write_text("body { color: black; }")
    attachment = attach(world.private_topic.first_post, "compte rendu.pdf", b"%PDF-1.4 rapport")
    # Sessions before the database is handed to the app server (SQLite: copied to a file).
    reader_session, outsider_session = session_cookie(world.staff_a), session_cookie(world.staff_b)
    cert, key = make_certificate(tmp_path)
    http_port, https_port, app_port = free_port(), free_port(), free_port()
    conf = render(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        app_port=app_port,
        cert=cert,
        key=key,
        static=static,
        media=media,
        private=private,
    )
    checked = subprocess.run(
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(conf)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    env = environment(
        tmp_path,
        database_url(tmp_path),
        DJANGO_SETTINGS_MODULE="tests.ops.tls_settings",
        PRIVATE_MEDIA_ROOT=private,
        MEDIA_ROOT=media,
        PASSERELLE_ACCEL_REDIRECT_PREFIX="/_protected",
        PASSERELLE_TASKS_BACKEND="immediate",
    )
    app = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{app_port}",
         "--env", "DJANGO_SETTINGS_MODULE=tests.ops.tls_settings", "--log-level", "warning",
         "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    nginx = subprocess.Popen(
        [str(NGINX), "-g", "daemon off;", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    https = f"https://127.0.0.1:{https_port}"
    try:
        wait_for(lambda: answered(f"http://127.0.0.1:{app_port}/sante/"), 90, message="gunicorn")
        wait_for(lambda: answered(https + "/", verify=str(cert)), 30, message="nginx")

        # An HTTPS page, from the app (which would redirect it without X-Forwarded-Proto), HSTS.
        anonymous = https_session(cert)
        home = anonymous.get(https + "/forum/", timeout=30, allow_redirects=False)
        assert home.status_code == 200, (home.status_code, home.headers.get("Location"))
        assert "Paie à distance" in home.text
        assert home.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        assert home.headers.get("X-Request-ID")
        # Plain HTTP: a permanent redirect to the same path and query over HTTPS.
        plain = requests.get(
            f"http://127.0.0.1:{http_port}/forum/?page=2", timeout=10, allow_redirects=False
        )
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://127.0.0.1/forum/?page=2"
        assert "Strict-Transport-Security" not in plain.headers  # meaningless over HTTP
        # Static files, with HSTS too (a location with add_header of its own).
        css = anonymous.get(https + "/static/site.abc123.css", timeout=10)
        assert css.status_code == 200 and "immutable" in css.headers["Cache-Control"]
        assert "Strict-Transport-Security" in css.headers
        assert anonymous.get(https + "/media/images/logo.txt", timeout=10).text == "rendu public"

        # Modern TLS only: TLS 1.0 and 1.1 are refused, 1.2 and 1.3 accepted.
        for version, accepted in (
            (ssl.TLSVersion.TLSv1_1, False),
            (ssl.TLSVersion.TLSv1_2, True),
            (ssl.TLSVersion.TLSv1_3, True),
        ):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(cert)
            context.minimum_version = context.maximum_version = version
            if version < ssl.TLSVersion.TLSv1_2:
                context.set_ciphers("ALL:@SECLEVEL=0")
            assert _handshake(context, https_port) == accepted, version

        # Private files: no guessable URL reaches them.
        guesses = [
            "/media/documents/budget-confidentiel.pdf",
            "/media/machina/attachments/secret.pdf",
            f"/media/{attachment.file.name}",
            f"/_protected/{attachment.file.name}",
            f"/media/../private/{attachment.file.name}",
        ]
        for path in guesses:
            response = anonymous.get(https + path, timeout=10, allow_redirects=False)
            assert response.status_code == 404, path
            assert b"PDF" not in response.content, path

        # A reader of the private topic downloads the file: the app checks, nginx sends it.
        reader = https_session(cert)
        reader.cookies.set("sessionid", reader_session, domain="127.0.0.1")
        topic = reader.get(https + topic_url(world.private_topic), timeout=30)
        assert topic.status_code == 200 and "Incident confidentiel XZ" in topic.text
        link = attachment_url(attachment)
        assert link in topic.text
        download = reader.get(https + link, timeout=30, allow_redirects=False)
        assert download.status_code == 200
        assert download.content == b"%PDF-1.4 rapport"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "compte" in download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in download.headers["Cache-Control"]
        assert "X-Accel-Redirect" not in download.headers
        assert "Strict-Transport-Security" in download.headers
        # Someone signed in who may not read that forum, and an anonymous visitor: refused.
        outsider = https_session(cert)
        outsider.cookies.set("sessionid", outsider_session, domain="127.0.0.1")
        refused = outsider.get(https + link, timeout=30, allow_redirects=False)
        assert refused.status_code == 404 and b"rapport" not in refused.content
        anonymous_try = anonymous.get(https + link, timeout=30, allow_redirects=False)
        assert anonymous_try.status_code in {302, 404}
        assert b"rapport" not in anonymous_try.content
    finally:
        stop(nginx)
        stop(app)
        errors = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
        assert "[emerg]" not in errors and "[crit]" not in errors, errors[-2000:]


def _handshake(context, port):
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return True
        except (ssl.SSLError, ConnectionResetError):
            return False


def test_the_shipped_file_is_valid_nginx_configuration(tmp_path):
    """``nginx -t`` on the file as it ships, with only its certificate paths made real."""
    cert, key = make_certificate(tmp_path)
    text = CONF.read_text()
    text = text.replace("/etc/ssl/passerelle/fullchain.pem", str(cert))
    text = text.replace("/etc/ssl/passerelle/privkey.pem", str(key))
    (tmp_path / "passerelle.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; events {{}} http {{ include {tmp_path}/passerelle.conf; }}"
    )
    checked = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
