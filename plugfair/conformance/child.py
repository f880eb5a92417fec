"""The child process of the dynamic checks: judge plugins, report facts.

Started by :mod:`plugfair.conformance.dynamic` through
:mod:`plugfair.conformance.channel` and
:mod:`plugfair.registry.childproc`, which hands :func:`handler`'s
function one plugin at a time.  Each plugin is loaded as the registry
loads it:

* a plugin with an entry point in ``plugfair.plugins`` from that entry
  point;
* a hosted plugin through its host: the host is loaded by a
  :class:`~plugfair.registry.core.Registry` made of the two manifest
  records, its ``hosted_plugins()`` gives the declaration, and the
  declaration's ``load`` gives the class.

Either way the same walk then judges the class and each hook, and lists
the plugin's tests.  For a plugin that another host's profile describes,
:mod:`plugfair.conformance.childhost` also records what the plugin tells
that host.  Findings go back to the host through the channel, which
decides what to accept.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["handler", "Findings"]


class Findings:
    """What the walk found about one plugin."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self.failed: set[str] = set()

    def add(self, code: str, check: str, message: str) -> None:
        self.items.append({"code": code, "check": check, "message": message})
        self.failed.add(check)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


def _list_tests(package: str) -> dict[str, Any]:
    """Discover ``package``'s tests with the tests host's loader if present."""
    import unittest

    loader = unittest.TestLoader()
    try:
        from plugfair.registry.testdiscovery import discover_package, iter_tests
    except ImportError:
        discover_package = None  # type: ignore[assignment]
    if discover_package is not None:
        suite, errors = discover_package(loader, package, "test*.py")
        tests = [[t.id(), _defined_at(t)] for t in iter_tests(suite)]
        messages = []
        for title, text in errors:
            last = _last_line(text)
            messages.append(title if not last or last in title else "%s (%s)" % (title, last))
        return {"tests": tests, "errors": messages, "via": "plugfair.testhost"}
    return _list_with_unittest(loader, package)


def _defined_at(test: Any) -> str:
    """``module.Class.method`` of the method a test runs, in the class that
    defines it (a subclass or a scenario runs the same method)."""
    name = getattr(test, "_testMethodName", None)
    if isinstance(name, str):
        for klass in type(test).__mro__:
            if name in vars(klass):
                return "%s.%s.%s" % (klass.__module__, klass.__qualname__, name)
    return str(test.id())


def _list_with_unittest(loader: Any, package: str) -> dict[str, Any]:
    import importlib

    try:
        module = importlib.import_module(package)
        path = getattr(module, "__path__", None)
        if path is None:
            suite = loader.loadTestsFromModule(module)
        else:
            start = os.path.abspath(list(path)[0])
            top = start
            for _ in package.split("."):
                top = os.path.dirname(top)
            suite = loader.discover(start, pattern="test*.py", top_level_dir=top)
    except Exception as exc:  # noqa: BLE001 - reported as PF109
        return {"tests": [], "errors": ["%s: %s" % (type(exc).__name__, exc)], "via": "unittest"}

    def flatten(s: Any) -> list[Any]:
        try:
            return [t for child in s for t in flatten(child)]
        except TypeError:
            return [s]

    tests = flatten(suite)
    failed = [t for t in tests if type(t).__name__ == "_FailedTest"]
    errors = [_last_line(e) for e in loader.errors] or ["cannot import %s" % t.id() for t in failed]
    return {"tests": [[t.id(), _defined_at(t)] for t in tests if t not in failed], "errors": errors, "via": "unittest"}


def _import_target(name: str, value: str, find: Findings) -> object | None:
    """Import what entry point ``name = value`` names (PF104, PF101)."""
    import importlib

    module_name, _, attr = value.partition(":")
    try:
        obj: object = importlib.import_module(module_name.strip())
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        if isinstance(exc, KeyboardInterrupt):
            raise
        find.add("PF104", "load", "Importing %s (entry point %s = %s) %s." % (module_name.strip(), name, value, _what(exc)))
        return None
    for part in [p for p in attr.strip().split(".") if p]:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            find.add(
                "PF101",
                "entry point",
                "Entry point %s = %s names %r, which %s does not define." % (name, value, attr.strip(), module_name.strip()),
            )
            return None
    return obj


