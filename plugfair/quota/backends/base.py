"""The contract every quota backend fulfils."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.quota import QuotaResource

__all__ = ["QuotaBackend", "Declared"]

#: ``(key, QuotaResource)`` for each declared resource.
Declared = tuple[str, "QuotaResource"]


class QuotaBackend(abc.ABC):
    """Where project limits (and tracked usage) are kept.

    Keys are always ``<plugin>.<resource>`` and were validated by the
    caller; values are limits as validated ints (``-1`` unlimited).
    Defaults are never stored by the caller's choice: they come from the
    declarations, which :meth:`prepare` receives.
    """

    #: The entry-point name of the backend.
    name = ""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the data lives, for messages (no secrets)."""

    @abc.abstractmethod
    def prepare(self, declared: Sequence[Declared], *, explicit: bool) -> list[str]:
        """Make the backend ready: schema, registered defaults...

        :param declared: every declared resource.
        :param explicit: called by ``plugfair quota db upgrade`` rather
            than on first use.
        :returns: lines that say what was done.
        """

    @abc.abstractmethod
    def project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> dict[str, int]:
        """The project's own limits (overrides), for ``keys`` or all."""

    @abc.abstractmethod
    def set_project_limits(
        self,
        project_id: str,
        values: Mapping[str, int],
        declared: Sequence[Declared],
    ) -> None:
        """Write every value or none of them."""

    @abc.abstractmethod
    def delete_project_limits(
        self, project_id: str, keys: Sequence[str] | None = None
    ) -> int:
        """Drop the project's own limits (``keys`` or all); return how many."""

    @abc.abstractmethod
    def tracked_usage(self, project_id: str, keys: Sequence[str]) -> dict[str, int]:
        """Usage the host tracks for ``keys`` (missing keys: none recorded)."""

    @abc.abstractmethod
    def snapshot(
        self, project_id: str, keys: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """``(overrides, tracked usage)`` for ``keys``, read together."""

    @abc.abstractmethod
    def consume(
        self,
        project_id: str,
        deltas: Mapping[str, int],
        defaults: Mapping[str, int],
    ) -> None:
        """Atomically check ``deltas`` against the limits and record them.

        Concurrent callers are serialised on the usage rows, so no update
        is lost and no limit is overrun.

        :param defaults: the declared default of every key in ``deltas``.
        :raises QuotaExceeded: listing every resource that would go over;
            nothing is recorded then.
        """

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections (optional)."""


def over_limits(
    deltas: Mapping[str, int],
    limits: Mapping[str, int],
    usage: Mapping[str, int],
) -> list[tuple[str, int, int, int]]:
    """Every ``(key, limit, usage, delta)`` that ``deltas`` would take over.

    A key passes when its limit is unlimited (``-1``), when its delta is
    not positive (a release is never refused), or when
    ``usage + delta <= limit``.  The result is sorted by key.
    """
    out = []
    for key in sorted(deltas):
        delta = deltas[key]
        limit = limits[key]
        used = usage.get(key, 0)
        if limit < 0 or delta <= 0:
            continue
        if used + delta > limit:
            out.append((key, limit, used, delta))
    return out
