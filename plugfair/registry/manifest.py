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
from typing import Any

# What a rebuild needs (the probe, the child processes) is imported where
# it is needed: the warm path (help, listings) must stay near interpreter
# start-up.
from plugfair.registry.childproc import child_sys_path
from plugfair.registry.records import STATUS_FAILED, PluginRecord, Problem

__all__ = ["cache_dir", "environment_key", "check_timeout", "load", "build", "remember", "Manifest"]

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
        from plugfair.interface.errors import ConfigError

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
    try:
        with open(filename, encoding="utf-8") as f:
            data = json.load(f)
        for cached in data["records"]:
            if [cached.get(k) for k in ("name", "target", "distribution", "host")] == [
                    rec.name, rec.target, rec.distribution, rec.host]:
                cached["status"] = STATUS_FAILED
                cached["problems"] = [p.to_dict() for p in rec.problems]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return  # no cache, or not one we can read: nothing to keep
    _write(filename, data)


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


def build(path: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[PluginRecord]:
    """Probe every plugin in child processes and return their records.

    The host lists the entry points itself and hands the child one plugin
    at a time (:func:`plugfair.registry.childproc.host.run_units`): a plugin
    that kills the child, or stops answering for ``timeout`` seconds, is
    recorded as failed and a new child carries on with the rest, and an
    answer the host did not ask for is never taken as another plugin's
    record.  A plugin's record is its own: nothing another plugin does
    changes it.

    :raises ConfigError: if ``timeout`` is not a finite number above 0.
    """
    from plugfair.registry import probe
    from plugfair.registry.childproc import host as childproc

    timeout = check_timeout(timeout)
    units = [
        childproc.Unit(probe.ident(name, target, dist), {
            "name": name, "target": target, "dist": dist, "version": version, "host": None,
        })
        for name, target, dist, version in probe.entry_points(path)
    ]
    job: dict[str, Any] = {
        "sys_path": child_sys_path(path),
        "plugins": [[u.payload["name"], u.payload["target"]] for u in units],
    }
    order = list(units)

    def follow(unit: childproc.Unit, outcome: childproc.Outcome) -> list[childproc.Unit]:
        hosted = _hosted_units(unit, outcome.result or {})
        job["plugins"].extend([h.payload["name"], h.payload["target"]] for h in hosted)
        at = order.index(unit) + 1
        order[at:at] = [h for h in hosted if h.ident not in {u.ident for u in order}]
        return hosted

    outcomes = childproc.run_units(
        "plugfair.registry.probe:handler", job, units, timeout=timeout, follow=follow
    )
    if units and all(o.kind == "start" for o in outcomes.values()):
        return [_broken_probe(next(iter(outcomes.values())).why)]
    records = {u.ident: _record(u, outcomes.get(u.ident), path, timeout) for u in order}
    _judge_sightings(order, outcomes, records)
    return [records[u.ident] for u in order if _hosted_by_usable(records[u.ident], records, u)]


def _hosted_units(unit: Any, result: dict[str, Any]) -> list[Any]:
    """The units of the plugins a host's accepted answer declares."""
    from plugfair.registry import probe
    from plugfair.registry.childproc import host as childproc

    record = result.get("record")
    if unit.payload.get("host") is not None or not isinstance(record, dict):
        return []
    if record.get("status") != "ok" or not _is_own(unit, record):
        return []
    declared = [h for h in result.get("hosted") or [] if isinstance(h, list) and len(h) == 5
                and all(isinstance(x, str) for x in h)]
    names = record.get("hosted") or []
    return [
        childproc.Unit(probe.ident(name, module, dist, unit.payload["name"]), {
            "name": name, "target": module, "dist": dist, "version": version, "origin": origin,
            "host": unit.payload["name"], "host_unit": unit.payload,
        })
        for name, module, dist, version, origin in declared
        if name in names
    ]


def _is_own(unit: Any, record: dict[str, Any]) -> bool:
    """Whether ``record`` describes the plugin of ``unit``, as the host
    itself named it."""
    p = unit.payload
    return [record.get(k) for k in ("name", "target", "distribution", "host")] == [
        p["name"], p["target"], p["dist"], p["host"]]


def _hosted_by_usable(rec: PluginRecord, records: dict[str, PluginRecord], unit: Any) -> bool:
    """Keep a hosted plugin's record only while its host is usable (a host
    found failed after its turn hosts nothing)."""
    host = unit.payload.get("host_unit")
    if host is None:
        return True
    from plugfair.registry import probe

    found = records.get(probe.ident(host["name"], host["target"], host["dist"]))
    return found is not None and found.status == "ok" and rec.name in found.hosted


def _record(unit: Any, outcome: Any, path: list[str], timeout: float) -> PluginRecord:
    """The record of ``unit`` from its outcome, as the host judges it."""
    if outcome is None or outcome.result is None:
        why = outcome.why if outcome is not None else "it was not probed"
        kind = outcome.kind if outcome is not None else "probe"
        return _culprit_record(unit.payload, kind, why, path, timeout)
    data = outcome.result.get("record")
    if not _fits(data, _RECORD) or not _is_own(unit, data):
        return _culprit_record(unit.payload, "forged", "its probe answered with a record that is malformed "
                               "or not its own", path, timeout)
    rec = PluginRecord.from_dict(data)
    for taint in outcome.taint:
        if taint.startswith("fork:"):
            _fail(rec, "fork", "it forked the probe process while it was loaded (%s); a plugin must not "
                  "fork when it is imported or its hooks are called" % taint[5:].strip())
    return rec


#: The shape of a record as the probe sends it: a type, a tuple of the
#: values or types allowed, ``[shape]`` for a list, ``{str: shape}`` for a
#: mapping, or a dict of the keys a mapping must have, with their shapes.
_PROBLEM = {"kind": str, "reason": str, "remedy": str, "traceback": str}
_RECORD: dict[str, Any] = {
    "name": str, "target": str, "distribution": str, "version": str, "api_version": str,
    "description": str, "status": ("ok", "failed", "incompatible"), "problems": [_PROBLEM],
    "commands": {str: str}, "config_groups": {str: [str]},
    "quota": [{"name": str, "default": int, "unit": str, "description": str}],
    "quota_usage": bool, "prepares": bool, "services": [str], "test_packages": [str],
    "files": {str: int}, "host": (str, None), "origin": str, "hosted": [str],
    "warnings": [str],
}


def _fits(value: Any, shape: Any) -> bool:
    """Whether decoded JSON ``value`` has ``shape`` (see :data:`_RECORD`)."""
    if isinstance(shape, type):
        return isinstance(value, shape) and (shape is bool or not isinstance(value, bool))
    if isinstance(shape, tuple):
        return any(_fits(value, s) if isinstance(s, type) else value == s for s in shape)
    if isinstance(shape, list):
        return isinstance(value, list) and all(_fits(v, shape[0]) for v in value)
    if not isinstance(value, dict):
        return False
    if str in shape:
        return all(isinstance(k, str) and _fits(v, shape[str]) for k, v in value.items())
    return value.keys() == shape.keys() and all(_fits(value[k], s) for k, s in shape.items())


def _judge_sightings(order: list[Any], outcomes: dict[str, Any], records: dict[str, PluginRecord]) -> None:
    """A plugin that changed the class of a plugin probed after it: what
    its turn saw of that class differs from what that plugin's own turn
    saw (in a fresh process)."""
    from plugfair.registry.integrity import code_changes

    own = {}
    for unit in order:
        outcome = outcomes.get(unit.ident)
        if outcome is not None and outcome.result is not None and isinstance(outcome.result.get("code"), dict):
            own[unit.payload["target"]] = (unit.payload["name"], outcome.result["code"])
    for unit in order:
        outcome = outcomes.get(unit.ident)
        seen = outcome.result.get("seen") if outcome is not None and outcome.result is not None else None
        for target, view in (seen or {}).items() if isinstance(seen, dict) else ():
            if target not in own or not isinstance(view, dict):
                continue
            name, theirs = own[target]
            changed = code_changes(theirs, view)
            if changed and name != unit.payload["name"]:
                _fail(records[unit.ident], "tamper", "it changes what is not its own: plugin %s (%s)"
                      % (name, ", ".join("%s.%s" % (target.replace(":", "."), a) for a in changed[:5])))


def _fail(rec: PluginRecord, kind: str, reason: str) -> None:
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(kind=kind, reason=reason, remedy="Report it to the plugin's authors (distribution %s), "
                "or disable it with '[plugfair] disabled_plugins = %s'." % (rec.distribution, rec.name))
    )


