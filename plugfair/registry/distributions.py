"""Entry points of the distributions on an import path, read once per build.

:func:`plugin_distributions` answers what :func:`importlib.metadata.distributions`
answers for the group ``plugfair.plugins``, and :func:`group_entry_points`
what :func:`importlib.metadata.entry_points` (so stevedore's cache) answers
for the groups a host asks for (the CLI: cliff's formatters and command
hooks), at a cost that does not grow with the entry points of other
groups.  An OpenStack client layout has one command group per
distribution, and stevedore's cache build reads every group of every
distribution once per group.

The one bypass of :mod:`importlib.metadata`, kept small: importlib.metadata
enumerates the distributions and reads each one's ``entry_points.txt``;
when the text does not contain the name (or prefix) of a group asked for,
the distribution is not parsed (importlib.metadata could find no entry
point of that group in it).  A test checks that both answers equal
importlib.metadata's (and stevedore's) on a path with dist-info, egg-info,
zip and egg entries; ``bench/speed.py`` (the ``cold`` row) shows why the
bypass exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from plugfair.registry.records import NAMESPACE

__all__ = ["Dist", "plugin_distributions", "group_entry_points", "units_of"]

#: One distribution that declares plugins: its name, version and
#: ``((entry-point name, target), ...)`` in the group, in file order.
Dist = tuple[str, str, tuple[tuple[str, str], ...]]


def _key(dist: object) -> str:
    """Where a distribution's metadata is (a directory, or inside a zip)."""
    return str(getattr(dist, "_path", ""))


def plugin_distributions(path: Sequence[str], *, only: Iterable[str] | None = None) -> dict[str, Dist]:
    """Every distribution on ``path`` that declares a plugin.

    :param path: the import path.
    :param only: read only the distributions whose metadata directories
        these are.
    :returns: metadata directory -> :data:`Dist`, in path order.
    """
    import importlib.metadata

    wanted = None if only is None else set(only)
    out: dict[str, Dist] = {}
    for dist in importlib.metadata.distributions(path=list(path)):
        key = _key(dist)
        if wanted is not None and key not in wanted:
            continue
        text = dist.read_text("entry_points.txt")
        if not text or NAMESPACE not in text:
            continue
        eps = tuple((ep.name, ep.value) for ep in dist.entry_points if ep.group == NAMESPACE)
        if eps:
            metadata = dist.metadata
            out.setdefault(key, (metadata["Name"] or "unknown", metadata["Version"] or "unknown", eps))
    return out


def group_entry_points(path: Sequence[str], prefixes: Sequence[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Entry points of every group whose name starts with one of
    ``prefixes``, as stevedore's cache lists them.

    That is :func:`importlib.metadata.entry_points` over ``path``: the
    first distribution of each (normalized) name, in path order, with
    repeated ``(name, value)`` pairs of a group dropped.

    :returns: group -> ``((name, value), ...)``.
    """
    import importlib.metadata

    seen: set[str] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for dist in importlib.metadata.distributions(path=list(path)):
        # importlib.metadata.entry_points() keeps one distribution per name,
        # by this same (private) attribute
        name = str(getattr(dist, "_normalized_name", None) or _key(dist))
        if name in seen:
            continue
        seen.add(name)
        text = dist.read_text("entry_points.txt")
        if not text or not any(p in text for p in prefixes):
            continue
        for ep in dist.entry_points:
            if ep.group.startswith(tuple(prefixes)):
                group = out.setdefault(ep.group, [])
                if (ep.name, ep.value) not in group:
                    group.append((ep.name, ep.value))
    return {group: tuple(eps) for group, eps in out.items()}


def units_of(dists: Iterable[Dist]) -> list[tuple[str, str, str, str]]:
    """``(name, target, distribution, version)`` of every plugin the
    distributions declare, each once, sorted.

    An entry point is attributed to every distribution that declares it,
    so two distributions that declare the same entry point are both seen
    (the same distribution and version twice on the path counts once).
    """
    return sorted({(name, value, dist, version) for dist, version, eps in dists for name, value in eps})
