"""Running plugin code where it cannot hurt the host: one child per plugin.

:class:`ChildRun` forks one short-lived child process per job (a job is
the work for one plugin: import it, call its hook, turn the answer into
plain JSON).  Each child

* runs in a process group of its own, with standard input from
  ``/dev/null`` and standard output and error sent to one pipe that the
  parent forwards (cut to :data:`MAX_FORWARD` bytes, control characters
  neutralised) to its own standard error;
* keeps no file descriptor of the parent but its answer pipe;
* writes its answer as one line of JSON, then ends with ``os._exit``
  (never returning into the parent's code, never running its exit
  handlers);
* is killed, with its whole process group, at the deadline; an alarm
  ends it anyway shortly after, should the parent be gone.

So a plugin that calls ``os._exit``, raises ``KeyboardInterrupt``, hangs,
or returns values whose methods do any of that, ends its own child and
nothing else, and no plugin can reach another plugin's answer.  This is
containment of failures, not a sandbox: a child runs as the same user as
the host.

:class:`ThreadRun` is the fallback where ``os.fork`` does not exist (or
``[quota] usage_isolation = thread``): the same jobs in daemon threads.
It bounds the wait, but cannot contain ``os._exit`` nor stop a hung job.
"""

from __future__ import annotations

import codecs
import dataclasses
import gc
import io
import json
import math
import os
import re
import selectors
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

__all__ = [
    "ChildResult",
    "ChildRun",
    "ThreadRun",
    "Job",
    "MAX_ANSWER",
    "MAX_FORWARD",
    "fork_available",
]

#: A job: ``job(stage)`` returns the answer (plain JSON values); it calls
#: ``stage("loaded")`` once the plugin is imported.
Job = Callable[[Callable[[str], None]], Any]

#: Largest answer a child may write, in bytes.
MAX_ANSWER = 1024 * 1024

#: Most bytes of the children's own output forwarded per run.
MAX_FORWARD = 64 * 1024

#: Seconds a child outlives its deadline before its alarm ends it.
WATCHDOG_GRACE = 5.0

#: Exit status of a child whose job could not even be encoded.
_BROKEN = 70

# Control characters but newline and tab, the C1 set, and the
# bidirectional overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def fork_available() -> bool:
    """Whether this platform can fork (POSIX)."""
    return hasattr(os, "fork")


@dataclasses.dataclass
class ChildResult:
    """What became of one job."""

    #: The decoded answer; ``None`` when none came.
    answer: Any = None
    #: The last stage the job reported (``"start"``, ``"loaded"``).
    stage: str = "start"
    #: ``""`` (it answered), ``"timeout"``, ``"died"``, ``"garbage"``
    #: (unreadable or too long an answer) or ``"start"`` (no child).
    failure: str = ""
    #: How it failed, for people (exit status, signal, error).
    detail: str = ""


def _printable(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code

    return _CONTROL.sub(escape, text)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _lift(fd: int) -> int:
    """``fd`` moved above the standard descriptors, if it is one of them."""
    if fd > 2:
        return fd
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 3)
    os.close(fd)
    return moved


def _child_main(job: Job, answer_fd: int, output_fd: int, timeout: float) -> None:
    """The body of a child: never returns, always ``os._exit``."""
    status = _BROKEN
    try:
        answer_fd = _lift(answer_fd)
        output_fd = _lift(output_fd)
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.closerange(3, answer_fd)
        os.closerange(answer_fd + 1, _max_fd())
        streams = [
            io.TextIOWrapper(
                io.FileIO(fd, "w" if fd else "r", closefd=False),
                encoding="utf-8",
                errors="backslashreplace",
                line_buffering=True,
                write_through=True,
            )
            for fd in (0, 1, 2)
        ]
        sys.stdin, sys.stdout, sys.stderr = streams
        # Should the parent be gone, the child ends itself anyway.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, math.ceil(timeout + WATCHDOG_GRACE)))
        # The child lives for one call: no collection passes that would
        # touch (and so copy) the parent's pages.
        gc.disable()

        def stage(name: str) -> None:
            _write_all(answer_fd, b"S " + name.encode("ascii", "replace") + b"\n")

        answer = job(stage)
        _write_all(answer_fd, b"A " + json.dumps(answer, ensure_ascii=True).encode("ascii") + b"\n")
        status = 0
    except BaseException:  # noqa: BLE001 - the child must reach os._exit
        pass
    finally:
        os._exit(status)


