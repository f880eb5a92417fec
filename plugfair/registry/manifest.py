"""The manifest cache: what every installed plugin provides, on disk.

Listing plugins and printing help read the manifest, so they import no
plugin module.  The manifest is built by probing the plugins in child
processes (:mod:`plugfair.registry.build`), and brought up to date
whenever the environment changes:

* the *key* covers the interpreter, ``sys.path``, plugfair's own version
  and every setting that shapes the records (the probe's deadline per
  plugin, ``[plugfair] hook_timeout``, decides whether a slow plugin is
  recorded as hung); when it changes, every plugin is probed again;
* the *state* covers, for each ``sys.path`` entry, the names of the
  distribution metadata directories in it (installing, upgrading or
  removing a distribution changes them), the mtime of each one's
  ``entry_points.txt`` and of each ``.pth`` and ``.egg-link`` file; other
  files in those directories are ignored, so a busy working directory
  does not invalidate the cache;
* each record lists the plugin's module files (and those of its parent
  packages), whose mtimes are checked on read, so editing an editable
  install is seen too, also for a plugin that failed at import.

When only the state or module files changed, only what changed is
probed again (:func:`plugfair.registry.build.build`: the plugins of the
distributions that were added, upgraded or edited, those whose files
changed, and the plugins that import them); the other records are kept.
A change to anything that is not a plugin's distribution (a library, a
``.pth`` file, a zip or egg on the path) probes everything again.

The file is ``marshal`` data behind a magic line and a CRC-32 of it: the
warm path (help, listings) compares the key and the state with what is
on disk directly, with no hashing library and no JSON.  Writes go to a
temporary file that is renamed over the old one, so concurrent writers
never leave a torn file; a file that is damaged, foreign or of another
format is rebuilt.  The cache directory is trusted as the user's own
site-packages are (``marshal`` does not defend against crafted data).
The cache is off when ``PLUGFAIR_NO_CACHE`` is set, with ``--no-cache``
or with ``[plugfair] manifest_cache = false``.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Sequence

# What a rebuild needs (the probe, the child processes) is imported where
# it is needed: the warm path (help, listings) must stay near interpreter
# start-up.
from plugfair.registry.childproc import child_sys_path
from plugfair.registry.records import FILES_INDEX, STATUS_FAILED, PluginRecord, Problem

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

__all__ = [
    "cache_dir", "environment_key", "check_timeout", "load", "build", "remember", "store",
    "Manifest", "FORMAT",
]

FORMAT = 5

#: The probe's deadline per plugin when nothing else is configured.
DEFAULT_TIMEOUT = 10.0

_MAGIC = b"plugfair manifest 5\n"

#: Distribution metadata directories, and the files that change the import
#: path or system (their names are compared lower-case, as importlib.metadata
#: does).
_METADATA = (".dist-info", ".egg-info")
_LINKS = (".pth", ".egg-link")


def cache_dir() -> str:
    """Directory of the manifest cache (``PLUGFAIR_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("PLUGFAIR_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "plugfair")


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _entry_state(entry: str) -> tuple[Any, ...]:
    """What is installed in one path entry, cheaply (see the module's
    docstring): ``(entry, ((name, mtime), ...))`` for a directory,
    ``(entry, mtime)`` for a file (a zip), ``(entry, None)`` if missing."""
    where = entry or "."
    try:
        names = os.listdir(where)
    except NotADirectoryError:
        return (entry, _mtime(where))
    except OSError:
        return (entry, None)
    items = []
    if where.lower().endswith(".egg"):  # an egg directory: its own metadata
        items.append(("EGG-INFO", _mtime(os.path.join(where, "EGG-INFO", "entry_points.txt"))))
    prefix = os.path.join(where, "")
    for name in names:
        low = name.lower()
        if low.endswith(_METADATA):
            items.append((name, _mtime(prefix + name + os.sep + "entry_points.txt")))
        elif low.endswith(_LINKS):
            items.append((name, _mtime(prefix + name)))
    items.sort()
    return (entry, tuple(items))


def path_state(path: list[str]) -> tuple[Any, ...]:
    """What is installed on ``path``: :func:`_entry_state` of each entry."""
    return tuple(map(_entry_state, path))


def check_timeout(timeout: object) -> float:
    """``timeout`` as the probe's deadline per plugin, if it is one.

    :returns: the timeout as a float.
    :raises ConfigError: unless it is a finite number of seconds above 0
        (``nan`` would never expire, and 0 or less would fail every plugin).
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        value = float("nan")
    else:
        value = float(timeout)
    if not (value > 0 and value != float("inf")):  # nan compares false
        from plugfair.interface.errors import ConfigError

        raise ConfigError(
            "[plugfair] hook_timeout must be a finite number of seconds greater "
            "than 0, not %r. Set it to, say, 10." % (timeout,)
        )
    return value


def _key(path: list[str], timeout: float) -> tuple[Any, ...]:
    """What, when it changes, makes every record stale."""
    from plugfair import __version__

    return (FORMAT, __version__, sys.executable, sys.prefix, tuple(path), ("hook_timeout", timeout))


def environment_key(path: list[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[Any, ...]:
    """Everything whose change must bring the manifest up to date: the
    key and the state (see the module's docstring).

    :param timeout: the probe's deadline per plugin: it shapes the records
        (a plugin that hangs for 5 s is failed under 1 s and fine under 10
        s), so it is part of the key.
    """
    path = list(sys.path if path is None else path)
    return (_key(path, check_timeout(timeout)), path_state(path))


def _cache_file(path: list[str], suffix: str = "bin") -> str:
    import zlib

    ident = zlib.crc32(repr((sys.executable, sys.prefix, list(path))).encode("utf-8"))
    return os.path.join(cache_dir(), "manifest-%08x.%s" % (ident, suffix))


class Manifest:
    """The records of every installed plugin, in discovery order."""

    def __init__(
        self, records: list[PluginRecord], *, source: str, probed: int | None = None,
        entry_points: dict[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> None:
        self.records = records
        #: ``"cache"`` or ``"probe"``: where it came from.
        self.source = source
        #: How many plugins were probed to make it (0 from the cache).
        self.probed = len(records) if probed is None else probed
        #: Group -> ``((name, value), ...)`` of the other entry-point groups
        #: asked for (see :func:`load`).
        self.entry_points = entry_points or {}


def _stale(rows: list[tuple[Any, ...]]) -> list[int]:
    """Indexes of the records whose module files changed."""
    stat = os.stat
    out = []
    for i, row in enumerate(rows):
        for path, mtime in row[FILES_INDEX].items():
            try:
                if stat(path).st_mtime_ns != mtime:
                    out.append(i)
                    break
            except OSError:
                out.append(i)
                break
    return out


def _read(filename: str) -> dict[str, Any] | None:
    """The data of a manifest file, or ``None`` if it is missing, damaged,
    foreign or of another format."""
    import zlib

    try:
        with open(filename, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + 4
    if not blob.startswith(_MAGIC) or len(blob) < head:
        return None
    if int.from_bytes(blob[head - 4 : head], "big") != zlib.crc32(memoryview(blob)[head:]):
        return None
    try:
        data = marshal.loads(memoryview(blob)[head:])
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("records"), list) and "key" in data):
        return None
    return data


def load(*, use_cache: bool = True, timeout: float = DEFAULT_TIMEOUT, groups: Sequence[str] = ()) -> Manifest:
    """Return the manifest, from the cache when it is up to date.

    The import path is taken with no entry relative to the current
    directory (:func:`~plugfair.registry.childproc.child_sys_path`), so
    the probe sees the same plugins from any directory.

    :param timeout: seconds the probe gives each plugin (``[plugfair]
        hook_timeout``); a manifest probed with another timeout is not used.
    :param groups: prefixes of other entry-point groups whose entry
        points the manifest should list too (in
        :attr:`Manifest.entry_points`, as stevedore lists them; the CLI
        asks for cliff's formatters and command hooks), read when the
        manifest is built, so they are as up to date as the records.
    :raises ConfigError: if ``timeout`` is not a finite number above 0.
    """
    timeout = check_timeout(timeout)
    path = child_sys_path()
    if os.environ.get("PLUGFAIR_NO_CACHE"):
        use_cache = False
    key = _key(path, timeout)
    state = path_state(path)
    filename = _cache_file(path)
    old = _read(filename) if use_cache else None
    stale: list[int] = []
    if old is not None and old["key"] == key:
        try:
            stale = _stale(old["records"])
            if not stale and old.get("state") == state:
                return _warm(old, path, groups, filename)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            old = None
    else:
        old = None
    from plugfair.registry import build as builder

    previous = None
    if old is not None:
        previous = builder.Previous.of(old, stale, _read_extra(filename, old.get("token")))
    prefixes = _prefixes(old, groups)
    built = builder.build(path, timeout=timeout, previous=previous, state=state, groups=prefixes)
    found = built.groups
    if use_cache:
        main, extra = built.data(key, state)
        _write_pair(filename, dict(main, groups=(prefixes, found)), extra)
    return Manifest(built.records, source="probe", probed=built.probed, entry_points=found)


def _prefixes(data: dict[str, Any] | None, groups: Sequence[str]) -> tuple[str, ...]:
    """The group prefixes asked for now and before (all are kept)."""
    before = data.get("groups") if data is not None else None
    known = before[0] if isinstance(before, tuple) and len(before) == 2 else ()
    return tuple(sorted(set(groups) | set(known)))


def _groups(path: list[str], prefixes: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    if not prefixes:
        return {}
    from plugfair.registry.distributions import group_entry_points

    return group_entry_points(path, prefixes)


def _warm(data: dict[str, Any], path: list[str], groups: Sequence[str], filename: str) -> Manifest:
    """The manifest from an up-to-date file; the entry points of groups
    it does not list yet are read and kept (nothing is probed)."""
    records = [PluginRecord.from_row(row) for row in data["records"]]
    stored = data.get("groups")
    if isinstance(stored, tuple) and len(stored) == 2 and set(groups) <= set(stored[0]):
        return Manifest(records, source="cache", probed=0, entry_points=stored[1])
    prefixes = _prefixes(data, groups)
    found = _groups(path, prefixes)
    _write(filename, dict(data, groups=(prefixes, found)))
    return Manifest(records, source="cache", probed=0, entry_points=found)


def build(path: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[PluginRecord]:
    """Probe every plugin on ``path`` in child processes; return their records.

    See :func:`plugfair.registry.build.build`.

    :raises ConfigError: if ``timeout`` is not a finite number above 0.
    """
    from plugfair.registry import build as builder

    return builder.build(path, timeout=check_timeout(timeout)).records


def store(records: list[PluginRecord], path: list[str] | None = None, *,
          timeout: float = DEFAULT_TIMEOUT) -> None:
    """Write a manifest holding ``records`` for ``path`` (default
    ``sys.path``) as it is now, as if they had been probed (a test seam:
    the first change to the path probes everything)."""
    path = list(sys.path if path is None else path)
    key, state = environment_key(path, timeout=timeout)
    _write(_cache_file(path), {"key": key, "state": state, "records": [x.to_row() for x in records]})


def remember(rec: PluginRecord) -> None:
    """Keep, in the cached manifest, a problem a host found at run time.

    A plugin may behave while it is probed and patch what is not its own
    only when a host loads it; the registry catches that as it loads it
    (:class:`~plugfair.registry.integrity.LoadGuard`) and calls this, so
    that later commands refuse the plugin before they import it, and
    ``plugfair plugin doctor`` names it, until the manifest is rebuilt.

    :param rec: the plugin's record, with the problem; only its cached
        record changes.
    """
    if os.environ.get("PLUGFAIR_NO_CACHE"):
        return
    filename = _cache_file(child_sys_path())
    data = _read(filename)
    if data is None:
        return  # no cache, or not one we can read: nothing to keep
    try:
        rows = data["records"]
        for i, row in enumerate(rows):
            cached = PluginRecord.from_row(row)
            if [cached.name, cached.target, cached.distribution, cached.host] == [
                    rec.name, rec.target, rec.distribution, rec.host]:
                cached.status = STATUS_FAILED
                cached.problems = [Problem(p.kind, p.reason, p.remedy, p.traceback) for p in rec.problems]
                rows[i] = cached.to_row()
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return
    _write(filename, data)


def _extra_file(filename: str) -> str:
    return filename[: -len(".bin")] + ".build"


def _read_extra(filename: str, token: object) -> dict[str, Any]:
    """What only a rebuild needs (see :class:`plugfair.registry.build.Built`),
    if the file next to ``filename`` was written with it (same ``token``)."""
    data = _read(_extra_file(filename))
    if data is None or token is None or data.get("token") != token:
        return {}
    return data


def _write_pair(filename: str, main: dict[str, Any], extra: dict[str, Any]) -> None:
    """Write the manifest and, next to it, what only a rebuild reads; a
    token ties the two (a reader of one writer's manifest and another's
    extra data takes neither extra)."""
    token = os.urandom(8)
    _write(_extra_file(filename), dict(extra, key=None, records=[], token=token))
    _write(filename, dict(main, token=token))


def _shared(value: Any, memo: dict[Any, Any]) -> Any:
    """``value`` with equal strings made one object, so ``marshal`` writes
    each once (plugins repeat warnings, units and descriptions)."""
    if isinstance(value, str):
        return memo.setdefault(value, value)
    if isinstance(value, tuple):
        return tuple(_shared(v, memo) for v in value)
    if isinstance(value, list):
        return [_shared(v, memo) for v in value]
    if isinstance(value, dict):
        return {_shared(k, memo): _shared(v, memo) for k, v in value.items()}
    return value


def _write(filename: str, data: dict[str, Any]) -> None:
    """Write ``data`` as a manifest file, atomically."""
    import tempfile
    import zlib

    payload = marshal.dumps(_shared(data, {}) if data.get("records") else data)
    blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    directory = os.path.dirname(filename)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        # No fsync: a file a crash leaves empty or damaged fails its CRC
        # check, and is rebuilt.
        os.replace(tmp, filename)
    except OSError:
        # A read-only or full cache directory only costs speed.
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
