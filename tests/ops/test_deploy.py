"""deploy/systemd: every timer starts a service of the same name, and every command a unit runs
exists in this version (account retention excepted: its unit tolerates its absence)."""

import configparser
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

UNITS = Path(settings.BASE_DIR) / "deploy" / "systemd"
OPTIONAL = {"purge_inactive_accounts"}


def read(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_each_timer_has_its_service_and_a_schedule():
    timers = sorted(UNITS.glob("*.timer"))
    assert len(timers) >= 10
    for timer in timers:
        assert timer.with_suffix(".service").exists(), timer.name
        assert read(timer)["Timer"]["OnCalendar"]
        assert read(timer)["Install"]["WantedBy"] == "timers.target"


def test_every_command_of_the_units_exists():
    commands = set(get_commands())
    scheduled = set()
    for service in UNITS.glob("*.service"):
        exec_start = read(service)["Service"]["ExecStart"]
        found = re.findall(r"manage\.py (?:help )?([a-z_]+)", exec_start)
        assert found, service.name
        scheduled.update(found)
        assert set(found) - OPTIONAL <= commands, (service.name, found)
    # The periodic jobs of the issue, all scheduled from this one place.
    assert {
        "fetch_notices", "send_digests", "send_review_reminders", "purge_inactive_accounts",
        "clearsessions", "flush_topic_views", "send_outbox", "tasks_worker", "backup",
    } <= scheduled  # fmt: skip
