"""Calling plugins' usage callbacks, each isolated and bounded in time.

Each plugin whose usage is wanted gets a child process of its own
(:mod:`plugfair.quota.isolation`): the child imports the plugin, calls its
``quota_usage`` callback and turns the answer into plain JSON
(:mod:`plugfair.quota.plain`), all before one deadline (``[quota]
usage_timeout``).  The host process never imports a plugin for this, so
neither a plugin whose import hangs, nor one that calls ``os._exit``,
raises ``KeyboardInterrupt`` or returns hostile values can touch the host
or another plugin's answer: that plugin's usage is unknown, with the
reason, and nothing else.

In a long-running host (the dashboard), two more rules keep one plugin
from tying up the server's threads:

* a plugin whose callback did not return in time is not called again for
  ``[quota] usage_retry_after`` seconds, doubled on each further timeout
  (up to 16 times); its status says why and until when;
* at most :meth:`UsageCollector.limit_calls` calls of one plugin run at
  once; a request that finds the plugin busy does not wait for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.interface.errors import PlugfairError
from plugfair.quota import isolation
from plugfair.quota.plain import MAX_USAGE, describe_error, plain_text, plain_usage

__all__ = ["UsageCollector", "PendingUsage", "OK", "ISOLATION_MODES"]

LOG = logging.getLogger(__name__)

#: Status of a plugin whose usage was read.
OK = "ok"

#: Values of ``[quota] usage_isolation``.
ISOLATION_MODES = ("process", "thread")

#: The cool-down after repeated timeouts grows up to this many times the first.
MAX_BACKOFF = 16


def _job(
    registry: Any, plugin: str, project_id: str, names: list[str], *, isolation_child: bool
) -> isolation.Job:
    """The work for one plugin, run inside the isolation boundary.

    :param isolation_child: it runs in a child process of its own.
    """

    def run(stage: Callable[[str], None]) -> dict[str, Any]:
        if isolation_child:
            # The child's deadline bounds the plugin's hooks: no thread per
            # hook (the registry is this child's own copy).
            registry.hook_timeout = None
        try:
            instance = registry.load(plugin)
        except PlugfairError as exc:
            return {"error": plain_text(exc.message, 1000)}
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            return {"error": "loading it raised %s" % describe_error(exc)}
        stage("loaded")
        try:
            value = instance.quota_usage(project_id, list(names))
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            return {"error": "its usage callback raised %s" % describe_error(exc)}
        try:
            return {"usage": plain_usage(plugin, value, names)}
        except PlugfairError as exc:
            return {"error": plain_text(exc.message, 1000)}
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            return {"error": "reading its usage callback's answer raised %s" % describe_error(exc)}

    return run


def _accept(answer: object, names: Sequence[str]) -> tuple[dict[str, int] | None, str]:
    """Check a child's answer again, in the host: ``(usage, error)``."""
    if type(answer) is dict and len(answer) == 1:
        usage = answer.get("usage")
        if type(usage) is dict and all(
            type(k) is str and k in names and type(v) is int and 0 <= v <= MAX_USAGE
            for k, v in usage.items()
        ):
            return dict(usage), ""
        error = answer.get("error")
        if type(error) is str:
            return None, error[:1000] or "its usage is unknown."
    return None, "its usage process answered something that is not a usage report."


@dataclasses.dataclass
class _Health:
    """What the collector remembers about one plugin."""

    #: Calls running now.
    running: int = 0
    #: Consecutive timeouts.
    timeouts: int = 0
    #: ``time.monotonic()`` before which the plugin is not called.
    resume: float = 0.0
    #: The status given while it is not called.
    reason: str = ""


def _clock(monotonic_at: float) -> str:
    """A monotonic instant as a UTC wall-clock time, e.g. ``12:00:03 UTC``."""
    wall = time.time() + (monotonic_at - time.monotonic())
    return time.strftime("%H:%M:%S UTC", time.gmtime(wall))


