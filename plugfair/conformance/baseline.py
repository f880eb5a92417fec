"""Baselines: accept the violations that exist today, fail only on new ones.

A baseline file lists violation fingerprints (code, file relative to the
target, offending name and the text of the line, but not the line number),
so moving code around does not invalidate it.  Each entry accepts one
violation: a second copy of the same violation is new.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence

from plugfair.conformance.report import Violation
from plugfair.interface.errors import UsageError

__all__ = ["BaselineError", "apply", "read", "write", "FORMAT"]

FORMAT = 1


class BaselineError(UsageError):
    """A baseline file is missing or malformed."""


def read(path: str) -> Counter[str]:
    """Return the fingerprints a baseline file accepts, with counts.

    :raises BaselineError: if it cannot be read or is not a baseline.
    """
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise BaselineError(
            "Cannot read baseline %s (%s). Create one with 'plugfair check "
            "--write-baseline %s ...'." % (path, exc.strerror, path)
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError("Baseline %s is not valid JSON: %s." % (path, exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("violations"), list):
        raise BaselineError(
            "%s is not a plugfair check baseline (format %d with a 'violations' "
            "list). Write it again with --write-baseline." % (path, FORMAT)
        )
    counts: Counter[str] = Counter()
    for i, item in enumerate(data["violations"]):
        fp = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError("Baseline %s: entry %d has no fingerprint." % (path, i))
        counts[fp] += 1
    return counts


def apply(violations: Sequence[Violation], accepted: Counter[str]) -> int:
    """Mark the violations the baseline accepts; return unmatched entries."""
    left = Counter(accepted)
    for v in violations:
        fp = v.fingerprint
        if left[fp] > 0:
            left[fp] -= 1
            v.baselined = True
    return sum(left.values())


def write(path: str, violations: Sequence[Violation], *, profile: str) -> None:
    """Write a baseline accepting ``violations`` (atomically)."""
    data = {
        "format": FORMAT,
        "tool": "plugfair check",
        "profile": profile,
        "violations": [
            {
                "fingerprint": v.fingerprint,
                "code": v.code,
                "relpath": v.relpath,
                "name": v.name,
                "message": v.message,
            }
            for v in sorted(violations, key=lambda x: (x.relpath, x.code, x.line, x.message))
        ],
    }
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".baseline-", dir=directory)
    except OSError as exc:
        raise BaselineError("Cannot write baseline %s (%s)." % (path, exc.strerror)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise BaselineError("Cannot write baseline %s (%s)." % (path, exc.strerror)) from None
