"""Mutation testing of the paging and analytics rules, as a report (mutmut 3).

Mutates the modules listed in ``[tool.mutmut] only_mutate`` of pyproject.toml:

* ``invoice_analytics/providers/_paging.py``  (Mayar cursor rule, Faspay sweep bookkeeping)
* ``invoice_analytics/providers/_pacing.py``  (sliding rate window)
* ``invoice_analytics/analytics/_rules.py``   (open/credit/overdue/paid masks, bucket edges)
* ``invoice_analytics/analytics/_groupby.py`` (exact group sums)

and runs, for each mutant, only the selected tests that reached the mutated
function (mutmut records that in a first, instrumented run). The selection is
``[tool.mutmut] pytest_add_cli_args_test_selection``: tests/test_aging.py,
test_ratios.py, test_faspay.py, test_mayar.py (and test_paging.py,
test_pacing.py, test_payload.py once they exist) plus the doctests of the four
modules, less :data:`SLOW_TESTS` (deselected here through ``PYTEST_ADDOPTS``).

Prints per module the mutants generated / killed / survived / timed out, the
kill rate, and every mutant not killed with its file, line and diff.

Usage (from a clone, after ``pip install -e ".[test,dev]"``)::

    python scripts/mutation_check.py                      # a report: exit 0
    python scripts/mutation_check.py --min-kill-rate 75   # a gate: exit 1 below 75 %

Exit codes: 0 report written (and the kill rate is at least ``--min-kill-rate``
when given); 1 kill rate below ``--min-kill-rate``; 2 mutmut itself failed
(its log is in ``mutants/mutation_check.log``).

mutmut copies the package and the tests into ``mutants/`` (git-ignored) and
keeps its results there, so ``mutmut browse`` / ``mutmut show NAME`` work after
a run. Each run starts afresh (``--incremental`` re-tests only what changed).
About 5-8 minutes on 2 cores (884 mutants); with --include-slow about 14.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
LOG = MUTANTS / "mutation_check.log"

#: Tests left out of the mutation run: each waits out real retry back-offs or a
#: Retry-After (about 1-2 s apiece, 17 tests, ~17 s for every surviving mutant of
#: the paging code they reach), and they check the retry policy of the HTTP layer
#: (providers/_http.py, not mutated here) rather than the paging or pacing rules.
#: Node-id prefixes, as for ``pytest --deselect``.
SLOW_TESTS = (
    "tests/test_faspay.py::test_transient_faults_are_retried",
    "tests/test_faspay.py::test_persistent_faults_raise_after_max_retries",
    "tests/test_mayar.py::test_transient_faults_are_retried",
    "tests/test_mayar.py::test_persistent_faults_raise_after_max_retries",
    "tests/test_mayar.py::test_server_rate_limit_waits_out_retry_after",
)

# mutmut's exit-code -> status table (mutmut.stats.status_by_exit_code in 3.8), used when it
# cannot be imported from the installed version.
# Tests that cannot pass under mutmut's trampolines, whatever the mutant: deselected always.
# (A warning's reported file is the first frame outside the package; in mutants/ that is the
# trampoline's module.)
UNMUTATABLE_TESTS = (
    "tests/test_aging.py::test_a_past_as_of_leaves_out_later_invoices_and_warns_that_balances_are_todays",
)

_STATUS_BY_EXIT_CODE = {
    1: "killed", 3: "killed", 0: "survived", 5: "no tests", 2: "check was interrupted by user",
    None: "not checked", 33: "no tests", 34: "skipped", 35: "suspicious", 36: "timeout",
    37: "caught by type check", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
    -11: "segfault", -9: "segfault",
}
KILLED = {"killed", "caught by type check"}
TIMEOUT = {"timeout"}
SKIPPED = {"skipped"}

_PHASES = ("Generating mutants", "Running stats", "Listing all tests", "Running clean tests",
           "Running forced fail test", "Running mutation testing")
_PROGRESS = re.compile(r"(\d+)/(\d+)\s+\S+\s*(\d+)\s+\S+\s*(\d+)\s+\S+\s*(\d+)\s+\S+\s*(\d+)\s+\S+\s*(\d+)")


def _status_table():
    try:
        from mutmut.stats import status_by_exit_code  # mutmut >= 3.8
    except ImportError:
        try:
            from mutmut.__main__ import status_by_exit_code  # older 3.x
        except ImportError:
            status_by_exit_code = None
    table = dict(_STATUS_BY_EXIT_CODE)
    if status_by_exit_code is not None:
        table.update(status_by_exit_code)

    def status(code):
        return table.get(code, "suspicious")

    return status


# ----------------------------------------------------------------------------- running mutmut


def mutmut_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        config = tomllib.load(f).get("tool", {}).get("mutmut")
    if not config or not config.get("only_mutate"):
        raise SystemExit("mutation_check: pyproject.toml has no [tool.mutmut] only_mutate")
    missing = [p for p in config["only_mutate"] if not (ROOT / p).is_file()]
    if missing:
        raise SystemExit(f"mutation_check: [tool.mutmut] only_mutate names missing files: {missing}")
    return config


class _Output(threading.Thread):
    """Copies mutmut's output to the log and keeps its phase and last progress line."""

    def __init__(self, stream, log):
        super().__init__(daemon=True)
        self.stream, self.log = stream, log
        self.phases: list[str] = []
        self.progress: tuple[int, ...] | None = None
        self._tail = ""

    def run(self):
        for chunk in iter(lambda: os.read(self.stream.fileno(), 65536), b""):
            self.log.write(chunk)
            text = self._tail + chunk.decode("utf-8", "replace")
            pieces = re.split(r"[\r\n]", text)
            self._tail = pieces.pop()
            for piece in pieces:
                for phase in _PHASES:
                    if phase in piece and phase not in self.phases:
                        self.phases.append(phase)
                m = _PROGRESS.search(piece)
                if m:
                    self.progress = tuple(int(g) for g in m.groups())


