"""A table as cliff's table formatter prints it, without cliff.

``plugfair plugin list`` answers from the manifest, like ``--help``: going
through cliff costs more than the rest of the command (cliff, prettytable,
stevedore and oslo.config imports, and stevedore's entry-point cache).
This is the one place plugfair renders what cliff renders, and it renders
only what it renders exactly as cliff 4 does with prettytable 3:

* every cell and column name is single-line printable ASCII (so a cell's
  width is its length, and :func:`plugfair.interface.text.printable`
  leaves it alone), and
* the table needs no fitting to a width: cliff fits a table when
  ``--max-width``, ``CLIFF_MAX_TERM_WIDTH``, ``COLUMNS`` (plugfair's
  commands), ``CLIFF_FIT_WIDTH`` or a terminal gives a width, and only
  if the table is wider than that.

Anything else returns ``None``, and the command goes through cliff.  A
test compares the output byte for byte with cliff's for the same data,
across widths; ``bench/speed.py`` (the ``list`` row) shows why this
exists.  This module imports nothing but :mod:`os` and :mod:`sys`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from plugfair.interface.text import terminal_columns

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

__all__ = ["render", "fit_width"]


def fit_width() -> int | None:
    """The width cliff would fit a table to: 0 for none, ``None`` when
    the environment says something cliff would refuse."""
    try:
        # cliff's option defaults (cliff.formatters.table)
        width = int(os.environ.get("CLIFF_MAX_TERM_WIDTH", 0))
        fit = bool(int(os.environ.get("CLIFF_FIT_WIDTH", 0)))
    except ValueError:
        return None
    width = terminal_columns() or width  # plugfair's commands' default
    if width > 0:
        return width
    if not (sys.stdout.isatty() or fit):
        return 0
    try:
        return os.get_terminal_size().columns or 0
    except OSError:
        return 0


def _simple(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isprintable()


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str | None:
    """The table, as cliff's ``table`` formatter writes it, or ``None``
    when only cliff can say (see the module's docstring)."""
    if not all(map(_simple, columns)) or not all(_simple(c) for row in rows for c in row):
        return None
    if any(len(row) != len(columns) for row in rows):
        return None
    if not rows:
        return "\n"  # print_empty is off: an empty string, then a newline
    widths = [max(len(c) for c in column) for column in zip(columns, *rows, strict=True)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    limit = fit_width()
    if limit is None or (limit and len(rule) > limit):
        return None

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([rule, line(columns), rule, *map(line, rows), rule]) + "\n"
