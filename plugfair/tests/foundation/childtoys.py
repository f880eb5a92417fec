"""Handlers for the child-process helper's own tests (see test_childproc).

The child imports this module by name, so it holds nothing but handlers:
each unit's payload says what the unit does.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any


def handler(job: dict[str, Any]) -> Any:
    """Return a handler whose units do what their ``do`` says."""
    if job.get("fail_to_start"):
        raise RuntimeError("cannot start: %s" % job["fail_to_start"])

    def handle(unit: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        do = unit.get("do", "ok")
        if do == "hang":
            time.sleep(300)
        elif do == "exit":
            os._exit(7)
        elif do == "junk":
            _write_everywhere(b"not a signed line\n")
        elif do == "fork":
            if os.fork() == 0:
                time.sleep(0.2)  # the copy carries on as if it were the child
        elif do == "thread":
            threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        elif do == "alarm":
            # no thread, no fork: the process dies a moment after its turn
            signal.setitimer(signal.ITIMER_REAL, float(unit.get("after", 0.2)))
        elif do == "forge-and-exit":
            _forge_own_answer({"name": unit["name"], "forged": True})
            os._exit(0)
        elif do == "inspect":
            return _inspect(job), []
        elif do == "slow":
            time.sleep(float(unit["secs"]))
        elif do == "taint":
            return {"name": unit["name"]}, ["asked to be replaced"]
        return {"name": unit["name"], "pid": os.getpid()}, []

    def prepare(unit: dict[str, Any]) -> None:
        time.sleep(float(unit.get("prepare", 0)))

    handle.prepare = prepare  # type: ignore[attr-defined]
    return handle


def _write_everywhere(data: bytes) -> None:
    for fd in sorted(int(x) for x in os.listdir("/proc/self/fd")):
        if fd > 2:
            try:
                os.write(fd, data)
            except OSError:
                pass


def _inspect(job: dict[str, Any]) -> dict[str, Any]:
    """What code in the child can see of the channel."""
    import __main__

    pipes = []
    for fd in sorted(int(x) for x in os.listdir("/proc/self/fd")):
        try:
            if os.readlink("/proc/self/fd/%d" % fd).startswith("pipe:") and fd > 2:
                pipes.append([fd, os.get_inheritable(fd)])
        except OSError:
            pass
    return {
        "main": sorted(k for k in vars(__main__) if not k.startswith("__")),
        "stdin": os.read(0, 10).decode(),
        "std": [os.readlink("/proc/self/fd/%d" % fd) for fd in (0, 1, 2)],
        "job": sorted(job),
        "pipes": pipes,
    }


def _forge_own_answer(result: dict[str, Any]) -> None:
    """What a plugin that knows plugfair's child could do: find the
    channel and the nonce of its turn in the process, and answer itself."""
    import gc
    import sys

    channel = next(o for o in gc.get_objects() if type(o).__name__ == "_Channel")
    frame = sys._getframe()
    while "command" not in frame.f_locals:
        frame = frame.f_back  # type: ignore[assignment]
    channel.answer(frame.f_locals["command"]["nonce"], {"result": result, "taint": []})
