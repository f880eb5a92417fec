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
from plugfair.interface.hosting import HostedPlugin
from plugfair.registry import records as r
from plugfair.registry import validate as v

__all__ = [
    "describe",
    "describe_hosting",
    "ident",
    "snapshot_host",
    "host_changes",
    "run_job",
    "entry_points",
    "module_files",
]


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


def _owned_by(value: object, package: str) -> bool:
    """Whether ``value`` (a function, class, method...) comes from ``package``."""
    try:
        value = getattr(value, "__func__", value)
        module = getattr(value, "__module__", None)
    except Exception:  # noqa: BLE001 - any object may sit in a module
        return False
    return isinstance(module, str) and (
        module == package or module.startswith(package + ".")
    )


def _planted(package: str, known: set[str]) -> list[str]:
    """Attributes that ``package`` defined in plugfair modules not in ``known``.

    This catches patches to plugfair modules that were imported only
    during the probe (and so are not in the snapshot).
    """
    found = []
    for modname, mod in list(sys.modules.items()):
        if mod is None or modname in known:
            continue
        if not (modname == "plugfair" or modname.startswith("plugfair.")):
            continue
        if modname.startswith("plugfair.tests"):
            continue  # test modules import plugin classes on purpose
        for name, value in list(vars(mod).items()):
            if _owned_by(value, package):
                found.append("%s.%s" % (modname, name))
            elif isinstance(value, type) and _owned_by(value, "plugfair"):
                for attr, member in list(vars(value).items()):
                    if _owned_by(member, package):
                        found.append("%s.%s.%s" % (modname, name, attr))
    return found


def host_changes(
    before: dict[str, dict[str, int]], package: str | None = None
) -> list[str]:
    """Return the plugfair attributes changed since ``before``.

    :param package: the plugin's top-level package; attributes that this
        package added to plugfair classes, or to plugfair modules imported
        after ``before`` was taken, are reported too.
    """
    after = snapshot_host()
    changed = []
    foreign = bool(package) and package != "plugfair"
    for owner, attrs in before.items():
        now = after.get(owner)
        if now is None:
            continue
        for name, ident in attrs.items():
            if now.get(name) != ident:
                changed.append("%s.%s" % (owner, name))
        for name in now.keys() - attrs.keys():
            mod = sys.modules.get(owner)
            if mod is None:
                # a class ("module.Class"): a new attribute the plugin made
                modname, _, clsname = owner.rpartition(".")
                cls = getattr(sys.modules.get(modname), clsname, None)
                if foreign and _owned_by(getattr(cls, name, None), str(package)):
                    changed.append("%s.%s" % (owner, name))
                continue
            value = getattr(mod, name, None)
            if isinstance(value, type(sys)) and value.__name__ == "%s.%s" % (owner, name):
                continue  # a submodule was imported: not a patch
            if name.startswith("__"):
                continue
            changed.append("%s.%s" % (owner, name))
    if foreign:
        changed.extend(_planted(str(package), set(before)))
    return sorted(set(changed))


def _failure(
    rec: r.PluginRecord, kind: str, reason: str, remedy: str, tb: str = ""
) -> r.PluginRecord:
    rec.status = r.STATUS_INCOMPATIBLE if kind == "api-version" else r.STATUS_FAILED
    rec.problems.append(r.Problem(kind=kind, reason=reason, remedy=remedy, traceback=tb))
    return rec


def module_files(
    module_name: str, path: list[str] | None = None, *, use_loaded: bool = True
) -> dict[str, int]:
    """Return ``{file: mtime_ns}`` of a module and of its parent packages.

    Modules that are not imported (say, because importing them failed) are
    located with the path finder, which runs no code, so that fixing a
    plugin that failed at import also invalidates its cached record.

    :param path: the ``sys.path`` to search (the current one by default).
    :param use_loaded: use the ``__file__`` of modules already imported.
    """
    from importlib.machinery import PathFinder

    files: dict[str, int] = {}
    parts = module_name.split(".")
    search: list[str] | None = path
    for i in range(len(parts)):
        name = ".".join(parts[: i + 1])
        mod = sys.modules.get(name) if use_loaded else None
        filename = getattr(mod, "__file__", None) if mod is not None else None
        locations = getattr(mod, "__path__", None) if mod is not None else None
        if mod is None:
            try:
                spec = PathFinder.find_spec(name, search)
            except (ImportError, ValueError, OSError):
                spec = None
            if spec is None:
                break
            filename = spec.origin if spec.has_location else None
            locations = spec.submodule_search_locations
        if filename:
            try:
                files[filename] = os.stat(filename).st_mtime_ns
            except OSError:
                pass
        if locations is None:
            break
        search = list(locations)
    return files


