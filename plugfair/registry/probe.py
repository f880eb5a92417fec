"""Probe plugins: import each one, call its hooks, describe it as a record.

:func:`describe` judges one plugin class.  :func:`run_job` is the body of
the probe child process, which the manifest builder starts so that a plugin
that exits, hangs or floods stdout at import cannot touch the host process.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from plugfair.interface.errors import (
    IncompatiblePlugin,
    PluginLoadError,
    PluginValidationError,
)
from plugfair.registry import records as r
from plugfair.registry import validate as v

__all__ = ["describe", "snapshot_host", "host_changes", "run_job", "entry_points"]


def snapshot_host() -> dict[str, dict[str, int]]:
    """Record the identity of every attribute of plugfair's own modules."""
    snap: dict[str, dict[str, int]] = {}
    for modname, mod in list(sys.modules.items()):
        if mod is None or not (modname == "plugfair" or modname.startswith("plugfair.")):
            continue
        attrs = dict(vars(mod))
        snap[modname] = {k: id(val) for k, val in attrs.items()}
        for k, val in attrs.items():
            if isinstance(val, type) and getattr(val, "__module__", "").startswith(
                ("plugfair.", "plugfair")
            ):
                snap["%s.%s" % (modname, k)] = {a: id(b) for a, b in vars(val).items()}
    return snap


def host_changes(before: dict[str, dict[str, int]]) -> list[str]:
    """Return the plugfair attributes changed since ``before``."""
    after = snapshot_host()
    changed = []
    for owner, attrs in before.items():
        now = after.get(owner)
        if now is None:
            continue
        for name, ident in attrs.items():
            if now.get(name) != ident:
                changed.append("%s.%s" % (owner, name))
        for name in now.keys() - attrs.keys():
            mod = sys.modules.get(owner)
            value = getattr(mod, name, None) if mod is not None else None
            if isinstance(value, type(sys)) and value.__name__ == "%s.%s" % (owner, name):
                continue  # a submodule was imported: not a patch
            if name.startswith("__") or owner not in sys.modules:
                continue
            changed.append("%s.%s" % (owner, name))
    return sorted(changed)


def _failure(
    rec: r.PluginRecord, kind: str, reason: str, remedy: str, tb: str = ""
) -> r.PluginRecord:
    rec.status = r.STATUS_INCOMPATIBLE if kind == "api-version" else r.STATUS_FAILED
    rec.problems.append(r.Problem(kind=kind, reason=reason, remedy=remedy, traceback=tb))
    return rec


def _file_mtimes(module_name: str) -> dict[str, int]:
    mod = sys.modules.get(module_name)
    path = getattr(mod, "__file__", None)
    if not path:
        return {}
    try:
        return {path: os.stat(path).st_mtime_ns}
    except OSError:
        return {}


