"""The one way plugfair runs plugin code: in a child process, unit by unit.

The manifest probe (:mod:`plugfair.registry.manifest`) and the dynamic
conformance checks (:mod:`plugfair.conformance.dynamic`) both load plugin
code that may crash, hang, flood its output, fork or lie.  Both hand this
module a list of *units* (one plugin each) and a *handler* (the function
that judges one unit in the child), and get back one :class:`~.host.Outcome` per
unit.  There is one deadline rule and one result channel:

**Start.**  ``python -P -c CODE`` (:func:`python_command`): ``-P`` and
:func:`child_sys_path` keep the current directory off the child's
``sys.path``, so a ``plugfair/`` folder or a ``json.py`` there changes
nothing.  The job goes to the child on its standard input, with a fresh
random key; the child pops the key from the job before it loads any
plugin, keeps only an HMAC object made from it, and never puts the job in
``__main__``.  The child runs in a session of its own, so a kill reaches
every process it forked.

**Channel.**  Results come back on a pipe the host created (``os.pipe()``)
and passed down with ``pass_fds``: no path, no name.  The child moves both
of its ends (commands in, results out) to random high descriptors that are
not inherited by programs it runs, and puts ``/dev/null`` on descriptors
0, 1 and 2, so nothing a plugin prints or reads touches the protocol.

**Lockstep.**  The host sends one unit at a time, with a fresh nonce.
The child says it started the unit (after the handler's ``prepare``, if
any, within the start-up allowance), then has ``timeout`` seconds for
exactly one answer: ``<hmac> <json>`` where the JSON holds the nonce, the
child's pid and the result.  Before the host sent unit *n*, no code of
unit *n* has run, so while it runs, unit *n* cannot know the nonce of any
later unit.  The host accepts an answer only

* with a valid HMAC (a line plugfair's child did not write is refused),
* from the pid it started (a forked copy is not the child),
* with the nonce of the unit it is waiting for (no answer for another
  unit, and none twice),

and after the last unit, only if the child then says goodbye and ends.
Anything else is trouble: the answer is refused (*forged*, *fork*), or
there is none (*hang*, *exit*), and the child is killed.  Trouble is blamed
on the unit whose turn it was (or, if the child had not yet started the
next unit, on the one before), but only if that unit ran first in its
child; otherwise the unit runs again, first in a fresh child, so what an
earlier unit left behind (a signal timer, say) is never blamed on a later
one.  An answer from a forked copy that names an earlier unit marks that
earlier unit, which forked, and nothing else.

**Hygiene.**  After each unit the child looks at what the unit left
behind: a fork (``os.register_at_fork``; the forked copy's ends of the
channel are closed at once), threads still running and child processes
still alive.  It reports them with the answer (:attr:`~.host.Outcome.taint`), and
the host starts a fresh child before the next unit, so nothing one unit
leaves running can act during another's turn.  The handler adds its own
findings of the same kind (a probe that sees a plugin patch plugfair or
another plugin).

**Several children at once.**  With ``workers``, the units are cut into
contiguous shares, each run as above by a child of its own at the same
time; nothing of one share reaches another's child.

**What it does not guarantee.**  Plugin code runs *inside* the child, as
the same user.  It can in principle do everything the child's own code can:
walk the stack to the HMAC object, write correctly signed lines, or read
the child's memory.  What the host never does is take the child's word
about *another* unit: which unit an answer belongs to comes from the
host's own bookkeeping (the nonce it issued, the order it chose), never
from the answer.  So a unit can at worst forge its own outcome, and only
by attacking plugfair's child process itself; it cannot change another
unit's outcome through the channel.  This is not a sandbox: run code you
distrust in a disposable machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["python_command", "child_sys_path", "CODE"]

# The host's side is plugfair.registry.childproc.host (run_units), the
# child's plugfair.registry.childproc.child (serve).  This module holds
# only what the manifest's warm path needs, so that help and listings
# stay near interpreter start-up.

# Everything stays local to a function: nothing of the job is reachable
# from ``__main__``.  The import path is set before plugfair is imported.
CODE = (
    "def _main():\n"
    "    import json, sys\n"
    "    job = json.loads(sys.stdin.buffer.readline())\n"
    "    sys.path[:] = job.pop('sys_path')\n"
    "    from plugfair.registry.childproc.child import serve\n"
    "    serve(job)\n"
    "_main()\n"
)


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