def _add_imported_files(rec: r.PluginRecord, top: str, before: set[str]) -> None:
    """Watch the files of every module of the plugin's own package that
    describing it imported (say, a module its hooks import lazily), so
    that editing any of them refreshes the record."""
    for name in set(sys.modules) - before:
        if name != top and not name.startswith(top + "."):
            continue
        filename = getattr(sys.modules.get(name), "__file__", None)
        if filename and filename not in rec.files:
            try:
                rec.files[filename] = os.stat(filename).st_mtime_ns
            except OSError:
                pass


def describe(
    ep_name: str,
    target: str,
    load: Callable[[], object],
    *,
    distribution: str = "unknown",
    version: str = "unknown",
    conf: Any = None,
    module: str | None = None,
    host: str | None = None,
    origin: str = "",
) -> r.PluginRecord:
    """Import one plugin, call its declarative hooks and describe it.

    Never raises for anything the plugin does (``KeyboardInterrupt`` aside):
    every failure becomes a problem on the returned record.

    :param module: the module the plugin's code lives in (by default the
        module of ``target``); its top-level package is the plugin's own.
    :param host: for a hosted plugin, the name of the plugin hosting it.
    :param origin: for a hosted plugin, where its host found it.
    """
    return describe_hosting(
        ep_name, target, load, distribution=distribution, version=version,
        conf=conf, module=module, host=host, origin=origin,
    )[0]


def describe_hosting(
    ep_name: str,
    target: str,
    load: Callable[[], object],
    *,
    distribution: str = "unknown",
    version: str = "unknown",
    conf: Any = None,
    module: str | None = None,
    host: str | None = None,
    origin: str = "",
) -> tuple[r.PluginRecord, list[HostedPlugin]]:
    """:func:`describe`, plus the plugins it hosts (for a plugin that is
    not itself hosted, and is usable)."""
    from oslo_config import cfg

    rec = r.PluginRecord(
        name=ep_name, target=target, distribution=distribution, version=version,
        host=host, origin=origin,
    )
    module_name = module or target.split(":")[0]
    remedy_disable = "Disable it with '[plugfair] disabled_plugins = %s'." % ep_name
    before = snapshot_host()
    imported_before = set(sys.modules)
    try:
        obj = load()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        rec.files = module_files(module_name)
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
        ), []
    rec.files = module_files(module_name)
    try:
        cls = v.check_class(ep_name, obj)
    except IncompatiblePlugin as exc:
        rec.api_version = str(getattr(obj, "api_version", ""))
        return _failure(rec, "api-version", exc.message, "Upgrade plugfair, or "
                        "install a release of %s built for API %s."
                        % (distribution, exc.provided)), []
    except PluginValidationError as exc:
        return _failure(rec, "validation", exc.message, remedy_disable), []
    rec.api_version = cls.api_version
    rec.description = cls.description
    if not v.declares(cls, "api_version"):
        rec.warnings.append(
            "it does not declare api_version, so it gets the host's (%s) and "
            "plugfair cannot tell which API it was written for. Declare the "
            "version it uses, e.g. api_version = \"1.0\"; API 2.0 will "
            "require it." % cls.api_version
        )
    from plugfair.interface.plugin import Plugin

    rec.quota_usage = cls.quota_usage is not Plugin.quota_usage
    rec.prepares = v.overrides(cls, "prepare_test_run")
    if conf is None:
        conf = cfg.ConfigOpts()
    hosted: list[HostedPlugin] = []
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
        for group in cls.config_groups:
            # A claim counts even without options: it is what collides.
            rec.config_groups.setdefault(group, [])
        services = v.validate_services(
            ep_name, v.call_hook(ep_name, plugin.service_clients, timeout=None)
        )
        rec.services = sorted(services)
        commands = v.validate_commands(
            ep_name, v.call_hook(ep_name, plugin.cli_commands, timeout=None)
        )
        rec.commands = {n: v.command_summary(c) for n, c in sorted(commands.items())}
        rec.test_packages = v.test_packages_of(
            ep_name, plugin, module_name.split(".")[0], timeout=None
        )
        quota = v.validate_quota_resources(
            ep_name, v.call_hook(ep_name, plugin.quota_resources, timeout=None)
        )
        rec.quota = [
            {"name": q.name, "default": q.default, "unit": q.unit,
             "description": q.description}
            for q in quota
        ]
        if host is None and v.overrides(cls, "hosted_plugins"):
            hosted = v.validate_hosted_plugins(
                ep_name, v.call_hook(ep_name, plugin.hosted_plugins, timeout=None)
            )
            rec.hosted = [h.name for h in hosted]
    except KeyboardInterrupt:
        raise
    except PluginLoadError as exc:
        return _failure(rec, "hook", exc.reason, exc.remedy or remedy_disable,
                        traceback.format_exc()), []
    except PluginValidationError as exc:
        return _failure(rec, "validation", exc.message, remedy_disable), []
    except cfg.Error as exc:
        return _failure(rec, "validation", "its options cannot be registered: %s"
                        % exc, remedy_disable), []
    _add_imported_files(rec, module_name.split(".")[0], imported_before)
    patched = host_changes(before, module_name.split(".")[0])
    if patched:
        return _failure(
            rec,
            "monkeypatch",
            "it changes plugfair internals: %s" % ", ".join(patched[:5]),
            "Plugins may only use plugfair.api; ask the plugin's authors to stop "
            "patching plugfair. %s" % remedy_disable,
        ), []
    return rec, hosted