def _max_fd() -> int:
    try:
        return max(256, min(int(os.sysconf("SC_OPEN_MAX")), 1 << 20))
    except (ValueError, OSError):
        return 1 << 16


@dataclasses.dataclass
class _Child:
    pid: int
    fd: int
    data: bytearray = dataclasses.field(default_factory=bytearray)
    open: bool = True
    too_long: bool = False


class _Forwarder:
    """The children's own output, forwarded to ``stream`` up to a cap."""

    def __init__(self, stream: IO[str] | None) -> None:
        self.stream = stream
        self.sent = 0
        self.dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes) -> None:
        room = max(0, MAX_FORWARD - self.sent)
        self.dropped += max(0, len(chunk) - room)
        if not room or self.stream is None:
            return
        part = chunk[:room]
        self.sent += len(part)
        text = self._decoder.decode(part)
        try:
            self.stream.write(_printable(text))
        except Exception:  # noqa: BLE001 - a closed stderr must not fail the run
            self.stream = None

    def close(self) -> None:
        if self.dropped and self.stream is not None:
            try:
                self.stream.write(
                    "\n[plugfair: %d more bytes printed by plugins' usage callbacks "
                    "were dropped]\n" % self.dropped
                )
                self.stream.flush()
            except Exception:  # noqa: BLE001 - as above
                pass


