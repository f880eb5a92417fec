"""Probe plugins: import each one, call its hooks, describe it as a record.

:func:`describe` judges one plugin class.  :func:`handler` makes the body
of the probe child, which the manifest builder
(:mod:`plugfair.registry.manifest`) runs through
:mod:`plugfair.registry.childproc`, so that a plugin that exits, hangs,
forks or floods stdout at import cannot touch the host process.  Around
each plugin the child watches what the plugin changed that is not its own
(:mod:`plugfair.registry.integrity`).  :func:`entry_points` is the host's
own list of the plugins to probe.
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
from plugfair.registry.integrity import Watch, code_map, host_changes, snapshot_host

__all__ = [
    "describe",
    "describe_hosting",
    "ident",
    "snapshot_host",
    "host_changes",
    "handler",
    "entry_points",
    "module_files",
]


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


def describe(ep_name: str, target: str, load: Callable[[], object], **kwargs: Any) -> r.PluginRecord:
    """Import one plugin, call its declarative hooks and describe it.

    Never raises for anything the plugin does (``KeyboardInterrupt`` aside):
    every failure becomes a problem on the returned record.  The keyword
    arguments are :func:`describe_hosting`'s.
    """
    return describe_hosting(ep_name, target, load, **kwargs)[0]


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
    not itself hosted, and is usable).

    :param module: the module the plugin's code lives in (by default the
        module of ``target``); its top-level package is the plugin's own.
    :param host: for a hosted plugin, the name of the plugin hosting it.
    :param origin: for a hosted plugin, where its host found it.
    """
    rec = r.PluginRecord(
        name=ep_name, target=target, distribution=distribution, version=version,
        host=host, origin=origin,
    )
    module_name = module or target.split(":")[0]
    top = module_name.split(".")[0]
    before = snapshot_host()
    imported_before = set(sys.modules)
    cls = _load(rec, load, module_name)
    if cls is None:
        return rec, []
    hosted = _call_hooks(rec, cls, conf, top)
    if rec.problems:
        return rec, []
    _add_imported_files(rec, top, imported_before)
    patched = host_changes(before, top)
    if patched:
        _failure(
            rec,
            "monkeypatch",
            "it changes plugfair internals: %s" % ", ".join(patched[:5]),
            "Plugins may only use plugfair.api; ask the plugin's authors to stop "
            "patching plugfair. %s" % _remedy(ep_name),
        )
        return rec, []
    return rec, hosted


def _remedy(name: str) -> str:
    return "Disable it with '[plugfair] disabled_plugins = %s'." % name


def _load(rec: r.PluginRecord, load: Callable[[], object], module_name: str) -> type[Any] | None:
    """Import the plugin and check its class; ``None`` (and a problem on
    ``rec``) if that fails."""
    try:
        obj = load()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        rec.files = module_files(module_name)
        what = ("called sys.exit(%r)" % (exc.code,) if isinstance(exc, SystemExit)
                else "raised %s: %s" % (type(exc).__name__, exc))
        _failure(
            rec,
            "import",
            "importing %s %s" % (module_name, what),
            "Install what the plugin needs or fix its import error (distribution "
            "%s %s). %s" % (rec.distribution, rec.version, _remedy(rec.name)),
            traceback.format_exc(),
        )
        return None
    rec.files = module_files(module_name)
    try:
        cls = v.check_class(rec.name, obj)
    except IncompatiblePlugin as exc:
        rec.api_version = str(getattr(obj, "api_version", ""))
        _failure(rec, "api-version", exc.message, "Upgrade plugfair, or install a release of %s "
                 "built for API %s." % (rec.distribution, exc.provided))
        return None
    except PluginValidationError as exc:
        _failure(rec, "validation", exc.message, _remedy(rec.name))
        return None
    rec.api_version = cls.api_version
    rec.description = cls.description
    if not v.declares(cls, "api_version"):
        rec.warnings.append(
            "it does not declare api_version, so it gets the host's (%s) and "
            "plugfair cannot tell which API it was written for. Declare the "
            "version it uses, e.g. api_version = \"1.0\"; API 2.0 will "
            "require it." % cls.api_version
        )
    return cls


