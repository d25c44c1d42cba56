"""Count the source lines of the package's docstrings (issue 18: each text written once).

A docstring is the first statement of a module, class or function when it is a string literal; its
lines are those of the literal in the source (so a shared block substituted by a decorator counts
once, where it is written). Prints the total, the package's lines and the share, then the files with
the most docstring lines.

    python scripts/docstring_lines.py [--top N] [PACKAGE_DIR]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def docstring_lines(source: str) -> int:
    r"""Lines of the docstrings in one module's ``source``.

    >>> docstring_lines("'''Module.'''\ndef f():\n    '''One,\n\n    three.'''\n    return 1\n")
    4
    """
    total = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                first = body[0]
                total += (first.end_lineno or first.lineno) - first.lineno + 1
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", nargs="?", type=Path, default=ROOT / "invoice_analytics")
    parser.add_argument("--top", type=int, default=10, help="files listed, most docstring lines first")
    args = parser.parse_args(argv)
    per_file: dict[str, tuple[int, int]] = {}
    for path in sorted(args.package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        per_file[str(path.relative_to(args.package.parent))] = (docstring_lines(text), len(text.splitlines()))
    doc = sum(d for d, _ in per_file.values())
    lines = sum(n for _, n in per_file.values())
    print(f"docstring lines: {doc:,} of {lines:,} lines ({doc / lines:.1%}) in {len(per_file)} files")
    for name, (d, n) in sorted(per_file.items(), key=lambda kv: -kv[1][0])[: args.top]:
        print(f"  {d:6,} of {n:6,} ({d / n:5.1%})  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
