"""End to end: a generated project installs into a fresh venv and passes.

Slow (creates a virtualenv and builds a wheel, or runs tox); the class
ids contain "slow" so CI can select or exclude them with a filter.
"""

from __future__ import annotations

import importlib.util
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



class TestSlowToxEndToEnd(base.TestCase):
    """``tox -e py3,check`` in a generated project works before plugfair is
    on the package index: its tox.ini installs this plugfair
    (``PLUGFAIR_SOURCE``, default: where this plugfair was installed from).
    It downloads plugfair's dependencies from the package index."""

    def setUp(self):
        super().setUp()
        if importlib.util.find_spec("tox") is None:
            self.skipTest("tox is not installed: pip install 'tox>=4,<5' to run the generated "
                          "project's tox environments end to end")
        self.source = os.environ.get(generate.SOURCE_ENV) or generate.plugfair_requirement()
        if not self.source.startswith("plugfair @ ") and not os.environ.get(generate.SOURCE_ENV):
            self.skipTest("this plugfair was not installed from a local checkout, wheel or sdist: "
                          "set %s to a requirement that installs it" % generate.SOURCE_ENV)
        tmp = self.useFixture(fixtures.TempDir()).path
        self.project = generate.generate("toxdemo", directory=os.path.join(tmp, "proj"))
        # Nothing of an outer tox run or virtualenv leaks into this one.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TOX_", "_TOX")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")}

    def tox(self, *args, env=None):
        proc = subprocess.run(
            [sys.executable, "-m", "tox", *args], cwd=self.project.directory,
            env=dict(self.env, **(env or {})), capture_output=True, text=True, timeout=1200,
        )
        return proc.returncode, proc.stdout + proc.stderr

    def test_py3_and_check_pass(self):
        rc, out = self.tox("-e", "py3,check")
        self.assertEqual(0, rc, out[-6000:])
        self.assertIn("install_deps> python -I -m pip install '%s'" % self.source, out)
        self.assertNotIn("No matching distribution found for plugfair", out)
        self.assertIn("0 violation(s)", out)
        self.assertRegex(out, r"py3: OK")
        self.assertRegex(out, r"check: OK")

    def test_a_bad_source_fails_and_says_where(self):
        rc, out = self.tox("-e", "check", env={generate.SOURCE_ENV: "plugfair @ file:///no/such/plugfair"})
        self.assertNotEqual(0, rc, out[-4000:])
        self.assertIn("/no/such/plugfair", out)
