"""Warnings that point at the caller's line (private).

A warning raised deep inside the package is reported at the first frame
outside it, so Python's default filter shows it once per line of the
analyst's code, and the line shown is theirs.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

__all__ = ["warn_caller"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_caller(message: str | Warning, category: type[Warning] | None = None) -> None:
    """``warnings.warn`` pointed at the first frame outside this package."""
    frame: FrameType | None = sys._getframe(1)  # the package function that warns
    level = 2  # stacklevel 1 is this function, 2 its caller
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)
