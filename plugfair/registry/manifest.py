"""The manifest cache: what every installed plugin provides, on disk.

Listing plugins and printing help read the manifest, so they import no
plugin module.  The manifest is rebuilt by probing the plugins in a child
process whenever the environment changes:

* the key covers the interpreter, ``sys.path``, the names of the
  distribution metadata directories on it (installing, upgrading or
  removing a distribution changes them), the mtime of each one's
  ``entry_points.txt`` and of each ``.pth`` file, and plugfair's own
  version; other files in ``sys.path`` directories are ignored, so a busy
  working directory does not invalidate the cache;
* each record also lists the plugin module files (and those of its
  parent packages), whose mtimes are checked on read, so editing an
  editable install is seen too, also for a plugin that failed at import;
* the key also covers every setting that shapes the records: the probe's
  deadline per plugin (``[plugfair] hook_timeout``) decides whether a slow
  plugin is recorded as hung, so a manifest written under one timeout is
  never reused under another.

Writes go to a temporary file that is renamed over the old one, so
concurrent writers never leave a torn file; a file that does not parse, or
whose key does not match, is rebuilt.  The cache is off when
``PLUGFAIR_NO_CACHE`` is set, with ``--no-cache`` or with
``[plugfair] manifest_cache = false``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import subprocess

# subprocess, tempfile and time are imported where a rebuild needs them:
# the warm path (help, listings) must stay near interpreter start-up.

from plugfair.interface.errors import ConfigError
from plugfair.registry.childproc import child_sys_path, python_command
from plugfair.registry.records import STATUS_FAILED, PluginRecord, Problem

__all__ = ["cache_dir", "environment_key", "check_timeout", "load", "build", "Manifest"]

FORMAT = 4

#: The probe's deadline per plugin when nothing else is configured.
DEFAULT_TIMEOUT = 10.0


def cache_dir() -> str:
    """Directory of the manifest cache (``PLUGFAIR_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("PLUGFAIR_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "plugfair")


_METADATA = (".dist-info", ".egg-info")
_LINKS = (".pth", ".egg-link")


def _path_state(path: list[str]) -> list[Any]:
    """What is installed on ``path``, cheaply.

    For a directory: the names of its distribution metadata directories
    (they carry the version, so upgrades show), the mtime of each one's
    ``entry_points.txt``, and the mtime of each ``.pth``/``.egg-link`` file.
    Other files in the directory are ignored, so a busy working directory on
    ``sys.path`` does not invalidate the cache.  For a zip or egg file: its
    mtime.
    """
    state: list[Any] = []
    for entry in path:
        where = entry or "."
        try:
            names = os.listdir(where)
        except NotADirectoryError:
            try:
                state.append([entry, os.stat(where).st_mtime_ns])
            except OSError:
                state.append([entry, None])
            continue
        except OSError:
            state.append([entry, None])
            continue
        for name in sorted(names):
            if name.endswith(_METADATA):
                target = os.path.join(where, name, "entry_points.txt")
            elif name.endswith(_LINKS):
                target = os.path.join(where, name)
            else:
                continue
            try:
                state.append([name, os.stat(target).st_mtime_ns])
            except OSError:
                state.append([name, None])
    return state


def check_timeout(timeout: object) -> float:
    """``timeout`` as the probe's deadline per plugin, if it is one.

    :returns: the timeout as a float.
    :raises ConfigError: unless it is a finite number of seconds above 0
        (``nan`` would never expire, and 0 or less would fail every plugin).
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        value = math.nan
    else:
        value = float(timeout)
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(
            "[plugfair] hook_timeout must be a finite number of seconds greater "
            "than 0, not %r. Set it to, say, 10." % (timeout,)
        )
    return value


def environment_key(path: list[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Hash of everything whose change must invalidate the manifest.

    :param timeout: the probe's deadline per plugin: it shapes the records
        (a plugin that hangs for 5 s is failed under 1 s and fine under 10
        s), so it is part of the key.
    """
    from plugfair import __version__

    path = list(sys.path if path is None else path)
    settings = {"hook_timeout": check_timeout(timeout)}
    material = json.dumps(
        [FORMAT, __version__, sys.executable, sys.prefix, path, _path_state(path), settings]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _cache_file(path: list[str]) -> str:
    ident = hashlib.sha256(
        json.dumps([sys.executable, sys.prefix, path]).encode("utf-8")
    ).hexdigest()[:16]
    return os.path.join(cache_dir(), "manifest-%s.json" % ident)


class Manifest:
    """The records of every installed plugin, in discovery order."""

    def __init__(self, records: list[PluginRecord], *, source: str) -> None:
        self.records = records
        #: ``"cache"``, ``"probe"`` or ``"classes"``: where it came from.
        self.source = source


def _fresh(records: list[dict[str, Any]]) -> bool:
    for rec in records:
        for path, mtime in rec.get("files", {}).items():
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
    return True


def load(*, use_cache: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Manifest:
    """Return the manifest, from the cache when it is valid.

    The import path is taken with no entry relative to the current
    directory (:func:`~plugfair.registry.childproc.child_sys_path`), so
    the probe sees the same plugins from any directory.

    :param timeout: seconds the probe gives each plugin (``[plugfair]
        hook_timeout``); a manifest probed with another timeout is not used.
    :raises ConfigError: if ``timeout`` is not a finite number above 0.
    """
    timeout = check_timeout(timeout)
    path = child_sys_path()
    if os.environ.get("PLUGFAIR_NO_CACHE"):
        use_cache = False
    filename = _cache_file(path)
    key = environment_key(path, timeout=timeout)
    if use_cache:
        try:
            with open(filename, encoding="utf-8") as f:
                data = json.load(f)
            if (
                isinstance(data, dict)
                and data.get("key") == key
                and isinstance(data.get("records"), list)
                and _fresh(data["records"])
            ):
                return Manifest(
                    [PluginRecord.from_dict(d) for d in data["records"]],
                    source="cache",
                )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # missing, torn or foreign: rebuild
    records = build(path, timeout=timeout)
    if use_cache:
        _write(filename, {"key": key, "records": [x.to_dict() for x in records]})
    return Manifest(records, source="probe")


def _write(filename: str, data: dict[str, Any]) -> None:
    import tempfile

    directory = os.path.dirname(filename)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filename)
    except OSError:
        # A read-only or full cache directory only costs speed.
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass


_CHILD = (
    "import json, sys\n"
    "job = json.loads(sys.stdin.read())\n"
    "sys.path[:] = job['sys_path']\n"
    "from plugfair.registry.probe import run_job\n"
    "run_job(job)\n"
)


def build(path: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[PluginRecord]:
    """Probe every plugin in child processes and return their records.

    A child that dies (``os._exit``, a crash) or stops answering for
    ``timeout`` seconds while probing one plugin (or one hosted plugin) is
    killed; that plugin is recorded as failed and a new child carries on
    with the rest.
    """
    import tempfile

    timeout = check_timeout(timeout)
    records: list[PluginRecord] = []
    skip: list[str] = []
    rehost: list[str] = []
    with tempfile.TemporaryDirectory(prefix="plugfair-probe-") as tmp:
        for attempt in range(10_000):
            out = os.path.join(tmp, "out-%d.jsonl" % attempt)
            job = {"sys_path": child_sys_path(path), "out": out, "skip": skip, "rehost": rehost}
            started, done = _run_child(job, out, timeout)
            for line in started["records"]:
                rec = PluginRecord.from_dict(line["record"])
                records.append(rec)
                skip.append(line["ident"])
                if rec.hosted:
                    rehost.append(line["ident"])
            if done:
                break
            culprit = started["current"]
            if culprit is None:
                # The child died before probing anything: report it once.
                records.append(_broken_probe(started["why"]))
                break
            records.append(_culprit_record(culprit, started, path, timeout))
            skip.append(culprit)
    return records


def _culprit_record(
    culprit: str, started: dict[str, Any], path: list[str], timeout: float
) -> PluginRecord:
    """The record of the plugin a probe child died or hung on."""
    from plugfair.registry.probe import module_files

    name, target, dist, host = json.loads(culprit)
    rec = PluginRecord(
        name=name,
        target=target,
        distribution=dist,
        version=started["version"] or "unknown",
        host=host,
    )
    rec.files = module_files(target.split(":")[0], path, use_loaded=False)
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(
            kind="import" if started["why"] != "hang" else "hang",
            reason=(
                "probing it did not finish within %.3g s (it hangs at "
                "import or in a hook)" % timeout
                if started["why"] == "hang"
                else "the process ended while importing it or calling "
                "its hooks (%s)" % started["why"]
            ),
            remedy="Report it to the plugin's authors (distribution %s), "
            "or disable it with '[plugfair] disabled_plugins = %s'." % (dist, name),
        )
    )
    return rec


def _broken_probe(why: str) -> PluginRecord:
    rec = PluginRecord(name="plugfair_probe", target="plugfair.registry.probe:run_job")
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(
            kind="probe",
            reason="the plugin probe could not start (%s)" % why,
            remedy="Check that plugfair is installed in this interpreter.",
        )
    )
    return rec


def _run_child(
    job: dict[str, Any], out: str, timeout: float
) -> tuple[dict[str, Any], bool]:
    import subprocess
    import time

    proc = subprocess.Popen(
        python_command(_CHILD),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job).encode("utf-8"))
    proc.stdin.close()
    state: dict[str, Any] = {"records": [], "current": None, "version": "", "why": ""}
    offset = 0
    last = time.monotonic()
    # Child start-up (imports) gets the same allowance as one plugin, plus a
    # little, so a loaded machine does not blame the first plugin.
    deadline_extra = 20.0
    done = False
    buffer = ""
    while True:
        rc = proc.poll()
        try:
            with open(out, encoding="utf-8") as f:
                f.seek(offset)
                chunk = f.read()
                offset = f.tell()
        except OSError:
            chunk = ""
        if chunk:
            buffer += chunk
            *lines, buffer = buffer.split("\n")
            for line in lines:
                item = json.loads(line)
                if "start" in item:
                    state["current"] = item["start"]
                    state["version"] = item.get("version", "")
                    last = time.monotonic()
                    deadline_extra = 0.0
                elif "record" in item:
                    state["records"].append(item)
                    state["current"] = None
                    last = time.monotonic()
                elif item.get("done"):
                    done = True
        if rc is not None and not chunk:
            break
        if time.monotonic() - last > timeout + deadline_extra:
            proc.kill()
            proc.wait()
            state["why"] = "hang"
            _drain(proc)
            return state, False
        if rc is None:
            time.sleep(0.01)
    err = _drain(proc)
    if not done:
        state["why"] = "exit status %s%s" % (
            proc.returncode,
            (": " + err.strip().splitlines()[-1]) if err.strip() else "",
        )
    return state, done


def _drain(proc: subprocess.Popen[bytes]) -> str:
    if proc.stderr is None:
        return ""
    data = proc.stderr.read(65536)
    proc.stderr.close()
    return data.decode("utf-8", "replace")
