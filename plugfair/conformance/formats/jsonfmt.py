"""JSON, as described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import IO, Any

from plugfair import __version__
from plugfair.conformance.report import CheckResult

__all__ = ["write", "to_dict", "SCHEMA_ID"]

SCHEMA_ID = "plugfair-check-report-1"


def to_dict(result: CheckResult) -> dict[str, Any]:
    """The report as plain data."""
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "plugfair check", "version": __version__},
        "profile": result.profile,
        "targets": [t.to_dict() for t in result.targets],
        "summary": {
            "files": result.file_count,
            "violations": len(result.violations),
            "new": len(result.new),
            "baselined": len(result.violations) - len(result.new),
            "baseline": result.baseline,
            "baseline_unmatched": result.baseline_unmatched,
            "exit_code": result.exit_code,
            "seconds": round(result.duration, 3),
        },
        "notes": list(result.notes),
        "violations": [v.to_dict() for v in sorted(result.violations, key=lambda x: x.sort_key())],
    }


def write(result: CheckResult, out: IO[str]) -> None:
    json.dump(to_dict(result), out, indent=2, sort_keys=True)
    out.write("\n")
