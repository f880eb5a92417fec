"""Helpers for the tests host's tests: real plugin distributions on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence

import fixtures

from plugfair.interface.testing import PluginDistribution
from plugfair.testhost import context
from plugfair.tests import base

PLUGIN_SOURCE = '''\
from plugfair.api import Plugin


class TestPlugin(Plugin):
    name = "{name}"
    description = "A plugin made by the tests host's tests."
{body}
'''

TESTS_HOOK = '''
    def test_package(self):
        return "{package}"
'''


def plugin_modules(
    name: str,
    tests: Mapping[str, str] | None = None,
    *,
    body: str = "",
    package: str | None = None,
    test_package: str | None = None,
    module: str = "plugin",
) -> tuple[dict[str, str], str]:
    """Modules of a plugin ``name`` whose tests are ``tests``.

    :param tests: module name under the test package -> source.
    :param body: extra class body (indented by 4).
    :param package: the top-level package (default: ``<name>_pkg``).
    :param test_package: what ``test_package()`` returns (default:
        ``<package>.tests`` when there are tests).
    :returns: ``(modules, entry point target)``.
    """
    package = package or "%s_pkg" % name
    hook = ""
    if tests is not None or test_package:
        test_package = test_package or "%s.tests" % package
        hook = TESTS_HOOK.format(package=test_package)
    modules = {
        "%s.%s" % (package, module): PLUGIN_SOURCE.format(name=name, body=hook + body),
    }
    for test_module, source in (tests or {}).items():
        modules["%s.%s" % (test_package, test_module)] = textwrap.dedent(source)
    return modules, "%s.%s:TestPlugin" % (package, module)


PASSING = '''
from plugfair.api import TestCase


class SimpleTest(TestCase):
    def test_one(self):
        self.assertTrue(True)

    def test_two(self):
        self.assertEqual(2, 1 + 1)
'''

FAILING = '''
from plugfair.api import TestCase


class SimpleTest(TestCase):
    def test_fails(self):
        self.fail("this test fails on purpose")
'''


class TesthostTestCase(base.TestCase):
    """Base: a site directory for distributions, a clean host context."""

    def setUp(self) -> None:
        super().setUp()
        self.site = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(context.PLAN_ENV))
        previous = context.reset(None)
        self.addCleanup(context.reset, previous)

    def add_plugin(
        self,
        name: str,
        tests: Mapping[str, str] | None = None,
        *,
        dist: str | None = None,
        body: str = "",
        package: str | None = None,
        test_package: str | None = None,
        modules: Mapping[str, str] | None = None,
        module: str = "plugin",
    ) -> None:
        """Install a plugin distribution into :attr:`site`."""
        mods, target = plugin_modules(
            name, tests, body=body, package=package, test_package=test_package, module=module
        )
        mods.update(modules or {})
        self.useFixture(
            PluginDistribution(
                dist or "dist-%s" % name.replace("_", "-"),
                {name: target},
                mods,
                directory=self.site,
            )
        )

    def write_conf(self, enabled: Sequence[str] = (), extra: str = "") -> str:
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "plugfair.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write("[plugfair]\n")
            if enabled:
                f.write("enabled_plugins = %s\n" % ",".join(enabled))
            f.write(extra)
        return path

    def host(self, enabled: Sequence[str] = (), extra: str = "") -> context.HostContext:
        """A host context over the installed plugins, made current."""
        path = self.write_conf(enabled, extra)
        conf = context.build_test_conf([path])
        plan = context.plan_from_conf(conf, config_files=[path])
        host = context.HostContext(plan)
        context.reset(host)
        return host


class CliTestCase(TesthostTestCase):
    """Base for tests that run ``plugfair`` as a subprocess."""

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [self.site] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env.pop(context.PLAN_ENV, None)
        return env

    def plugfair(self, *args: str, cwd: str | None = None) -> tuple[int, str, str]:
        """Run ``plugfair ARGS``; return ``(status, stdout, stderr)``."""
        proc = subprocess.run(
            [sys.executable, "-m", "plugfair.cli.main", *args],
            cwd=cwd or self.home,
            env=self.env(),
            capture_output=True,
            check=False,
        )
        return (
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

    def plugfair_bytes(self, *args: str) -> tuple[int, bytes, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "plugfair.cli.main", *args],
            cwd=self.home,
            env=self.env(),
            capture_output=True,
            check=False,
        )
        return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")

    def workspace(self, enabled: Sequence[str] = (), extra: str = "") -> str:
        """A new workspace (made in-process: the command has its own
        test); restricted to ``enabled`` plugins when given."""
        from plugfair.testhost.workspace import init_workspace

        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "ws")
        init_workspace(path)
        if enabled or extra:
            with open(os.path.join(path, "plugfair.conf"), "a", encoding="utf-8") as f:
                f.write("\n[plugfair]\n")
                if enabled:
                    f.write("enabled_plugins = %s\n" % ",".join(enabled))
                f.write(extra)
        return path
