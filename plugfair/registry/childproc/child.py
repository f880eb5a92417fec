"""The child's side of the child-process helper: :func:`serve`.

See :mod:`plugfair.registry.childproc` for the design.  Plugin code runs
in this process: everything here keeps the channel out of its way (random
high descriptors, ``/dev/null`` on 0, 1 and 2, nothing in ``__main__``, the
key kept only as an HMAC object) and reports what a unit left behind.
"""

from __future__ import annotations

import json
import os
from typing import Any

from plugfair.registry.childproc.host import Handler

__all__ = ["serve"]

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