def _call_hooks(rec: r.PluginRecord, cls: type[Any], conf: Any, top: str) -> list[HostedPlugin]:
    """Call the declarative hooks in the documented order and keep what
    they declare on ``rec``; a failure becomes a problem on it."""
    from oslo_config import cfg

    from plugfair.interface.plugin import Plugin

    name = rec.name
    rec.quota_usage = cls.quota_usage is not Plugin.quota_usage
    rec.prepares = v.overrides(cls, "prepare_test_run")
    conf = cfg.ConfigOpts() if conf is None else conf
    try:
        plugin = v.call_hook(name, cls, conf, timeout=None)
        _take_config(rec, cls, conf, v.call_hook(name, plugin.config_options, timeout=None))
        for hook, validator, keep in _DECLARED:
            keep(rec, validator(name, v.call_hook(name, getattr(plugin, hook), timeout=None)))
            if hook == "cli_commands":
                rec.test_packages = v.test_packages_of(name, plugin, top, timeout=None)
        if rec.host is None and v.overrides(cls, "hosted_plugins"):
            hosted = v.validate_hosted_plugins(name, v.call_hook(name, plugin.hosted_plugins, timeout=None))
            rec.hosted = [h.name for h in hosted]
            return hosted
    except KeyboardInterrupt:
        raise
    except PluginLoadError as exc:
        _failure(rec, "hook", exc.reason, exc.remedy or _remedy(name), traceback.format_exc())
    except PluginValidationError as exc:
        _failure(rec, "validation", exc.message, _remedy(name))
    except cfg.Error as exc:
        _failure(rec, "validation", "its options cannot be registered: %s" % exc, _remedy(name))
    return []


def _take_config(rec: r.PluginRecord, cls: type[Any], conf: Any, value: object) -> None:
    """Register the options of ``config_options()`` as the host does."""
    for group, opts in v.validate_config_options(rec.name, value, cls.config_groups):
        conf.register_opts(opts, group=group)
        rec.config_groups.setdefault(group, []).extend(o.name for o in opts)
    for group in cls.config_groups:
        # A claim counts even without options: it is what collides.
        rec.config_groups.setdefault(group, [])


#: The declarative hooks after ``config_options``, in the documented call
#: order: hook, its validator, and where the record keeps the value.
#: (``test_package(s)`` comes after ``cli_commands``.)
_DECLARED: tuple[tuple[str, Callable[[str, Any], Any], Callable[[r.PluginRecord, Any], None]], ...] = (
    ("service_clients", v.validate_services,
     lambda rec, value: setattr(rec, "services", sorted(value))),
    ("cli_commands", v.validate_commands,
     lambda rec, value: setattr(rec, "commands", {n: v.command_summary(c) for n, c in sorted(value.items())})),
    ("quota_resources", v.validate_quota_resources,
     lambda rec, value: setattr(rec, "quota", [
         {"name": q.name, "default": q.default, "unit": q.unit, "description": q.description}
         for q in value])),
)


def entry_points(path: list[str] | None = None) -> list[tuple[str, str, str, str]]:
    """List ``(name, target, distribution, version)`` for every plugin.

    Read from the distributions on ``path`` (default ``sys.path``) as
    :mod:`importlib.metadata` reads them
    (:func:`plugfair.registry.distributions.plugin_distributions`), with no
    cache: the manifest already decided that something changed.  Each entry
    point is attributed to every distribution that declares it, so two
    distributions that declare the same entry point are both seen.
    """
    from plugfair.registry.distributions import plugin_distributions, units_of

    return units_of(plugin_distributions(sys.path if path is None else list(path)).values())


def ident(name: str, target: str, distribution: str, host: str | None = None) -> str:
    """The probe's key of one plugin: a JSON list, so that no character of
    an entry point's name or target can make it look like another's."""
    return json.dumps([name, target, distribution, host])


def handler(job: dict[str, Any]) -> _Prober:
    """Prepare a probe child; return what probes one plugin in it.

    ``job["plugins"]`` lists ``[name, target]`` of every plugin the host
    knows of (entry points, and hosted plugins found so far).  A unit is a plugin:
    ``name``, ``target``, ``dist``, ``version`` and ``host`` (``None``), or
    for a hosted plugin its ``host``'s name, ``origin`` and ``host_unit``
    (the unit of its host, to load the host again in a fresh child).
    """
    # Import what the probe itself needs before timing any plugin, so a
    # slow start-up is never blamed on the first plugin.
    import cliff.command  # noqa: F401
    import oslo_config.cfg  # noqa: F401

    import plugfair.api  # noqa: F401
    import plugfair.interface.commands  # noqa: F401 - what most plugins use
    import plugfair.registry.core  # noqa: F401 - so patches to it are seen

    return _Prober(job.get("plugins") or [])


