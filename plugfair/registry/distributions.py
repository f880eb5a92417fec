"""Entry points of the distributions on an import path, read once per build.

:func:`plugin_distributions` answers what :func:`importlib.metadata.distributions`
answers for the group ``plugfair.plugins``, and :func:`group_entry_points`
what :func:`importlib.metadata.entry_points` (so stevedore's cache) answers
for the groups a host asks for (the CLI: cliff's formatters and command
hooks), at a cost that does not grow with the entry points of other
groups.  An OpenStack client layout has one command group per
distribution, and stevedore's cache build reads every group of every
distribution once per group.

Two small bypasses of :mod:`importlib.metadata`: importlib.metadata
enumerates the distributions and reads each one's ``entry_points.txt``;
when the text does not contain the name (or prefix) of a group asked for,
the distribution is not parsed (importlib.metadata could find no entry
point of that group in it); and a plugin distribution's name and version
are read from the header lines of its metadata (:func:`_name_version`)
rather than by parsing the whole file.  Tests check that the answers
equal importlib.metadata's (and stevedore's) on a path with dist-info,
egg-info, zip and egg entries and on unusual metadata; ``bench/speed.py``
(the ``cold`` row) shows why the bypasses exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from plugfair.registry.records import NAMESPACE

__all__ = ["Dist", "Groups", "scan", "plugin_distributions", "group_entry_points", "units_of"]

#: One distribution that declares plugins: its name, version and
#: ``((entry-point name, target), ...)`` in the group, in file order.
Dist = tuple[str, str, tuple[tuple[str, str], ...]]


def _key(dist: object) -> str:
    """Where a distribution's metadata is (a directory, or inside a zip)."""
    return str(getattr(dist, "_path", ""))


#: Group -> ``((name, value), ...)``, as stevedore lists a group.
Groups = dict[str, tuple[tuple[str, str], ...]]


def scan(
    path: Sequence[str], prefixes: Sequence[str] = (), *, only: Iterable[str] | None = None
) -> tuple[dict[str, Dist], Groups]:
    """:func:`plugin_distributions` and :func:`group_entry_points` in
    one pass over the distributions.

    :param only: read plugins only from the distributions whose metadata
        directories these are (the groups are read from all).
    """
    import importlib.metadata

    found = _Scan(tuple(prefixes), None if only is None else set(only))
    for dist in importlib.metadata.distributions(path=list(path)):
        found.add(dist)
    return found.dists, {group: tuple(eps) for group, eps in found.groups.items() if eps}


class _Scan:
    """What :func:`scan` found so far."""

    def __init__(self, prefixes: tuple[str, ...], wanted: set[str] | None) -> None:
        self.prefixes = prefixes
        self.wanted = wanted
        self.dists: dict[str, Dist] = {}
        self.groups: dict[str, list[tuple[str, str]]] = {}
        self.seen: set[str] = set()

    def add(self, dist: Any) -> None:
        key = _key(dist)
        # importlib.metadata.entry_points() keeps one distribution per name,
        # by this same (private) attribute
        name = str(getattr(dist, "_normalized_name", None) or key)
        first = name not in self.seen
        self.seen.add(name)
        plugins = self.wanted is None or key in self.wanted
        text = dist.read_text("entry_points.txt") if first or plugins else None
        if not text:
            return
        has_plugins = plugins and NAMESPACE in text
        has_groups = first and bool(self.prefixes) and any(p in text for p in self.prefixes)
        if not (has_plugins or has_groups):
            return
        eps = dist.entry_points
        if has_plugins:
            found = tuple((ep.name, ep.value) for ep in eps if ep.group == NAMESPACE)
            if found:
                self.dists.setdefault(key, (*_name_version(dist), found))
        for ep in eps if has_groups else ():
            if ep.group.startswith(self.prefixes):
                group = self.groups.setdefault(ep.group, [])
                if (ep.name, ep.value) not in group:
                    group.append((ep.name, ep.value))


def plugin_distributions(path: Sequence[str], *, only: Iterable[str] | None = None) -> dict[str, Dist]:
    """Every distribution on ``path`` that declares a plugin.

    :param path: the import path.
    :param only: read only the distributions whose metadata directories
        these are.
    :returns: metadata directory -> :data:`Dist`, in path order.
    """
    return scan(path, only=only)[0]


def group_entry_points(path: Sequence[str], prefixes: Sequence[str]) -> Groups:
    """Entry points of every group whose name starts with one of
    ``prefixes``, as stevedore's cache lists them.

    That is :func:`importlib.metadata.entry_points` over ``path``: the
    first distribution of each (normalized) name, in path order, with
    repeated ``(name, value)`` pairs of a group dropped.
    """
    return scan(path, prefixes, only=())[1]


def _name_version(dist: Any) -> tuple[str, str]:
    """``Name`` and ``Version`` of a distribution's metadata, as
    ``dist.metadata`` gives them, read from the header lines alone (the
    second small bypass: importlib.metadata parses the whole file with
    :mod:`email`, long description included).  Anything unusual (a folded
    or missing header, a line that is not a header) is left to
    importlib.metadata; a test holds the two to the same answers.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or dist.read_text("") or ""
    found: dict[str, str] = {}
    previous = ""
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break  # the end of the headers
        if line[0] in " \t":
            if previous in ("name", "version"):
                return _library(dist)  # a folded Name or Version
            continue
        key, colon, value = line.partition(":")
        previous = key.lower()
        if not colon or key != key.strip() or not key:
            return _library(dist)
        if previous in ("name", "version") and previous not in found:
            found[previous] = value.lstrip(" \t")
    if len(found) != 2 or not all(v.isprintable() and v == v.strip() for v in found.values()):
        return _library(dist)
    return found["name"] or "unknown", found["version"] or "unknown"


def _library(dist: Any) -> tuple[str, str]:
    metadata = dist.metadata
    return metadata["Name"] or "unknown", metadata["Version"] or "unknown"


def units_of(dists: Iterable[Dist]) -> list[tuple[str, str, str, str]]:
    """``(name, target, distribution, version)`` of every plugin the
    distributions declare, each once, sorted.

    An entry point is attributed to every distribution that declares it,
    so two distributions that declare the same entry point are both seen
    (the same distribution and version twice on the path counts once).
    """
    return sorted({(name, value, dist, version) for dist, version, eps in dists for name, value in eps})
