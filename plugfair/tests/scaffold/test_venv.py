"""End to end: a generated project installs into a fresh venv and passes.

Slow (creates a virtualenv and builds a wheel); the class id contains
"slow" and "venv" so CI can select or exclude it with a filter.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys

import fixtures

from plugfair.registry.core import Registry
from plugfair.scaffold import generate
from plugfair.tests import base


def _can_build_wheels():
    """Whether setuptools here can build a wheel without a download."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(x) for x in version.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


class TestSlowVenvEndToEnd(base.TestCase):

    def _run(self, argv, cwd):
        proc = subprocess.run(
            argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
        )
        detail = "%s\n--- stdout\n%s\n--- stderr\n%s" % (argv, proc.stdout[-4000:], proc.stderr[-4000:])
        return proc.returncode, proc.stdout, detail

    def test_generated_project_installs_tests_and_checks_clean(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        project = generate.generate("venvdemo", directory=os.path.join(tmp, "proj"))
        venv = os.path.join(tmp, "venv")
        # System site packages give plugfair (installed in this
        # interpreter) and its dependencies without any download.
        rc, _, detail = self._run(
            [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], tmp
        )
        self.assertEqual(0, rc, detail)
        py = os.path.join(venv, "bin", "python")
        # Build offline when this interpreter can build wheels; otherwise
        # pip fetches the build backend named in pyproject.toml.
        isolation = ["--no-build-isolation", "--no-index"] if _can_build_wheels() else []
        rc, _, detail = self._run(
            [py, "-m", "pip", "install", "-q", "--no-deps", *isolation, project.directory],
            tmp,
        )
        self.assertEqual(0, rc, detail)

        # Installed, not just importable from the source tree: the entry
        # point is discovered from another directory.
        cli = [py, "-m", "plugfair.cli.main"]
        rc, out, detail = self._run(cli + ["plugin", "show", "venvdemo", "-f", "value", "-c", "distribution"], tmp)
        self.assertEqual(0, rc, detail)
        self.assertEqual("venvdemo-plugfair-plugin", out.strip(), detail)

        # The project's own tests, with stestr, unedited.
        rc, out, detail = self._run([py, "-m", "stestr", "run"], project.directory)
        self.assertEqual(0, rc, detail)
        self.assertIn("Passed", out, detail)

        # The generated command works.
        rc, out, detail = self._run(cli + ["venvdemo", "hello", "tester"], tmp)
        self.assertEqual(0, rc, detail)
        self.assertEqual("Hello, tester!", out.strip(), detail)

        if "check" not in Registry.discover(None, use_cache=False).commands():
            self.skipTest("Installed and tested fine; 'plugfair check' is not available in this tree yet.")
        rc, out, detail = self._run(cli + ["check", "venvdemo"], tmp)
        self.assertEqual(0, rc, detail)
