"""One line per target, written by each benchmark when ``benchmarks/issue12.py`` runs it.

A benchmark calls ``record(...)`` for every target it measures. Outside ``issue12.py`` (no
``PASSERELLE_BENCH_SUMMARY`` in the environment) it does nothing, so each script still runs alone.
"""

import json
import os


def record(page, target, measured, met, benchmark):
    """Append one target's result to the summary file named by ``PASSERELLE_BENCH_SUMMARY``.

    ``page`` and ``target`` say what is measured and what is asked (e.g. "topic, signed-in staff",
    "≥ ×2 machina"); ``measured`` is the value as it should read ("×1.29 (57 vs 44 req/s)");
    ``met`` is a bool; ``benchmark`` names the script and its options.
    """
    path = os.environ.get("PASSERELLE_BENCH_SUMMARY")
    if not path:
        return
    row = {
        "page": page,
        "target": target,
        "measured": measured,
        "met": bool(met),
        "benchmark": benchmark,
    }
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