def describe(
    ep_name: str,
    target: str,
    load: Callable[[], object],
    *,
    distribution: str = "unknown",
    version: str = "unknown",
    conf: Any = None,
) -> r.PluginRecord:
    """Import one plugin, call its declarative hooks and describe it.

    Never raises for anything the plugin does (``KeyboardInterrupt`` aside):
    every failure becomes a problem on the returned record.
    """
    from oslo_config import cfg

    rec = r.PluginRecord(
        name=ep_name, target=target, distribution=distribution, version=version
    )
    module_name = target.split(":")[0]
    remedy_disable = "Disable it with '[plugfair] disabled_plugins = %s'." % ep_name
    before = snapshot_host()
    try:
        obj = load()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        if isinstance(exc, SystemExit):
            reason = "importing %s called sys.exit(%r)" % (module_name, exc.code)
        else:
            reason = "importing %s raised %s: %s" % (
                module_name,
                type(exc).__name__,
                exc,
            )
        return _failure(
            rec,
            "import",
            reason,
            "Install what the plugin needs or fix its import error (distribution "
            "%s %s). %s" % (distribution, version, remedy_disable),
            traceback.format_exc(),
        )
    rec.files = _file_mtimes(module_name)
    try:
        cls = v.check_class(ep_name, obj)
    except IncompatiblePlugin as exc:
        rec.api_version = str(getattr(obj, "api_version", ""))
        return _failure(rec, "api-version", exc.message, "Upgrade plugfair, or "
                        "install a release of %s built for API %s."
                        % (distribution, exc.provided))
    except PluginValidationError as exc:
        return _failure(rec, "validation", exc.message, remedy_disable)
    rec.api_version = cls.api_version
    rec.description = cls.description
    from plugfair.interface.plugin import Plugin

    rec.quota_usage = cls.quota_usage is not Plugin.quota_usage
    if conf is None:
        conf = cfg.ConfigOpts()
    try:
        plugin = v.call_hook(ep_name, cls, conf, timeout=None)
        groups = v.validate_config_options(
            ep_name,
            v.call_hook(ep_name, plugin.config_options, timeout=None),
            cls.config_groups,
        )
        for group, opts in groups:
            conf.register_opts(opts, group=group)
            rec.config_groups.setdefault(group, []).extend(o.name for o in opts)
        services = v.validate_services(
            ep_name, v.call_hook(ep_name, plugin.service_clients, timeout=None)
        )
        rec.services = sorted(services)
        commands = v.validate_commands(
            ep_name, v.call_hook(ep_name, plugin.cli_commands, timeout=None)
        )
        rec.commands = {n: v.command_summary(c) for n, c in sorted(commands.items())}
        rec.test_package = v.validate_test_package(
            ep_name,
            v.call_hook(ep_name, plugin.test_package, timeout=None),
            module_name.split(".")[0],
        )
        quota = v.validate_quota_resources(
            ep_name, v.call_hook(ep_name, plugin.quota_resources, timeout=None)
        )
        rec.quota = [
            {"name": q.name, "default": q.default, "unit": q.unit,
             "description": q.description}
            for q in quota
        ]
    except KeyboardInterrupt:
        raise
    except PluginLoadError as exc:
        return _failure(rec, "hook", exc.reason, exc.remedy or remedy_disable,
                        traceback.format_exc())
    except PluginValidationError as exc:
        return _failure(rec, "validation", exc.message, remedy_disable)
    except cfg.Error as exc:
        return _failure(rec, "validation", "its options cannot be registered: %s"
                        % exc, remedy_disable)
    patched = host_changes(before)
    if patched:
        return _failure(
            rec,
            "monkeypatch",
            "it changes plugfair internals: %s" % ", ".join(patched[:5]),
            "Plugins may only use plugfair.api; ask the plugin's authors to stop "
            "patching plugfair. %s" % remedy_disable,
        )
    return rec


def entry_points() -> list[tuple[str, str, str, str]]:
    """List ``(name, target, distribution, version)`` for every plugin.

    Entry points come from stevedore's (cached) view of the group; each is
    attributed to every distribution that declares it, so two distributions
    that declare the same entry point are both seen.
    """
    import importlib.metadata

    from stevedore import ExtensionManager

    from plugfair.registry.records import NAMESPACE

    ExtensionManager.ENTRY_POINT_CACHE.pop(NAMESPACE, None)
    mgr = ExtensionManager.make_test_instance([], namespace=NAMESPACE)
    found = [(ep.name, ep.value) for ep in mgr.list_entry_points()]
    owners: dict[tuple[str, str], list[tuple[str, str]]] = {}
    seen_dists = set()
    for dist in importlib.metadata.distributions():
        dist_name = dist.metadata["Name"] or "unknown"
        key = (dist_name, dist.version, getattr(dist, "_path", None))
        if key in seen_dists:
            continue
        seen_dists.add(key)
        for ep in dist.entry_points:
            if ep.group == NAMESPACE:
                pair = (dist_name, dist.version)
                lst = owners.setdefault((ep.name, ep.value), [])
                if pair not in lst:
                    lst.append(pair)
    out = []
    for name, value in sorted(set(found)):
        for dist_name, ver in owners.get((name, value), [("unknown", "unknown")]):
            out.append((name, value, dist_name, ver))
    return out


def run_job(job: dict[str, Any]) -> None:
    """Body of the probe child: describe plugins, one JSON line each.

    ``job`` has ``out`` (path of the results file) and ``skip`` (entry
    points already handled by an earlier child, as ``name|target|dist``).
    Standard output and error are discarded so plugins cannot flood them.
    """
    import importlib.metadata

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    skip = set(job.get("skip", []))
    with open(job["out"], "a", encoding="utf-8") as out:

        def emit(data: dict[str, Any]) -> None:
            out.write(json.dumps(data, sort_keys=True) + "\n")
            out.flush()

        for name, target, dist, ver in entry_points():
            ident = "%s|%s|%s" % (name, target, dist)
            if ident in skip:
                continue
            emit({"start": ident})
            ep = importlib.metadata.EntryPoint(name, target, r.NAMESPACE)
            rec = describe(name, target, ep.load, distribution=dist, version=ver)
            emit({"record": rec.to_dict(), "ident": ident})
        emit({"done": True})
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess
    run_job(json.loads(sys.stdin.read()))
