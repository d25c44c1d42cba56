"""The wheel: built from the package alone, installed into a fresh virtual environment outside the
checkout, it runs ``invoice-analytics report --demo`` from its own package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [f"invoice_analytics/emulator/samples/{name}.json" for name in (
    "faspay-invoices", "mayar-invoices", "faspay-reference-response", "mayar-reference-response")]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def clean_environment() -> dict[str, str]:
    """No provider credential (so the demo data is used) and nothing that points back at the checkout."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(("FASPAY_", "MAYAR_", "PYTHON", "VIRTUAL_ENV"))}


@pytest.mark.slow
def test_wheel_installs_and_reports_the_demo_outside_the_checkout(tmp_path):
    # the sources a wheel is built from, copied, so the build writes nothing into the checkout
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "invoice_analytics", source / "invoice_analytics",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("invoice_analytics-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert set(SAMPLES) <= names, "the emulator's samples are package data"
    assert "invoice_analytics/py.typed" in names

    # a fresh environment (this pip installs into it: the dependencies come from pip's cache or the index)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile", "--disable-pip-version-check",
        f"{wheel}[excel]", cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    env = clean_environment()
    where = run(python, "-c", "import invoice_analytics as ia; print(ia.__file__)", cwd=work, env=env).stdout
    assert Path(where.strip()).is_relative_to(venv), where
    assert not Path(where.strip()).is_relative_to(ROOT)

    report = run(venv / "bin" / "invoice-analytics", "report", "--demo", cwd=work, env=env)
    assert "DEMO DATA" in report.stdout
    assert "Wrote aging.xlsx, aging.png" in report.stdout
    assert (work / "aging.xlsx").stat().st_size > 0
    assert (work / "aging.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(path.name for path in work.iterdir()) == ["aging.png", "aging.xlsx"]  # nothing regenerated
