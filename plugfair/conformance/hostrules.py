"""Rules PF111-PF113: a plugin judged through its profile's host.

The child records facts (:mod:`plugfair.conformance.childhost` and the test
listing); this module judges them against the profile:

* ``PF111``: an option registered into a group the host itself defines
  (``plugin_interface.host_groups``);
* ``PF112``: a service client key that must be unique
  (``plugin_interface.unique_service_keys``) whose value the host itself,
  another plugin checked in the same run, or the same plugin twice, uses;
* ``PF113``: a test without an idempotent id, when the profile says
  ``"idempotent_ids": true``.  One violation per test method, in the class
  that defines it (subclasses and scenarios run the same method), located
  at the method, so a baseline accepts exactly the methods that lack one
  today.

Every violation names the plugin (``name``) and carries the item it is
about in ``context``, so its fingerprint, and so a baseline entry, is
specific to that option, service client or test.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from plugfair.conformance.profiles import Profile
from plugfair.conformance.report import Violation
from plugfair.conformance.targets import Target
from plugfair.interface.testids import idempotent_id_of

__all__ = ["ServiceClaim", "host_groups", "missing_ids", "duplicate_services"]

Where = tuple[str, str, int]


@dataclasses.dataclass(frozen=True)
class ServiceClaim:
    """One value of a unique service client key, as a plugin declares it."""

    target: str
    plugin: str
    distribution: str
    where: Where
    key: str
    value: str


def _violation(target: str, plugin: str, where: Where, code: str, message: str, item: str) -> Violation:
    path, relpath, line = where
    return Violation(
        code=code, message=message, path=path, relpath=relpath, line=line, target=target, name=plugin, context=item
    )


def host_groups(
    target: Target, plugin: str, where: Where, options: Sequence[Sequence[str]], profile: Profile
) -> list[Violation]:
    """PF111: each option registered in a group the host defines."""
    interface = profile.interface
    if interface is None:
        return []
    hook = interface.register_opts or "register_opts"
    out = []
    for group, option in sorted({(str(g), str(o)) for g, o in options}):
        if interface.host_group(group):
            message = (
                "%s() registers option %r in [%s], a group %s itself defines; it shares that group with "
                "%s's options and every other plugin's. Register it in a group of the plugin's own."
                % (hook, option, group, profile.host_name, profile.host_name)
            )
            out.append(_violation(target.label, plugin, where, "PF111", message, "%s.%s" % (group, option)))
    return out


def missing_ids(target: Target, plugin: str, tests: Iterable[Sequence[str]], profile: Profile) -> list[Violation]:
    """PF113: each test method that runs as a test without an idempotent id.

    :param tests: ``(test id, "module.Class.method")`` of each test, the
        method as defined (a subclass or a scenario runs the same one).
    """
    runs: dict[str, int] = {}
    for test_id, method in tests:
        if idempotent_id_of(test_id) is None:
            runs[method] = runs.get(method, 0) + 1
    locator = _TestLocator(target)
    out = []
    for method in sorted(runs):
        message = "Test method %s has no idempotent id (%d test%s run%s it); %s requires one on every test." % (
            method,
            runs[method],
            "" if runs[method] == 1 else "s",
            "s" if runs[method] == 1 else "",
            profile.host_name,
        )
        out.append(_violation(target.label, plugin, locator.locate(method), "PF113", message, method))
    return out


class _TestLocator:
    """Finds the file and line of a test method among a target's files."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.by_module = {f.module: f for f in target.files if f.module}
        self._trees: dict[str, ast.Module | None] = {}

    def locate(self, key: str) -> Where:
        parts = key.split(".")
        for i in range(len(parts) - 1, 0, -1):
            f = self.by_module.get(".".join(parts[:i]))
            if f is not None:
                return f.path, f.relpath, self._line(f, parts[i:])
        return self.target.label, "<%s>" % key, 1

    def _line(self, f: Any, names: list[str]) -> int:
        if f.module not in self._trees:
            try:
                self._trees[f.module] = ast.parse(f.read())
            except (SyntaxError, ValueError, OSError):
                self._trees[f.module] = None
        tree = self._trees[f.module]
        line = 1
        body: list[ast.stmt] = list(tree.body) if tree is not None else []
        for name in names:
            node = next(
                (n for n in body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name),
                None,
            )
            if node is None:
                break
            line = node.lineno
            body = list(getattr(node, "body", []))
        return line


def duplicate_services(claims: Sequence[ServiceClaim], profile: Profile) -> list[Violation]:
    """PF112: each claim whose value the host, another plugin or the same
    plugin (a second time) also uses."""
    interface = profile.interface
    if interface is None:
        return []
    hook = interface.service_clients or "service clients"
    by_value: dict[tuple[str, str], list[ServiceClaim]] = {}
    for claim in claims:
        by_value.setdefault((claim.key, claim.value), []).append(claim)
    out = []
    seen: set[tuple[str, str, str, str]] = set()
    for claim in claims:
        ident = (claim.target, claim.plugin, claim.key, claim.value)
        if ident in seen:
            continue
        seen.add(ident)
        others = [c for c in by_value[(claim.key, claim.value)] if c.plugin != claim.plugin]
        twice = sum(1 for c in by_value[(claim.key, claim.value)] if c.plugin == claim.plugin) > 1
        who = []
        if claim.value in interface.unique_service_keys.get(claim.key, ()):
            who.append("%s itself" % profile.host_name)
        who.extend(sorted({"plugin %s (distribution %s)" % (c.plugin, c.distribution) for c in others}))
        if twice:
            who.append("this plugin a second time")
        if not who:
            continue
        message = "%s() declares a service client with %s %r, also declared by %s; %s fails when it registers the second one." % (
            hook,
            claim.key,
            claim.value,
            ", ".join(who),
            profile.host_name,
        )
        out.append(
            _violation(claim.target, claim.plugin, claim.where, "PF112", message, "%s=%s" % (claim.key, claim.value))
        )
    return out
