"""Base of the parity tests: an out-of-tree plugin next to the in-tree ones.

The out-of-tree plugins are the example distributions under ``examples/``
(each has its own ``setup.cfg``).  When one is not installed with pip, it
is made visible as a real distribution: a dist-info with its entry point
(:class:`plugfair.api.PluginDistribution`) and its source directory on
``sys.path`` (and ``PYTHONPATH``, for the child processes of the tests
host).  The in-tree plugins are the entry points of the ``plugfair``
distribution whose code lives outside the core package.  Nothing here
names a plugin: both sets come from packaging metadata.
"""

from __future__ import annotations

import configparser
import glob
import importlib.metadata
import json
import os
import subprocess
import sys
from typing import Any

import fixtures

from plugfair.api import PluginDistribution
from plugfair.tests import base

GROUP = "plugfair.plugins"
CORE = "plugfair"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def example_plugins() -> list[tuple[str, str, str, str]]:
    """``(plugin, target, distribution, source dir)`` of every example."""
    found = []
    for cfg_path in sorted(glob.glob(os.path.join(REPO, "examples", "*", "setup.cfg"))):
        parser = configparser.ConfigParser()
        parser.read(cfg_path, encoding="utf-8")
        if not parser.has_option("options.entry_points", GROUP):
            continue
        dist = parser.get("metadata", "name", fallback=os.path.basename(os.path.dirname(cfg_path)))
        for line in parser.get("options.entry_points", GROUP).strip().splitlines():
            name, _, target = (part.strip() for part in line.partition("="))
            if name and target:
                found.append((name, target, dist, os.path.dirname(cfg_path)))
    return found


def installed_plugins() -> dict[str, str]:
    """Plugin name -> distribution, for every installed entry point."""
    out: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == GROUP:
                out.setdefault(ep.name, dist.metadata["Name"] or "")
    return out


def in_tree_plugins() -> list[str]:
    """Plugins the core distribution registers from outside its core package."""
    try:
        dist = importlib.metadata.distribution(CORE)
    except importlib.metadata.PackageNotFoundError:
        return []
    return sorted(
        ep.name
        for ep in dist.entry_points
        if ep.group == GROUP and ep.value.split(".")[0].split(":")[0] != CORE
    )


class ParityTestCase(base.TestCase):
    """The first example plugin (``self.outside``) and the in-tree ones."""

    def setUp(self) -> None:
        super().setUp()
        examples = example_plugins()
        if not examples:
            self.skipTest("no example plugin under %s/examples" % REPO)
        self.outside, target, dist, source = examples[0]
        self.inside = in_tree_plugins()
        if not self.inside:
            self.skipTest("plugfair is not installed with its in-tree plugins")
        if self.outside not in installed_plugins():
            # Not pip-installed: make the example a real distribution here.
            self.useFixture(fixtures.PythonPathEntry(source))
            pdist = self.useFixture(PluginDistribution(dist, {self.outside: target}))
            paths = [source, pdist.path, os.environ.get("PYTHONPATH", "")]
            self.useFixture(fixtures.EnvironmentVariable(
                "PYTHONPATH", os.pathsep.join(p for p in paths if p)))
        self.work = self.useFixture(fixtures.TempDir()).path
        self.conf_file = os.path.join(self.work, "plugfair.conf")
        with open(self.conf_file, "w", encoding="utf-8") as f:
            f.write("[%s]\nstate_file = %s\n" % (self.outside, os.path.join(self.work, "z.json")))
        self.everyone = sorted(self.inside + [self.outside])

    def cli(self, *argv: str, expect: int | None = 0) -> str:
        """Run ``plugfair --config-file <conf> ARGV`` in-process; return stdout."""
        rc, out, err = self.run_cli(["--config-file", self.conf_file, *argv])
        if expect is not None:
            self.assertEqual(expect, rc, "plugfair %s\n%s\n%s" % (" ".join(argv), out, err))
        return out

    def cli_process(self, *argv: str, expect: int | None = 0) -> str:
        """Run ``plugfair --config-file <conf> ARGV`` as a child process."""
        exe = os.path.join(os.path.dirname(sys.executable), "plugfair")
        command = [exe] if os.path.exists(exe) else [
            sys.executable, "-c", "import sys; from plugfair.cli.main import main; "
            "sys.exit(main(sys.argv[1:]))"]
        proc = subprocess.run([*command, "--config-file", self.conf_file, *argv],
                              capture_output=True, text=True, timeout=600, cwd=self.work)
        if expect is not None:
            self.assertEqual(expect, proc.returncode, "plugfair %s\n%s\n%s"
                             % (" ".join(argv), proc.stdout, proc.stderr))
        return proc.stdout

    def cli_json(self, *argv: str) -> Any:
        return json.loads(self.cli(*argv, "-f", "json"))
