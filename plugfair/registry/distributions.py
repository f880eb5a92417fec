"""The distributions on an import path that declare plugins.

:func:`plugin_distributions` answers what :func:`importlib.metadata.distributions`
answers, for the group ``plugfair.plugins`` only, at a cost that does not
grow with the entry points of other groups.  An OpenStack client layout
has one command group per distribution, and stevedore's cache build reads
every group of every distribution once per group.

The one bypass of :mod:`importlib.metadata`, kept small: for each
``*.dist-info`` or ``*.egg-info`` directory in a directory on the path,
the text of its ``entry_points.txt`` is read, and a distribution whose
text does not contain the group's name is skipped (importlib.metadata
could find no entry point of the group in it).  Every other distribution
is handed to importlib.metadata, which parses its entry points and its
metadata; so is every path entry that is not a plain directory (a zip
file, an ``.egg`` directory).  A test checks that the answer equals
importlib.metadata's on a path with all of these; ``bench/speed.py``
(the ``cold`` row) shows why the bypass exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from plugfair.registry.records import NAMESPACE

__all__ = ["Dist", "plugin_distributions", "metadata_dirs", "units_of"]

#: One distribution that declares plugins: its name, version and
#: ``((entry-point name, target), ...)`` in the group, in file order.
Dist = tuple[str, str, tuple[tuple[str, str], ...]]

_METADATA = (".dist-info", ".egg-info")


def metadata_dirs(entry: str) -> list[str] | None:
    """The metadata directories in path entry ``entry``, or ``None`` when
    the entry is not a plain directory (importlib.metadata reads it whole)."""
    where = entry or "."
    if os.path.basename(where).lower().endswith(".egg"):
        return None
    try:
        names = os.listdir(where)
    except OSError:
        return None if os.path.exists(where) else []
    return [os.path.join(entry, n) for n in names if n.lower().endswith(_METADATA)]


def _mentions_group(directory: str) -> bool:
    """Whether the entry points of ``directory`` may hold the group."""
    try:
        with open(os.path.join(directory or ".", "entry_points.txt"), "rb") as f:
            return NAMESPACE.encode("ascii") in f.read()
    except OSError:
        return False  # no file: no entry point at all


def plugin_distributions(path: Sequence[str], *, only: Iterable[str] | None = None) -> dict[str, Dist]:
    """Every distribution on ``path`` that declares a plugin.

    :param path: the import path.
    :param only: read only these metadata directories (as
        :func:`metadata_dirs` names them); the path entries that are not
        plain directories are read whole all the same.
    :returns: metadata directory -> :data:`Dist`, in path order.
    """
    wanted = None if only is None else set(only)
    out: dict[str, Dist] = {}
    for entry in path:
        dirs = metadata_dirs(entry)
        if dirs is None:
            out.update(_whole_entry(entry))
            continue
        for directory in dirs:
            if (wanted is None or directory in wanted) and _mentions_group(directory):
                found = _read(directory)
                if found is not None:
                    out[directory] = found
    return out


def _read(directory: str) -> Dist | None:
    """What importlib.metadata reads of the distribution in ``directory``."""
    import importlib.metadata
    import pathlib

    return _dist(importlib.metadata.PathDistribution(pathlib.Path(directory)))


def _dist(dist: object) -> Dist | None:
    eps = tuple(
        (ep.name, ep.value) for ep in dist.entry_points if ep.group == NAMESPACE  # type: ignore[attr-defined]
    )
    if not eps:
        return None
    metadata = dist.metadata  # type: ignore[attr-defined]
    return (metadata["Name"] or "unknown", metadata["Version"] or "unknown", eps)


def _whole_entry(entry: str) -> dict[str, Dist]:
    """A path entry importlib.metadata reads whole (a zip file, an egg)."""
    import importlib.metadata

    out: dict[str, Dist] = {}
    for dist in importlib.metadata.distributions(path=[entry]):
        found = _dist(dist)
        if found is not None:
            out.setdefault("%s!%s" % (entry, getattr(dist, "_path", "")), found)
    return out


def units_of(dists: Iterable[Dist]) -> list[tuple[str, str, str, str]]:
    """``(name, target, distribution, version)`` of every plugin the
    distributions declare, each once, sorted.

    An entry point is attributed to every distribution that declares it,
    so two distributions that declare the same entry point are both seen
    (the same distribution and version twice on the path counts once).
    """
    return sorted({(name, value, dist, version) for dist, version, eps in dists for name, value in eps})
