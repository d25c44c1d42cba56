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
    """Replace what ``out`` shows with one display bundle, in one step.

    The outputs are set directly, in a kernel too: the frontend swaps the old output for the new one in one
    task, with no flicker. (``clear_output(wait=True)`` then ``display`` would cost two messages more, and
    JupyterLab keeps the area's height with a style it removes 50 ms after the new output: one more change of
    the page after each update.)
    """
    out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)
