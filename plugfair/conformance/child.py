"""The child process of the dynamic checks: judge plugins, report as JSON.

Started by :mod:`plugfair.conformance.dynamic` with ``sys.path`` and the
plugins to judge on standard input.  Its own standard output and error go
to ``/dev/null`` so a plugin cannot flood them; each plugin's result is one
JSON line in the results file, preceded by a ``start`` line so the parent
knows which plugin was running if the process dies or hangs.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Sequence
from typing import Any

__all__ = ["child_main"]


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


def _list_tests(package: str) -> dict[str, Any]:
    """Discover ``package``'s tests with the tests host's loader if present."""
    import unittest

    loader = unittest.TestLoader()
    try:
        from plugfair.testhost.discovery import discover_package, iter_tests
    except ImportError:
        discover_package = None  # type: ignore[assignment]
    if discover_package is not None:
        suite, errors = discover_package(loader, package, "test*.py")
        ids = [t.id() for t in iter_tests(suite)]
        messages = []
        for title, text in errors:
            last = _last_line(text)
            messages.append(title if not last or last in title else "%s (%s)" % (title, last))
        return {"count": len(ids), "errors": messages, "via": "plugfair.testhost"}
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
        return {"count": 0, "errors": ["%s: %s" % (type(exc).__name__, exc)], "via": "unittest"}

    def flatten(s: Any) -> list[Any]:
        try:
            return [t for child in s for t in flatten(child)]
        except TypeError:
            return [s]

    tests = flatten(suite)
    failed = [t for t in tests if type(t).__name__ == "_FailedTest"]
    errors = [_last_line(e) for e in loader.errors] or ["cannot import %s" % t.id() for t in failed]
    return {"count": len(tests) - len(failed), "errors": errors, "via": "unittest"}


def _walk(name: str, value: str, job: dict[str, Any]) -> dict[str, Any]:
    """Load one plugin and judge it; return findings and its record."""
    import importlib
    import importlib.metadata

    from oslo_config import cfg

    from plugfair.interface.errors import (
        IncompatiblePlugin,
        PluginLoadError,
        PluginValidationError,
    )
    from plugfair.interface.plugin import Plugin, owns_group
    from plugfair.registry import probe
    from plugfair.registry import validate as v

    findings: list[dict[str, str]] = []
    failed_checks: set[str] = set()

    def find(code: str, check: str, message: str) -> None:
        findings.append({"code": code, "check": check, "message": message})
        failed_checks.add(check)

    ep = importlib.metadata.EntryPoint(name, value, job["group"])
    rec = probe.describe(name, value, ep.load, distribution=job.get("distribution") or "unknown", conf=cfg.ConfigOpts())
    out: dict[str, Any] = {"plugin": name, "findings": findings, "record": rec.to_dict(), "tests": None}
    timeout = float(job.get("hook_timeout", 10.0))
    module_name, _, attr = value.partition(":")
    try:
        obj = importlib.import_module(module_name.strip())
    except BaseException as exc:  # noqa: BLE001 - isolation boundary
        if isinstance(exc, KeyboardInterrupt):
            raise
        what = "called sys.exit(%r)" % (exc.code,) if isinstance(exc, SystemExit) else "raised %s: %s" % (
            type(exc).__name__,
            exc,
        )
        find("PF104", "load", "Importing %s (entry point %s = %s) %s." % (module_name.strip(), name, value, what))
        out["failed"] = sorted(failed_checks)
        return out
    for part in [p for p in attr.strip().split(".") if p]:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            find(
                "PF101",
                "entry point",
                "Entry point %s = %s names %r, which %s does not define." % (name, value, attr.strip(), module_name.strip()),
            )
            out["failed"] = sorted(failed_checks)
            return out
    try:
        cls = v.check_class(name, obj)
    except IncompatiblePlugin as exc:
        find("PF103", "api_version", exc.message)
        out["failed"] = sorted(failed_checks)
        return out
    except PluginValidationError as exc:
        code = {"entry point": "PF101", "name": "PF102", "api_version": "PF103"}.get(exc.hook, "PF105")
        check = {"PF101": "entry point", "PF102": "name", "PF103": "api_version"}.get(code, "hooks")
        find(code, check, exc.message)
        out["failed"] = sorted(failed_checks)
        return out
    conf = cfg.ConfigOpts()
    try:
        plugin: Plugin = v.call_hook(name, cls, conf, timeout=timeout)
    except PluginLoadError as exc:
        find("PF104", "load", "Instantiating %s failed: %s" % (cls.__qualname__, exc.reason))
        out["failed"] = sorted(failed_checks)
        return out
    module_top = value.partition(":")[0].split(".")[0]
    results: dict[str, Any] = {}
    for hook in ("config_options", "service_clients", "cli_commands", "test_package", "quota_resources"):
        try:
            results[hook] = v.call_hook(name, getattr(plugin, hook), timeout=timeout)
        except PluginLoadError as exc:
            find("PF105", "hooks", "Hook %s() failed: %s" % (hook, exc.reason))
            continue
        try:
            if hook == "config_options":
                value_ = results[hook]
                foreign = []
                if isinstance(value_, Sequence) and not isinstance(value_, (str, bytes)):
                    for item in value_:
                        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
                            if not owns_group(name, item[0], cls.config_groups):
                                foreign.append(item[0])
                if foreign:
                    find(
                        "PF106",
                        "config groups",
                        "config_options() registers options in [%s], which %s does not own; a plugin owns "
                        "[%s], [%s_*] and the groups in its config_groups attribute."
                        % ("], [".join(sorted(set(foreign))), name, name, name),
                    )
                else:
                    # Register them as the host does, so later hooks can read
                    # self.conf.
                    for group, opts in v.validate_config_options(name, value_, cls.config_groups):
                        conf.register_opts(opts, group=group)
            elif hook == "service_clients":
                v.validate_services(name, results[hook])
            elif hook == "cli_commands":
                v.validate_commands(name, results[hook])
            elif hook == "test_package":
                v.validate_test_package(name, results[hook], module_top)
            elif hook == "quota_resources":
                resources = v.validate_quota_resources(name, results[hook])
                if resources and cls.quota_usage is not Plugin.quota_usage:
                    names = [q.name for q in resources]
                    try:
                        usage = v.call_hook(
                            name, plugin.quota_usage, "plugfair-check-project", names, timeout=timeout
                        )
                        v.validate_usage(name, usage, names)
                    except PluginLoadError as exc:
                        find("PF105", "hooks", "Hook quota_usage() failed: %s" % exc.reason)
        except PluginValidationError as exc:
            if hook == "test_package" and "outside" in exc.problem:
                find("PF107", "namespaces", exc.message)
            else:
                find("PF105", "hooks", exc.message)
        except cfg.Error as exc:
            find("PF105", "hooks", "The options of config_options() cannot be registered: %s" % exc)
    for problem in rec.problems:
        if problem.kind == "monkeypatch":
            find("PF110", "host patching", "Loading %s %s." % (name, problem.reason))
    package = results.get("test_package")
    if job.get("list_tests") and isinstance(package, str) and not any(f["check"] == "hooks" for f in findings):
        listing = _list_tests(package)
        out["tests"] = listing
        for error in listing["errors"]:
            find("PF109", "test listing", "Listing the tests of %s failed: %s" % (package, error))
    out["failed"] = sorted(failed_checks)
    return out


def child_main(job: dict[str, Any]) -> None:
    """Body of the child: judge each plugin, write JSON lines, exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    with open(job["out"], "a", encoding="utf-8") as out:
        for name, value in job["plugins"]:
            out.write(json.dumps({"start": name}) + "\n")
            out.flush()
            try:
                result = _walk(name, value, job)
            except BaseException as exc:  # noqa: BLE001 - report, never crash
                if isinstance(exc, KeyboardInterrupt):
                    raise
                result = {
                    "plugin": name,
                    "findings": [
                        {"code": "PF104", "check": "load", "message": "Checking %s failed: %s" % (name, _last_line(traceback.format_exc()))}
                    ],
                    "record": None,
                    "failed": ["load"],
                }
            out.write(json.dumps(result, default=str) + "\n")
            out.flush()
    os._exit(0)


