"""A task for the worker tests: it writes ``started`` on each attempt and ``done`` once it ends;
its first attempt sleeps long enough to be killed."""

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_write(path):
    started = Path(f"{path}.started")
    with started.open("a") as file:
        file.write("started\n")
    if started.read_text().count("started") == 1:
        time.sleep(120)
    with Path(path).open("a") as file:
        file.write("done\n")
    return "done"


@task()
def noted(value):
    """Does nothing: the batching test reads what was queued, not what ran."""
    return value
