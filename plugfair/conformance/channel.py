"""The channel between the dynamic checks and their child processes.

Everything that crosses the process boundary goes through this module:
the parent starts a child with the job on its standard input
(:func:`run_children`); the child writes one JSON line per plugin to a
results file through a :class:`ResultWriter`: a ``start`` line before it
judges a plugin (so the parent knows which plugin was running if the
process dies or hangs), then the plugin's result.  The parent reads the
lines back with a :class:`_ResultReader` and keeps only results whose shape
it expects (:func:`accept`).  The child's own standard output and error go
to ``/dev/null`` so a plugin cannot flood them.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from typing import IO, Any

from plugfair.registry.childproc import python_command

__all__ = ["run_children", "ResultWriter", "accept", "Results"]

#: Plugin name -> (its result, or ``None`` with the reason it has none).
Results = dict[str, tuple[dict[str, Any] | None, str]]

# The child sets its import path before it imports plugfair, so nothing
# is imported from anywhere else (see plugfair.registry.childproc).
_CHILD = (
    "import json, sys\n"
    "job = json.loads(sys.stdin.read())\n"
    "sys.path[:] = job['sys_path']\n"
    "from plugfair.conformance.child import child_main\n"
    "child_main(job)\n"
)

#: Seconds a child may take to start, before it judges its first plugin.
STARTUP_ALLOWANCE = 30.0


class ResultWriter:
    """The child's end: one JSON line per event, flushed at once."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def start(self, plugin: str) -> None:
        self._write({"start": plugin})

    def result(self, result: dict[str, Any]) -> None:
        self._write(result)

    def _write(self, data: dict[str, Any]) -> None:
        self._out.write(json.dumps(data, default=str) + "\n")
        self._out.flush()


def accept(item: object) -> dict[str, Any] | None:
    """A result line as the parent uses it, or ``None`` if it is not one.

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


class _ResultReader:
    """The parent's end: tails the results file as the child writes it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._offset = 0
        self._buffer = ""

    def read(self) -> tuple[bool, list[dict[str, Any]]]:
        """Return (whether anything was written, the complete lines)."""
        with open(self.path, encoding="utf-8") as f:
            f.seek(self._offset)
            chunk = f.read()
            self._offset = f.tell()
        if not chunk:
            return False, []
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split("\n")
        items = []
        for line in lines:
            try:
                item = json.loads(line)
            except ValueError:
                continue  # not ours: the results file is written only by the child
            if isinstance(item, dict):
                items.append(item)
        return True, items


def run_children(job: dict[str, Any], plugins: Sequence[dict[str, Any]], timeout: float) -> Results:
    """Judge ``plugins`` (each a mapping with a ``name``) in child processes.

    One child judges them in turn.  If it dies or stops making progress for
    ``timeout`` seconds, the plugin it was on gets no result (with the
    reason) and a new child carries on with the rest.
    """
    results: Results = {}
    remaining = list(plugins)
    while remaining:
        current, why = _one_child(dict(job, plugins=remaining), timeout, results)
        if not why:
            break
        if current is None:
            for plugin in remaining:
                results.setdefault(plugin["name"], (None, why))
            break
        results[current] = (None, why)
        remaining = [p for p in remaining if p["name"] not in results]
    return results


def _spawn(job: dict[str, Any], cwd: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        python_command(_CHILD),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    if proc.stdin is None:  # pragma: no cover - PIPE always gives one
        raise RuntimeError("the child process has no standard input")
    proc.stdin.write(json.dumps(job).encode("utf-8"))
    proc.stdin.close()
    return proc


def _one_child(job: dict[str, Any], timeout: float, results: Results) -> tuple[str | None, str]:
    """Run one child; fill ``results``; return (plugin it was on, why it failed).

    The child runs in a fresh temporary directory, so files a plugin writes
    into its working directory (logs) land there and are removed.
    """
    names = {p["name"] for p in job["plugins"]}
    with tempfile.TemporaryDirectory(prefix="plugfair-check-") as tmp:
        out = os.path.join(tmp, "result.jsonl")
        open(out, "w").close()
        workdir = os.path.join(tmp, "work")
        os.mkdir(workdir)
        proc = _spawn(dict(job, out=out), workdir)
        reader = _ResultReader(out)
        current: str | None = None
        last = time.monotonic()
        allowance = STARTUP_ALLOWANCE
        why = ""
        while True:
            rc = proc.poll()
            wrote, items = reader.read()
            for item in items:
                if "start" in item and item["start"] in names:
                    current, last, allowance = item["start"], time.monotonic(), 0.0
                    continue
                result = accept(item)
                if result is not None and result["plugin"] in names:
                    results[result["plugin"]] = (result, "")
                    current, last = None, time.monotonic()
            if rc is not None and not wrote:
                if current is not None or any(name not in results for name in names):
                    why = "the process ended with status %s%s" % (rc, _tail(proc))
                break
            if time.monotonic() - last > timeout + allowance:
                proc.kill()
                proc.wait()
                why = "it did not finish within %.3g s (it hangs at import, in a hook or while listing tests)" % timeout
                break
            time.sleep(0.02)
        if proc.stderr is not None:
            proc.stderr.close()
    return current, why


def _tail(proc: subprocess.Popen[bytes]) -> str:
    """``": <last line of standard error>"``, or nothing."""
    if proc.stderr is None:
        return ""
    tail = proc.stderr.read(65536).decode("utf-8", "replace").strip()
    return (": " + tail.splitlines()[-1]) if tail else ""
