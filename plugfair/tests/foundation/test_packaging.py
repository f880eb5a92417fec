"""Packaging: declared vs tested Python versions; the test extra.

``setup.cfg`` declares the Python versions plugfair supports
(``python_requires`` and the ``Programming Language :: Python :: X.Y``
classifiers).  They must be the versions CI tests, and every other place
that names a version (mypy, ruff, the scaffold, the example plugin) must
agree, so none of them can drift apart silently.

CI runs this suite on each interpreter it tests.  With one interpreter
(the default), the declared versions must be exactly the running one; a
CI matrix sets ``PLUGFAIR_CI_PYTHONS`` (e.g. ``3.11,3.12``) in every job.

The ``[test]`` extra must install what the suite needs: every module a
test skips without (``find_spec("x")`` in the tests) comes from a
distribution that the extra names, unless :data:`OPTIONAL` says why not.
"""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import os
import re
import sys
import tomllib
from collections.abc import Mapping

import plugfair
from plugfair.scaffold import generate
from plugfair.tests import base

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(plugfair.__file__)))
SETUP_CFG = os.path.join(ROOT, "setup.cfg")
_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (\d+\.\d+)$")
_REQUIRES = re.compile(r"^>=\s*(\d+\.\d+)$")


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def declared(setup_cfg_text: str) -> tuple[str, list[str]]:
    """The ``python_requires`` lower bound and the classifier versions.

    :raises ValueError: if ``python_requires`` is not of the form
        ``>=X.Y`` or no version classifier is given.
    """
    cfg = configparser.ConfigParser()
    cfg.read_string(setup_cfg_text)
    requires = cfg.get("options", "python_requires", fallback="").strip()
    match = _REQUIRES.match(requires)
    if not match:
        raise ValueError("python_requires %r is not of the form '>=X.Y'" % requires)
    found = []
    for line in cfg.get("metadata", "classifiers", fallback="").splitlines():
        m = _CLASSIFIER.match(line.strip())
        if m:
            found.append(m.group(1))
    if not found:
        raise ValueError("no 'Programming Language :: Python :: X.Y' classifier")
    return match.group(1), sorted(found, key=_version)


def problems(lower: str, versions: list[str], tested: list[str]) -> list[str]:
    """What is inconsistent between what is declared and what is tested."""
    out = []
    if versions[0] != lower:
        out.append("python_requires >=%s but the oldest classifier is %s" % (lower, versions[0]))
    if sorted(set(versions), key=_version) != versions:
        out.append("duplicate classifiers: %s" % versions)
    if set(versions) != set(tested):
        out.append(
            "declared %s but CI tests %s: declare exactly the tested versions "
            "(or set PLUGFAIR_CI_PYTHONS for a CI matrix)" % (", ".join(versions), ", ".join(tested))
        )
    return out


def tested() -> list[str]:
    """The versions CI tests: ``PLUGFAIR_CI_PYTHONS`` or the running one."""
    explicit = os.environ.get("PLUGFAIR_CI_PYTHONS", "").strip()
    running = "%d.%d" % sys.version_info[:2]
    if not explicit:
        return [running]
    return sorted({v.strip() for v in explicit.split(",") if v.strip()} | {running}, key=_version)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def extra_requirements(setup_cfg_text: str, extra: str) -> set[str]:
    """Normalised distribution names an extra of ``setup.cfg`` installs."""
    cfg = configparser.ConfigParser()
    cfg.read_string(setup_cfg_text)
    names = set()
    for line in cfg.get("options.extras_require", extra, fallback="").splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(_norm(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0]))
    return names


def skip_guards(tests_dir: str) -> set[str]:
    """Top-level modules the tests look up with ``find_spec("name")``."""
    found = set()
    for dirpath, _dirs, files in os.walk(tests_dir):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) == "find_spec"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value.split(".")[0])
    return found


#: Modules tests look for that the test extra leaves out on purpose, and why.
OPTIONAL = {
    "tox": "runs a generated project's tox environments, which download from "
    "the package index; .ci/run installs it with the lint tools",
    "tempest": "hosting Tempest is the 'tempest' extra's job; with Tempest in the "
    "unit tests' environment 'plugfair run' would run all of Tempest. .ci/run "
    "tests it in a venv of its own, with real Tempest plugins",
}


def missing_from_extra(modules: set[str], required: set[str], owners: Mapping[str, list[str]]) -> list[str]:
    """Modules no distribution of ``required`` provides.

    :param owners: module -> distributions (as
        :func:`importlib.metadata.packages_distributions` returns); a module
        it does not know is taken to be its own distribution's name.
    """
    out = []
    for module in sorted(modules):
        dists = {_norm(d) for d in owners.get(module, [module])}
        if not dists & required:
            out.append(module)
    return out


