"""SARIF 2.1.0, for code-scanning dashboards.

Every rule is listed in the driver, so ``ruleIndex`` is stable.  With a
baseline, accepted results carry ``baselineState: "unchanged"`` and an
external suppression; new ones ``baselineState: "new"``.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import IO, Any

from plugfair import __version__
from plugfair.conformance import rules
from plugfair.conformance.report import CheckResult, Violation

__all__ = ["write", "to_dict", "SCHEMA_URI"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


def _uri(path: str) -> str:
    if os.path.isabs(path):
        return pathlib.Path(path).as_uri()
    return pathlib.PurePath(path).as_posix()


def _result(v: Violation, index: dict[str, int], baseline: bool) -> dict[str, Any]:
    rule = v.rule
    item: dict[str, Any] = {
        "ruleId": v.code,
        "ruleIndex": index[v.code],
        "level": _LEVEL[rule.level],
        "message": {"text": v.full_message()},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(v.path)},
                    "region": {"startLine": max(v.line, 1), "startColumn": max(v.column, 1)},
                }
            }
        ],
        "partialFingerprints": {"plugfairFingerprint/v1": v.fingerprint},
        "properties": {"target": v.target, "relpath": v.relpath},
    }
    if v.name:
        item["properties"]["name"] = v.name
    if v.alternative:
        item["properties"]["alternative"] = v.alternative
    if v.removed_in:
        item["properties"]["removedIn"] = v.removed_in
    if baseline:
        item["baselineState"] = "unchanged" if v.baselined else "new"
        if v.baselined:
            item["suppressions"] = [{"kind": "external", "justification": "accepted by the baseline file"}]
    return item


def to_dict(result: CheckResult) -> dict[str, Any]:
    """The report as a SARIF log object."""
    ordered = list(rules.RULES.values())
    index = {rule.code: i for i, rule in enumerate(ordered)}
    driver = {
        "name": "plugfair check",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": "%s See %s in the plugfair documentation." % (rule.summary, rule.docs)},
                "defaultConfiguration": {"level": _LEVEL[rule.level]},
                "properties": {"kind": rule.kind},
            }
            for rule in ordered
        ],
    }
    results = [
        _result(v, index, result.baseline is not None)
        for v in sorted(result.violations, key=lambda x: x.sort_key())
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": result.exit_code,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": note}} for note in result.notes
                        ],
                    }
                ],
                "results": results,
                "properties": {"profile": result.profile},
            }
        ],
    }


def write(result: CheckResult, out: IO[str]) -> None:
    json.dump(to_dict(result), out, indent=2, sort_keys=True)
    out.write("\n")
