"""Shared base for plugfair's own tests."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence

import fixtures
import testtools


class TestCase(testtools.TestCase):
    """testtools TestCase with isolated environment, output and logs.

    * ``PLUGFAIR_CACHE_DIR`` points at a fresh directory, so the manifest
      cache of one test never leaks into another;
    * ``HOME`` is a fresh directory, so no user configuration is read;
    * logging is captured (``self.logs.output``);
    * ``sys.stdout`` and ``sys.stderr`` are captured (``self.stdout``,
      ``self.stderr``; attached to the result if the test fails), so what
      a test provokes, such as a plugin that prints megabytes, stays out
      of the test runner's output.
    """

    def setUp(self) -> None:
        super().setUp()
        self.stdout = self.useFixture(fixtures.StringStream("stdout")).stream
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", self.stdout))
        self.stderr = self.useFixture(fixtures.StringStream("stderr")).stream
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", self.stderr))
        self.cache_dir = self.useFixture(fixtures.TempDir()).path
        self.home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", self.cache_dir))
        self.useFixture(fixtures.EnvironmentVariable("HOME", self.home))
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_NO_CACHE"))
        self.useFixture(fixtures.EnvironmentVariable("XDG_DATA_HOME", os.path.join(self.home, "data")))
        self.logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))

    def run_cli(self, argv: Sequence[str]) -> tuple[int, str, str]:
        """Run ``plugfair`` in-process; return ``(status, stdout, stderr)``."""
        from plugfair.cli.main import main

        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", out))
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", err))
        rc = main(list(argv))
        return rc, out.getvalue(), err.getvalue() + self.logs.output
