"""The guide's pages run as doctests in the normal test suite (``python -m pytest``).

A page is MyST Markdown, and its ``>>>`` examples sit in fenced code blocks; Python's doctest
parser alone would read a closing fence right after an example's output as part of that output.
So each page is collected here: fence lines become blank lines (which end an example's output),
then the page runs as one doctest with ``ELLIPSIS`` and ``NORMALIZE_WHITESPACE`` (pandas pads
its frames' header lines with spaces). Pages without examples collect nothing.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import pytest

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FENCE = re.compile(r"^[ \t]*(```|~~~).*$", flags=re.MULTILINE)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self) -> Any:
        text = FENCE.sub("", self.path.read_text(encoding="utf-8"))
        test = doctest.DocTestParser().get_doctest(text, {}, self.path.name, str(self.path), 0)
        if test.examples:
            yield MarkdownDoctest.from_parent(self, name=self.path.name, test=test)


class DoctestFailed(Exception):
    pass


class MarkdownDoctest(pytest.Item):
    def __init__(self, *, test: doctest.DocTest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test

    def runtest(self) -> None:
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        result = runner.run(self.test, out=report.append, clear_globs=True)
        if result.failed:
            raise DoctestFailed("".join(report))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DoctestFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"[doctest] {self.name}"
