"""Report writers: one module per output format."""

from __future__ import annotations

import importlib
from typing import IO

from plugfair.conformance.report import CheckResult

__all__ = ["FORMATS", "write"]

#: Format name -> module that writes it (each has ``write(result, out)``).
FORMATS = {
    "text": "plugfair.conformance.formats.text",
    "json": "plugfair.conformance.formats.jsonfmt",
    "junit": "plugfair.conformance.formats.junit",
    "sarif": "plugfair.conformance.formats.sarif",
}


def write(result: CheckResult, fmt: str, out: IO[str]) -> None:
    """Write ``result`` to ``out`` in format ``fmt`` (a key of FORMATS)."""
    importlib.import_module(FORMATS[fmt]).write(result, out)
