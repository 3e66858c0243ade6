"""deploy/gunicorn.conf.py, as the unit runs it: the application is imported once in the master
(preloaded, shared with the workers) and the forked workers serve pages from the database."""

import configparser
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from tests.ops.servers import BIN, ROOT, database_url, environment, free_port, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def workers_of(pid):
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_the_unit_runs_gunicorn_with_the_config_file():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "gunicorn.service")
    assert "-c /srv/passerelle/deploy/gunicorn.conf.py config.wsgi" in unit["Service"]["ExecStart"]


def test_preloaded_workers_serve_pages_from_the_database(site_tree):
    with tempfile.TemporaryDirectory() as tmp_dir:
        env = environment(
            tmp_dir, database_url(tmp_dir), DJANGO_SETTINGS_MODULE="tests.ops.server_settings"
        )
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(CONFIG), "config.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:

            def answered():
                try:
                    return requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code
                except requests.RequestException:
                    return None

            wait_for(answered, 90, message="gunicorn")
            wait_for(lambda: len(workers_of(server.pid)) == 2, 30, message="two workers")
            # Connection: close spreads the requests over both workers.
            statuses = {
                requests.get(
                    f"http://127.0.0.1:{port}{path}", headers={"Connection": "close"}, timeout=30
                ).status_code
                for _ in range(10)
                for path in ("/", "/forum/", "/actualites/")
            }
            assert statuses == {200}
            # The master imported Django, Wagtail and the project before forking (preload_app):
            # without it the master holds ~26 MB and each worker imports everything itself.
            assert rss_mb(server.pid) > 80
        finally:
            stop(server)
        assert server.returncode == 0, server.stderr.read().decode()[-2000:]
