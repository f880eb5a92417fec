"""Dynamic checks (PF101-PF113): load each plugin in a child process.

A target's plugins are its entry points in ``plugfair.plugins`` and the
hosted plugins that belong to it (:mod:`plugfair.conformance.hosted`): a
Tempest plugin, say, is the plugfair plugin its host makes of it.  A child
process (:mod:`plugfair.conformance.child`, reached through
:mod:`plugfair.conformance.channel`) loads each one as the registry does,
describes it with the registry's probe (which also notices changes to
plugfair's own modules), walks the hooks one by one to classify what
fails, and lists its tests.  Its output is discarded and it is killed when
it overruns, so no plugin can crash, hang or flood the checker.

Collisions and namespaces are then judged in this process against every
other installed plugin's manifest record.  When the profile describes the
interface of the host a plugin comes from (``plugin_interface``), the
facts the child recorded through that interface are judged here too
(:mod:`plugfair.conformance.hostrules`).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from collections.abc import Sequence
from typing import Any

from plugfair.conformance import channel, hosted, hostrules
from plugfair.conformance.profiles import Profile
from plugfair.conformance.report import Violation
from plugfair.conformance.targets import Target
from plugfair.registry.childproc import child_sys_path
from plugfair.registry.integrity import plugin_root
from plugfair.registry.records import NAMESPACE, PluginRecord

__all__ = ["CHECKS", "HOST_CHECKS", "Unit", "Outcome", "plan", "check_target", "other_records", "plugin_root"]

#: The dynamic checks every plugin gets, in the order they run (JUnit
#: test case names).
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

#: Checks through the interface of the host a plugin comes from: each
#: check with the ``plugin_interface`` hook that enables it.
HOST_CHECKS = (("host config groups", "register_opts"), ("service clients", "service_clients"))

#: The check of idempotent ids, when the profile requires them.
ID_CHECK = "idempotent ids"

Where = tuple[str, str, int]


@dataclasses.dataclass
class Unit:
    """One plugin of a target to judge."""

    #: The plugfair plugin's name (an entry point's or a hosted plugin's).
    name: str
    #: ``module:attr`` of its entry point, or the dotted module of a
    #: hosted plugin's code.
    value: str
    distribution: str
    where: Where
    #: For a hosted plugin: its manifest record and its host's.
    record: PluginRecord | None = None
    host: PluginRecord | None = None
    #: ``(group, name, value)`` of the entry point in the profile's plugin
    #: group it comes from, when the profile describes that interface.
    entry_point: tuple[str, str, str] | None = None

    def job(self) -> dict[str, Any]:
        """What the child needs to load and judge it."""
        return {
            "name": self.name,
            "value": self.value,
            "record": self.record.to_dict() if self.record else None,
            "host": self.host.to_dict() if self.host else None,
            "entry_point": list(self.entry_point) if self.entry_point else None,
        }

    def checks(self, profile: Profile, list_tests: bool) -> list[str]:
        """The checks that run for it, in order."""
        out = list(CHECKS)
        if self.entry_point and profile.interface is not None:
            out.extend(check for check, hook in HOST_CHECKS if getattr(profile.interface, hook))
        if profile.idempotent_ids and list_tests:
            out.append(ID_CHECK)
        return out


@dataclasses.dataclass
class Outcome:
    """What the dynamic checks of one target found."""

    violations: list[Violation] = dataclasses.field(default_factory=list)
    #: Plugins checked.
    plugins: list[str] = dataclasses.field(default_factory=list)
    #: ``(plugin, check)`` for every check run.
    checks: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: Tests listed per plugin.
    tests: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Unique service client keys the plugins declare (judged across the
    #: whole run with :func:`plugfair.conformance.hostrules.duplicate_services`).
    claims: list[hostrules.ServiceClaim] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def plan(target: Target, records: Sequence[Any], profile: Profile) -> tuple[list[Unit], list[str]]:
    """The plugins of ``target`` to judge, and notes on entry points that
    cannot be judged (no installed plugin hosts them)."""
    group = profile.plugin_group
    units = []
    if group == NAMESPACE:
        units = [
            Unit(name, value, target.distribution or "unknown", _locate(target, value))
            for name, value in target.entry_points
        ]
    covered = set()
    for rec in records:
        if not hosted.belongs(rec, target, group):
            continue
        host = hosted.host_of(rec, records)
        if host is None:
            continue
        origin = hosted.origin_of(rec)
        ep = None
        if origin is not None and origin.group == group and group != NAMESPACE:
            ep = (origin.group, origin.name, origin.value)
            covered.add((origin.name, origin.value))
        value = ep[2] if ep else rec.target
        units.append(Unit(rec.name, rec.target, rec.distribution, _locate(target, value), rec, host, ep))
    notes = []
    if group != NAMESPACE:
        for name, value in target.entry_points:
            if (name, value) not in covered:
                notes.append(
                    "%s: entry point %s = %s (%s) is hosted by no installed plugfair plugin, so only "
                    "the static checks ran for it; install the distribution and a plugin that hosts "
                    "%s plugins." % (target.label, name, value, group, profile.host_name)
                )
    return units, notes


def other_records(target: Target, records: Sequence[Any], units: Sequence[Unit] = ()) -> list[Any]:
    """Manifest records of every installed plugin except the target's own."""
    mine = set(target.entry_points)
    judged = {(u.record.name, u.record.host) for u in units if u.record is not None}
    dist = _norm(target.distribution or "")
    out = []
    for rec in records:
        if (rec.name, rec.target) in mine or (rec.name, rec.host) in judged:
            continue
        if target.kind != "installed" and dist and _norm(rec.distribution) == dist:
            continue  # an installed copy of the project being checked
        out.append(rec)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


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


