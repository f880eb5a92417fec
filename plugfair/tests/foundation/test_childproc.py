"""The same result from any directory: plugfair's child processes.

A directory holding a ``plugfair/`` folder or a ``json.py`` must not
change what the manifest probe or the conformance checks see (issue 11,
item 3: false PF105 violations when run from such a directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import fixtures

from plugfair.conformance.check import CheckRequest, run_check
from plugfair.registry import childproc, manifest
from plugfair.tests import base

#: Files that shadow plugfair and the standard library when the current
#: directory is on ``sys.path``.  The empty ``plugfair_plugins`` folder is
#: a namespace package that hides nothing but must not confuse anything.
HOSTILE = {
    "plugfair/__init__.py": "raise ImportError('plugfair imported from the current directory')\n",
    "json.py": "raise ImportError('json imported from the current directory')\n",
    "plugfair_plugins/.keep": "",
}


class HostileDirectory(fixtures.Fixture):
    """Make a directory that shadows plugfair and ``json``, and enter it.

    :param empty_package: make ``plugfair/`` an empty folder (a namespace
        package, the case from the issue) instead of a broken package.
    """

    def __init__(self, *, empty_package: bool = False) -> None:
        super().__init__()
        self.empty_package = empty_package

    def _setUp(self) -> None:
        self.path = self.useFixture(fixtures.TempDir()).path
        for rel, text in HOSTILE.items():
            if self.empty_package and rel.startswith("plugfair/"):
                os.makedirs(os.path.join(self.path, "plugfair"), exist_ok=True)
                continue
            target = os.path.join(self.path, *rel.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.path)


class TestChildPath(base.TestCase):
    """The helpers every child process is started with."""

    def test_command_keeps_the_current_directory_off_the_path(self):
        argv = childproc.python_command("pass")
        self.assertEqual([sys.executable, "-P", "-c", "pass"], argv)

    def test_child_really_has_no_cwd_entry(self):
        cwd = self.useFixture(HostileDirectory()).path
        out = subprocess.run(
            childproc.python_command("import sys; print(repr(sys.path))"),
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
        path = eval(out)  # noqa: S307 - our own repr of a list of str
        self.assertNotIn("", path)
        self.assertNotIn(cwd, path)

    def test_empty_and_relative_entries_become_absolute(self):
        cwd = self.useFixture(HostileDirectory()).path
        got = childproc.child_sys_path(["", "lib", "/abs/one", ".", "/abs/one"])
        self.assertEqual([cwd, os.path.join(cwd, "lib"), "/abs/one"], got)

    def test_default_is_sys_path_without_empty_entries(self):
        self.useFixture(fixtures.MonkeyPatch("sys.path", ["", "/x"]))
        got = childproc.child_sys_path()
        self.assertEqual([os.getcwd(), "/x"], got)
        self.assertEqual(["", "/x"], sys.path)  # the argument is not changed


class TestFromAnyDirectory(base.TestCase):
    """Run the probe and the conformance checks from a hostile directory."""

    def test_manifest_probe(self):
        neutral = [(r.name, r.status, [p.reason for p in r.problems]) for r in manifest.load(use_cache=False).records]
        self.useFixture(HostileDirectory())
        hostile = [(r.name, r.status, [p.reason for p in r.problems]) for r in manifest.load(use_cache=False).records]
        self.assertEqual(neutral, hostile)
        self.assertNotIn("plugfair_probe", [name for name, _s, _p in hostile])

    def test_check_core_in_process(self):
        for empty in (True, False):
            self.useFixture(HostileDirectory(empty_package=empty))
            result = run_check(CheckRequest(core=True, select=["PF1"]))
            self.assertEqual([], [v.message for v in result.violations], "empty plugfair/: %s" % empty)

    def test_check_core_command(self):
        """The user-visible case: the ``plugfair`` command from such a directory."""
        exe = os.path.join(os.path.dirname(sys.executable), "plugfair")
        if not os.path.exists(exe):
            self.skipTest("the plugfair console script is not installed beside %s" % sys.executable)
        where = self.useFixture(HostileDirectory(empty_package=True)).path
        proc = subprocess.run(
            [exe, "check", "--core", "--select", "PF1", "--format", "json"],
            capture_output=True, text=True, timeout=600, cwd=where,
        )
        self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
        self.assertEqual([], json.loads(proc.stdout)["violations"])
