"""Sphinx configuration of the invoice_analytics documentation site.

Build it with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(the ``docs`` extra installs what it needs). The API reference is generated from
the package's numpydoc docstrings: ``api/index.rst`` lists every public name once
in an ``autosummary`` table and autosummary writes one page per name.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a fresh clone builds without installing the package

import invoice_analytics  # noqa: E402

project = "invoice_analytics"
author = "invoice_analytics contributors"
copyright = "2026, invoice_analytics contributors"
release = invoice_analytics.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# The API reference: one page per public name (api/generated/), written at each build.
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False  # a class page documents its methods itself (see the template)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# MyST: the guide and benchmark pages are Markdown.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"invoice_analytics {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
}
html_static_path: list[str] = []

# The guide's table of contents lists its pages in reading order and ends with a glob ("*") that
# picks up every other page of docs/guide/ (development.md, then pages added later), so a page
# added on another branch appears without editing guide/index.md. (Sphinx warns on a glob that
# matches nothing, so the glob always has development.md to find.)


@functools.cache
def _attribute_docs() -> dict[str, list[str]]:
    """The ``#:`` comments above the package's module-level names, by name."""
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(invoice_analytics.__path__, "invoice_analytics."):
        analyzer = ModuleAnalyzer.for_module(info.name)
        for (scope, name), lines in analyzer.find_attr_docs().items():
            if scope == "":
                found.setdefault(name, list(lines))
    return found


def _document_constants(app, what, name, obj, options, lines):
    """A public constant re-exported by ``invoice_analytics`` gets the ``#:`` comment written where it is
    defined, not the docstring of its type (``tuple``, ``dict``, ``str``)."""
    if what != "data":
        return
    short = name.rsplit(".", 1)[-1]
    docs = _attribute_docs()
    if short in docs:
        lines[:] = docs[short]
    elif lines and type(obj).__doc__ and "\n".join(lines).strip() == type(obj).__doc__.strip():
        lines[:] = []


def setup(app):
    """Sphinx's extension hook: this configuration's own docstring processing."""
    app.connect("autodoc-process-docstring", _document_constants)