#: Problem kind of a plugin the probe got no record of, by outcome kind.
_CULPRIT_KINDS = {"hang": "hang", "exit": "import", "forged": "probe", "fork": "fork", "start": "probe"}


def _culprit_record(
    unit: dict[str, Any], kind: str, why: str, path: list[str], timeout: float
) -> PluginRecord:
    """The record of a plugin the probe got no record of."""
    from plugfair.registry.probe import module_files

    rec = PluginRecord(
        name=unit["name"], target=unit["target"], distribution=unit["dist"],
        version=unit["version"] or "unknown", host=unit["host"], origin=unit.get("origin", ""),
    )
    rec.files = module_files(unit["target"].split(":")[0], path, use_loaded=False)
    if kind == "hang":
        reason = "probing it did not finish within %.3g s (it hangs at import or in a hook)" % timeout
    elif kind == "exit":
        reason = why.replace("the process ended", "the process ended while importing it or calling its hooks", 1)
    else:
        reason = "%s while it was probed" % why
    _fail(rec, _CULPRIT_KINDS.get(kind, "probe"), reason)
    return rec


def _broken_probe(why: str) -> PluginRecord:
    rec = PluginRecord(name="plugfair_probe", target="plugfair.registry.probe:handler")
    rec.status = STATUS_FAILED
    rec.problems.append(
        Problem(
            kind="probe",
            reason="the plugin probe could not start (%s)" % why,
            remedy="Check that plugfair is installed in this interpreter.",
        )
    )
    return rec
