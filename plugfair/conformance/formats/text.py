"""Human-readable text: ``file:line: CODE message``, one per line."""

from __future__ import annotations

from typing import IO

from plugfair.conformance.report import CheckResult

__all__ = ["write"]


def write(result: CheckResult, out: IO[str]) -> None:
    """Write new violations, then notes and a summary line."""
    for v in sorted(result.new, key=lambda x: x.sort_key()):
        out.write("%s:%d: %s %s\n" % (v.path, v.line, v.code, v.full_message()))
    for note in result.notes:
        out.write("note: %s\n" % note)
    accepted = len(result.violations) - len(result.new)
    files = result.file_count
    plugins = sum(len(t.plugins) for t in result.targets)
    summary = "%d violation(s) in %d file(s)" % (len(result.new), files)
    if plugins:
        summary += " and %d plugin(s) loaded" % plugins
    if result.baseline:
        summary += "; %d accepted by baseline %s" % (accepted, result.baseline)
        if result.baseline_unmatched:
            summary += " (%d baseline entries no longer match: fixed, or rewrite it)" % result.baseline_unmatched
    summary += " [profile %s, %.2f s]" % (result.profile.get("name"), result.duration)
    out.write(summary + "\n")
