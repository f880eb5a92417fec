"""The dynamic checks' side of the child-process helper.

The dynamic checks judge each plugin in a child process through
:func:`plugfair.registry.childproc.host.run_units`, the helper the manifest
probe uses too: one plugin at a time, on a private pipe, with one deadline
per plugin, the child replaced after a plugin that leaves anything behind.
The child's handler is :func:`plugfair.conformance.child.handler`.

The verdict is the host's.  A plugin has a result only if the host
accepted an answer for it: the answer came on the pipe the host created,
signed with the key of that child, from the child's own pid, with the
nonce the host issued for *that* plugin, and in the shape the host expects
(:func:`accept`).  A plugin whose answer is missing, late, unsigned,
malformed, for another plugin, or cut short by the process ending (a
plugin that writes a "clean" result and exits, say) has no result, and
:mod:`plugfair.conformance.dynamic` reports that as a violation (PF104),
never as a pass.  See :mod:`plugfair.registry.childproc` for what this
does and does not guarantee.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

from plugfair.registry.childproc import host as childproc

__all__ = ["run_children", "accept", "Results"]

#: Plugin name -> (its result, or ``None`` with the reason it has none).
Results = dict[str, tuple[dict[str, Any] | None, str]]

#: Why a plugin has no result, by the kind of outcome.
_WHY = {
    "hang": "it did not finish within %(timeout).3g s (it hangs at import, in a hook or while listing tests)",
    "exit": "%(why)s",
    "forged": "the checker's child process %(why)s, so its result is refused as forged",
    "fork": "it %(why)s, so its result is refused",
    "start": "the child process %(why)s",
}


def accept(item: object) -> dict[str, Any] | None:
    """A result as the parent uses it, or ``None`` if it is not one.

    :returns: the result with ``findings`` reduced to well-formed
        ``{"code", "check", "message"}`` string mappings.
    """
    if not isinstance(item, dict) or not isinstance(item.get("plugin"), str):
        return None
    findings = item.get("findings")
    if not isinstance(findings, list):
        return None
    item["findings"] = [
        f
        for f in findings
        if isinstance(f, dict) and all(isinstance(f.get(k), str) for k in ("code", "check", "message"))
    ]
    return item


def run_children(job: dict[str, Any], plugins: Sequence[dict[str, Any]], timeout: float) -> Results:
    """Judge ``plugins`` (each a mapping with a ``name``) in child processes.

    The children run in a fresh temporary directory, so files a plugin
    writes into its working directory (logs) land there and are removed.

    :param timeout: seconds each plugin may take.
    """
    units = [childproc.Unit(p["name"], dict(p)) for p in plugins]
    with tempfile.TemporaryDirectory(prefix="plugfair-check-") as tmp:
        outcomes = childproc.run_units(
            "plugfair.conformance.child:handler", job, units, timeout=timeout, cwd=tmp
        )
    return {unit.ident: _judged(unit.ident, outcomes.get(unit.ident), timeout) for unit in units}


def _judged(name: str, outcome: childproc.Outcome | None, timeout: float) -> tuple[dict[str, Any] | None, str]:
    """The result the host takes for plugin ``name``, or why there is none."""
    if outcome is None:
        return None, "it was not checked"
    if outcome.result is None:
        return None, _WHY.get(outcome.kind, "%(why)s") % {"why": outcome.why, "timeout": timeout}
    result = accept(outcome.result)
    if result is None or result["plugin"] != name:
        return None, "its result is malformed, or not its own, so it is refused as forged"
    for taint in outcome.taint:
        if taint.startswith("fork:"):
            result["findings"].append({
                "code": "PF104", "check": "load",
                "message": "Loading %s forked the checker's process (%s); a plugin must not fork when it is "
                "imported or its hooks are called." % (name, taint[5:].strip()),
            })
    return result, ""
