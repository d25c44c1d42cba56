"""Showing display bundles in ipywidgets Output areas, inside a kernel or not."""

from __future__ import annotations

from typing import Any

import ipywidgets as W

__all__ = ["html_bundle", "in_kernel", "show"]


def in_kernel() -> bool:
    """True inside a running IPython kernel (where Output widgets capture)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def html_bundle(html_text: str, text: str) -> dict[str, Any]:
    """A display bundle of HTML with a plain-text fallback."""
    return {"text/html": html_text, "text/plain": text}


def show(out: W.Output, bundle: dict[str, Any]) -> None:
    """Replace what ``out`` shows with one display bundle, without flicker.

    In a kernel ``clear_output(wait=True)``, then display (the old content stays until the new one arrives);
    elsewhere the outputs are set directly.
    """
    if in_kernel():
        from IPython.display import clear_output, display

        with out:
            clear_output(wait=True)
            display(bundle, raw=True)
    else:
        out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)
