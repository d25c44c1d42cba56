"""Start-up cost: ``import invoice_analytics`` and ``invoice-analytics --help``, against what they must pay anyway.

Each command runs in a fresh interpreter, interleaved, ``--repeat`` times
(default 15); the table gives the median and the best. The goal of the lean
imports: ``import invoice_analytics`` costs at most 0.15 s more than
``import pandas, pyarrow, requests`` (the libraries every load needs), and
neither it nor ``--help`` loads matplotlib, ipywidgets or openpyxl.

    python benchmarks/bench_import.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

HEAVY = ("matplotlib", "ipywidgets", "openpyxl", "pandas")

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import pandas, pyarrow, requests": [sys.executable, "-c", "import pandas, pyarrow, requests"],
    "import invoice_analytics": [sys.executable, "-c", "import invoice_analytics"],
    "... then ia.load_invoices, ia.aging_report": [
        sys.executable, "-c", "import invoice_analytics as ia; ia.load_invoices; ia.aging_report"],
    "invoice-analytics --help": [sys.executable, "-m", "invoice_analytics.cli", "--help"],
}

PROBE = {
    "import invoice_analytics": "import invoice_analytics",
    "... then ia.load_invoices, ia.aging_report": "import invoice_analytics as ia; ia.load_invoices; ia.aging_report",
    "invoice-analytics --help": (
        "import sys; sys.argv = ['invoice-analytics', '--help']\n"
        "from invoice_analytics import cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass"
    ),
}


def loaded(code: str) -> dict[str, bool]:
    """Which heavy libraries ``code`` leaves in ``sys.modules``."""
    probe = code + f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    result: dict[str, bool] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeat):
        for name, command in CASES.items():  # interleaved: machine noise hits every case alike
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["import pandas, pyarrow, requests"])
    print(f"{'command':44} {'median':>8} {'best':>8} {'vs pandas+pyarrow+requests':>28}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:44} {median:7.3f}s {min(runs):7.3f}s {median - base:+27.3f}s")
    for name in ("import invoice_analytics", "... then ia.load_invoices, ia.aging_report"):
        extra = statistics.median(times[name]) - base
        print(f"\n{name}: {extra:+.3f} s over pandas+pyarrow+requests "
              f"(goal: at most +0.150 s): {'met' if extra <= 0.15 else 'NOT met'}", end="")
    print()
    for name, code in PROBE.items():
        heavy = loaded(code)
        print(f"{name}: loads " + ", ".join(f"{m}={'yes' if v else 'no'}" for m, v in heavy.items()))


if __name__ == "__main__":
    main()
