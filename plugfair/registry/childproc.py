"""How plugfair starts its own Python child processes.

The manifest probe (:mod:`plugfair.registry.manifest`) and the dynamic
conformance checks (:mod:`plugfair.conformance.dynamic`) load plugins in
a child interpreter.  ``python -c CODE`` puts the current directory first
on ``sys.path``, so a directory that happens to hold a ``plugfair/``
folder (or a ``json.py``) would shadow the installed packages and the
child would report errors that have nothing to do with the plugins.  The
child gets the parent's ``sys.path`` instead, with no entry that depends
on the current directory, and it is started with ``-P`` so the
interpreter adds none either.  The result is the same from any directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["python_command", "child_sys_path"]


def python_command(code: str) -> list[str]:
    """The command line that runs ``code`` in a child of this interpreter.

    ``-P`` (Python 3.11+) keeps the current directory off the child's
    ``sys.path``; set the child's own path with :func:`child_sys_path`
    before it imports anything outside the standard library.

    :param code: the Python source to run (as ``python -c`` would).
    :returns: the argument vector for :class:`subprocess.Popen`.
    """
    return [sys.executable, "-P", "-c", code]


def child_sys_path(path: Sequence[str] | None = None) -> list[str]:
    """``path`` (default ``sys.path``) with no entry relative to the cwd.

    An empty entry (the current directory, added by ``python -c`` or
    ``python -m``) and relative entries are made absolute against the
    current directory *now*, so the child imports what the parent
    imported; duplicates are dropped, keeping the first.

    :param path: the import path to hand on; ``None`` means ``sys.path``.
    :returns: a new list of absolute entries.
    """
    out: list[str] = []
    for entry in sys.path if path is None else path:
        absolute = os.path.abspath(entry or os.curdir)
        if absolute not in out:
            out.append(absolute)
    return out
