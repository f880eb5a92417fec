"""Dynamic checks (PF101-PF110): load each plugin in a child process.

The child imports the plugin through its entry point, describes it with
the registry's probe (:func:`plugfair.registry.probe.describe`, which also
notices changes to plugfair's own modules), walks the hooks one by one to
classify what fails, and lists the plugin's tests.  Its output is
discarded and it is killed when it overruns, so no plugin can crash, hang
or flood the checker.  Collisions and namespaces are then judged in this
process against every other installed plugin's manifest record.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from plugfair.conformance.report import Violation
from plugfair.conformance.targets import Target
from plugfair.registry.childproc import child_sys_path, python_command

__all__ = ["CHECKS", "check_target", "other_records", "plugin_root"]

#: The dynamic checks, in the order they run (JUnit test case names).
CHECKS = (
    "entry point",
    "name",
    "api_version",
    "load",
    "hooks",
    "config groups",
    "host patching",
    "namespaces",
    "collisions",
    "test listing",
)

# The child sets its import path before it imports plugfair, so nothing
# is imported from anywhere else (see plugfair.registry.childproc).
_CHILD = (
    "import json, sys\n"
    "job = json.loads(sys.stdin.read())\n"
    "sys.path[:] = job['sys_path']\n"
    "from plugfair.conformance.child import child_main\n"
    "child_main(job)\n"
)


def _run_children(
    job: dict[str, Any], plugins: Sequence[tuple[str, str]], timeout: float
) -> dict[str, tuple[dict[str, Any] | None, str]]:
    """Judge ``plugins`` in child processes; return each one's result.

    One child judges them in turn.  If it dies or stops making progress for
    ``timeout`` seconds, the plugin it was on gets no result (with the
    reason) and a new child carries on with the rest.
    """
    results: dict[str, tuple[dict[str, Any] | None, str]] = {}
    remaining = list(plugins)
    while remaining:
        current, why = _one_child(dict(job, plugins=[list(p) for p in remaining]), timeout, results)
        if not why:
            break
        if current is None:
            for name, _value in remaining:
                results.setdefault(name, (None, why))
            break
        results[current] = (None, why)
        remaining = [p for p in remaining if p[0] not in results]
    return results


def _one_child(
    job: dict[str, Any], timeout: float, results: dict[str, tuple[dict[str, Any] | None, str]]
) -> tuple[str | None, str]:
    """Run one child; fill ``results``; return (plugin it was on, why it failed)."""
    with tempfile.TemporaryDirectory(prefix="plugfair-check-") as tmp:
        out = os.path.join(tmp, "result.jsonl")
        open(out, "w").close()
        proc = subprocess.Popen(
            python_command(_CHILD),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stderr is not None
        proc.stdin.write(json.dumps(dict(job, out=out)).encode("utf-8"))
        proc.stdin.close()
        current: str | None = None
        last = time.monotonic()
        allowance = 30.0  # interpreter start-up, before the first plugin
        offset = 0
        buffer = ""
        why = ""
        while True:
            rc = proc.poll()
            with open(out, encoding="utf-8") as f:
                f.seek(offset)
                chunk = f.read()
                offset = f.tell()
            if chunk:
                buffer += chunk
                *lines, buffer = buffer.split("\n")
                for line in lines:
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue  # not ours: the results file is written only by the child
                    if not isinstance(item, dict):
                        continue
                    if "start" in item:
                        current, last, allowance = item["start"], time.monotonic(), 0.0
                    elif "findings" in item:
                        results[item["plugin"]] = (item, "")
                        current, last = None, time.monotonic()
            if rc is not None and not chunk:
                if current is not None or any(name not in results for name, _v in job["plugins"]):
                    tail = proc.stderr.read(65536).decode("utf-8", "replace").strip()
                    why = "the process ended with status %s%s" % (rc, (": " + tail.splitlines()[-1]) if tail else "")
                break
            if time.monotonic() - last > timeout + allowance:
                proc.kill()
                proc.wait()
                why = "it did not finish within %.3g s (it hangs at import, in a hook or while listing tests)" % timeout
                break
            time.sleep(0.02)
        proc.stderr.close()
    return current, why


def other_records(target: Target, records: Sequence[Any]) -> list[Any]:
    """Manifest records of every installed plugin except the target's own."""
    mine = set(target.entry_points)
    dist = _norm(target.distribution or "")
    out = []
    for rec in records:
        if (rec.name, rec.target) in mine:
            continue
        if target.kind != "installed" and dist and _norm(rec.distribution) == dist:
            continue  # an installed copy of the project being checked
        out.append(rec)
    return out


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def plugin_root(module: str, others: Sequence[str]) -> str:
    """Shortest prefix of ``module`` that no module in ``others`` shares."""
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if not any(o == prefix or o.startswith(prefix + ".") for o in others if o != module):
            return prefix
    return module


def _locate(target: Target, value: str) -> tuple[str, str, int]:
    """Display path, relpath and line of the class an entry point names."""
    module, _, attr = value.partition(":")
    for f in target.files:
        if f.module == module.strip():
            line = 1
            try:
                tree = ast.parse(f.read())
                for node in tree.body:
                    if isinstance(node, ast.ClassDef) and node.name == attr.strip().split(".")[0]:
                        line = node.lineno
            except (SyntaxError, ValueError, OSError):
                pass
            return f.path, f.relpath, line
    return target.label, "<%s>" % module.strip(), 1


