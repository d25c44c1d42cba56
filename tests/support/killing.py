"""A store method run in a child process killed at its n-th file rename: the kill-at-every-write tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: The child's start: ``os.replace`` counted, and the process killed (SIGKILL) just before or just after the
#: rename numbered ``argv[2]`` when ``argv[3]`` says "before" or "after" ("never": it runs to the end).
_PREAMBLE = """
import os, signal, sys
from invoice_analytics.history import InvoiceStore

at, when = int(sys.argv[2]), sys.argv[3]
calls = 0
real = os.replace

def replace(src, dst):
    global calls
    calls += 1
    if calls == at and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
    if calls == at and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
"""


def killed_at(call: str, root: Path, at: int, when: str) -> subprocess.CompletedProcess[str]:
    """Run ``InvoiceStore(root).<call>`` in a child killed at its ``at``-th rename (``when``: "before",
    "after" or "never"); a child that finishes prints the renames it made."""
    script = f"{_PREAMBLE}InvoiceStore(sys.argv[1]).{call}\nprint(calls)\n"
    return subprocess.run([sys.executable, "-c", script, str(root), str(at), when], capture_output=True, text=True,
                          timeout=120)
