"""What the hostile-input guards cost: the search's folding and the per-request deadline.

    python benchmarks/bench_hostile.py [--rows 200000] [--names 50000] [--repeat 5]

Side by side, each the best of ``--repeat`` runs:

- the customer index of the filters (:func:`invoice_analytics.display.filtering._folded`:
  case-folding, then NFKD without combining marks) against plain lower-casing with
  Arrow, the alternative that misses ``İSTANBUL``, on ``--rows`` names, all ASCII and
  then one in ten with an accent;
- a whole Faspay load from the embedded emulator (6,000 invoices) with the
  loader's own session (a watchdog thread for each attempt) against a plain
  ``requests.Session`` passed as ``session=`` (no deadline on the header phase).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import requests


def best(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def lower_only(s: pd.Series) -> pa.Array:
    _, uniques = pd.factorize(s, use_na_sentinel=True)
    return pc.utf8_lower(pa.array([str(u) for u in uniques], type=pa.string()))


def main() -> None:
    from invoice_analytics import load_faspay
    from invoice_analytics.display.filtering import _folded
    from invoice_analytics.emulator import Emulator

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    ids = rng.integers(0, args.names, args.rows)
    for label, accent in (("ASCII names", False), ("1 in 10 accented", True)):
        names = pd.Series([f"PT Pelanggan {i} {'Café' if accent and i % 10 == 0 else 'Jaya'}" for i in ids],
                          dtype="str")
        folded = best(lambda: _folded(names), args.repeat)  # noqa: B023 - run at once
        lowered = best(lambda: lower_only(names), args.repeat)  # noqa: B023
        print(f"customer index, {args.rows:,} rows, {args.names:,} names, {label}: "
              f"fold {folded * 1000:.0f} ms vs lower-case only {lowered * 1000:.0f} ms")
    with Emulator(mayar_invoices=[]) as emu, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = best(lambda: load_faspay(**emu.faspay_kwargs, progress=False), args.repeat)
        with requests.Session() as plain:
            given = best(lambda: load_faspay(**emu.faspay_kwargs, session=plain, progress=False), args.repeat)
    print(f"Faspay load of 6,000 invoices from the emulator: with the per-attempt deadline {own:.2f} s vs "
          f"a plain session {given:.2f} s")


if __name__ == "__main__":
    main()