def _judge_names(rec: Any, root: str, others: Sequence[Any]) -> list[tuple[str, str, str]]:
    """PF107/PF108 findings of one record against the other plugins."""
    found: list[tuple[str, str, str]] = []
    name = rec.name
    mine_nouns: dict[str, list[str]] = {}
    for cmd in rec.commands:
        mine_nouns.setdefault(cmd.split(" ")[0], []).append(cmd)
    for service in rec.services:
        if not (service == name or service.startswith((name + "-", name + "_"))):
            found.append(
                (
                    "PF107",
                    "namespaces",
                    "Service %r is not namespaced: name it %r or start it with '%s-' or '%s_'."
                    % (service, name, name, name),
                )
            )
    if rec.test_package and not (rec.test_package == root or rec.test_package.startswith(root + ".")):
        found.append(
            (
                "PF107",
                "namespaces",
                "Test package %r is outside the plugin's own package %r, so its test ids are not namespaced."
                % (rec.test_package, root),
            )
        )
    for other in others:
        who = "plugin %r (distribution %s)" % (other.name, other.distribution)
        if other.name == name:
            found.append(("PF108", "collisions", "The plugin name %r is also used by %s." % (name, who)))
        for cmd in sorted(set(rec.commands) & set(other.commands)):
            found.append(("PF108", "collisions", "The command %r is also provided by %s." % (cmd, who)))
        other_nouns = {c.split(" ")[0] for c in other.commands}
        for noun in sorted(set(mine_nouns) & other_nouns):
            if noun in rec.commands or noun in other.commands:
                continue  # a one-word command is a plain collision (above)
            theirs = sorted(c for c in other.commands if c.split(" ")[0] == noun)
            if set(theirs) & set(mine_nouns[noun]):
                continue
            found.append(
                (
                    "PF107",
                    "namespaces",
                    "Commands %s share the command group %r with %s (%s); use a group of your own."
                    % (", ".join(repr(c) for c in mine_nouns[noun]), noun, who, ", ".join(theirs)),
                )
            )
        mine_groups = set(rec.config_groups) | {name}
        theirs_groups = set(other.config_groups) | {other.name}
        for group in sorted(mine_groups & theirs_groups):
            if group == name == other.name:
                continue
            found.append(("PF108", "collisions", "The config group [%s] is also claimed by %s." % (group, who)))
        for service in sorted(set(rec.services) & set(other.services)):
            found.append(("PF108", "collisions", "The service %r is also offered by %s." % (service, who)))
        a, b = rec.test_package, other.test_package
        if a and b and (a == b or a.startswith(b + ".") or b.startswith(a + ".")):
            found.append(
                ("PF108", "collisions", "The test package %r overlaps %r of %s." % (a, b, who))
            )
    return found


def check_target(
    target: Target,
    *,
    group: str,
    others: Sequence[Any],
    timeout: float = 120.0,
    hook_timeout: float = 10.0,
    list_tests: bool = True,
) -> tuple[list[Violation], list[str], list[tuple[str, str]], dict[str, int]]:
    """Run the dynamic checks of every plugin of ``target``.

    :param others: manifest records of the other installed plugins.
    :returns: violations, the plugins checked, ``(plugin, check)`` for
        every check run, and the number of tests listed per plugin.
    """
    from plugfair.registry.records import PluginRecord

    violations: list[Violation] = []
    checks: list[tuple[str, str]] = []
    if not target.entry_points:
        path, relpath = target.label, "<entry point>"
        violations.append(
            Violation(
                code="PF101",
                message="No entry point in group %s: a plugin is found only through one. Add "
                "'%s = <name> = <module>:<PluginClass>' to the distribution's entry points." % (group, group),
                path=path,
                relpath=relpath,
                target=target.label,
            )
        )
        checks.append(("(none)", "entry point"))
        return violations, [], checks, {}
    prefix = target.import_path() if target.import_path else []
    own_modules = [value.partition(":")[0].strip() for _n, value in target.entry_points]
    other_modules = [o.target.partition(":")[0] for o in others] + own_modules
    plugins = []
    tests: dict[str, int] = {}
    judged: list[tuple[Any, str, tuple[str, str, int]]] = []
    job = {
        "sys_path": child_sys_path(list(prefix) + [p for p in sys.path if p not in prefix]),
        "group": group,
        "distribution": target.distribution,
        "hook_timeout": hook_timeout,
        "list_tests": list_tests,
    }
    outcome = _run_children(job, target.entry_points, timeout)
    for name, value in target.entry_points:
        plugins.append(name)
        where = _locate(target, value)
        checks.extend((name, check) for check in CHECKS)
        result, why = outcome.get(name, (None, "it was not checked"))
        if result is None:
            message = "Loading plugin %s (%s) in a child process failed: %s." % (name, value, why)
            violations.append(_violation(target, name, where, "PF104", message))
            continue
        for finding in result["findings"]:
            violations.append(_violation(target, name, where, finding["code"], finding["message"]))
        if result.get("tests"):
            tests[name] = int(result["tests"].get("count", 0))
        if result.get("record") is None or result["findings"]:
            continue
        rec = PluginRecord.from_dict(result["record"])
        if not rec.problems:
            module = value.partition(":")[0].strip()
            root = plugin_root(module, [m for m in other_modules if m != module])
            judged.append((rec, root, where))
    for rec, root, where in judged:
        siblings = [other for other, _r, _w in judged if other is not rec]
        for code, _check, message in _judge_names(rec, root, list(others) + siblings):
            violations.append(_violation(target, rec.name, where, code, message))
    return violations, plugins, checks, tests


def _violation(target: Target, plugin: str, where: tuple[str, str, int], code: str, message: str) -> Violation:
    path, relpath, line = where
    return Violation(code=code, message=message, path=path, relpath=relpath, line=line, target=target.label, name=plugin)
