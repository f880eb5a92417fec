"""The host's side of the child-process helper: :func:`run_units`.

See :mod:`plugfair.registry.childproc` for the design: one unit at a
time, one deadline rule, one private and signed result channel, and the
host's own bookkeeping of which answer belongs to which unit.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from plugfair.registry.childproc import CODE, python_command

__all__ = ["Unit", "Outcome", "run_units", "Handler", "STARTUP_ALLOWANCE", "LINE_LIMIT"]

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


def run_units(
    handler: str,
    job: dict[str, Any],
    units: Iterable[Unit],
    *,
    timeout: float,
    startup: float = STARTUP_ALLOWANCE,
    follow: Callable[[Unit, Outcome], list[Unit]] | None = None,
    cwd: str | None = None,
    workers: int = 1,
    per_child: int | None = None,
) -> dict[str, Outcome]:
    """Run ``units`` through ``handler`` in child processes.

    :param handler: ``"module:function"``; the child calls it with the job
        once, before the first unit, and it returns a :data:`Handler`.
    :param job: JSON data for the child; ``sys_path`` is required.
    :param timeout: seconds each unit may take.
    :param startup: seconds a child may take to get ready.
    :param follow: called with each accepted outcome; the units it returns
        run next (a hosting plugin's hosted plugins, say), in the same
        share.
    :param cwd: the children's working directory.
    :param workers: how many children run at once: the units are cut into
        that many contiguous shares, in order, and each share runs as if
        it were all there is (``follow`` is then called from several
        threads, one at a time).
    :param per_child: at most this many units run in one child; then a
        fresh child carries on (what a handler checks around each unit
        may grow with the units before it in the same process).
    :returns: ident -> outcome, for every unit (those added by ``follow``
        too).
    """
    shares = _shares(list(units), workers)
    limit = per_child or len(shares[0]) + 1
    if len(shares) == 1:
        return _run_share(handler, job, shares[0], timeout, startup, follow, cwd, limit)
    import threading

    lock = threading.Lock()

    def followed(unit: Unit, outcome: Outcome) -> list[Unit]:
        with lock:
            return follow(unit, outcome) if follow is not None else []

    results: list[Any] = [None] * len(shares)

    def run(i: int) -> None:
        try:
            results[i] = _run_share(handler, job, shares[i], timeout, startup, followed, cwd, limit)
        except BaseException as exc:  # noqa: BLE001 - raised again below, in the caller's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), name="plugfair-units-%d" % i, daemon=True)
               for i in range(len(shares))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes: dict[str, Outcome] = {}
    for result in results:
        if isinstance(result, BaseException):
            raise result
        outcomes.update(result)
    return outcomes


def _shares(units: list[Unit], workers: int) -> list[list[Unit]]:
    """``units`` cut into at most ``workers`` contiguous shares."""
    count = max(1, min(workers, len(units)))
    size, extra = divmod(len(units), count)
    shares, at = [], 0
    for i in range(count):
        step = size + (1 if i < extra else 0)
        shares.append(units[at:at + step])
        at += step
    return shares


def _run_share(
    handler: str,
    job: dict[str, Any],
    units: list[Unit],
    timeout: float,
    startup: float,
    follow: Callable[[Unit, Outcome], list[Unit]] | None,
    cwd: str | None,
    limit: int,
) -> dict[str, Outcome]:
    """:func:`run_units` with one child at a time, ``limit`` units each."""
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
            _run_in(child, pending, outcomes, timeout, follow, startup, limit)
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
    limit: int,
) -> None:
    """Feed ``pending`` to one child until it is done, must be replaced, or
    ran ``limit`` units.

    Trouble is blamed on a unit only when that unit was the first in its
    child; otherwise the unit runs again, first in a fresh child, so what
    an earlier unit left behind is never blamed on a later one.
    """
    done: list[Unit] = []
    while pending and len(done) < limit:
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
                python_command(CODE),
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
