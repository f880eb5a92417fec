"""Plugin-supplied text on a terminal: data, never control sequences.

This module imports nothing but :mod:`os`: the CLI's fast paths use it.
"""

from __future__ import annotations

import os

__all__ = ["printable", "printable_cell", "HUMAN_FORMATS", "terminal_columns"]

#: cliff formatters meant to be read by people: plugin-supplied text in
#: them is made :func:`printable`.  The machine formats (json, yaml, value,
#: csv, shell) get the data unchanged (json and yaml escape it themselves).
HUMAN_FORMATS = ("table",)


def _escape(code: int) -> str:
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


# C0 and C1 control characters, DEL, and the bidirectional overrides and
# isolates that can make a terminal show text other than what it is: line
# breaks and tabs become spaces, the others visible escapes.
_TABLE = {code: _escape(code) for code in [*range(0x20), *range(0x7F, 0xA0),
                                           *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_TABLE.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})


def printable(text: str) -> str:
    """Plugin-supplied ``text``, safe to print on a terminal.

    Line breaks and tabs become spaces; other control characters become
    visible escapes (``\\x1b``), so a plugin cannot move the cursor,
    recolour the terminal or hide text.

    :param text: untrusted text.
    :returns: the text with no control character left.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to change (and the help path's)
    return text.translate(_TABLE)


def printable_cell(value: object) -> object:
    """A table cell made :func:`printable` (strings only; multi-line
    cells keep their line breaks, as a table shows them on their own
    lines)."""
    if not isinstance(value, str):
        return value
    return "\n".join(printable(line) for line in value.split("\n"))


def terminal_columns() -> int:
    """The width tables are fitted to when standard output is no terminal.

    ``COLUMNS``, when it holds a positive number and cliff's own
    ``CLIFF_MAX_TERM_WIDTH`` is not set; else 0 (cliff then fits tables
    to the terminal when there is one, and leaves them alone when the
    output goes to a file or a pipe).

    :returns: the width, or 0.
    """
    if os.environ.get("CLIFF_MAX_TERM_WIDTH", "").strip():
        return 0
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else 0