def _what(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return "called sys.exit(%r)" % (exc.code,)
    return "raised %s: %s" % (type(exc).__name__, exc)


def _hosted_loader(item: dict[str, Any], timeout: float, find: Findings) -> Any | None:
    """The declaration of hosted plugin ``item``, from its host loaded
    through the registry (PF104 if the host cannot give it)."""
    from plugfair.interface.errors import PlugfairError
    from plugfair.registry import validate as v
    from plugfair.registry.core import Registry
    from plugfair.registry.records import STATUS_OK, PluginRecord

    host, rec = PluginRecord.from_dict(item["host"]), PluginRecord.from_dict(item["record"])
    for record in (host, rec):
        # Judge what loads now, whatever the cached probe or the user's
        # selection of plugins says.
        record.status, record.problems = STATUS_OK, []
    registry = Registry([host, rec], hook_timeout=timeout)
    try:
        registry.load(host.name)
        specs = v.validate_hosted_plugins(host.name, registry.call(host.name, "hosted_plugins"))
    except PlugfairError as exc:
        find.add("PF104", "load", "Loading %s through its host %s failed: %s" % (rec.name, host.name, exc))
        return None
    for spec in specs:
        if spec.name == rec.name:
            return spec
    find.add("PF104", "load", "Its host %s no longer declares %s." % (host.name, rec.name))
    return None


def _loaded(item: dict[str, Any], job: dict[str, Any], find: Findings) -> tuple[Any, object] | None:
    """Describe the plugin with the registry's probe and load its class.

    :returns: the record and the loaded object, or ``None`` (with findings).
    """
    import importlib.metadata

    from oslo_config import cfg

    from plugfair.registry import probe

    name, value = item["name"], item["value"]
    timeout = float(job.get("hook_timeout", 10.0))
    if item.get("host") is None:
        ep = importlib.metadata.EntryPoint(name, value, job["group"])
        dist = job.get("distribution") or "unknown"
        rec = probe.describe(name, value, ep.load, distribution=dist, conf=cfg.ConfigOpts())
        obj = _import_target(name, value, find)
        return None if obj is None else (rec, obj)
    spec = _hosted_loader(item, timeout, find)
    if spec is None:
        return None
    rec = probe.describe(
        name, value, spec.load, distribution=spec.distribution, version=spec.version,
        conf=cfg.ConfigOpts(), module=spec.module, host=item["host"]["name"], origin=spec.origin,
    )
    try:
        obj = spec.load()
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        if isinstance(exc, KeyboardInterrupt):
            raise
        find.add("PF104", "load", "Loading hosted plugin %s (from %s) %s." % (name, spec.module, _what(exc)))
        return None
    return rec, obj


def _instance(name: str, obj: object, conf: Any, timeout: float, find: Findings) -> Any | None:
    """Check the class and instantiate it (PF101-PF105)."""
    from plugfair.interface.errors import IncompatiblePlugin, PluginLoadError, PluginValidationError
    from plugfair.registry import validate as v

    try:
        cls = v.check_class(name, obj)
    except IncompatiblePlugin as exc:
        find.add("PF103", "api_version", exc.message)
        return None
    except PluginValidationError as exc:
        code = {"entry point": "PF101", "name": "PF102", "api_version": "PF103"}.get(exc.hook, "PF105")
        check = {"PF101": "entry point", "PF102": "name", "PF103": "api_version"}.get(code, "hooks")
        find.add(code, check, exc.message)
        return None
    if not v.declares(cls, "api_version"):
        find.add(
            "PF114",
            "api_version",
            "%s declares no api_version, so it takes the host's (%s) and the host cannot "
            "tell which API it was written for. Declare the version it uses, e.g. "
            "api_version = \"1.0\"; API 2.0 will require it." % (cls.__qualname__, cls.api_version),
        )
    try:
        return v.call_hook(name, cls, conf, timeout=timeout)
    except PluginLoadError as exc:
        find.add("PF104", "load", "Instantiating %s failed: %s" % (cls.__qualname__, exc.reason))
        return None


_HOOKS = ("config_options", "service_clients", "cli_commands", "test_packages", "quota_resources")


def _hooks(name: str, plugin: Any, conf: Any, module_top: str, timeout: float, find: Findings) -> dict[str, Any]:
    """Call each hook in the host's order and judge its value (PF105-PF107)."""
    from oslo_config import cfg

    from plugfair.interface.errors import PluginLoadError, PluginValidationError
    from plugfair.registry import validate as v

    results: dict[str, Any] = {}
    for hook in _HOOKS:
        try:
            if hook == "test_packages":
                results[hook] = v.test_packages_of(name, plugin, module_top, timeout=timeout)
                continue
            results[hook] = v.call_hook(name, getattr(plugin, hook), timeout=timeout)
            _judge_hook(name, plugin, hook, results[hook], conf, timeout, find)
        except PluginLoadError as exc:
            find.add("PF105", "hooks", "Hook %s() failed: %s" % (hook, exc.reason))
        except PluginValidationError as exc:
            if hook == "test_packages" and "outside" in exc.problem:
                find.add("PF107", "namespaces", exc.message)
            else:
                find.add("PF105", "hooks", exc.message)
        except cfg.Error as exc:
            find.add("PF105", "hooks", "The options of config_options() cannot be registered: %s" % exc)
    return results


def _judge_hook(name: str, plugin: Any, hook: str, value: Any, conf: Any, timeout: float, find: Findings) -> None:
    from plugfair.interface.errors import PluginLoadError
    from plugfair.interface.plugin import Plugin, owns_group
    from plugfair.registry import validate as v

    cls = type(plugin)
    if hook == "config_options":
        foreign = []
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            for item in value:
                if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
                    if not owns_group(name, item[0], cls.config_groups):
                        foreign.append(item[0])
        if foreign:
            find.add(
                "PF106",
                "config groups",
                "config_options() registers options in [%s], which %s does not own; a plugin owns "
                "[%s], [%s_*] and the groups in its config_groups attribute."
                % ("], [".join(sorted(set(foreign))), name, name, name),
            )
            return
        # Register them as the host does, so later hooks can read self.conf.
        for group, opts in v.validate_config_options(name, value, cls.config_groups):
            conf.register_opts(opts, group=group)
    elif hook == "service_clients":
        v.validate_services(name, value)
    elif hook == "cli_commands":
        v.validate_commands(name, value)
    elif hook == "quota_resources":
        resources = v.validate_quota_resources(name, value)
        if resources and cls.quota_usage is not Plugin.quota_usage:
            names = [q.name for q in resources]
            try:
                usage = v.call_hook(name, plugin.quota_usage, "plugfair-check-project", names, timeout=timeout)
                v.validate_usage(name, usage, names)
            except PluginLoadError as exc:
                find.add("PF105", "hooks", "Hook quota_usage() failed: %s" % exc.reason)


def _tests(packages: Sequence[str], find: Findings) -> dict[str, Any]:
    """List the tests of every package (PF109)."""
    listing: dict[str, Any] = {"count": 0, "tests": [], "errors": [], "via": ""}
    for package in packages:
        found = _list_tests(package)
        listing["tests"].extend(found["tests"])
        listing["via"] = found["via"]
        for error in found["errors"]:
            listing["errors"].append(error)
            find.add("PF109", "test listing", "Listing the tests of %s failed: %s" % (package, error))
    listing["count"] = len(listing["tests"])
    return listing


def _walk(item: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """Load one plugin and judge it; return findings and its record."""
    from oslo_config import cfg

    from plugfair.conformance import childhost

    name = item["name"]
    find = Findings()
    out: dict[str, Any] = {"plugin": name, "findings": find.items, "record": None, "tests": None}
    timeout = float(job.get("hook_timeout", 10.0))
    loaded = _loaded(item, job, find)
    if loaded is not None:
        rec, obj = loaded
        out["record"] = rec.to_dict()
        conf = cfg.ConfigOpts()
        plugin = _instance(name, obj, conf, timeout, find)
        if plugin is not None:
            module_top = item["value"].partition(":")[0].split(".")[0]
            results = _hooks(name, plugin, conf, module_top, timeout, find)
            for problem in rec.problems:
                if problem.kind == "monkeypatch":
                    find.add("PF110", "host patching", "Loading %s %s." % (name, problem.reason))
            packages = results.get("test_packages") or []
            if job.get("list_tests") and packages and "hooks" not in find.failed:
                out["tests"] = _tests(packages, find)
                if not job.get("test_ids"):
                    out["tests"]["tests"] = []  # only the count is needed
            if item.get("entry_point") and job.get("interface"):
                out["interface"] = childhost.facts(name, item["entry_point"], job["interface"], timeout, find)
    out["failed"] = sorted(find.failed)
    return out


def _crashed(name: str) -> dict[str, Any]:
    return {
        "plugin": name,
        "findings": [
            {"code": "PF104", "check": "load", "message": "Checking %s failed: %s" % (name, _last_line(traceback.format_exc()))}
        ],
        "record": None,
        "failed": ["load"],
    }


def handler(job: dict[str, Any]) -> Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]:
    """Prepare a checker child; return what judges one plugin in it.

    Run by :func:`plugfair.registry.childproc.child.serve`, which sends each
    result back to the host.
    """

    def judge(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        try:
            result = _walk(item, job)
        except BaseException as exc:  # noqa: BLE001 - report, never crash
            if isinstance(exc, KeyboardInterrupt):
                raise
            result = _crashed(item["name"])
        taint = ["it patched plugfair"] if any(f["code"] == "PF110" for f in result["findings"]) else []
        return result, taint

    return judge