class UsageCollector:
    """Reads usage from plugins' ``quota_usage`` callbacks.

    Thread-safe: the dashboard shares one between its requests.

    :param registry: the plugin registry.
    :param timeout: seconds that one collection may take, plugin imports
        included.
    :param isolation: ``"process"`` (a child process per plugin, the
        default) or ``"thread"`` (threads of this process: cannot contain
        ``os._exit`` nor stop a hung callback); ``"process"`` falls back
        to ``"thread"`` where ``os.fork`` does not exist.
    :param retry_after: seconds a plugin whose callback timed out is not
        called again (doubled on each further timeout).
    """

    def __init__(
        self,
        registry: Any,
        timeout: float,
        *,
        isolation: str = "process",
        retry_after: float = 60.0,
    ) -> None:
        self.registry = registry
        self.timeout = timeout
        if isolation == "process" and not _fork_available():
            LOG.warning("os.fork is not available: usage callbacks run in threads instead")
            isolation = "thread"
        self.isolation = isolation
        self.retry_after = retry_after
        self._max_calls: int | None = None
        self._health: dict[str, _Health] = {}
        self._lock = threading.Lock()

    def limit_calls(self, count: int | None) -> None:
        """Run at most ``count`` calls of one plugin at once (``None``: no limit)."""
        self._max_calls = None if count is None else max(1, int(count))

    def start(self, project_id: str, wanted: Mapping[str, Sequence[str]]) -> PendingUsage:
        """Start reading usage of ``wanted`` (plugin -> resource names).

        Use the result as a context manager, so the children are killed
        whatever happens meanwhile; :meth:`PendingUsage.wait` gives the
        answers.
        """
        status: dict[str, str] = {}
        jobs: dict[str, isolation.Job] = {}
        names: dict[str, list[str]] = {}
        now = time.monotonic()
        with self._lock:
            for plugin in sorted(wanted):
                health = self._health.setdefault(plugin, _Health())
                refusal = self._refusal(health, now)
                if refusal:
                    status[plugin] = refusal
                    continue
                health.running += 1
                names[plugin] = sorted(wanted[plugin])
                jobs[plugin] = _job(self.registry, plugin, project_id, names[plugin],
                                    isolation_child=self.isolation == "process")
        # Plugins' threads may print: keep it off standard output, which
        # may carry machine-read output (``-f json``).  Children send
        # theirs to standard error already.
        redirect: Any = None
        if self.isolation == "thread":
            redirect = contextlib.redirect_stdout(sys.stderr)
            redirect.__enter__()
        try:
            run = self._run(jobs)
        except BaseException:
            if redirect is not None:
                redirect.__exit__(None, None, None)
            self._returned(list(jobs))
            raise
        return PendingUsage(self, run, names, status, redirect)

    def _refusal(self, health: _Health, now: float) -> str:
        """Why a plugin is not called now, or ``""``."""
        if health.resume > now:
            return "unknown: %s; it is not called again before %s." % (
                health.reason.rstrip("."),
                _clock(health.resume),
            )
        if self.isolation == "thread" and health.running:
            return "unknown: its usage callback has not returned from an earlier call yet."
        if self._max_calls is not None and health.running >= self._max_calls:
            return (
                "unknown: its usage callback is already running for %d other "
                "request(s); it is not called again until one of them returns." % health.running
            )
        return ""

    def _run(self, jobs: Mapping[str, isolation.Job]) -> Any:
        if self.isolation == "thread":
            return isolation.ThreadRun(
                jobs, self.timeout, sys.stderr, on_return=lambda name: self._returned([name])
            )
        return isolation.ChildRun(jobs, self.timeout, sys.stderr)

    def _returned(self, plugins: Sequence[str]) -> None:
        with self._lock:
            for plugin in plugins:
                health = self._health.get(plugin)
                if health is not None and health.running:
                    health.running -= 1

    def _judge(self, plugin: str, result: isolation.ChildResult, names: Sequence[str]) -> tuple[dict[str, int] | None, str]:
        """Turn one result into ``(usage or None, status)``; note timeouts."""
        if self.isolation == "process":
            self._returned([plugin])
        if result.failure == "timeout":
            if result.stage == "start":
                reason = "loading the plugin did not finish within %.3g s." % self.timeout
            else:
                reason = "its usage callback did not return within %.3g s." % self.timeout
            self._timed_out(plugin, reason)
            return None, "unknown: " + reason
        with self._lock:
            self._health.setdefault(plugin, _Health()).timeouts = 0
        if result.failure == "died":
            return None, (
                "unknown: its usage process ended (%s) before answering: the plugin "
                "called os._exit() or crashed." % result.detail
            )
        if result.failure == "start":
            return None, "unknown: no process could be started for its usage callback (%s)." % result.detail
        if result.failure == "garbage":
            return None, "unknown: its usage process answered garbage (%s)." % result.detail
        usage, error = _accept(result.answer, names)
        if usage is None:
            return None, "unknown: " + error
        return usage, OK

    def _timed_out(self, plugin: str, reason: str) -> None:
        with self._lock:
            health = self._health.setdefault(plugin, _Health())
            health.timeouts += 1
            pause = self.retry_after * min(MAX_BACKOFF, 2 ** (health.timeouts - 1))
            if pause > 0:
                health.resume = time.monotonic() + pause
                health.reason = "%s (at %s)" % (reason.rstrip("."), _clock(time.monotonic()))

    def collect(
        self, project_id: str, wanted: Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
        """Read usage of ``wanted`` (plugin -> resource names).

        :returns: ``(plugin -> {name: count}, plugin -> status)``, where a
            status is ``"ok"`` or ``"unknown: <reason>"``.
        """
        with self.start(project_id, wanted) as pending:
            return pending.wait()


def _fork_available() -> bool:
    return isolation.fork_available()


class PendingUsage:
    """A collection under way; see :meth:`UsageCollector.start`."""

    def __init__(
        self,
        collector: UsageCollector,
        run: Any,
        names: dict[str, list[str]],
        status: dict[str, str],
        redirect: Any = None,
    ) -> None:
        self._collector = collector
        self._run = run
        self._names = names
        self._status = status
        self._redirect = redirect
        self._answer: tuple[dict[str, dict[str, int]], dict[str, str]] | None = None

    def _restore(self) -> None:
        if self._redirect is not None:
            redirect, self._redirect = self._redirect, None
            redirect.__exit__(None, None, None)

    def wait(self) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
        """``(plugin -> {name: count}, plugin -> status)``; see
        :meth:`UsageCollector.collect`."""
        if self._answer is not None:
            return self._answer
        usage: dict[str, dict[str, int]] = {}
        status = dict(self._status)
        try:
            results = self._run.wait()
        finally:
            self._restore()
        for plugin, result in sorted(results.items()):
            counts, status[plugin] = self._collector._judge(plugin, result, self._names[plugin])
            if counts is not None:
                usage[plugin] = counts
        self._answer = (usage, dict(sorted(status.items())))
        return self._answer

    def __enter__(self) -> PendingUsage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._restore()
        if self._answer is None:
            self._run.cancel()
            if self._collector.isolation == "process":
                self._collector._returned(list(self._names))