class TestDeclaredPython(base.TestCase):
    def setUp(self):
        super().setUp()
        if not os.path.isfile(SETUP_CFG):
            self.skipTest("not a source checkout: %s is missing" % SETUP_CFG)
        with open(SETUP_CFG, encoding="utf-8") as f:
            self.setup_cfg = f.read()
        self.lower, self.versions = declared(self.setup_cfg)

    def test_declared_versions_are_the_tested_ones(self):
        self.assertEqual([], problems(self.lower, self.versions, tested()))

    def test_running_interpreter_satisfies_python_requires(self):
        self.assertGreaterEqual(sys.version_info[:2], _version(self.lower))

    def test_mypy_checks_the_oldest_declared_version(self):
        cfg = configparser.ConfigParser()
        cfg.read_string(self.setup_cfg)
        self.assertEqual(self.lower, cfg.get("mypy", "python_version"))

    def test_ruff_targets_the_oldest_declared_version(self):
        for path in (os.path.join(ROOT, "ruff.toml"), os.path.join(ROOT, "examples", "dns-plugin", "ruff.toml")):
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                target = tomllib.load(f)["target-version"]
            self.assertEqual("py" + self.lower.replace(".", ""), target, path)

    def test_example_plugin_declares_the_same(self):
        path = os.path.join(ROOT, "examples", "dns-plugin", "setup.cfg")
        if not os.path.isfile(path):
            self.skipTest("examples/dns-plugin is not in this checkout")
        with open(path, encoding="utf-8") as f:
            self.assertEqual((self.lower, self.versions), declared(f.read()))

    def test_scaffold_declares_the_same(self):
        self.assertEqual(tuple(self.versions), generate.PYTHON_VERSIONS)
        files = generate.render("pyver")
        self.assertEqual((self.lower, self.versions), declared(files["setup.cfg"]))
        ruff = tomllib.loads(files["ruff.toml"])
        self.assertEqual("py" + self.lower.replace(".", ""), ruff["target-version"])


class TestTestExtra(base.TestCase):
    def test_the_test_extra_installs_what_tests_skip_without(self):
        if not os.path.isfile(SETUP_CFG):
            self.skipTest("not a source checkout: %s is missing" % SETUP_CFG)
        with open(SETUP_CFG, encoding="utf-8") as f:
            required = extra_requirements(f.read(), "test")
        guards = skip_guards(os.path.join(ROOT, "plugfair", "tests"))
        self.assertIn("sphinx", guards)  # the scan sees the documentation tests
        self.assertIn("sphinx", required)
        missing = missing_from_extra(guards - set(OPTIONAL), required, importlib.metadata.packages_distributions())
        self.assertEqual([], missing, "add these to [options.extras_require] test in setup.cfg, "
                         "or to OPTIONAL with the reason")
        self.assertEqual(set(), set(OPTIONAL) - guards, "OPTIONAL lists modules no test looks for")

    def test_missing_modules_are_reported(self):
        required = extra_requirements(
            "[options.extras_require]\ntest =\n    Flask>=3.0,<4\n    psycopg[binary]>=3.1\n"
            "    # a comment\n    python_subunit>=1.4\n", "test")
        self.assertEqual({"flask", "psycopg", "python-subunit"}, required)
        owners = {"flask": ["Flask"], "subunit": ["python-subunit"], "sphinx": ["Sphinx"]}
        self.assertEqual(["sphinx"], missing_from_extra({"flask", "subunit", "sphinx"}, required, owners))
        self.assertEqual(["lxml"], missing_from_extra({"lxml"}, required, {}))


class TestTheChecksCanFail(base.TestCase):
    """The helpers above reject drift (bad input)."""

    CFG = (
        "[metadata]\nclassifiers =\n    Programming Language :: Python :: 3\n%s"
        "[options]\npython_requires = %s\n"
    )

    def cfg(self, requires, *versions):
        lines = "".join("    Programming Language :: Python :: %s\n" % v for v in versions)
        return self.CFG % (lines, requires)

    def test_lower_bound_below_oldest_classifier(self):
        lower, versions = declared(self.cfg(">=3.10", "3.11"))
        found = problems(lower, versions, ["3.11"])
        self.assertEqual(1, len(found))
        self.assertIn("python_requires >=3.10 but the oldest classifier is 3.11", found[0])

    def test_untested_classifier(self):
        lower, versions = declared(self.cfg(">=3.11", "3.11", "3.12"))
        found = problems(lower, versions, ["3.11"])
        self.assertEqual(["declared 3.11, 3.12 but CI tests 3.11: declare exactly the tested versions "
                          "(or set PLUGFAIR_CI_PYTHONS for a CI matrix)"], found)

    def test_tested_but_undeclared(self):
        lower, versions = declared(self.cfg(">=3.11", "3.11"))
        self.assertEqual(1, len(problems(lower, versions, ["3.11", "3.13"])))

    def test_consistent(self):
        lower, versions = declared(self.cfg(">=3.11", "3.12", "3.11"))
        self.assertEqual(("3.11", ["3.11", "3.12"]), (lower, versions))
        self.assertEqual([], problems(lower, versions, ["3.12", "3.11"]))

    def test_malformed_declarations(self):
        for requires in ("", ">3.11", "~=3.11", ">=3"):
            with self.assertRaises(ValueError):
                declared(self.cfg(requires, "3.11"))
        with self.assertRaises(ValueError):
            declared(self.cfg(">=3.11"))
