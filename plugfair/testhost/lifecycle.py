"""The run lifecycle: plugins prepare what their tests need, then clean up.

Before the test processes of ``plugfair run`` or ``plugfair list-tests``
start, the host calls :meth:`plugfair.api.Plugin.prepare_test_run` of every
enabled plugin that overrides it, in plugin-name order, each with its own
private directory (:class:`HostTestRun`).  The environment variables the
plugins set are applied to the host process, which the test processes
inherit, for the duration of the run only.  Afterwards the cleanups run
(last in, first out) and the directories are removed, whatever happened.

A plugin whose preparation fails is recorded in the plan; the discovery in
each test process then turns its tests into failures that carry the reason
(:class:`plugfair.testhost.discovery.PreparationFailed`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import PlugfairError, UsageError
from plugfair.interface.logs import logger

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.registry.core import Registry

__all__ = ["HostTestRun", "prepared_plugins", "RESERVED_ENVIRONMENT"]

LOG = logger(__name__)

#: Environment variables no plugin may set for the test processes: they
#: would change how Python, the dynamic linker or plugfair itself behave
#: for every plugin's tests.
RESERVED_ENVIRONMENT = re.compile(
    r"^(PLUGFAIR_.*|PYTHON.*|LD_.*|DYLD_.*|PATH|HOME|TMPDIR|TEMP|TMP|SHELL|USER|"
    r"TESTR_.*|SUBUNIT_.*|OS_STESTR_.*)$"
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class HostTestRun:
    """What one plugin's ``prepare_test_run`` sees (a
    :class:`plugfair.api.TestRun`).

    :param plugin: the plugin being prepared.
    :param conf: the host configuration.
    :param workspace: the workspace directory.
    :param environment: the variables set so far, by plugin: shared by all
        the plugins of one run, so two cannot set one variable differently.
    """

    __test__ = False  # not a test, whatever its name says

    def __init__(
        self,
        plugin: str,
        conf: cfg.ConfigOpts,
        workspace: str,
        environment: dict[str, tuple[str, str]],
    ) -> None:
        self.plugin = plugin
        self._conf = conf
        self._workspace = workspace
        self._environment = environment
        self._directory: str | None = None
        self.cleanups: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        #: Other plugins this one collided with: plugin -> why.
        self.conflicts: dict[str, str] = {}

    @property
    def conf(self) -> cfg.ConfigOpts:
        return self._conf

    @property
    def workspace(self) -> str:
        return self._workspace

    @property
    def directory(self) -> str:
        if self._directory is None:
            self._directory = tempfile.mkdtemp(prefix="plugfair-run-%s-" % self.plugin)
        return self._directory

    def set_environment(self, name: str, value: str) -> None:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise UsageError(
                "Plugin %r: %r is not a valid environment variable name." % (self.plugin, name)
            )
        if RESERVED_ENVIRONMENT.match(name):
            raise UsageError(
                "Plugin %r may not set %s: plugfair reserves it, because it would "
                "change every plugin's test processes." % (self.plugin, name)
            )
        if not isinstance(value, str) or "\x00" in value:
            raise UsageError(
                "Plugin %r: the value of %s must be a string without NUL characters."
                % (self.plugin, name)
            )
        owner = self._environment.get(name)
        if owner is not None and owner[0] != self.plugin and owner[1] != value:
            message = (
                "plugins %r and %r both set %s, to different values; neither "
                "preparation is used. Disable one of them with '[plugfair] "
                "disabled_plugins'." % (owner[0], self.plugin, name)
            )
            self.conflicts[owner[0]] = message
            raise UsageError(message)
        self._environment[name] = (self.plugin, value)

    def add_cleanup(self, func: Callable[..., Any], *args: Any) -> None:
        if not callable(func):
            raise UsageError("Plugin %r: add_cleanup() needs a callable." % self.plugin)
        self.cleanups.append((func, args))

    def close(self) -> list[str]:
        """Run the cleanups (last in, first out), remove the directory.

        :returns: what went wrong, one line per failed cleanup.
        """
        problems = []
        while self.cleanups:
            func, args = self.cleanups.pop()
            try:
                func(*args)
            except Exception as exc:  # noqa: BLE001 - reported, others still run
                problems.append(
                    "a cleanup of plugin %r raised %s: %s" % (self.plugin, type(exc).__name__, exc)
                )
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
        return problems


@contextlib.contextmanager
def prepared_plugins(
    registry: Registry, conf: cfg.ConfigOpts, workspace: str
) -> Iterator[dict[str, str]]:
    """Prepare every enabled plugin that has a ``prepare_test_run`` hook.

    Inside the block, the environment holds the variables the plugins set;
    on exit it is restored, the cleanups run and the directories go.

    :yields: plugin name -> why its preparation failed, for those that did.
    """

    names = [rec.name for rec in registry.records() if rec.prepares and rec.name in registry.names()]
    failed: dict[str, str] = {}
    runs: list[HostTestRun] = []
    environment: dict[str, tuple[str, str]] = {}
    saved: dict[str, str | None] = {}
    try:
        if names:
            # Every plugin with tests is loaded first, so that its options
            # are registered on conf for the plugins that prepare.
            for rec in registry.records():
                if rec.test_packages and rec.name in registry.names():
                    with contextlib.suppress(PlugfairError):
                        registry.load(rec.name)
        for name in names:
            run = HostTestRun(name, conf, workspace, environment)
            runs.append(run)
            try:
                registry.call(name, "prepare_test_run", run)
            except PlugfairError as exc:
                failed[name] = getattr(exc, "reason", None) or str(exc)
            for other, why in run.conflicts.items():
                failed.setdefault(other, why)
        for var, (plugin, value) in environment.items():
            if plugin in failed:
                continue
            saved[var] = os.environ.get(var)
            os.environ[var] = value
        yield failed
    finally:
        for var, old in saved.items():
            if old is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = old
        for run in reversed(runs):
            for problem in run.close():
                LOG.warning("%s", problem)
