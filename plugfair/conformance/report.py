"""What a check finds: violations, per-target summaries and the result."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from plugfair.conformance import rules

__all__ = ["Violation", "TargetSummary", "CheckResult"]


@dataclasses.dataclass
class Violation:
    """One broken rule at one place."""

    #: Rule code, e.g. ``"PF001"``.
    code: str
    #: What is wrong, in one sentence (the fix is in :attr:`alternative`).
    message: str
    #: Where, for humans: a file path, or ``archive/member``.
    path: str
    #: Where, relative to the target's root with ``/`` separators; stable
    #: across machines and across dir/wheel/sdist forms of the same code.
    relpath: str
    line: int = 1
    column: int = 1
    #: The offending dotted name, when there is one.
    name: str | None = None
    #: What to use instead, when known.
    alternative: str | None = None
    #: For deprecated API: the version (or condition) that removes it.
    removed_in: str | None = None
    #: Label of the target the file belongs to.
    target: str = ""
    #: The source line, stripped (part of the fingerprint, not printed).
    context: str = ""
    #: Whether the baseline accepts this violation.
    baselined: bool = False

    @property
    def rule(self) -> rules.Rule:
        return rules.get(self.code)

    @property
    def fingerprint(self) -> str:
        """Identity that survives line moves: code, file, name and line text."""
        material = "\0".join(
            [self.code, self.relpath, self.name or self.message, " ".join(self.context.split())]
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]

    def full_message(self) -> str:
        """The message with the fix appended, as printed."""
        text = self.message
        if self.alternative:
            text += " Use instead: %s." % self.alternative.rstrip(".")
        return text

    def sort_key(self) -> tuple[Any, ...]:
        return (self.target, self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule.name,
            "level": self.rule.level,
            "message": self.message,
            "path": self.path,
            "relpath": self.relpath,
            "line": self.line,
            "column": self.column,
            "name": self.name,
            "alternative": self.alternative,
            "removed_in": self.removed_in,
            "target": self.target,
            "fingerprint": self.fingerprint,
            "baselined": self.baselined,
            "docs": self.rule.docs,
        }


@dataclasses.dataclass
class TargetSummary:
    """One checked target."""

    #: What the user named (or what the core audit chose).
    label: str
    #: ``directory``, ``wheel``, ``sdist``, ``installed`` or ``core``.
    kind: str
    #: Files statically checked.
    files: list[str] = dataclasses.field(default_factory=list)
    #: Plugins dynamically checked (entry-point names).
    plugins: list[str] = dataclasses.field(default_factory=list)
    #: Dynamic checks run, as ``(plugin, check)``; a failing one has
    #: violations with the same target and ``relpath`` ``<plugin>``.
    checks: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: Tests listed per plugin by the dynamic checks.
    tests: dict[str, int] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "files": len(self.files),
            "plugins": list(self.plugins),
            "checks": ["%s: %s" % pair for pair in self.checks],
            "tests": dict(self.tests),
        }


@dataclasses.dataclass
class CheckResult:
    """Everything one run of the checker found."""

    profile: dict[str, Any]
    targets: list[TargetSummary]
    violations: list[Violation]
    #: Informational notes (e.g. a host module that was not found).
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Baseline file used, if any, and how many of its entries no longer
    #: match anything (fixed violations).
    baseline: str | None = None
    baseline_unmatched: int = 0
    #: Seconds spent.
    duration: float = 0.0

    @property
    def new(self) -> list[Violation]:
        """Violations the baseline does not accept."""
        return [v for v in self.violations if not v.baselined]

    @property
    def exit_code(self) -> int:
        """0 when nothing new was found, 1 otherwise."""
        return 1 if self.new else 0

    @property
    def file_count(self) -> int:
        return sum(len(t.files) for t in self.targets)