class _Imports:
    """The top-level modules one turn imports, for the manifest's partial
    probes (a plugin that imports another plugin's package is probed
    again when that plugin is): the names given to ``import`` statements
    run in the turn, whether or not the module was imported already, and
    the modules new in ``sys.modules``.

    It replaces ``builtins.__import__`` from its creation to :meth:`end`
    (the integrity watch compares the import system before and after).
    """

    def __init__(self) -> None:
        import builtins

        self._before = set(sys.modules)
        names: set[str] = set()
        real = builtins.__import__

        def tracking(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                     level: int = 0) -> Any:
            if level == 0:
                names.add(name)
            return real(name, globals, locals, fromlist, level)

        self._names, self._real, self._tracking = names, real, tracking
        builtins.__import__ = tracking

    def end(self) -> list[str]:
        """Stop; the top-level names imported, sorted."""
        import builtins

        if builtins.__import__ is self._tracking:
            builtins.__import__ = self._real
        new = set(sys.modules) - self._before
        return sorted({n.partition(".")[0] for n in self._names | new if n})


class _Prober:
    """The probe child's state: what it watches, and the hosts it loaded."""

    def __init__(self, plugins: list[list[str]]) -> None:
        self.watch = Watch(plugins)
        self.hosted: dict[str, list[HostedPlugin]] = {}
        #: :func:`code_map` of the class the current unit loaded, as loaded
        #: (before its hooks ran).
        self.code: dict[str, str] = {}

    def prepare(self, unit: dict[str, Any]) -> None:
        """In a fresh child, load a hosted plugin's host again (before the
        hosted plugin's deadline starts)."""
        host = unit.get("host_unit")
        if host is not None and ident(host["name"], host["target"], host["dist"]) not in self.hosted:
            self._entry_point(host)

    def __call__(self, unit: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Describe one plugin; return its result and the taint it left."""
        self.code = {}
        self.watch.begin()
        imports = _Imports()
        try:
            if unit.get("host") is None:
                rec, hosted = self._entry_point(unit)
            else:
                rec, hosted = self._hosted(unit), []
        finally:
            imported = imports.end()
        patches, taint, seen = self.watch.end(rec.name, rec.target)
        if patches:
            _failure(rec, "tamper", "it changes what is not its own: %s" % "; ".join(patches),
                     "Ask the plugin's authors to stop patching other plugins. %s" % _remedy(rec.name))
            taint.append("it patched another plugin")
        if any(p.kind == "monkeypatch" for p in rec.problems):
            taint.append("it patched plugfair")
        result = {
            "record": rec.to_dict(),
            "hosted": [[h.name, h.module, h.distribution, h.version, h.origin] for h in hosted],
            "code": self.code if unit.get("host") is None else {},
            "seen": seen,
            "imports": imported,
        }
        return result, taint

    def _entry_point(self, unit: dict[str, Any]) -> tuple[r.PluginRecord, list[HostedPlugin]]:
        import importlib.metadata

        ep = importlib.metadata.EntryPoint(unit["name"], unit["target"], r.NAMESPACE)

        def load() -> object:
            obj = ep.load()
            self.code = code_map(obj)
            return obj

        rec, hosted = describe_hosting(
            unit["name"], unit["target"], load, distribution=unit["dist"], version=unit["version"]
        )
        self.hosted[ident(unit["name"], unit["target"], unit["dist"])] = hosted
        self.watch.add((h.name, h.module) for h in hosted)
        return rec, hosted

    def _hosted(self, unit: dict[str, Any]) -> r.PluginRecord:
        host = unit["host_unit"]
        key = ident(host["name"], host["target"], host["dist"])
        if key not in self.hosted:
            self._entry_point(host)  # not prepared: load the host again now
        for spec in self.hosted[key]:
            if (spec.name, spec.module, spec.distribution) == (unit["name"], unit["target"], unit["dist"]):
                return describe(
                    spec.name, spec.module, spec.load, distribution=spec.distribution,
                    version=spec.version, module=spec.module, host=unit["host"], origin=spec.origin,
                )
        rec = r.PluginRecord(name=unit["name"], target=unit["target"], distribution=unit["dist"],
                             version=unit["version"], host=unit["host"], origin=unit.get("origin", ""))
        return _failure(rec, "host", "its host %r no longer declares it" % unit["host"],
                        "Run 'plugfair plugin doctor %s'." % unit["host"])