def entry_points() -> list[tuple[str, str, str, str]]:
    """List ``(name, target, distribution, version)`` for every plugin.

    Entry points come from stevedore's view of the group; each is
    attributed to every distribution that declares it, so two distributions
    that declare the same entry point are both seen.
    """
    import importlib.metadata

    from stevedore import ExtensionManager

    from plugfair.registry.records import NAMESPACE

    ExtensionManager.ENTRY_POINT_CACHE.pop(NAMESPACE, None)
    mgr: ExtensionManager[Any] = ExtensionManager.make_test_instance([], namespace=NAMESPACE)
    found = [(ep.name, ep.value) for ep in mgr.list_entry_points()]
    owners: dict[tuple[str, str], list[tuple[str, str]]] = {}
    seen_dists = set()
    for dist in importlib.metadata.distributions():
        # Reading entry_points.txt is cheap; parsing METADATA is not, so it
        # is read only for the distributions that provide plugins.
        ours = [ep for ep in dist.entry_points if ep.group == NAMESPACE]
        if not ours:
            continue
        metadata = dist.metadata
        dist_name = metadata["Name"] or "unknown"
        version = metadata["Version"] or "unknown"
        key = (dist_name, version, getattr(dist, "_path", None))
        if key in seen_dists:
            continue
        seen_dists.add(key)
        for ep in ours:
            pair = (dist_name, version)
            lst = owners.setdefault((ep.name, ep.value), [])
            if pair not in lst:
                lst.append(pair)
    out = []
    for name, value in sorted(set(found)):
        for dist_name, ver in owners.get((name, value), [("unknown", "unknown")]):
            out.append((name, value, dist_name, ver))
    return out


def _import_stevedore(cache_home: str) -> None:
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = cache_home
    try:
        import stevedore.extension  # noqa: F401 - its cache reads the variable
    finally:
        if saved is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = saved


def ident(name: str, target: str, distribution: str, host: str | None = None) -> str:
    """The probe's key of one plugin: a JSON list, so that no character of
    an entry point's name or target can make it look like another's."""
    return json.dumps([name, target, distribution, host])


def run_job(job: dict[str, Any]) -> None:
    """Body of the probe child: describe plugins, one JSON line each.

    ``job`` has ``out`` (path of the results file), ``skip`` (idents, see
    :func:`ident`, of plugins already handled by an earlier child) and
    ``rehost`` (idents of hosting plugins, already handled, whose hosted
    plugins are not all handled yet).  Standard output and error are
    discarded so plugins cannot flood them.
    """
    import importlib.metadata

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    skip = set(job.get("skip", []))
    rehost = set(job.get("rehost", []))
    # stevedore keeps a disk cache of entry points keyed on mtimes packed
    # as 32-bit floats (about two minutes of resolution), so an in-place
    # change (an editable reinstall of the same version) can go unseen.
    # The manifest key already decided that something changed: give
    # stevedore a private, empty cache directory so it reads afresh.
    _import_stevedore(os.path.dirname(os.path.abspath(job["out"])))
    # Import what the probe itself needs before timing any plugin, so a
    # slow start-up is never blamed on the first plugin.
    import cliff.command  # noqa: F401
    import oslo_config.cfg  # noqa: F401

    import plugfair.api
    import plugfair.interface.commands  # noqa: F401 - what most plugins use
    import plugfair.registry.core  # noqa: F401 - so patches to it are seen

    with open(job["out"], "a", encoding="utf-8") as out:

        def emit(data: dict[str, Any]) -> None:
            out.write(json.dumps(data, sort_keys=True) + "\n")
            out.flush()

        for name, target, dist, ver in entry_points():
            key = ident(name, target, dist)
            if key in skip and key not in rehost:
                continue
            if key not in skip:
                emit({"start": key, "version": ver})
            ep = importlib.metadata.EntryPoint(name, target, r.NAMESPACE)
            rec, hosted = describe_hosting(name, target, ep.load, distribution=dist, version=ver)
            if key not in skip:
                emit({"record": rec.to_dict(), "ident": key})
            for spec in hosted:
                sub = ident(spec.name, spec.module, spec.distribution, name)
                if sub in skip:
                    continue
                emit({"start": sub, "version": spec.version})
                sub_rec = describe(
                    spec.name, spec.module, spec.load, distribution=spec.distribution,
                    version=spec.version, module=spec.module, host=name, origin=spec.origin,
                )
                emit({"record": sub_rec.to_dict(), "ident": sub})
        emit({"done": True})
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess
    run_job(json.loads(sys.stdin.read()))
