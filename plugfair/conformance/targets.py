"""What to check: a source directory, a wheel, an sdist or an installed plugin.

This module holds the target model, source directories and the reading of
project metadata; :mod:`plugfair.conformance.archives` reads wheels and
sdists in place and :mod:`plugfair.conformance.installed` finds installed
plugins' files.  Each target yields its files with a display path, a path
relative to the target's root, and the dotted module name.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from plugfair.interface.errors import UsageError

__all__ = [
    "SourceFile",
    "Target",
    "TargetError",
    "resolve",
    "is_path",
    "from_directory",
    "module_names",
    "module_of",
    "own_roots",
    "read_file",
    "entry_points_ini",
    "metadata_name",
    "project_metadata",
    "ARCHIVE_SUFFIXES",
    "MAX_FILE_BYTES",
]

ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
_SKIP_DIRS = frozenset(
    {"__pycache__", "build", "dist", "node_modules", "venv", "site-packages", "htmlcov"}
)
#: Largest file read from an archive; bigger ones are reported, not read.
MAX_FILE_BYTES = 8 * 1024 * 1024


class TargetError(UsageError):
    """A target cannot be found or read."""


@dataclasses.dataclass
class SourceFile:
    """One Python file of a target."""

    path: str
    relpath: str
    module: str | None
    reader: Callable[[], bytes]

    def read(self) -> bytes:
        return self.reader()


@dataclasses.dataclass
class Target:
    """A set of files checked together, with what is known about them."""

    label: str
    kind: str
    files: list[SourceFile]
    #: Dotted prefixes of the target's own modules.
    own: list[str]
    #: Distribution name, when known.
    distribution: str | None = None
    #: ``(entry-point name, "module:attr")`` in the profile's plugin group.
    entry_points: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: Returns the ``sys.path`` entries that make the target importable
    #: (archives are extracted to a temporary directory on first call).
    import_path: Callable[[], list[str]] | None = None
    #: Called when the check is done (removes extracted files).
    cleanups: list[Callable[[], None]] = dataclasses.field(default_factory=list)
    #: Whether the dynamic checks apply (False for loose files that belong
    #: to no plugin).
    loadable: bool = True
    #: The plugins the user named (an entry point's or a hosted plugin's
    #: name); empty when the target is a whole distribution or tree.
    plugin_names: list[str] = dataclasses.field(default_factory=list)

    def close(self) -> None:
        while self.cleanups:
            self.cleanups.pop()()


def module_names(relpaths: Iterable[str]) -> dict[str, str | None]:
    """Map each ``.py`` relpath to its dotted module name.

    A file's package is found by walking up while directories hold an
    ``__init__.py``; a file outside any package is a top-level module.
    """
    paths = [p for p in relpaths if p.endswith(".py")]
    inits = {p.rpartition("/")[0] for p in paths if p.endswith("/__init__.py") or p == "__init__.py"}
    out: dict[str, str | None] = {}
    for rel in paths:
        parts = rel.split("/")
        dirs, stem = parts[:-1], parts[-1][:-3]
        i = len(dirs)
        while i > 0 and "/".join(dirs[:i]) in inits:
            i -= 1
        names = dirs[i:] + ([] if stem == "__init__" else [stem])
        valid = names and all(n.isidentifier() for n in names)
        out[rel] = ".".join(names) if valid else None
    return out


def module_of(relpath: str) -> str | None:
    """Dotted module of a path relative to an import root (``sys.path`` entry)."""
    parts = relpath[:-3].split("/") if relpath.endswith(".py") else []
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


def own_roots(modules: dict[str, str | None]) -> tuple[list[str], list[str]]:
    """Top-level packages (and the directories holding them) of a file set."""
    roots: set[str] = set()
    parents: set[str] = set()
    for rel, module in modules.items():
        if not module:
            continue
        top = module.partition(".")[0]
        depth = module.count(".") + (1 if rel.endswith("/__init__.py") else 0)
        parts = rel.split("/")
        base = parts[: len(parts) - 1 - depth]
        if "." not in module and not rel.endswith("__init__.py") and base not in ([], ["src"]):
            continue  # a loose script in some directory (docs, tools)
        roots.add(top)
        parents.add("/".join(base))
    return sorted(roots), sorted(parents)


def entry_points_ini(text: str, group: str | None) -> list[tuple[str, str]]:
    if not group:
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    if not parser.has_section(group):
        return []
    return [(k.strip(), v.strip()) for k, v in parser.items(group)]


def _entry_points_setup_cfg(text: str, group: str | None) -> list[tuple[str, str]]:
    if not group:
        return []
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
        raw = parser.get("options.entry_points", group, fallback="")
    except configparser.Error:
        return []
    out = []
    for line in raw.splitlines():
        name, eq, value = line.partition("=")
        if eq and name.strip():
            out.append((name.strip(), value.strip()))
    return out


def _toml(text: str) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _entry_points_pyproject(text: str, group: str | None) -> list[tuple[str, str]]:
    if not group:
        return []
    table = _toml(text).get("project", {}).get("entry-points", {}).get(group, {})
    return [(str(k), str(v)) for k, v in table.items()] if isinstance(table, dict) else []


def metadata_name(text: str) -> str | None:
    match = re.search(r"^Name:\s*(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None


def project_metadata(read: Callable[[str], str | None], group: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """Distribution name and entry points from a source tree's metadata files."""
    name = None
    eps: list[tuple[str, str]] = []
    setup_cfg = read("setup.cfg")
    pyproject = read("pyproject.toml")
    if setup_cfg:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(setup_cfg)
            name = parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            pass
        eps = _entry_points_setup_cfg(setup_cfg, group)
    if pyproject:
        project = _toml(pyproject).get("project", {})
        name = name or (project.get("name") if isinstance(project, dict) else None)
        eps = eps or _entry_points_pyproject(pyproject, group)
    pkg_info = read("PKG-INFO")
    if pkg_info:
        name = name or metadata_name(pkg_info)
    return name, eps


