"""Generate a complete out-of-tree plugin project (``plugfair plugin new``).

The project is rendered in memory from the Jinja2 templates shipped as
package data, checked against what is on disk, and only then written.
Nothing is ever overwritten, and a failure while writing removes what was
written, so a bad invocation leaves the disk as it was.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from plugfair.interface.errors import PlugfairError, UsageError
from plugfair.interface.plugin import API_VERSION

__all__ = [
    "CAPABILITIES",
    "SOURCE_ENV",
    "plugfair_requirement",
    "ProjectExists",
    "Project",
    "validate_name",
    "parse_capabilities",
    "render",
    "generate",
]

#: Capabilities a generated plugin can have, in the order they are listed.
CAPABILITIES = ("tests", "commands", "quota", "config")

#: The environment variable a generated project's tox.ini reads for the
#: pip requirement that installs plugfair (see :func:`plugfair_requirement`).
SOURCE_ENV = "PLUGFAIR_SOURCE"

#: The Python versions plugfair is tested on, oldest first.  A generated
#: project declares the same (``python_requires``, classifiers, ruff's
#: target); a test keeps them equal to plugfair's own ``setup.cfg``.
PYTHON_VERSIONS: tuple[str, ...] = ("3.11",)

# A plugin name that also works as a command word (32 characters at most).
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_RESERVED = frozenset({"plugfair", "api", "test", "tests"})

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

# (template, output path, capability needed or None).  ``{package}`` in an
# output path is replaced by the Python package name.
_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("README.rst.j2", "README.rst", None),
    ("setup.cfg.j2", "setup.cfg", None),
    ("pyproject.toml.j2", "pyproject.toml", None),
    ("tox.ini.j2", "tox.ini", None),
    ("stestr.conf.j2", ".stestr.conf", None),
    ("gitignore.j2", ".gitignore", None),
    ("ruff.toml.j2", "ruff.toml", None),
    ("package/__init__.py.j2", "{package}/__init__.py", None),
    ("package/plugin.py.j2", "{package}/plugin.py", None),
    ("package/config.py.j2", "{package}/config.py", "config"),
    ("package/commands.py.j2", "{package}/commands.py", "commands"),
    ("package/quota.py.j2", "{package}/quota.py", "quota"),
    ("package/tests/__init__.py.j2", "{package}/tests/__init__.py", None),
    ("package/tests/test_plugin.py.j2", "{package}/tests/test_plugin.py", None),
    ("releasenote.yaml.j2", "releasenotes/notes/initial-release-{note_id}.yaml", None),
)


class ProjectExists(PlugfairError, FileExistsError):
    """Generating the project would overwrite files that already exist.

    :param paths: the files (or non-directories) in the way.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        shown = ", ".join(paths[:5]) + (" ..." if len(paths) > 5 else "")
        super().__init__(
            "Refusing to overwrite %d existing path(s): %s. Nothing was "
            "written. Choose another --dir or remove them first."
            % (len(paths), shown)
        )
        #: Every path in the way.
        self.paths = list(paths)


@dataclasses.dataclass(frozen=True)
class Project:
    """What :func:`generate` wrote.

    :param name: the plugin (entry-point) name.
    :param directory: the project's root directory.
    :param package: the Python package name.
    :param capabilities: the capabilities the plugin has.
    :param files: paths of the files written, relative to ``directory``.
    """

    name: str
    directory: str
    package: str
    capabilities: tuple[str, ...]
    files: tuple[str, ...]


def validate_name(name: str) -> str:
    """Check a plugin name for ``plugin new`` and return it.

    :param name: a lowercase identifier of at most 32 characters.
    :returns: ``name``.
    :raises UsageError: if it is not valid or is reserved.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(
            "Invalid plugin name %r: use a lowercase identifier of at most 32 "
            "characters (a-z, 0-9 and '_', starting with a letter), e.g. "
            "'dns' or 'object_store'." % (name,)
        )
    if name in _RESERVED:
        raise UsageError(
            "The plugin name %r is reserved; choose a name for your project, "
            "e.g. 'dns'." % name
        )
    return name


def parse_capabilities(value: str | Iterable[str]) -> tuple[str, ...]:
    """Parse a capability list such as ``"tests,commands"``.

    :param value: a comma-separated string or an iterable of names.
    :returns: the distinct capabilities, in :data:`CAPABILITIES` order.
    :raises UsageError: if the list is empty or names an unknown capability.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(i).strip().lower() for i in items]
    unknown = sorted({n for n in names if n and n not in CAPABILITIES})
    if unknown:
        raise UsageError(
            "Unknown capability %s. Choose from: %s (comma-separated)."
            % (", ".join(repr(u) for u in unknown), ",".join(CAPABILITIES))
        )
    chosen = tuple(c for c in CAPABILITIES if c in names)
    if not chosen:
        raise UsageError(
            "No capability given. Choose one or more of: %s (comma-separated)."
            % ",".join(CAPABILITIES)
        )
    return chosen


def plugfair_requirement() -> str:
    """The pip requirement that installs the plugfair running this code.

    A generated project's tox environments install plugfair with it, so
    they work before plugfair is on the package index.  When plugfair was
    installed from a local checkout, wheel or sdist (editable or not), its
    ``direct_url.json`` (PEP 610) names it and the requirement is
    ``plugfair @ file:///...``; otherwise (an index, or a location that is
    gone) it is ``plugfair>=<this version>``.  Metadata without
    ``direct_url.json``, such as the ``plugfair.egg-info`` of a checkout
    that happens to be on ``sys.path``, is passed over.

    :returns: a requirement for ``pip install``.
    """
    import importlib.metadata

    import plugfair

    for dist in importlib.metadata.distributions(name="plugfair"):
        url = _local_url(dist)
        if url:
            return "plugfair @ %s" % url
    return "plugfair>=%s" % plugfair.__version__


