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
from collections.abc import Iterable

from plugfair.conformance import hostscan
from plugfair.conformance.targets import (
    ARCHIVE_SUFFIXES,
    SourceFile,
    Target,
    TargetError,
    module_of,
    read_file,
)
from plugfair.registry.records import NAMESPACE

__all__ = ["from_installed", "plugin_roots", "locate_package", "normalize"]


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


def from_installed(name: str, *, group: str | None, host_packages: Iterable[str] = ()) -> Target:
    """An installed plugin (entry-point name) or distribution (by name).

    ``name`` is looked up, in this order, as an entry point in ``group``
    (the profile's plugin group), as an entry point in plugfair's own group
    ``plugfair.plugins`` (so a plugfair plugin can be checked against any
    profile by the name it is listed under), and as a distribution name.

    :param group: the profile's plugin group; its entry points of the
        same distribution are the ones the dynamic checks load.
    :raises TargetError: if nothing installed has that name.
    """
    eps = _group_entry_points(group)
    chosen, roots = _roots_of(name, group)
    dist: importlib.metadata.Distribution | None = None
    if chosen:
        dist = getattr(chosen[0], "dist", None)
        dist_name = _dist_name(chosen[0])
    else:
        theirs, roots = _roots_of(name, NAMESPACE) if group != NAMESPACE else ([], [])
        if theirs:
            dist = getattr(theirs[0], "dist", None)
            dist_name = _dist_name(theirs[0])
        else:
            try:
                dist = importlib.metadata.distribution(name)
            except importlib.metadata.PackageNotFoundError:
                dist = None
            if dist is None:
                raise TargetError(
                    "%r is not a directory, an archive (%s) or an installed plugin or "
                    "distribution.%s" % (name, ", ".join(ARCHIVE_SUFFIXES), _known_hint(group))
                )
            dist_name = str(dist.metadata["Name"] or name)
        chosen = [
            ep
            for ep in eps
            if normalize(_dist_name(ep)) == normalize(dist_name)
        ]
        if not theirs:
            # A distribution is checked whole: its top-level packages.
            assert dist is not None
            roots = _dist_roots(dist) or sorted(
                {ep.value.partition(":")[0].strip().split(".")[0] for ep in chosen}
            )
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
    )
