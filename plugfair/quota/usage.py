"""Calling plugins' usage callbacks, each isolated and bounded in time.

Callbacks of different plugins run at the same time, so the slowest one
bounds the wait.  A callback that raises, returns garbage or does not
return in time makes that plugin's usage unknown, and nothing else.  A
callback still hung from an earlier call is not called again until it
returns, so a hung plugin does not pile up threads.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.interface.errors import PlugfairError

__all__ = ["UsageCollector", "OK"]

#: Status of a plugin whose usage was read.
OK = "ok"


class _Call:
    def __init__(self, plugin: str, func: Any, project_id: str, names: list[str]) -> None:
        self.plugin = plugin
        self.names = names
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(
            target=self._run,
            args=(func, project_id, names),
            name="plugfair-quota-usage-%s" % plugin,
            daemon=True,
        )

    def _run(self, func: Any, project_id: str, names: list[str]) -> None:
        try:
            self.value = func(project_id, list(names))
        except BaseException as exc:  # noqa: BLE001 - isolation boundary
            self.error = exc
        finally:
            self.done.set()


class UsageCollector:
    """Reads usage from plugins' ``quota_usage`` callbacks.

    :param registry: the plugin registry.
    :param timeout: seconds to wait for all callbacks of one collection.
    """

    def __init__(self, registry: Any, timeout: float) -> None:
        self.registry = registry
        self.timeout = timeout
        self._hung: dict[str, _Call] = {}
        self._lock = threading.Lock()

    def collect(
        self, project_id: str, wanted: Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
        """Read usage of ``wanted`` (plugin -> resource names).

        :returns: ``(plugin -> {name: count}, plugin -> status)``, where a
            status is ``"ok"`` or ``"unknown: <reason>"``.
        """
        # Plugins are imported and their callbacks run here, on behalf of a
        # command whose output may be machine-read (``-f json``): whatever
        # they print goes to standard error, never into that output.
        with contextlib.redirect_stdout(sys.stderr):
            return self._collect(project_id, wanted)

    def _collect(
        self, project_id: str, wanted: Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
        from plugfair.registry import validate as v

        usage: dict[str, dict[str, int]] = {}
        status: dict[str, str] = {}
        calls: list[_Call] = []
        for plugin in sorted(wanted):
            names = sorted(wanted[plugin])
            with self._lock:
                old = self._hung.get(plugin)
                if old is not None and not old.done.is_set():
                    status[plugin] = (
                        "unknown: its usage callback has not returned from an "
                        "earlier call yet."
                    )
                    continue
                self._hung.pop(plugin, None)
            try:
                instance = self.registry.load(plugin)
            except PlugfairError as exc:
                status[plugin] = "unknown: %s" % exc
                continue
            call = _Call(plugin, instance.quota_usage, project_id, names)
            call.thread.start()
            calls.append(call)
        deadline = time.monotonic() + self.timeout
        for call in calls:
            call.done.wait(max(0.0, deadline - time.monotonic()))
            if not call.done.is_set():
                with self._lock:
                    self._hung[call.plugin] = call
                status[call.plugin] = (
                    "unknown: its usage callback did not return within %.3g s."
                    % self.timeout
                )
                continue
            if call.error is not None:
                if isinstance(call.error, KeyboardInterrupt):
                    raise call.error
                status[call.plugin] = "unknown: its usage callback raised %s: %s" % (
                    type(call.error).__name__,
                    call.error,
                )
                continue
            try:
                usage[call.plugin] = v.validate_usage(call.plugin, call.value, call.names)
            except PlugfairError as exc:
                status[call.plugin] = "unknown: %s" % exc
                continue
            status[call.plugin] = OK
        return usage, status