def _local_url(dist: Any) -> str | None:
    """The ``file:`` URL a distribution was installed from, if it still exists."""
    import json
    import urllib.parse
    import urllib.request

    try:
        data = json.loads(dist.read_text("direct_url.json") or "{}")
    except (ValueError, OSError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.startswith("file:") or data.get("vcs_info"):
        return None
    path = urllib.request.url2pathname(urllib.parse.urlparse(url).path)
    return url if os.path.exists(path) else None


def _test_base() -> tuple[str, str]:
    """The base class of the generated tests: plugfair's if it has one."""
    import plugfair.api

    if "TestCase" in getattr(plugfair.api, "__all__", ()):
        return "plugfair.api", "api.TestCase"
    return "testtools", "testtools.TestCase"


def _context(name: str, caps: tuple[str, ...]) -> dict[str, Any]:
    import hashlib

    import plugfair

    dist = "%s-plugfair-plugin" % name.replace("_", "-")
    package = "%s_plugfair_plugin" % name
    base_module, base = _test_base()
    return {
        "name": name,
        "dist": dist,
        "package": package,
        "class_name": "".join(p.capitalize() for p in name.split("_")) + "Plugin",
        "command": "%s hello" % name.replace("_", "-"),
        "description": "The %s plugin for plugfair." % name,
        "caps": caps,
        "api_version": API_VERSION,
        "plugfair_min": plugfair.__version__,
        "python_versions": PYTHON_VERSIONS,
        "source_env": SOURCE_ENV,
        "plugfair_requirement": plugfair_requirement(),
        "test_base_module": base_module,
        "test_base": base,
        "note_id": hashlib.sha256(name.encode()).hexdigest()[:16],
    }


def render(name: str, capabilities: str | Iterable[str] = CAPABILITIES) -> dict[str, str]:
    """Render the project files in memory.

    :param name: the plugin name.
    :param capabilities: the capabilities to generate.
    :returns: relative path -> file content, in a fixed order.
    :raises UsageError: for a bad name or capability list.
    """
    import jinja2

    name = validate_name(name)
    caps = parse_capabilities(capabilities)
    ctx = _context(name, caps)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
        autoescape=False,  # noqa: S701 - generating Python and INI, not HTML
    )
    out: dict[str, str] = {}
    for template, path, needs in _FILES:
        if needs is not None and needs not in caps:
            continue
        rel = path.format(package=ctx["package"], note_id=ctx["note_id"])
        text = env.get_template(template).render(**ctx)
        out[rel] = text.rstrip("\n") + "\n" if text.strip() else ""
    return out


def _conflicts(root: str, rels: Iterable[str]) -> list[str]:
    """Paths that would be overwritten, or that are files where a directory goes."""
    found: list[str] = []
    if os.path.lexists(root) and not os.path.isdir(root):
        return [root]
    for rel in rels:
        path = os.path.join(root, rel)
        if os.path.lexists(path):
            found.append(path)
            continue
        parent = os.path.dirname(path)
        while parent != root and len(parent) > len(root):
            if os.path.lexists(parent) and not os.path.isdir(parent):
                found.append(parent)
                break
            parent = os.path.dirname(parent)
    return sorted(set(found))


def generate(
    name: str,
    *,
    directory: str | None = None,
    capabilities: str | Iterable[str] = CAPABILITIES,
    base: str = ".",
) -> Project:
    """Generate a plugin project on disk.

    :param name: the plugin name, a lowercase identifier.
    :param directory: the project directory; default
        ``<base>/<name>-plugfair-plugin``.  It may exist, but none of the
        files to generate may.
    :param capabilities: which capabilities the plugin has.
    :param base: where the default directory goes.
    :returns: a :class:`Project` describing what was written.
    :raises UsageError: for a bad name or capability list.
    :raises ProjectExists: if any file to generate already exists; nothing
        is written then.
    :raises OSError: if writing fails; what was written is removed.
    """
    files = render(name, capabilities)
    caps = parse_capabilities(capabilities)
    if directory is None:
        directory = os.path.join(base, "%s-plugfair-plugin" % name.replace("_", "-"))
    root = os.path.abspath(directory)
    conflicts = _conflicts(root, files)
    if conflicts:
        raise ProjectExists(conflicts)
    made_dirs: list[str] = []
    made_files: list[str] = []
    try:
        for rel, text in files.items():
            path = os.path.join(root, rel)
            missing = []
            parent = os.path.dirname(path)
            while not os.path.isdir(parent):
                missing.append(parent)
                parent = os.path.dirname(parent)
            for d in reversed(missing):
                os.mkdir(d)
                made_dirs.append(d)
            with open(path, "x", encoding="utf-8") as fh:
                made_files.append(path)
                fh.write(text)
    except BaseException:
        for path in reversed(made_files):
            try:
                os.unlink(path)
            except OSError:  # pragma: no cover - best effort
                pass
        for d in reversed(made_dirs):
            try:
                os.rmdir(d)
            except OSError:  # pragma: no cover - best effort
                pass
        raise
    return Project(
        name=name,
        directory=root,
        package="%s_plugfair_plugin" % name,
        capabilities=caps,
        files=tuple(files),
    )
