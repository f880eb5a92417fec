"""Installed plugins and distributions as targets.

Files are found through the distribution's ``RECORD`` or, for editable and
development installs (whose lists are stale or name only a finder), through
the import system's finders; nothing is imported.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from plugfair.conformance import hostscan
from plugfair.conformance.hosted import RecordSource, origin_of
from plugfair.conformance.targets import (
    ARCHIVE_SUFFIXES,
    SourceFile,
    Target,
    TargetError,
    module_of,
    read_file,
)
from plugfair.registry.records import NAMESPACE

__all__ = ["from_installed", "origin_group", "plugin_roots", "locate_package", "normalize"]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _group_entry_points(group: str | None) -> list[importlib.metadata.EntryPoint]:
    if not group:
        return []
    seen: set[tuple[str, str]] = set()
    out = []
    for ep in importlib.metadata.entry_points(group=group):
        if (ep.name, ep.value) not in seen:
            seen.add((ep.name, ep.value))
            out.append(ep)
    return sorted(out, key=lambda e: (e.name, e.value))


def plugin_roots(group: str | None) -> dict[str, tuple[str, str]]:
    """Root package of every plugin installed in ``group``.

    A plugin's root is the shortest prefix of its module path that no
    other plugin's module shares, so plugins that live side by side in
    one package (``pkg.a.plugin``, ``pkg.b.plugin``) get ``pkg.a`` and
    ``pkg.b``.

    :returns: root -> ``(entry-point name, distribution name)``.
    """
    eps = _group_entry_points(group)
    modules = [(ep.name, ep.value.partition(":")[0].strip(), _dist_name(ep)) for ep in eps]
    out: dict[str, tuple[str, str]] = {}
    for name, module, dist in modules:
        parts = module.split(".")
        others = [m for n, m, _ in modules if n != name and m != module]
        root = module
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if not any(o == prefix or o.startswith(prefix + ".") for o in others):
                root = prefix
                break
        out.setdefault(root, (name, dist))
    return out


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "unknown"
    return str(dist.metadata["Name"] or "unknown")


def _files_under(directory: str, relbase: str) -> list[tuple[str, str]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, directory).replace(os.sep, "/")
                out.append((full, "%s/%s" % (relbase, rel)))
    return out


def _is_editable(dist: importlib.metadata.Distribution) -> bool:
    files = dist.files or []
    if any("__editable__" in str(f) for f in files):
        return True
    if dist.read_text("SOURCES.txt") is not None:
        return True  # an egg-info: a development install whose list may be stale
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return False
    return bool(isinstance(direct, dict) and (direct.get("dir_info") or {}).get("editable"))


def locate_package(root: str) -> list[tuple[str, str]]:
    """Files of package (or module) ``root``: ``(path, relpath)`` pairs.

    Located through the import system's finders; nothing is imported.
    """
    filename = hostscan.module_file(root)
    if filename is None:
        return []
    relbase = root.replace(".", "/")
    if os.path.basename(filename) == "__init__.py":
        return _files_under(os.path.dirname(filename), relbase)
    return [(filename, relbase + ".py")]


def _installed_files(dist: importlib.metadata.Distribution | None, roots: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if dist is not None and not _is_editable(dist):
        prefixes = [r.replace(".", "/") for r in roots]
        for f in dist.files or []:
            rel = str(f).replace(os.sep, "/")
            if not rel.endswith(".py") or rel.startswith(".."):
                continue
            if any(rel == p + ".py" or rel.startswith(p + "/") for p in prefixes):
                full = str(dist.locate_file(f))
                if os.path.isfile(full):
                    found.append((full, rel))
    if found:
        return sorted(found, key=lambda x: x[1])
    for root in roots:
        found.extend(locate_package(root))
    return found


def _known_hint(group: str | None) -> str:
    """Which plugins are installed, for a "not found" message."""
    hints = []
    for where in dict.fromkeys([group, NAMESPACE]):
        known = sorted({ep.name for ep in _group_entry_points(where)})
        if known:
            hints.append(" Installed plugins in %s: %s." % (where, ", ".join(known)))
    return "".join(hints)


def _dist_roots(dist: importlib.metadata.Distribution) -> list[str]:
    top = dist.read_text("top_level.txt")
    if top:
        return sorted({t.strip() for t in top.splitlines() if t.strip().isidentifier()})
    roots = set()
    for f in dist.files or []:
        rel = str(f).replace(os.sep, "/")
        if rel.endswith(".py") and not rel.startswith(".."):
            first = rel.split("/")[0]
            name = first[:-3] if first.endswith(".py") else first
            if name.isidentifier() and not name.startswith("__editable__"):
                roots.add(name)
    return sorted(roots)


def _roots_of(name: str, group: str | None) -> tuple[list[importlib.metadata.EntryPoint], list[str]]:
    """Entry points named ``name`` in ``group`` and their root packages."""
    chosen = [ep for ep in _group_entry_points(group) if ep.name == name]
    roots_by_plugin = {ep_name: root for root, (ep_name, _d) in plugin_roots(group).items()}
    return chosen, sorted({roots_by_plugin.get(ep.name, ep.value.partition(":")[0].strip()) for ep in chosen})


def _hosted_record(name: str, hosted: RecordSource | None) -> Any | None:
    """The record of the hosted plugin called ``name``, if any."""
    if hosted is None:
        return None
    for rec in hosted():
        if rec.name == name and rec.host:
            return rec
    return None


def _distribution(name: str) -> importlib.metadata.Distribution | None:
    try:
        return importlib.metadata.distribution(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def _not_found(name: str, group: str | None, eps: list[importlib.metadata.EntryPoint], hosted: RecordSource | None) -> TargetError:
    hint = _known_hint(group)
    names = sorted({rec.name for rec in hosted() if rec.host}) if hosted is not None else []
    if names:
        hint += " Hosted plugins: %s." % ", ".join(names)
    return TargetError(
        "%r is not a directory, an archive (%s) or an installed plugin or "
        "distribution.%s" % (name, ", ".join(ARCHIVE_SUFFIXES), hint)
    )


Selection = tuple[
    list[importlib.metadata.EntryPoint], "importlib.metadata.Distribution | None", list[str], str, list[str]
]


def _select(name: str, group: str | None, hosted: RecordSource | None) -> Selection:
    """What ``name`` selects: entry points in ``group``, the distribution,
    the roots of its code, the distribution's name and the plugin names.

    Each of :data:`_SELECTORS` is tried in turn: entry-point names come
    first, then plugfair plugins checked against another profile, then
    distribution names, then hosted plugins' names.

    :raises TargetError: if none of them knows ``name``.
    """
    eps = _group_entry_points(group)
    for selector in _SELECTORS:
        found = selector(name, group, eps, hosted)
        if found is not None:
            return found
    raise _not_found(name, group, eps, hosted)


Eps = list[importlib.metadata.EntryPoint]


def _by_entry_point(name: str, group: str | None, eps: Eps, hosted: RecordSource | None) -> Selection | None:
    chosen = [ep for ep in eps if ep.name == name]
    if not chosen:
        return None
    roots_by_plugin = {ep_name: root for root, (ep_name, _d) in plugin_roots(group).items()}
    roots = sorted({roots_by_plugin.get(ep.name, ep.value.partition(":")[0]) for ep in chosen})
    return chosen, getattr(chosen[0], "dist", None), roots, _dist_name(chosen[0]), [name]


def _by_plugfair_plugin(name: str, group: str | None, eps: Eps, hosted: RecordSource | None) -> Selection | None:
    """A plugfair plugin, checked against another profile by its name."""
    theirs, roots = _roots_of(name, NAMESPACE) if group != NAMESPACE else ([], [])
    if not theirs:
        return None
    dist_name = _dist_name(theirs[0])
    chosen = [ep for ep in eps if normalize(_dist_name(ep)) == normalize(dist_name)]
    return chosen, getattr(theirs[0], "dist", None), roots, dist_name, [name]


def _by_distribution(name: str, group: str | None, eps: Eps, hosted: RecordSource | None) -> Selection | None:
    """A distribution is checked whole: its top-level packages."""
    dist = _distribution(name)
    if dist is None:
        return None
    dist_name = str(dist.metadata["Name"] or name)
    chosen = [ep for ep in eps if normalize(_dist_name(ep)) == normalize(dist_name)]
    roots = _dist_roots(dist) or sorted({ep.value.partition(":")[0].strip().split(".")[0] for ep in chosen})
    return chosen, dist, roots, dist_name, []


def _by_hosted(name: str, group: str | None, eps: Eps, hosted: RecordSource | None) -> Selection | None:
    rec = _hosted_record(name, hosted)
    if rec is None:
        return None
    origin = origin_of(rec)
    chosen = [] if origin is None or origin.group != group else [
        ep for ep in eps if (ep.name, ep.value) == (origin.name, origin.value)
    ]
    roots_by_plugin = {ep_name: root for root, (ep_name, _d) in plugin_roots(group).items()}
    roots = sorted({roots_by_plugin.get(ep.name, ep.value.partition(":")[0]) for ep in chosen}) or [
        rec.target.partition(":")[0].split(".")[0]
    ]
    return chosen, _distribution(rec.distribution), roots, rec.distribution, [name]


#: How a name given to ``plugfair check`` is looked up, in order.
_SELECTORS = (_by_entry_point, _by_plugfair_plugin, _by_distribution, _by_hosted)


def from_installed(
    name: str,
    *,
    group: str | None,
    host_packages: Iterable[str] = (),
    hosted: RecordSource | None = None,
) -> Target:
    """An installed plugin (entry-point or hosted plugin's name) or
    distribution (by name).

    :param hosted: returns the registry's records, read only for a name
        that is neither an entry point in ``group`` nor a distribution.
    :raises TargetError: if nothing installed has that name.
    """
    chosen, dist, roots, dist_name, names = _select(name, group, hosted)
    hosts = set(host_packages)
    if any(r.partition(".")[0] in hosts for r in roots):
        raise TargetError(
            "%r is part of the host package itself (%s); use 'plugfair check "
            "--core' to audit the host." % (name, ", ".join(sorted(hosts)))
        )
    files = _installed_files(dist, roots)
    if not files:
        raise TargetError(
            "Found %r (distribution %s) but none of its Python files (looked for "
            "%s). Reinstall it, or check its source directory instead."
            % (name, dist_name, ", ".join(roots) or "its packages")
        )
    return Target(
        label=name,
        kind="installed",
        files=[
            SourceFile(path=full, relpath=rel, module=module_of(rel), reader=read_file(full))
            for full, rel in files
        ],
        own=roots,
        distribution=dist_name,
        entry_points=[(ep.name, ep.value) for ep in chosen],
        import_path=lambda: [],
        plugin_names=names,
    )


def origin_group(name: str, groups: Sequence[str], hosted: RecordSource | None) -> str | None:
    """The first of ``groups`` that installed plugin or distribution
    ``name`` provides plugins in, or ``None``.

    A plugin's group is the one its entry point is in; for a hosted
    plugin, the group of the entry point its origin names.  A
    distribution's is the first group it declares entry points in, or
    that of its hosted plugins.
    """
    for group in groups:
        if any(ep.name == name for ep in _group_entry_points(group)):
            return group
    dist = _distribution(name)
    if dist is not None:
        declared = {ep.group for ep in dist.entry_points}
        for group in groups:
            if group in declared:
                return group
    if hosted is None:
        return None
    for rec in hosted():
        origin = origin_of(rec)
        if origin is None or origin.group not in groups:
            continue
        if rec.name == name or (dist is not None and normalize(rec.distribution) == normalize(name)):
            return origin.group
    return None
