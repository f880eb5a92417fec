"""End to end: a generated project installs into a fresh venv and passes.

Slow (creates a virtualenv and builds a wheel); the class id contains
"slow" and "venv" so CI can select or exclude it with a filter.
"""

from __future__ import annotations

import os
import subprocess
import sys

import fixtures

from plugfair.registry.core import Registry
from plugfair.scaffold import generate
from plugfair.tests import base

_CAN_BUILD = (
    "import importlib.metadata, importlib.util, sys\n"
    "v = importlib.metadata.version('setuptools').split('.')\n"
    "ok = (int(v[0]), int(v[1])) >= (70, 1) or importlib.util.find_spec('wheel')\n"
    "sys.exit(0 if ok else 1)\n"
)


def _inherit_site_packages(venv: str) -> None:
    """Let ``venv`` see this interpreter's packages, ``.pth`` files included.

    ``--system-site-packages`` would expose the *base* interpreter's
    packages, which are not this one's when the tests run inside tox.
    """
    import site
    import sysconfig

    target = sysconfig.get_path("purelib", vars={"base": venv, "platbase": venv})
    os.makedirs(target, exist_ok=True)
    dirs = [d for d in site.getsitepackages() + [site.getusersitepackages()] if os.path.isdir(d)]
    with open(os.path.join(target, "zz_parent_env.pth"), "w", encoding="utf-8") as f:
        for d in dirs:
            f.write("import site; site.addsitedir(%r)\n" % d)


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
        rc, _, detail = self._run([sys.executable, "-m", "venv", "--without-pip", venv], tmp)
        self.assertEqual(0, rc, detail)
        _inherit_site_packages(venv)
        py = os.path.join(venv, "bin", "python")
        # Build offline when the venv can build wheels; otherwise pip
        # fetches the build backend named in pyproject.toml.
        can_build = subprocess.run([py, "-c", _CAN_BUILD], check=False).returncode == 0
        isolation = ["--no-build-isolation", "--no-index"] if can_build else []
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
