"""Figures of the reliability tests, for ``doc/source/user/reliability.rst``.

When ``PLUGFAIR_ARTIFACTS_DIR`` is set, each test that measures something
merges its numbers into ``$PLUGFAIR_ARTIFACTS_DIR/reliability.json`` (under
a file lock, as stestr runs tests in several processes at once).
"""

from __future__ import annotations

import fcntl
import json
import os
from typing import Any

FILENAME = "reliability.json"


def record(section: str, **numbers: Any) -> None:
    """Merge ``numbers`` into ``section`` of the artifacts file, if enabled.

    Numeric values are added to what is there (several tests may count
    into one section); other values replace it.
    """
    _merge(section, numbers, add=True)


def put(section: str, **values: Any) -> None:
    """Set ``values`` in ``section``, replacing what is there.

    For facts that every test process may state once (e.g. the size of a
    fixture each process builds): the figure does not grow with the number
    of processes.
    """
    _merge(section, values, add=False)


def _merge(section: str, numbers: dict[str, Any], *, add: bool) -> None:
    directory = os.environ.get("PLUGFAIR_ARTIFACTS_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, FILENAME)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
        part = data.setdefault(section, {})
        for key, value in numbers.items():
            old = part.get(key)
            if add and isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(
                old, (int, float)
            ):
                part[key] = old + value
            else:
                part[key] = value
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.replace(tmp, path)
