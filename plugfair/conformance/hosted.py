"""Hosted plugins as check targets.

A hosted plugin (:class:`plugfair.api.HostedPlugin`) has no entry point of
its own in ``plugfair.plugins``: the registry knows it from its manifest
record, whose ``host`` names the plugin that hosts it.  When it comes from
an entry point of another ecosystem, its ``origin`` says which one, as
``"<group>: <name> = <value>"`` (for example a ``tempest.test_plugins``
entry point).  This module reads that, decides which hosted plugins belong
to a target, and which built-in profile a named target calls for when the
user gives none.

Nothing here imports a plugin or names one; what a profile's host is, and
which entry-point group its plugins come from, is the profile's data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from plugfair.conformance.targets import Target

__all__ = ["Origin", "origin_of", "host_of", "belongs", "RecordSource"]

#: Returns the registry's records (read when first needed).
RecordSource = Callable[[], Sequence[Any]]

_ORIGIN = re.compile(r"^\s*(?P<group>[^\s:]+)\s*:\s*(?P<name>[^=]+?)\s*=\s*(?P<value>\S.*?)\s*$")


class Origin(NamedTuple):
    """The entry point a hosted plugin was made from."""

    group: str
    name: str
    value: str


def origin_of(record: Any) -> Origin | None:
    """The entry point a hosted record's ``origin`` names, or ``None``
    when it names none (``"Tempest's own tests"``) or the record is not
    hosted."""
    if not getattr(record, "host", None):
        return None
    match = _ORIGIN.match(str(getattr(record, "origin", "") or ""))
    if match is None or ":" not in match.group("value"):
        return None
    return Origin(match.group("group"), match.group("name"), match.group("value"))


def host_of(record: Any, records: Iterable[Any]) -> Any | None:
    """The record of the plugin hosting ``record``: the one with its
    ``host`` name that lists it among the plugins it hosts."""
    for other in records:
        if other.name == record.host and other.host is None and record.name in other.hosted:
            return other
    return None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def belongs(record: Any, target: Target, group: str | None) -> bool:
    """Whether hosted ``record`` is one of ``target``'s plugins.

    It is when its origin is one of the target's entry points in ``group``
    (the profile's plugin group), when the user named it, or when the
    target is a whole installed distribution and the record comes from it.
    """
    if not getattr(record, "host", None):
        return False
    origin = origin_of(record)
    if origin is not None and origin.group == group and (origin.name, origin.value) in target.entry_points:
        return True
    if target.plugin_names:
        return record.name in target.plugin_names
    return bool(
        target.kind == "installed"
        and target.distribution
        and _norm(record.distribution) == _norm(target.distribution)
    )
