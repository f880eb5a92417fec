"""Enforcement: refuse what would take a project over its limits."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import OverLimit, QuotaError, QuotaExceeded, UsageError
from plugfair.interface.quota import MAX_LIMIT
from plugfair.quota.backends.base import over_limits
from plugfair.quota.service import QuotaService, validate_project

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.quota.backends.base import QuotaBackend

__all__ = ["Enforcer"]


class Enforcer:
    """Check and record resource requests against every plugin's quotas.

    Limits come from the configured backend (a project's own limit, else
    the declared default).  Usage comes from the owning plugin's
    ``quota_usage`` callback when it has one, and otherwise from the usage
    the host tracks through :meth:`consume` and :meth:`release`.

    Declarations are read once; call :meth:`refresh` after plugins change.
    Limits and usage are never cached: every call reads the store.

    :param registry: a :class:`plugfair.api.Registry`.
    :param conf: the host's ``ConfigOpts``; defaults to the registry's.

    .. versionadded:: 1.0
    """

    def __init__(self, registry: Any, conf: cfg.ConfigOpts | None = None) -> None:
        self._service = QuotaService(registry, conf)
        self._lock = threading.Lock()
        self._declared: dict[str, tuple[str, str, int, bool]] | None = None
        self._backend: QuotaBackend | None = None

    def refresh(self) -> None:
        """Forget the declarations read so far; they are read again on use."""
        with self._lock:
            self._declared = None

    def _declarations(self) -> dict[str, tuple[str, str, int, bool]]:
        declared = self._declared
        if declared is None:
            counts = {rec.name for rec in self._service.registry.records() if rec.quota_usage}
            declared = {
                res.key(plugin): (plugin, res.name, res.default, plugin in counts)
                for plugin, res in self._service.declared()
            }
            with self._lock:
                self._declared = declared
        return declared

    def _validate(
        self, project_id: str, deltas: Mapping[str, int]
    ) -> tuple[str, dict[str, tuple[str, str, int, bool]]]:
        project = validate_project(project_id)
        if type(deltas) is not dict and not isinstance(deltas, Mapping):
            raise UsageError(
                "Deltas must be a mapping of quota key to an integer, not %s."
                % type(deltas).__name__
            )
        declared = self._declarations()
        problems = []
        unknown = [k for k in deltas if k not in declared]
        if unknown:
            by_key = {r.key(p): (p, r) for p, r in self._service.declared()}
            problems.extend(self._service._check_keys(unknown, by_key))
        for key, delta in deltas.items():
            if isinstance(delta, bool) or not isinstance(delta, int):
                problems.append("Delta of %s must be an integer, not %r." % (key, delta))
            elif abs(delta) > MAX_LIMIT:
                problems.append(
                    "Delta of %s is %d; its size must be at most %d." % (key, delta, MAX_LIMIT)
                )
        if problems:
            raise QuotaError(" ".join(problems))
        return project, declared

    def check(self, project_id: str, deltas: Mapping[str, int]) -> None:
        """Check that ``deltas`` fit within the project's limits.

        A key passes when its limit is unlimited, when its delta is not
        positive, or when ``usage + delta <= limit``.  Nothing is
        recorded; use :meth:`consume` to check and record atomically.

        :param project_id: the project.
        :param deltas: quota key (``<plugin>.<resource>``) -> requested
            change.
        :raises QuotaExceeded: listing every resource that would go over,
            with its limit, usage and delta.
        :raises QuotaError: if a key is not declared (or its plugin is
            disabled or failed), a delta is not an integer, or the usage
            of a limited resource is unknown (the check fails closed).
        :raises UsageError: if the project is missing.
        """
        project, declared = self._validate(project_id, deltas)
        wanted = [k for k, d in deltas.items() if d > 0]
        if not wanted:
            return
        backend = self._backend
        if backend is None:
            backend = self._backend = self._service.backend
        overrides, used = backend.snapshot(project, wanted)
        limits = {k: overrides.get(k, declared[k][2]) for k in wanted}
        counted: dict[str, list[str]] = {}
        for key in wanted:
            plugin, name, _default, counts = declared[key]
            if counts and limits[key] >= 0:
                counted.setdefault(plugin, []).append(name)
        if counted:
            reported, status = self._service._collector.collect(project, counted)
            for plugin, names in sorted(counted.items()):
                for name in names:
                    value = reported.get(plugin, {}).get(name)
                    if value is None:
                        why = status.get(plugin, "ok")
                        raise QuotaError(
                            "Cannot check %s.%s for project %r: its usage is %s"
                            % (
                                plugin,
                                name,
                                project,
                                why if why != "ok" else "unknown: the plugin did not report it.",
                            )
                        )
                    used["%s.%s" % (plugin, name)] = value
        over = over_limits({k: deltas[k] for k in wanted}, limits, used)
        if over:
            raise QuotaExceeded(project, [OverLimit(*o) for o in over])

    def _tracked(self, project_id: str, deltas: Mapping[str, int], verb: str) -> tuple[str, dict[str, int]]:
        project, declared = self._validate(project_id, deltas)
        own = sorted(k for k in deltas if declared[k][3])
        if own:
            raise QuotaError(
                "Cannot %s %s: the plugin counts its own usage (quota_usage), so "
                "the host does not track it. Use Enforcer.check() instead."
                % (verb, ", ".join(own))
            )
        return project, {k: declared[k][2] for k in deltas}

    def consume(self, project_id: str, deltas: Mapping[str, int]) -> None:
        """Check ``deltas`` and record them as used, atomically.

        Concurrent callers are serialised in the store, so no update is
        lost and no limit is overrun.  Only for resources whose plugin
        does not count its own usage.

        :raises QuotaExceeded: listing every resource that would go over;
            nothing is recorded then.
        :raises QuotaError: as :meth:`check`, and for a resource whose
            plugin counts its own usage.
        """
        project, defaults = self._tracked(project_id, deltas, "record usage of")
        if deltas:
            self._service.backend.consume(project, dict(deltas), defaults)

    def release(self, project_id: str, amounts: Mapping[str, int]) -> None:
        """Record that ``amounts`` are no longer used (never refused).

        :param amounts: quota key -> amount freed (>= 0).
        :raises QuotaError: if a key is not declared or an amount is
            negative or not an integer.
        """
        bad = [k for k, v in amounts.items() if isinstance(v, int) and not isinstance(v, bool) and v < 0]
        if bad:
            raise QuotaError(
                "Amounts to release must be >= 0 (%s). Use consume() to add usage."
                % ", ".join(sorted(bad))
            )
        project, defaults = self._tracked(project_id, amounts, "release usage of")
        if amounts:
            self._service.backend.consume(
                project, {k: -v for k, v in amounts.items()}, defaults
            )

    def usage(self, project_id: str) -> dict[str, int | None]:
        """Every declared key's current usage for the project (``None``: unknown)."""
        return {row.key: row.in_use for row in self._service.show(project_id)}
