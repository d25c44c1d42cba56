"""The public surface: ``ia.__all__``, the API reference's listing and the lazy imports agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import invoice_analytics as ia
import invoice_analytics.history

DOCS = Path(__file__).resolve().parents[1] / "docs"
REFERENCE = DOCS / "api" / "index.rst"


def reference_names() -> list[str]:
    """Every entry of the reference's autosummary tables, as ``module.name``, in page order."""
    names, module = [], ""
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\.\. currentmodule:: (\S+)$", line):
            module = match.group(1)
        elif match := re.match(r"^   ([A-Za-z_][A-Za-z0-9_]*)$", line):
            names.append(f"{module}.{match.group(1)}")
    return names


def test_reference_lists_every_public_name_once():
    names = reference_names()
    assert len(names) == len(set(names)), "a name is listed twice"
    public = {name.split(".", 1)[1] for name in names if name.rsplit(".", 1)[0] == "invoice_analytics"}
    assert not set(ia.__all__) - public, f"add these names of ia.__all__ to a section of {REFERENCE}"
    assert not public - set(ia.__all__), f"{REFERENCE} lists names that are not in ia.__all__"


def test_reference_lists_the_stores_errors():
    """The store's errors and results are not at the root: they are documented from the history package."""
    listed = {name.rsplit(".", 1)[1] for name in reference_names() if name.startswith("invoice_analytics.history.")}
    assert listed == set(invoice_analytics.history.__all__) - set(ia.__all__)


@pytest.mark.slow
def test_every_listed_name_gets_a_reference_page(tmp_path):
    """autosummary (what the site build runs) writes one page per listed name, documenting that name."""
    pytest.importorskip("sphinx")  # the docs extra; .ci/run installs it
    subprocess.run(
        [sys.executable, "-m", "sphinx.ext.autosummary.generate", "-i", "-t", str(DOCS / "_templates"),
         "-o", str(tmp_path), str(REFERENCE)],
        check=True, capture_output=True, text=True,
    )
    pages = {page.stem: page.read_text(encoding="utf-8") for page in tmp_path.glob("*.rst")}
    assert sorted(pages) == sorted(reference_names())
    for full, page in pages.items():
        name = full.rsplit(".", 1)[1]
        assert re.search(rf"^\.\. auto(function|class|data|exception):: {name}$", page, flags=re.MULTILINE), page


@pytest.mark.parametrize("name", sorted(ia.__all__))
def test_every_public_name_resolves(name):
    assert getattr(ia, name) is not None
    assert name in dir(ia)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'credits'"):
        ia.credits  # noqa: B018 - renamed to credit_invoices


def test_submodules_declare_only_what_they_export():
    """Every name a module lists in ``__all__`` exists there."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(ia.__path__, "invoice_analytics."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            assert hasattr(module, name), f"{info.name}.__all__ lists {name!r}, which it does not define"


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_loads_no_plotting_widgets_or_excel():
    heavy = "matplotlib ipywidgets openpyxl pandas".split()
    assert run(f"import invoice_analytics, sys; print([m for m in {heavy!r} if m in sys.modules])") == "[]"
    # the analytics and loaders, used, still leave the plotting stack alone
    code = "import invoice_analytics as ia, sys; ia.aging_report; ia.load_faspay; print('matplotlib' in sys.modules)"
    assert run(code) == "False"


def test_cli_help_imports_neither_pandas_nor_matplotlib():
    code = (
        "import sys\nfrom invoice_analytics import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    )
    assert run(code).splitlines()[-1] == "False False"


def test_no_public_name_is_shadowed_by_a_submodule():
    """Importing a submodule sets it on the package: a submodule named like a public name would
    replace that name (``ia.combine`` would become a module)."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(ia.__path__, "invoice_analytics."):
        importlib.import_module(info.name)
        short = info.name.split(".")[1]
        assert short not in ia.__all__, f"submodule {info.name} shadows ia.{short}"
    assert callable(ia.combine)


BUILT = DOCS / "_build" / "html" / "api" / "generated"


@pytest.mark.skipif(not BUILT.is_dir(), reason="the site is not built (.ci/run builds it before the tests)")
def test_class_pages_document_their_public_methods():
    """A class's reference page renders each of its public methods and properties (a conf.py default once hid them)."""
    missing = {}
    for qualified in reference_names():
        module, name = qualified.rsplit(".", 1)
        obj = getattr(sys.modules.get(module) or __import__(module, fromlist=[name]), name)
        if not isinstance(obj, type) or issubclass(obj, BaseException):
            continue
        page = (BUILT / f"{qualified}.html").read_text(encoding="utf-8")
        own = [m for m, v in vars(obj).items() if not m.startswith("_") and getattr(v, "__doc__", None)
               and (callable(v) or isinstance(v, property))]
        absent = [m for m in own if f'id="{qualified}.{m}"' not in page]
        if absent:
            missing[qualified] = absent
    assert not missing, f"methods missing from their class pages: {missing}"
