"""The one way plugfair runs plugin code: in a child process, unit by unit.

The manifest probe (:mod:`plugfair.registry.manifest`) and the dynamic
conformance checks (:mod:`plugfair.conformance.dynamic`) both load plugin
code that may crash, hang, flood its output, fork or lie.  Both hand this
module a list of *units* (one plugin each) and a *handler* (the function
that judges one unit in the child), and get back one :class:`Outcome` per
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
still alive.  It reports them with the answer (:attr:`Outcome.taint`), and
the host starts a fresh child before the next unit, so nothing one unit
leaves running can act during another's turn.  The handler adds its own
findings of the same kind (a probe that sees a plugin patch plugfair or
another plugin).

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

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "python_command",
    "child_sys_path",
    "Unit",
    "Outcome",
    "run_units",
    "serve",
    "Handler",
    "STARTUP_ALLOWANCE",
]

#: Seconds a child may take to start (import plugfair and the handler's
#: libraries) before it answers that it is ready.
STARTUP_ALLOWANCE = 30.0

#: Longest answer line the host reads; a longer one is refused.
LINE_LIMIT = 64 * 1024 * 1024

#: A handler judges one unit in the child: it returns the result and what
#: the unit left behind that should keep it from sharing the process with
#: the next unit (``[]`` if nothing).  If it has a ``prepare`` attribute,
#: that is called with the unit first, before the unit's deadline starts
#: (to load again, in a fresh child, what the unit needs).
Handler = Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]

# hmac, subprocess and the like are imported where they are used: the
# manifest's warm path imports this module for child_sys_path() alone.

# Everything stays local to a function: nothing of the job is reachable
# from ``__main__``.  The import path is set before plugfair is imported.
_CODE = (
    "def _main():\n"
    "    import json, sys\n"
    "    job = json.loads(sys.stdin.buffer.readline())\n"
    "    sys.path[:] = job.pop('sys_path')\n"
    "    from plugfair.registry.childproc import serve\n"
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


class Unit:
    """One piece of work for the child: one plugin, usually.

    :param ident: the host's own name for it, unique in one run.
    :param payload: what the handler needs (JSON).
    """

    def __init__(self, ident: str, payload: dict[str, Any]) -> None:
        self.ident = ident
        self.payload = payload

    def __repr__(self) -> str:
        return "Unit(%r)" % self.ident


class Outcome:
    """What came of one unit, as the host judged it."""

    def __init__(
        self, result: dict[str, Any] | None = None, *, why: str = "", kind: str = "", taint: Sequence[str] = ()
    ) -> None:
        #: The handler's result, if the host accepted an answer.
        self.result = result
        #: Why there is no result (empty when there is one).
        self.why = why
        #: ``""``, or ``"hang"``, ``"exit"``, ``"forged"``, ``"fork"``,
        #: ``"late"`` or ``"start"``.
        self.kind = kind
        #: What the unit left behind in the child (it was replaced after it).
        self.taint = list(taint)

    def __repr__(self) -> str:
        return "Outcome(kind=%r, why=%r, taint=%r)" % (self.kind, self.why, self.taint)


# -- the host's side -------------------------------------------------------


def run_units(
    handler: str,
    job: dict[str, Any],
    units: Iterable[Unit],
    *,
    timeout: float,
    startup: float = STARTUP_ALLOWANCE,
    follow: Callable[[Unit, Outcome], list[Unit]] | None = None,
    cwd: str | None = None,
) -> dict[str, Outcome]:
    """Run ``units`` through ``handler`` in child processes.

    :param handler: ``"module:function"``; the child calls it with the job
        once, before the first unit, and it returns a :data:`Handler`.
    :param job: JSON data for the child; ``sys_path`` is required.
    :param timeout: seconds each unit may take.
    :param startup: seconds a child may take to get ready.
    :param follow: called with each accepted outcome; the units it returns
        run next (a hosting plugin's hosted plugins, say).
    :param cwd: the children's working directory.
    :returns: ident -> outcome, for every unit (those added by ``follow``
        too).
    """
    pending = deque(units)
    outcomes: dict[str, Outcome] = {}
    while pending:
        child = _Child(handler, job, cwd)
        try:
            why = child.wait_ready(startup)
            if why:
                for unit in pending:
                    outcomes[unit.ident] = Outcome(why=why, kind="start")
                break
            _run_in(child, pending, outcomes, timeout, follow, startup)
        finally:
            child.close()
    return outcomes


def _run_in(
    child: _Child,
    pending: deque[Unit],
    outcomes: dict[str, Outcome],
    timeout: float,
    follow: Callable[[Unit, Outcome], list[Unit]] | None,
    startup: float,
) -> None:
    """Feed ``pending`` to one child until it is done or must be replaced.

    Trouble is blamed on a unit only when that unit was the first in its
    child; otherwise the unit runs again, first in a fresh child, so what
    an earlier unit left behind is never blamed on a later one.
    """
    done: list[Unit] = []
    while pending:
        unit = pending.popleft()
        outcome = child.ask(unit, timeout, startup)
        outcomes.update(child.late)
        if outcome.result is None and (done or outcome.kind == "late"):
            _requeue(child, unit, done, pending, outcomes)
            return
        outcomes[unit.ident] = outcome
        done.append(unit)
        if outcome.result is not None and follow is not None:
            _put_first(pending, follow(unit, outcome))
        if not child.usable:
            return
    if not child.finish() and done:
        _requeue(child, None, done, pending, outcomes)


def _put_first(pending: deque[Unit], units: list[Unit]) -> None:
    """Run ``units`` next (once each, should they be queued already)."""
    idents = {u.ident for u in units}
    rest = [u for u in pending if u.ident not in idents]
    pending.clear()
    pending.extend(units + rest)


def _requeue(
    child: _Child, unit: Unit | None, done: list[Unit], pending: deque[Unit], outcomes: dict[str, Outcome]
) -> None:
    """After trouble in a child that ran ``done`` first: which unit is
    suspect, and whether to blame it now or run it again, alone."""
    if unit is not None:
        pending.appendleft(unit)
        if child.started or child.late:
            return  # it ran, but not first in its child: again, alone
    suspect = done[-1]  # the trouble came after its turn, before the next
    if suspect is done[0]:
        outcomes[suspect.ident] = Outcome(why="after its turn, the process %s" % child.trouble, kind="exit")
        return
    outcomes.pop(suspect.ident, None)
    pending.appendleft(suspect)


class _Child:
    """One child process, seen from the host."""

    def __init__(self, handler: str, job: dict[str, Any], cwd: str | None) -> None:
        import secrets
        import subprocess

        self._key = secrets.token_bytes(32)
        self._nonces: dict[str, str] = {}  # nonce -> ident of every unit sent
        #: Earlier units that an answer from a forked copy names.
        self.late: dict[str, Outcome] = {}
        self.usable = True
        #: Whether the child said it started the current unit.
        self.started = False
        #: What went wrong last, in words.
        self.trouble = ""
        self._ready = secrets.token_hex(16)
        rfd, wfd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                python_command(_CODE),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=(wfd,),
                cwd=cwd,
                start_new_session=True,
            )
        finally:
            os.close(wfd)
        self._reader = _Reader(rfd)
        self._send(dict(job, handler=handler, key=self._key.hex(), fd=wfd, ready=self._ready))

    def _send(self, data: dict[str, Any]) -> None:
        stdin = self.proc.stdin
        if stdin is None:  # pragma: no cover - PIPE always gives one
            raise RuntimeError("the child process has no standard input")
        try:
            stdin.write(json.dumps(data).encode("utf-8") + b"\n")
            stdin.flush()
        except OSError:
            pass  # it died: the answer it does not send tells why

    def wait_ready(self, startup: float) -> str:
        """``""`` once the child is ready, else why it is not."""
        kind, _message = self._next(self._ready, startup)
        if kind == "ok":
            return ""
        self.kill()
        if kind == "eof":
            return "it could not start (%s)" % self._why_dead()
        return "it did not get ready within %.3g s" % startup if kind == "hang" else self.trouble

    def ask(self, unit: Unit, timeout: float, startup: float = STARTUP_ALLOWANCE) -> Outcome:
        """Send ``unit`` and judge the answer.

        The unit's ``timeout`` runs from the moment the child says it
        started it; until then (the handler's ``prepare``) ``startup``.

        :returns: the outcome; kind ``"late"`` when an earlier unit is to
            blame (see :attr:`late`) and this one must run again.
        """
        import secrets

        nonce = secrets.token_hex(16)
        self._nonces[nonce] = unit.ident
        self.late = {}
        self._send({"unit": unit.payload, "nonce": nonce})
        kind, message = self._next(nonce, timeout, startup)
        if kind == "ok":
            taint = [str(t) for t in message.get("taint") or []]
            self.usable = not taint
            result = message.get("result")
            if isinstance(result, dict):
                return Outcome(result=result, taint=taint)
            kind, self.trouble = "forged", "its answer holds no result"
        self.kill()
        if kind == "hang" and not self.started:
            self.trouble = "did not start it within %.3g s" % startup
            return Outcome(why="the child did not start it within %.3g s" % startup, kind="hang")
        if kind == "hang":
            self.trouble = "did not answer within %.3g s" % timeout
            return Outcome(why="it did not finish within %.3g s" % timeout, kind="hang")
        if kind == "eof":
            self.trouble = "ended (%s)" % self._why_dead()
            return Outcome(why="the process %s" % self.trouble, kind="exit")
        return Outcome(why=self.trouble, kind=kind)

    def _next(self, nonce: str, timeout: float, startup: float | None = None) -> tuple[str, dict[str, Any]]:
        """The next answer for ``nonce``: ``("ok", message)``, or a problem
        (``hang``, ``eof``, ``forged``, ``fork``, ``late``; see
        :attr:`trouble`).  With ``startup``, the answer has ``timeout``
        seconds from the child's word that it started, and that word
        ``startup`` seconds."""
        import time

        self.started = False
        deadline = time.monotonic() + (timeout if startup is None else startup)
        while True:
            line = self._reader.line(deadline)
            if isinstance(line, str):
                if line == "forged":
                    self.trouble = "wrote more than %d bytes without a line end on the result channel" % LINE_LIMIT
                return line, {}
            kind, message = self._judge(line, nonce)
            if kind == "ok" and message.get("started") is True:
                self.started = True
                deadline = time.monotonic() + timeout
                continue
            return kind, message

    def _judge(self, line: bytes, nonce: str) -> tuple[str, dict[str, Any]]:
        import hmac

        mac, _, body = line.partition(b" ")
        good = hmac.new(self._key, body, "sha256").hexdigest().encode("ascii")
        message: Any = None
        if hmac.compare_digest(mac, good):
            try:
                message = json.loads(body)
            except ValueError:
                pass
        if not isinstance(message, dict):
            self.trouble = "wrote a line on the result channel that plugfair's child did not write"
            return "forged", {}
        if message.get("pid") != self.proc.pid:
            return self._from_copy(message, nonce), {}
        if message.get("nonce") != nonce:
            self.trouble = "answered for another unit, or twice"
            return "forged", {}
        return "ok", message

    def _from_copy(self, message: dict[str, Any], nonce: str) -> str:
        """An answer from a forked copy of the child: it names the unit
        during which the copy was made."""
        theirs = self._nonces.get(str(message.get("nonce")))
        self.trouble = "forked the process (pid %s answered as if it were the child)" % message.get("pid")
        if theirs is None or message.get("nonce") == nonce:
            return "fork"
        self.late[theirs] = Outcome(why="it " + self.trouble, kind="fork")
        return "late"

    def _why_dead(self) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - still running: it will be killed
            code = None
        tail = ""
        if self.proc.stderr is not None:
            text = self.proc.stderr.read(65536).decode("utf-8", "replace").strip()
            tail = (": " + text.splitlines()[-1]) if text else ""
        return "exit status %s%s" % (code, tail)

    def finish(self) -> bool:
        """Tell the child it is done; whether it left cleanly."""
        bye = "bye-" + self._ready
        self._send({"end": bye})
        kind, _message = self._next(bye, 5.0)
        if kind == "eof":
            self.trouble = "ended (%s)" % self._why_dead()
        elif kind == "hang":
            self.trouble = "did not end"
        self.kill()
        return kind == "ok"

    def kill(self) -> None:
        """Kill the child and every process of its session."""
        import signal

        self.usable = False
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        self.kill()
        self._reader.close()
        for stream in (self.proc.stdin, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


class _Reader:
    """The host's end of the result channel: whole lines, with a deadline."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def line(self, deadline: float) -> bytes | str:
        """The next line, or ``"hang"``, ``"eof"`` or ``"forged"`` (too long)."""
        import select
        import time

        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while b"\n" not in self._buffer:
            if len(self._buffer) > LINE_LIMIT:
                return "forged"
            left = deadline - time.monotonic()
            if left <= 0:
                return "hang"
            if not poller.poll(min(left, 1.0) * 1000):
                continue
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                return "eof"
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def close(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass


# -- the child's side ------------------------------------------------------


def serve(job: dict[str, Any]) -> None:
    """Body of the child: get ready, then answer unit after unit.

    Called by the ``-c`` code with the decoded job; never returns.
    """
    import importlib

    channel = _Channel(job)
    module, _, name = str(job["handler"]).partition(":")
    handle: Handler = getattr(importlib.import_module(module), name)(job)
    prepare = getattr(handle, "prepare", None)
    watch = _Watch(channel)
    channel.answer(job.pop("ready"), {"ready": True})
    channel.quiet()
    while True:
        command = channel.command()
        if "end" in command:
            channel.answer(command["end"], {"bye": True})
            os._exit(0)
        if prepare is not None:
            try:
                prepare(command["unit"])
            except Exception:  # noqa: BLE001 - the unit's turn will say what is wrong
                pass
        channel.answer(command["nonce"], {"started": True})
        watch.begin()
        try:
            result, taint = handle(command["unit"])
        except BaseException as exc:  # noqa: BLE001 - the handler's own bug: report it
            if isinstance(exc, KeyboardInterrupt):
                raise
            result, taint = {"error": "%s: %s" % (type(exc).__name__, exc)}, ["the handler failed"]
        channel.answer(command["nonce"], {"result": result, "taint": taint + watch.end()})


class _Channel:
    """The child's ends of the channel, at random high descriptors."""

    def __init__(self, job: dict[str, Any]) -> None:
        import hmac

        key = bytes.fromhex(job.pop("key"))
        self._signer = hmac.new(key, digestmod="sha256")
        del key
        self._out = _hide(int(job.pop("fd")))
        self._in = _hide(0)
        _null(0)  # so descriptor 0 is never free for something else
        self._pid = os.getpid()
        self._pending = b""
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """In a forked copy: it gets no channel."""
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._out = self._in = -1

    def quiet(self) -> None:
        """``/dev/null`` on 1 and 2 too, so plugins flood nothing (standard
        error was kept until now for errors of the child's start)."""
        _null(1, 2)

    def command(self) -> dict[str, Any]:
        """The next command from the host (``{"end": ...}`` at the end)."""
        while b"\n" not in self._pending:
            chunk = os.read(self._in, 1 << 16) if self._in >= 0 else b""
            if not chunk:
                os._exit(0)  # the host is gone
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        data: dict[str, Any] = json.loads(line)
        return data

    def answer(self, nonce: str, data: dict[str, Any]) -> None:
        body = json.dumps(dict(data, nonce=nonce, pid=os.getpid()), default=str).encode("utf-8")
        mac = self._signer.copy()
        mac.update(body)
        self._write(mac.hexdigest().encode("ascii") + b" " + body + b"\n")

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._out, view) :]
        except (OSError, ValueError):
            os._exit(3)  # the channel is gone (a forked copy, or a plugin closed it)


def _null(*fds: int) -> None:
    """Put ``/dev/null`` on descriptors ``fds``."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        if fd != devnull:
            os.dup2(devnull, fd)
    if devnull not in fds:
        os.close(devnull)


def _hide(fd: int) -> int:
    """Move ``fd`` to a random free high descriptor, not inherited by
    programs the child runs; return it."""
    import random
    import resource

    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    high = max(256, min(limit, 65536)) - 1
    for _ in range(64):
        target = random.randint(100, high)
        try:
            os.fstat(target)
        except OSError:
            os.dup2(fd, target, inheritable=False)
            os.close(fd)
            return target
    return fd


class _Watch:
    """What a unit leaves behind in the child: forks, threads, processes."""

    def __init__(self, channel: _Channel) -> None:
        self._forks: list[int] = []
        os.register_at_fork(after_in_parent=self._forked)
        self._threads = 0

    def _forked(self) -> None:
        self._forks.append(1)

    def begin(self) -> None:
        self._forks.clear()
        self._threads = _thread_count()

    def end(self) -> list[str]:
        """What is left, in words (``[]``: nothing)."""
        import time

        found = []
        if self._forks:
            found.append("fork: it forked the process %d time(s)" % len(self._forks))
        for _ in range(20):  # a thread that just returned may take a moment to go
            extra = _thread_count() - self._threads
            if extra <= 0:
                break
            time.sleep(0.002)
        else:
            found.append("it left %d thread(s) running" % extra)
        alive = _children()
        if alive:
            found.append("it left %d process(es) running" % len(alive))
        return found


def _thread_count() -> int:
    """Threads of this process, native ones included where Linux says."""
    import threading

    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return threading.active_count()


def _children() -> list[int]:
    """Live child processes of this process (Linux; ``[]`` elsewhere)."""
    pids: list[int] = []
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    while True:  # reap the ones that ended
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if not pid:
            break
    for task in tasks:
        try:
            with open("/proc/self/task/%s/children" % task, encoding="ascii") as f:
                pids.extend(int(p) for p in f.read().split())
        except (OSError, ValueError):
            continue
    return pids