# -- directories --------------------------------------------------------


def read_file(path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(path, "rb") as f:
            return f.read()

    return read


def _package_prefix(root: str) -> tuple[str, str]:
    """Dotted name of ``root`` if it is a package, and its top package's dir.

    Walks up while directories hold an ``__init__.py``; ``("", root)`` when
    ``root`` is not a package.
    """
    names: list[str] = []
    here = root
    top = root
    while os.path.isfile(os.path.join(here, "__init__.py")):
        base = os.path.basename(here)
        if not base.isidentifier():
            return "", root
        names.insert(0, base)
        top = here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return ".".join(names), top


def from_directory(path: str, *, group: str | None, label: str | None = None) -> Target:
    """A source tree: every ``.py`` file below ``path``."""
    root = os.path.abspath(path)
    rels = _python_files(root)

    def read_text(name: str) -> str | None:
        try:
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    dist, eps = project_metadata(read_text, group)
    modules = module_names(rels)
    own, parents = _as_package(root, rels, modules) or own_roots(modules)
    display = path.rstrip("/\\") or "."
    files = [
        SourceFile(
            path=os.path.join(display, *rel.split("/")),
            relpath=rel,
            module=modules[rel],
            reader=read_file(os.path.join(root, *rel.split("/"))),
        )
        for rel in rels
    ]
    import_dirs = [
        os.path.normpath(os.path.join(root, *p.split("/"))) if p else root for p in parents
    ] or [root]
    return Target(
        label=label or path,
        kind="directory",
        files=files,
        own=own,
        distribution=dist,
        entry_points=eps or _egg_entry_points(root, group),
        import_path=lambda: import_dirs,
    )


def _python_files(root: str) -> list[str]:
    """The ``.py`` files below ``root`` (``/``-separated, relative), in
    order, leaving out hidden, build and metadata directories."""
    rels: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS and not d.endswith(".egg-info")
        )
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rels.extend(name if rel_dir == "." else "%s/%s" % (rel_dir, name) for name in sorted(filenames)
                    if name.endswith(".py"))
    return rels


def _egg_entry_points(root: str, group: str | None) -> list[tuple[str, str]]:
    """Entry points from an ``*.egg-info`` in ``root`` or ``root/src`` (an
    older ``setup.py develop``), the last one found."""
    src = os.path.join(root, "src")
    entries = sorted(os.listdir(root)) + ["src/" + e for e in (sorted(os.listdir(src)) if os.path.isdir(src) else [])]
    found: list[tuple[str, str]] = []
    for entry in entries:
        ep_file = os.path.join(root, entry, "entry_points.txt")
        if entry.endswith(".egg-info") and os.path.isfile(ep_file):
            with open(ep_file, encoding="utf-8", errors="replace") as f:
                found = entry_points_ini(f.read(), group)
    return found


def _as_package(root: str, rels: list[str], modules: dict[str, str | None]) -> tuple[list[str], list[str]] | None:
    """When ``root`` is itself (inside) a package: name its modules as they
    are imported, so a plugin's imports of its own modules are its own;
    return its own roots and the directory above the package."""
    prefix, top_dir = _package_prefix(root)
    if not prefix:
        return None
    inits = {r.partition("/")[0] for r in rels if r.endswith("/__init__.py")}
    for rel, mod in modules.items():
        if rel == "__init__.py":
            modules[rel] = prefix
        elif mod and ("/" not in rel or rel.partition("/")[0] in inits):
            modules[rel] = "%s.%s" % (prefix, mod)
    return [prefix], [os.path.relpath(os.path.dirname(top_dir), root).replace(os.sep, "/")]


def is_path(spec: str) -> bool:
    """Whether ``spec`` names a file or directory rather than an installed
    plugin or distribution."""
    return os.path.exists(spec) or spec.endswith(ARCHIVE_SUFFIXES) or os.sep in spec or spec.startswith(".")


def resolve(
    spec: str,
    *,
    group: str | None,
    host_packages: Iterable[str] = (),
    hosted: Callable[[], Sequence[Any]] | None = None,
) -> Target:
    """Turn what the user typed into a :class:`Target`.

    A directory is a source tree; a file ending in a wheel or sdist suffix
    is an archive; anything else names an installed plugin (an entry point
    in ``group``, or a hosted plugin) or distribution.

    :param hosted: returns the registry's records, for hosted plugins'
        names (called only for a name that is no entry point and no
        distribution).
    :raises TargetError: if it is none of those.
    """
    from plugfair.conformance import archives, installed

    if os.path.isdir(spec):
        return from_directory(spec, group=group)
    if os.path.isfile(spec):
        if spec.endswith(ARCHIVE_SUFFIXES):
            return archives.from_archive(spec, group=group)
        raise TargetError(
            "%s is a file but not a wheel or sdist (%s). Give a directory, an "
            "archive or an installed plugin's name." % (spec, ", ".join(ARCHIVE_SUFFIXES))
        )
    if spec.endswith(ARCHIVE_SUFFIXES) or os.sep in spec or spec.startswith("."):
        raise TargetError("%s does not exist. Check the path." % spec)
    return installed.from_installed(spec, group=group, host_packages=host_packages, hosted=hosted)