def run_mutmut(args) -> tuple[int, float]:
    """Run ``mutmut run`` at the repository root; return its exit code and wall time."""
    env = os.environ.copy()
    left_out = UNMUTATABLE_TESTS + (() if args.include_slow else SLOW_TESTS)
    deselect = " ".join(f"--deselect {t}" for t in left_out)
    env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " " + deselect).strip()
    cmd = [sys.executable, "-c", "import sys; from mutmut.__main__ import cli; sys.exit(cli())",
           "run", "--max-children", str(args.max_children)]
    MUTANTS.mkdir(exist_ok=True)
    start = time.monotonic()
    with open(LOG, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        out = _Output(proc.stdout, log)
        out.start()
        shown_phases, last_beat = 0, start
        deadline = start + args.max_minutes * 60
        try:
            while proc.poll() is None:
                time.sleep(0.5)
                now = time.monotonic()
                while shown_phases < len(out.phases):
                    print(f"  [{_clock(now - start)}] mutmut: {out.phases[shown_phases].lower()}", flush=True)
                    shown_phases += 1
                if out.progress and now - last_beat >= args.heartbeat:
                    done, total, killed, _no_tests, timeout, _susp, survived = out.progress
                    print(f"  [{_clock(now - start)}] {done}/{total} mutants tested: {killed} killed, "
                          f"{survived} survived, {timeout} timed out", flush=True)
                    last_beat = now
                if now > deadline:
                    print(f"mutation_check: mutmut still running after {args.max_minutes:g} min; stopping it",
                          file=sys.stderr)
                    _stop(proc)
                    out.join(timeout=5)
                    return -1, time.monotonic() - start
        except BaseException:  # Ctrl-C: mutmut runs in its own session, so stop it too
            _stop(proc)
            raise
        out.join(timeout=5)
    return proc.returncode, time.monotonic() - start


def _stop(proc: subprocess.Popen) -> None:
    """End mutmut and its workers (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _clock(seconds: float) -> str:
    if seconds != seconds:  # nan: not recorded
        return "?"
    return f"{int(seconds) // 60:d}:{int(seconds) % 60:02d}"


def log_tail(lines: int = 40) -> str:
    text = LOG.read_bytes().decode("utf-8", "replace") if LOG.exists() else ""
    kept = [line for line in re.split(r"[\r\n]", text) if line.strip() and not _PROGRESS.search(line)]
    kept = [line for line in kept if not any(line.strip(" ⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") == p for p in _PHASES)]
    return "\n".join(kept[-lines:])


# ----------------------------------------------------------------------------- reading results


@dataclass
class Mutant:
    name: str  # mutmut's name, for `mutmut show NAME`
    path: str
    function: str  # Class.method or function
    status: str
    line: int | None = None
    diff: str = ""


@dataclass
class ModuleResult:
    path: str
    counts: dict[str, int] = field(default_factory=dict)
    mutants: list[Mutant] = field(default_factory=list)

    def n(self, statuses) -> int:
        return sum(c for s, c in self.counts.items() if s in statuses)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _split_name(name: str) -> tuple[str, str | None, str]:
    """``pkg.mod.xǁClassǁmeth__mutmut_3`` -> (``meth``, ``Class``, generated name)."""
    generated = name.rpartition(".")[2]
    mangled = generated.partition("__mutmut_")[0]
    if "ǁ" in mangled:
        _, cls, func = mangled.split("ǁ", 2)
        return func, cls, generated
    return mangled[2:], None, generated


def _functions(tree: ast.Module) -> dict[tuple[str | None, str], ast.FunctionDef]:
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[(None, node.name)] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[(node.name, item.name)] = item
    return found


def _first_line(node: ast.FunctionDef) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _source(lines: list[str], node: ast.FunctionDef, rename: tuple[str, str] | None = None) -> list[str]:
    text = textwrap.dedent("".join(lines[node.lineno - 1:node.end_lineno]))
    if rename:
        text = text.replace(f"def {rename[0]}(", f"def {rename[1]}(", 1)
    return text.splitlines()


def _changed_line(diff: list[str]) -> int | None:
    """The line number of the first line a diff (with absolute hunk headers) removes or changes."""
    number = None
    for line in diff:
        if line.startswith("@@"):
            number = int(re.match(r"@@ -(\d+)", line).group(1))
            if ",0 " in line.split("+")[0]:  # pure insertion: after line `number`
                number += 1
        elif line.startswith("-") or line.startswith("+"):
            return number
        elif number is not None:
            number += 1
    return number


def add_diffs(result: ModuleResult, context: int) -> None:
    """Fill ``line`` and ``diff`` of the mutants to be listed, from mutants/<path>."""
    wanted = [m for m in result.mutants if m.status not in KILLED | TIMEOUT]
    if not wanted:
        return
    original = (ROOT / result.path).read_text().splitlines(keepends=True)
    mutated = (MUTANTS / result.path).read_text().splitlines(keepends=True)
    orig_funcs = _functions(ast.parse("".join(original)))
    mut_funcs = _functions(ast.parse("".join(mutated)))
    for m in wanted:
        func, cls, generated = _split_name(m.name)
        orig_generated = generated.partition("__mutmut_")[0] + "__mutmut_orig"
        node = orig_funcs.get((cls, func))
        copy, mutant = mut_funcs.get((cls, orig_generated)), mut_funcs.get((cls, generated))
        if node is None or copy is None or mutant is None:
            m.diff = "(diff unavailable: see `mutmut show " + m.name + "`)"
            continue
        before = _source(mutated, copy, (orig_generated, func))
        after = _source(mutated, mutant, (generated, func))
        offset = node.lineno - 1  # line 1 of the copy is the `def` line of the original function
        out = []
        for line in difflib.unified_diff(before, after, lineterm="", n=context):
            if line.startswith(("---", "+++")):
                continue
            hunk = re.match(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", line)
            if hunk:
                a, b, c, d = hunk.groups()
                line = f"@@ -{int(a) + offset}{b or ''} +{int(c) + offset}{d or ''} @@"
            out.append(line)
        m.line = _changed_line(out)
        m.diff = "\n".join(out) if out else "(no textual change)"


def read_results(config: dict, context: int) -> list[ModuleResult]:
    status_of = _status_table()
    results = []
    for path in config["only_mutate"]:
        result = ModuleResult(path)
        meta = MUTANTS / (path + ".meta")
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        for name, code in exit_codes.items():
            status = status_of(code)
            result.counts[status] = result.counts.get(status, 0) + 1
            func, cls, _ = _split_name(name)
            result.mutants.append(Mutant(name, path, f"{cls}.{func}" if cls else func, status))
        add_diffs(result, context)
        results.append(result)
    return results


# ----------------------------------------------------------------------------- the report


def kill_rate(killed: int, timeout: int, total: int, skipped: int) -> float | None:
    tested = total - skipped
    return None if tested <= 0 else 100.0 * (killed + timeout) / tested


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:5.1f} %"


def report(results: list[ModuleResult], seconds: float, args) -> float | None:
    width = max(len(r.path) for r in results)
    print()
    print("Mutation testing (mutmut) of the paging and analytics rules")
    header = (f"{'module':<{width}}  {'mutants':>7}  {'killed':>6}  {'survived':>8}  {'timeout':>7}  "
              f"{'other':>5}  {'kill rate':>9}")
    print(header)
    print("-" * len(header))
    totals = {"total": 0, "killed": 0, "survived": 0, "timeout": 0, "other": 0, "skipped": 0}
    for r in results:
        row = {
            "total": r.total, "killed": r.n(KILLED), "survived": r.n({"survived"}), "timeout": r.n(TIMEOUT),
            "skipped": r.n(SKIPPED),
        }
        row["other"] = row["total"] - row["killed"] - row["survived"] - row["timeout"] - row["skipped"]
        for k in totals:
            totals[k] += row[k]
        rate = kill_rate(row["killed"], row["timeout"], row["total"], row["skipped"])
        print(f"{r.path:<{width}}  {row['total']:>7}  {row['killed']:>6}  {row['survived']:>8}  "
              f"{row['timeout']:>7}  {row['other']:>5}  {_pct(rate):>9}")
    print("-" * len(header))
    overall = kill_rate(totals["killed"], totals["timeout"], totals["total"], totals["skipped"])
    print(f"{'total':<{width}}  {totals['total']:>7}  {totals['killed']:>6}  {totals['survived']:>8}  "
          f"{totals['timeout']:>7}  {totals['other']:>5}  {_pct(overall):>9}")
    print()
    print("kill rate = (killed + timed out) / (mutants - skipped); a timed-out mutant is one the tests")
    print("caught by hanging (an endless paging or pacing loop). 'other': no test reached it, suspicious,")
    print("segfault or not checked.")
    others: dict[str, int] = {}
    for r in results:
        for status, count in r.counts.items():
            if status not in KILLED | TIMEOUT | SKIPPED | {"survived"}:
                others[status] = others.get(status, 0) + count
    if others:
        print("other statuses: " + ", ".join(f"{c} {s}" for s, c in sorted(others.items())))
    print(f"run time: {_clock(seconds)} (wall, {args.max_children} workers)")
    if not args.include_slow:
        print("slow tests left out (SLOW_TESTS):")
        for test in SLOW_TESTS:
            print(f"  {test}")

    listed = [m for r in results for m in r.mutants if m.status not in KILLED | TIMEOUT]
    print()
    print(f"Mutants not killed ({len(listed)}), by file and line (`mutmut show NAME` repeats one):")
    order = {r.path: i for i, r in enumerate(results)}
    for m in sorted(listed, key=lambda m: (order[m.path], m.line or 0, _number(m.name))):
        where = f"{m.path}:{m.line}" if m.line else m.path
        tag = "" if m.status == "survived" else f" [{m.status}]"
        print(f"\n{where}  {m.function}{tag}  ({m.name})")
        print(textwrap.indent(m.diff, "    "))
    return overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-kill-rate", type=float, metavar="PERCENT",
                        help="exit 1 when the overall kill rate is below PERCENT (default: report only)")
    parser.add_argument("--incremental", action="store_true",
                        help="keep mutants/ from the last run: mutmut re-tests only changed functions")
    parser.add_argument("--include-slow", action="store_true", help="do not deselect SLOW_TESTS")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2,
                        help="parallel mutant runs (default: the number of CPUs)")
    parser.add_argument("--max-minutes", type=float, default=30.0,
                        help="stop mutmut (and exit 2) after this long (default: 30)")
    parser.add_argument("--context", type=int, default=0, help="context lines around each diff (default 0)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--report-only", action="store_true",
                        help="print the report of the last run kept in mutants/, without running mutmut")
    parser.add_argument("--heartbeat", type=float, default=30.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        import mutmut  # noqa: F401
    except ImportError:
        print('mutation_check: mutmut is not installed: pip install -e ".[test,dev]"', file=sys.stderr)
        return 2
    config = mutmut_config()

    if args.report_only:
        code, seconds = 0, _last_run_seconds()
    else:
        if not args.incremental and MUTANTS.exists():
            shutil.rmtree(MUTANTS)
        print(f"mutmut {_version()} over {len(config['only_mutate'])} modules: " + ", ".join(config["only_mutate"]))
        print(f"log: {LOG.relative_to(ROOT)}")
        code, seconds = run_mutmut(args)
        (MUTANTS / "mutation_check.seconds").write_text(f"{seconds:.1f}\n")
    if code != 0:
        print(log_tail(), file=sys.stderr)
        what = f"stopped after {args.max_minutes:g} min" if code == -1 else f"failed (exit {code})"
        print(f"mutation_check: mutmut {what}; full log in {LOG.relative_to(ROOT)}", file=sys.stderr)
        return 2
    results = read_results(config, args.context)
    if not any(r.total for r in results):
        print(log_tail(), file=sys.stderr)
        print("mutation_check: no mutant results in mutants/" + (" (run without --report-only first)"
              if args.report_only else ""), file=sys.stderr)
        return 2
    overall = report(results, seconds, args)
    if args.json:
        args.json.write_text(json.dumps({
            "seconds": round(seconds, 1),
            "slow_tests_left_out": [] if args.include_slow else list(SLOW_TESTS),
            "kill_rate": overall,
            "modules": [{"path": r.path, "counts": r.counts} for r in results],
            "not_killed": [m.__dict__ for r in results for m in r.mutants if m.status not in KILLED | TIMEOUT],
        }, indent=2, ensure_ascii=False) + "\n")
    if args.min_kill_rate is not None:
        if overall is None or overall < args.min_kill_rate:
            print(f"\nFAIL: kill rate {_pct(overall).strip()} is below --min-kill-rate {args.min_kill_rate:g} %")
            return 1
        print(f"\nOK: kill rate {_pct(overall).strip()} >= --min-kill-rate {args.min_kill_rate:g} %")
    return 0


def _number(name: str) -> int:
    tail = name.rpartition("__mutmut_")[2]
    return int(tail) if tail.isdigit() else 0


def _last_run_seconds() -> float:
    try:
        return float((MUTANTS / "mutation_check.seconds").read_text())
    except (OSError, ValueError):
        return float("nan")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("mutmut")
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