def _namespaces(rec: Any, root: str) -> list[tuple[str, str, str]]:
    """PF107 findings of one record on its own."""
    found = []
    name = rec.name
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
    for package in rec.test_packages:
        if not (package == root or package.startswith(root + ".")):
            found.append(
                (
                    "PF107",
                    "namespaces",
                    "Test package %r is outside the plugin's own package %r, so its test ids are not namespaced."
                    % (package, root),
                )
            )
    return found


def _overlaps(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _judge_names(rec: Any, root: str, others: Sequence[Any]) -> list[tuple[str, str, str]]:
    """PF107/PF108 findings of one record against the other plugins."""
    found = _namespaces(rec, root)
    name = rec.name
    mine_nouns: dict[str, list[str]] = {}
    for cmd in rec.commands:
        mine_nouns.setdefault(cmd.split(" ")[0], []).append(cmd)
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
        for a in rec.test_packages:
            for b in other.test_packages:
                if _overlaps(a, b):
                    found.append(("PF108", "collisions", "The test package %r overlaps %r of %s." % (a, b, who)))
    return found


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _host_facts(result: dict[str, Any]) -> tuple[list[list[str]], list[dict[str, str]]]:
    """The options and service clients the child recorded, well-formed only."""
    facts = result.get("interface")
    if not isinstance(facts, dict):
        return [], []
    options = [o for o in facts.get("options") or [] if isinstance(o, list) and len(_strings(o)) == 2]
    clients = [
        {k: v for k, v in c.items() if isinstance(k, str) and isinstance(v, str)}
        for c in facts.get("service_clients") or []
        if isinstance(c, dict)
    ]
    return options, clients


def _judge_unit(
    target: Target, unit: Unit, result: dict[str, Any], profile: Profile, outcome: Outcome
) -> PluginRecord | None:
    """Turn one child result into violations; return the record to judge
    names and collisions with, if the plugin loaded cleanly."""
    for finding in result["findings"]:
        outcome.violations.append(_violation(target, unit.name, unit.where, finding["code"], finding["message"]))
    tests = result.get("tests")
    if isinstance(tests, dict):
        outcome.tests[unit.name] = int(tests.get("count", 0) or 0)
        if profile.idempotent_ids:
            listed = [t for t in tests.get("tests") or [] if isinstance(t, list) and len(_strings(t)) == 2]
            outcome.violations.extend(hostrules.missing_ids(target, unit.name, listed, profile))
    options, clients = _host_facts(result)
    outcome.violations.extend(hostrules.host_groups(target, unit.name, unit.where, options, profile))
    keys = profile.interface.unique_service_keys if profile.interface else {}
    for client in clients:
        for key in sorted(set(client) & set(keys)):
            outcome.claims.append(
                hostrules.ServiceClaim(target.label, unit.name, unit.distribution, unit.where, key, client[key])
            )
    if not isinstance(result.get("record"), dict) or result["findings"]:
        return None
    rec = PluginRecord.from_dict(result["record"])
    return None if rec.problems else rec


def check_target(
    target: Target,
    *,
    profile: Profile,
    records: Sequence[Any],
    timeout: float = 120.0,
    hook_timeout: float = 10.0,
    list_tests: bool = True,
) -> Outcome:
    """Run the dynamic checks of every plugin of ``target``.

    :param records: the manifest records of every installed plugin.
    """
    group = profile.plugin_group
    units, notes = plan(target, records, profile)
    outcome = Outcome(notes=notes)
    if not units:
        if not target.entry_points:
            message = (
                "No entry point in group %s: a plugin is found only through one. Add "
                "'%s = <name> = <module>:<PluginClass>' to the distribution's entry points." % (group, group)
            )
            outcome.violations.append(_violation(target, None, (target.label, "<entry point>", 1), "PF101", message))
            outcome.checks.append(("(none)", "entry point"))
        return outcome
    others = other_records(target, records, units)
    prefix = target.import_path() if target.import_path else []
    job = {
        "sys_path": child_sys_path(list(prefix) + [p for p in sys.path if p not in prefix]),
        "group": NAMESPACE,
        "distribution": target.distribution,
        "hook_timeout": hook_timeout,
        "list_tests": list_tests,
        "test_ids": profile.idempotent_ids,
        "interface": profile.interface.to_job() if profile.interface else None,
    }
    results = channel.run_children(job, [u.job() for u in units], timeout)
    modules = [u.value.partition(":")[0].strip() for u in units] + [o.target.partition(":")[0] for o in others]
    judged: list[tuple[PluginRecord, str, Unit]] = []
    for unit in units:
        outcome.plugins.append(unit.name)
        outcome.checks.extend((unit.name, check) for check in unit.checks(profile, list_tests))
        result, why = results.get(unit.name, (None, "it was not checked"))
        if result is None:
            message = "Loading plugin %s (%s) in a child process failed: %s." % (unit.name, unit.value, why)
            outcome.violations.append(_violation(target, unit.name, unit.where, "PF104", message))
            continue
        rec = _judge_unit(target, unit, result, profile, outcome)
        if rec is not None:
            module = unit.value.partition(":")[0].strip()
            judged.append((rec, plugin_root(module, [m for m in modules if m != module]), unit))
    for rec, root, unit in judged:
        siblings = [other for other, _r, _u in judged if other is not rec]
        for code, _check, message in _judge_names(rec, root, list(others) + siblings):
            outcome.violations.append(_violation(target, rec.name, unit.where, code, message))
    return outcome


def _violation(target: Target, plugin: str | None, where: Where, code: str, message: str) -> Violation:
    path, relpath, line = where
    return Violation(code=code, message=message, path=path, relpath=relpath, line=line, target=target.label, name=plugin)