def _flush_std() -> None:
    """Flush the parent's streams, so no child inherits pending output."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - a closed or odd stream
            pass


class ChildRun:
    """One child process per job, started now; :meth:`wait` collects them.

    :param jobs: plugin name -> job.
    :param timeout: seconds, from now, that every job may take.
    :param output: where the children's own output goes (the caller's
        standard error); ``None`` drops it.
    """

    def __init__(self, jobs: Mapping[str, Job], timeout: float, output: IO[str] | None) -> None:
        self.deadline = time.monotonic() + timeout
        self.results: dict[str, ChildResult] = {}
        self._children: dict[str, _Child] = {}
        self._forward = _Forwarder(output)
        self._done = False
        _flush_std()
        self._out_r, out_w = os.pipe()
        try:
            for name, job in jobs.items():
                self._start(name, job, out_w, timeout)
        except BaseException:
            os.close(out_w)
            self._finish()  # e.g. Ctrl+C while forking: no child is left
            raise
        os.close(out_w)

    def _start(self, name: str, job: Job, out_w: int, timeout: float) -> None:
        try:
            read_fd, write_fd = os.pipe()
        except OSError as exc:
            self.results[name] = ChildResult(failure="start", detail=str(exc))
            return
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            self.results[name] = ChildResult(failure="start", detail=str(exc))
            return
        if pid == 0:  # pragma: no cover - the child (coverage cannot see it)
            _child_main(job, write_fd, out_w, timeout)
        os.close(write_fd)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # it did so itself already, or is gone
        self._children[name] = _Child(pid, read_fd)

    def wait(self) -> dict[str, ChildResult]:
        """Read every answer until the deadline; kill and reap every child.

        :returns: plugin name -> result, for every job.
        """
        if self._done:
            return self.results
        try:
            self._read()
        finally:
            self._finish()
        return self.results

    def cancel(self) -> None:
        """Kill every child now (their results say ``timeout``)."""
        if not self._done:
            self._finish()

    def _read(self) -> None:
        sel = selectors.DefaultSelector()
        try:
            for name, child in self._children.items():
                sel.register(child.fd, selectors.EVENT_READ, name)
            sel.register(self._out_r, selectors.EVENT_READ, None)
            waiting = set(self._children)
            while waiting:
                # Past the deadline, what is already there is still read:
                # the caller may have been busy (reading the store) while
                # the children answered.
                left = self.deadline - time.monotonic()
                events = sel.select(max(0.0, left))
                if not events and left <= 0:
                    break
                for key, _ in events:
                    self._on_readable(sel, key, waiting)
        finally:
            sel.close()
        self._drain_output()

    def _on_readable(self, sel: selectors.BaseSelector, key: selectors.SelectorKey, waiting: set[str]) -> None:
        try:
            chunk = os.read(key.fd, 65536)
        except OSError:
            chunk = b""
        if key.data is None:
            self._forward.feed(chunk)
            if not chunk:
                sel.unregister(key.fd)
            return
        child = self._children[key.data]
        if chunk:
            child.data += chunk
            if len(child.data) <= MAX_ANSWER:
                return
            child.too_long = True
        sel.unregister(key.fd)
        child.open = False
        waiting.discard(key.data)

    def _drain_output(self) -> None:
        os.set_blocking(self._out_r, False)
        try:
            while self._forward.sent < MAX_FORWARD:
                chunk = os.read(self._out_r, 65536)
                if not chunk:
                    break
                self._forward.feed(chunk)
        except (BlockingIOError, OSError):
            pass

    def _finish(self) -> None:
        self._done = True
        for name, child in self._children.items():
            _kill(child.pid)
            status = _reap(child.pid)
            os.close(child.fd)
            self.results[name] = _result(child, status)
        os.close(self._out_r)
        self._forward.close()


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _reap(pid: int) -> int | None:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        except ChildProcessError:
            return None  # someone else reaped it


def _exit_text(status: int | None) -> str:
    if status is None:
        return "an unknown status"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            return "signal %s" % signal.Signals(sig).name
        except ValueError:
            return "signal %d" % sig
    return "exit status %d" % os.WEXITSTATUS(status)


def _result(child: _Child, status: int | None) -> ChildResult:
    stage = "start"
    answer: Any = None
    for line in bytes(child.data).split(b"\n"):
        if line.startswith(b"S "):
            stage = line[2:].decode("ascii", "replace")
        elif line.startswith(b"A ") and answer is None and not child.too_long:
            try:
                answer = json.loads(line[2:].decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                return ChildResult(stage=stage, failure="garbage", detail="unreadable answer")
    if child.too_long:
        return ChildResult(stage=stage, failure="garbage", detail="answer longer than %d bytes" % MAX_ANSWER)
    if answer is not None:
        return ChildResult(answer=answer, stage=stage)
    if child.open:
        return ChildResult(stage=stage, failure="timeout")
    return ChildResult(stage=stage, failure="died", detail=_exit_text(status))


class ThreadRun:
    """The jobs in daemon threads of this process (no ``fork``).

    Same interface as :class:`ChildRun`.  A job that hangs is left
    running; ``on_return(name)`` is called when a job's thread ends,
    however late.
    """

    def __init__(
        self,
        jobs: Mapping[str, Job],
        timeout: float,
        output: IO[str] | None,
        on_return: Callable[[str], None] | None = None,
    ) -> None:
        self.deadline = time.monotonic() + timeout
        self.results: dict[str, ChildResult] = {}
        self._threads: dict[str, tuple[threading.Thread, threading.Event, dict[str, Any]]] = {}
        self._on_return = on_return
        for name, job in jobs.items():
            box: dict[str, Any] = {"stage": "start"}
            done = threading.Event()
            thread = threading.Thread(
                target=self._run, args=(name, job, box, done), name="plugfair-usage-%s" % name, daemon=True
            )
            self._threads[name] = (thread, done, box)
            thread.start()

    def _run(self, name: str, job: Job, box: dict[str, Any], done: threading.Event) -> None:
        def stage(value: str) -> None:
            box["stage"] = value

        try:
            box["answer"] = job(stage)
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            box["error"] = type(exc).__name__
        finally:
            done.set()
            if self._on_return is not None:
                self._on_return(name)

    def wait(self) -> dict[str, ChildResult]:
        """Wait for the jobs until the deadline.

        :returns: plugin name -> result, for every job.
        """
        for name, (_thread, done, box) in self._threads.items():
            done.wait(max(0.0, self.deadline - time.monotonic()))
            if not done.is_set():
                self.results[name] = ChildResult(stage=box["stage"], failure="timeout")
            elif "answer" in box:
                self.results[name] = ChildResult(answer=box["answer"], stage=box["stage"])
            else:
                self.results[name] = ChildResult(
                    stage=box["stage"], failure="died", detail=box.get("error", "an error")
                )
        return self.results

    def cancel(self) -> None:
        """Stop waiting (threads cannot be stopped)."""
        self.deadline = time.monotonic()
