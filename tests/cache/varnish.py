"""A real varnishd (Debian's package) running deploy/varnish/passerelle.vcl on ephemeral ports, in
front of one or more app servers of a test: the VCL's ``app1`` backend points at the first, and
``app2``, ``app3``… (copies of it, added to the same round-robin director) at the others."""

import contextlib
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.ops.servers import free_port

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "passerelle.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
PROBE_HOST = '"Host: passerelle.example.fr"'
BACKEND = re.compile(r"^backend app1 \{\n.*?^\}\n", re.M | re.S)
PROBE = re.compile(r"^probe health \{\n.*?^\}\n", re.M | re.S)
# Test only: which backend fetched a response (kept on the cached object, so a HIT says it too).
# Defined before the VCL's own vcl_backend_response, which returns: Varnish runs both in order.
SERVED_BY = """sub vcl_backend_response {
    set beresp.http.X-Served-By = beresp.backend.name;
}

"""


def require_varnishd():
    """Fail, never skip: .ci/run and `make install-dev` install Debian's package."""
    if not Path(VARNISHD).exists():
        pytest.fail("varnishd absent : installez le paquet Debian « varnish » (.ci/run le fait).")


def vcl_for(backends, served_by=False, probe=True):
    """deploy's VCL with one backend per ``(host, port)``, all in the round-robin director.

    ``probe=False`` drops the health probe (Varnish refuses an unused one): for the live server
    of a SQLite test, whose /sante/ search check fails ("table is locked") while the test's own
    thread writes to the shared in-memory database, and which has no other server to fall back
    on anyway."""
    vcl = VCL.read_text()
    if not probe:
        assert PROBE.search(vcl) and "    .probe = health;\n" in vcl
        vcl = PROBE.sub("", vcl).replace("    .probe = health;\n", "")
    template = BACKEND.search(vcl)
    assert template, "deploy/varnish/passerelle.vcl has no `backend app1 { … }` block any more"
    assert "app.add_backend(app1);" in vcl, "the director no longer adds app1"
    blocks, adds = [], []
    for number, (host, port) in enumerate(backends, start=1):
        block = template.group(0).replace("backend app1 ", f"backend app{number} ")
        block = block.replace('.host = "127.0.0.1";', f'.host = "{host}";')
        blocks.append(block.replace('.port = "8001";', f'.port = "{port}";'))
        adds.append(f"app.add_backend(app{number});")
    vcl = vcl.replace(template.group(0), "\n".join(blocks))
    if probe:
        assert PROBE_HOST in vcl, "the health probe no longer sends Host: passerelle.example.fr"
        vcl = vcl.replace(PROBE_HOST, f'"Host: {backends[0][0]}"')  # one of the ALLOWED_HOSTS
    vcl = vcl.replace("app.add_backend(app1);", "\n    ".join(adds))
    if served_by:
        vcl = vcl.replace("sub vcl_backend_response {", SERVED_BY + "sub vcl_backend_response {", 1)
    return vcl


@contextlib.contextmanager
def running_varnish(backends, served_by=False, probe=True):
    """varnishd in the foreground on a free port; yields its URL (http://127.0.0.1:<port>)."""
    require_varnishd()
    # varnishd, started as root, reads the VCL as its own unprivileged user: a readable folder.
    tmp_path = Path(tempfile.mkdtemp(prefix="passerelle-varnish-"))
    tmp_path.chmod(0o755)
    (tmp_path / "test.vcl").write_text(vcl_for(backends, served_by=served_by, probe=probe))
    (tmp_path / "test.vcl").chmod(0o644)
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-n", str(tmp_path / "varnish"), "-a", f"127.0.0.1:{port}",
         "-T", "127.0.0.1:0", "-f", str(tmp_path / "test.vcl"), "-s", "malloc,32m",
         "-p", "ban_lurker_sleep=0.01"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                # Any answer (a backend's, or Varnish's 503 while it starts) means the VCL
                # compiled and varnishd listens; so does a slow first answer of a backend.
                requests.get(url + "/csrf/", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    pytest.fail("varnishd stopped: " + process.stderr.read().decode())
                time.sleep(0.1)
            except requests.Timeout:
                break
        else:
            pytest.fail("varnishd did not answer within 10 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp_path, ignore_errors=True)
