# ruff: noqa: S603, S607, E501 -- a local benchmark runner: fixed commands of this repository
"""Every production target of issue 12, from one run: each benchmark in turn, then one summary.

Runs, one after the other on the same machine (never two at once, so none measures another's load):

- ``front_cache_bench.py``: Varnish against nginx serving a saved copy, and publish → visible;
- ``pages_bench.py``: home and chapter against a new ``wagtail start`` project's home;
- ``forum_bench.py``: forum index and topic against django-machina as it ships, signed in and not;
- ``reply_bench.py``: a reply's server time, SQLite and PostgreSQL + Redis;
- ``soak_bench.py``: worker memory over a bounded soak of mixed reads and writes.

Each script writes its own section of docs/benchmarks.md, as when it runs alone, and records each
target it measures (``summary.record``) into a file this runner reads. The runner then writes the
section "Issue 12 targets, one run" at the top of docs/benchmarks.md, replacing its previous one:
every target, the value measured, met or not met, and the script that measured it.

    .venv/bin/python benchmarks/issue12.py [--soak-minutes 10] [--soak-warmup-minutes 10]
        [--soak-postgres] [--only forum,reply]

About 35 minutes with the defaults (20 of them the soak: 10 minutes of warm-up, while the worker's
bounded caches fill, then the 10 measured). Needs wrk, varnishd and nginx (Debian
packages), and PostgreSQL and Redis on 127.0.0.1 for the PostgreSQL runs.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SECTION = "## Issue 12 targets, one run (`benchmarks/issue12.py`)"


def steps(args):
    soak = ["soak_bench.py", "--minutes", str(args.soak_minutes)]
    if args.soak_warmup_minutes:
        soak += ["--warmup-minutes", str(args.soak_warmup_minutes)]
    plan = {
        "front": ["front_cache_bench.py", "--seconds", "3", "--rounds", "2"],
        "pages": ["pages_bench.py", "--seconds", "4", "--rounds", "3"],
        "forum": ["forum_bench.py", "--seconds", "4", "--rounds", "3"],
        "reply": ["reply_bench.py", "--databases", "sqlite,postgres"],
        "soak": soak,
    }
    if args.soak_postgres:
        plan["soak-postgres"] = [*soak, "--postgres"]
    if args.only:
        wanted = set(args.only.split(","))
        plan = {name: command for name, command in plan.items() if name in wanted}
    return plan


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{platform.node()}, {os.cpu_count()} cores, {cpu}, {platform.platform()}, Python {platform.python_version()}"


def write_section(rows, failures, durations, started_at, commit):
    met = sum(row["met"] for row in rows)
    lines = [
        SECTION,
        "",
        f"Run of {started_at:%Y-%m-%d %H:%M} UTC on commit `{commit}`, "
        f"`.venv/bin/python benchmarks/issue12.py {' '.join(sys.argv[1:])}`".rstrip()
        + f". Machine: {machine()}. Each benchmark ran alone, one after the other "
        "("
        + ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in durations.items())
        + "); "
        "its own section below gives its method and every rate. "
        f"**{met} of {len(rows)} targets met.**",
        "",
        "| page or measure | target | measured | verdict | benchmark |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        verdict = "met" if row["met"] else "**NOT met**"
        lines.append(
            f"| {row['page']} | {row['target']} | {row['measured']} | {verdict} | `{row['benchmark']}` |"
        )
    for name, code in failures.items():
        lines.append(f"| {name} | — | the script failed (exit {code}) | **NOT met** | `{name}` |")
    lines.append("")
    block = "\n".join(lines)

    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    if SECTION in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        text = text[:start] + text[following + 1 :] if following != -1 else text[:start]
    # Right after the introduction, before the first benchmark's own section.
    first = text.find("\n## ")
    text = (
        text[: first + 1] + block + "\n" + text[first + 1 :]
        if first != -1
        else text.rstrip("\n") + "\n\n" + block
    )
    path.write_text(text, encoding="utf-8")
    print(block)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument(
        "--soak-warmup-minutes",
        type=float,
        default=10,
        help="minutes of load before the soak's measured minutes (0: its first 20%% of samples)",
    )
    parser.add_argument(
        "--soak-postgres", action="store_true", help="a second soak on PostgreSQL + Redis"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated: front,pages,forum,reply,soak,soak-postgres"
    )
    args = parser.parse_args()
    started_at = datetime.datetime.now(datetime.UTC)
    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "unknown"
    )

    rows, failures, durations = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="passerelle-issue12-") as work:
        summary = Path(work) / "summary.jsonl"
        env = {**os.environ, "PASSERELLE_BENCH_SUMMARY": str(summary)}
        for name, command in steps(args).items():
            print(f"== {name}: {' '.join(command)}", flush=True)
            begun = time.monotonic()
            code = subprocess.run([str(PYTHON), str(ROOT / "benchmarks" / command[0]), *command[1:]],
                                  cwd=ROOT, env=env).returncode  # fmt: skip
            durations[name] = time.monotonic() - begun
            if code:
                failures[" ".join(command)] = code
        if summary.exists():
            rows = [json.loads(line) for line in summary.read_text(encoding="utf-8").splitlines()]
    write_section(rows, failures, durations, started_at, commit)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
