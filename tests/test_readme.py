"""The README: one screen (at most 150 lines), renders as CommonMark with tables and no broken table,
and opens with the two commands, the second being exactly what ``.ci/run`` runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"


def render(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")  # in the test extra
    return markdown_it.MarkdownIt("commonmark").enable("table").render(text)


def broken_table_rows(html: str) -> list[str]:
    """Paragraphs that are table rows left unrendered (a blank line or a bad delimiter row splits a table)."""
    return re.findall(r"<p>\s*(\|.*?\|)\s*</p>", html, flags=re.DOTALL)


def first_fenced_block(text: str) -> str:
    return re.search(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL).group(1)


def commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_fits_on_a_screen():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_readme_renders_without_a_broken_table():
    html = render(README.read_text(encoding="utf-8"))
    assert broken_table_rows(html) == []
    assert html.count("<table>") >= 1


def test_a_broken_table_is_caught():
    """The check itself fails on the breakage the old README had: a blank line inside a table."""
    broken = "| name | what |\n|---|---|\n| `a` | one |\n\n| `b` | two |\n"
    assert broken_table_rows(render(broken)) == ["| <code>b</code> | two |"]
    assert broken_table_rows(render(broken.replace("\n\n", "\n"))) == []


def test_readme_opens_with_the_two_commands_ci_runs():
    first, second = commands(first_fenced_block(README.read_text(encoding="utf-8")))
    assert first.startswith("python3 -m venv .venv && ") and " && .venv/bin/invoice-analytics " in first
    ci = CI.read_text(encoding="utf-8").splitlines()
    install = next(line for line in ci if line.startswith("python3 -m venv .venv && "))
    assert ".venv/bin/python -m pytest" in ci
    assert second == f"{install} && .venv/bin/python -m pytest"


def test_readme_links_point_to_files():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?!https?://)[^)#]+)\)", text)
    assert targets, "the README links into the documentation"
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert missing == []


@pytest.mark.parametrize("page", sorted((ROOT / "docs").glob("*/*.md")) + sorted((ROOT / "docs").glob("*.md")),
                         ids=lambda page: str(page.relative_to(ROOT)))
def test_documentation_pages_render_without_a_broken_table(page):
    assert broken_table_rows(render(page.read_text(encoding="utf-8"))) == []
