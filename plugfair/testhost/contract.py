"""Contract tests: the same small suite, generated for every enabled plugin.

For each enabled plugin the discovery adds these tests, with ids
``plugfair.contract.<plugin>.<check>``:

``test_loads``
    the plugin imports, validates and instantiates;
``test_hooks_return_valid_types``
    each declarative hook returns what its documentation says;
``test_options_in_own_groups``
    its options are in groups it owns, nobody else claims them, and they
    register cleanly;
``test_commands_build_parser_and_help``
    each command builds its parser and prints ``--help``, and cliff's
    argument parser drops none of its options (a conflicting option string
    is ignored with a warning); the warnings go into the details, never to
    the test run's output;
``test_quota_declarations_valid``
    its quota resources are valid and uniquely named;
``test_no_collisions``
    nothing it claims is also claimed by another plugin;
``test_tests_import`` (plugins with a test package)
    every module of its test package imports; the import errors are in
    the details.  This is the one failing test a plugin with broken tests
    yields, while every other test still runs;
``test_idempotent_ids_unique`` (plugins with a test package)
    no idempotent id of its tests is used by another test of any plugin.

A plugin that does not load fails ``test_loads`` only; the checks that
need the plugin skip and point at it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import testtools
from testtools import content

from plugfair.interface.errors import PluginLoadError, PluginValidationError
from plugfair.testhost.namespaces import contract_prefix

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.interface.plugin import Plugin
    from plugfair.registry.core import Registry
    from plugfair.registry.records import PluginRecord

__all__ = ["ContractState", "ContractTest", "contract_tests", "CHECKS", "PACKAGE_CHECKS"]

#: Checks every enabled plugin gets, in order.
CHECKS = (
    "test_loads",
    "test_hooks_return_valid_types",
    "test_options_in_own_groups",
    "test_commands_build_parser_and_help",
    "test_quota_declarations_valid",
    "test_no_collisions",
)

#: Checks added for a plugin whose test package is discovered.
PACKAGE_CHECKS = ("test_tests_import", "test_idempotent_ids_unique")


class ContractState:
    """What discovery found, for the contract tests to report."""

    def __init__(self) -> None:
        #: Plugin -> ``(title, text)`` of each import error in its tests.
        self.import_errors: dict[str, list[tuple[str, str]]] = {}
        #: Plugin -> descriptions of duplicated idempotent ids.
        self.duplicate_ids: dict[str, list[str]] = {}


def _has_own_help(cls: type) -> bool:
    """Whether a command class has a docstring of its own (or from one of
    its author's base classes), not one inherited from plugfair's or
    cliff's command bases."""
    for klass in cls.__mro__:
        doc = klass.__dict__.get("__doc__")
        if doc and doc.strip():
            module = klass.__module__ or ""
            return not module.startswith(("plugfair.api", "plugfair.interface.", "cliff."))
    return False


def _enabled_records(registry: Registry, plugin: str) -> list[PluginRecord]:
    """The enabled records named ``plugin`` (two distributions may both
    provide one name; the operator may have disabled one of them)."""
    from plugfair.registry import records as r

    return [x for x in registry.records() if x.name == plugin and x.status != r.STATUS_DISABLED]


def _registry() -> Registry:
    from plugfair.testhost import context

    return context.current().registry


def _from_cliff_argparse(filename: str) -> bool:
    """Whether a warning comes from cliff's argument parser (which warns
    when it ignores a conflicting option string)."""
    parts = os.path.normpath(filename).split(os.sep)
    return len(parts) >= 2 and parts[-2] == "cliff" and parts[-1].startswith("_argparse")


def _help_app(registry: Any, conf: Any) -> Any:
    """A cliff application to build commands' parsers in, with what the CLI
    host gives a command (``conf``, ``registry``), and no command table."""
    from cliff.app import App
    from cliff.commandmanager import CommandManager

    class HelpApp(App):  # type: ignore[misc]
        NAME = "plugfair"
        registry: Any = None
        conf: Any = None

        def quota_enforcer(self) -> Any:
            raise RuntimeError("no quota enforcer while building a command's parser")

    app = HelpApp(
        description="plugfair", version="", command_manager=CommandManager(None),
        deferred_help=True, stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(),
    )
    app.registry = registry
    app.conf = conf
    return app


class ContractTest(testtools.TestCase):
    """One contract check of one plugin.

    :param check: the check's method name, one of :data:`CHECKS` or
        :data:`PACKAGE_CHECKS`.
    :param plugin: the plugin's name.
    :param state: what discovery found.
    """

    def __init__(self, check: str, plugin: str, state: ContractState) -> None:
        super().__init__(check)
        self.plugin = plugin
        self.state = state

    def id(self) -> str:
        return contract_prefix(self.plugin) + self._testMethodName

    def __str__(self) -> str:
        return self.id()

    def __repr__(self) -> str:
        return "<ContractTest %s>" % self.id()

    def setUp(self) -> None:
        import fixtures  # not at import: discovery for listing stays lean

        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))

    # -- helpers -------------------------------------------------------

    def _load(self) -> Plugin:
        try:
            return _registry().load(self.plugin)
        except PluginLoadError as exc:
            self.skipTest(
                "plugin %r does not load (%s); see %stest_loads."
                % (self.plugin, exc.reason, contract_prefix(self.plugin))
            )

    def _hook(self, hook: str) -> Any:
        return _registry().call(self.plugin, hook)

    def _check_all(self, checks: list[tuple[str, Callable[[], object]]]) -> None:
        problems = []
        for what, check in checks:
            try:
                check()
            except (PluginLoadError, PluginValidationError) as exc:
                problems.append("%s: %s" % (what, exc))
        if problems:
            self.fail("\n".join(problems))

    # -- the checks ------------------------------------------------------

    def test_loads(self) -> None:
        registry = _registry()
        for i, rec in enumerate(_enabled_records(registry, self.plugin)):
            for j, problem in enumerate(rec.problems):
                text = "%s\nRemedy: %s\n%s" % (problem.reason, problem.remedy, problem.traceback)
                self.addDetail("problem-%d-%d" % (i, j), content.text_content(text))
        try:
            registry.load(self.plugin)
        except PluginLoadError as exc:
            self.fail("Plugin %r does not load: %s" % (self.plugin, exc))

    def test_hooks_return_valid_types(self) -> None:
        from plugfair.registry import validate as v

        plugin = self._load()
        # The plugin's own package: its entry point's, or for a hosted
        # plugin the module its host declared.
        top = _registry().get(self.plugin).target.split(":")[0].split(".")[0]
        name = self.plugin
        self._check_all(
            [
                (
                    "config_options()",
                    lambda: v.validate_config_options(
                        name, self._hook("config_options"), type(plugin).config_groups
                    ),
                ),
                ("service_clients()", lambda: v.validate_services(name, self._hook("service_clients"))),
                ("cli_commands()", lambda: v.validate_commands(name, self._hook("cli_commands"))),
                (
                    "test_packages()",
                    lambda: v.test_packages_of(
                        name, plugin, top, timeout=_registry().hook_timeout
                    ),
                ),
                (
                    "quota_resources()",
                    lambda: v.validate_quota_resources(name, self._hook("quota_resources")),
                ),
            ]
        )

    def test_options_in_own_groups(self) -> None:
        from oslo_config import cfg

        from plugfair.registry import validate as v

        plugin = self._load()
        groups = v.validate_config_options(
            self.plugin, self._hook("config_options"), type(plugin).config_groups
        )
        registry = _registry()
        contested = {c.item: c for c in registry.collisions if c.kind == "config group"}
        problems = []
        fresh = cfg.ConfigOpts()
        for group, opts in groups:
            if not registry.holds("config group", group, self.plugin):
                problems.append(contested[group].error().message)
            try:
                fresh.register_opts(opts, group=group)
            except cfg.Error as exc:
                problems.append("options of [%s] do not register: %s" % (group, exc))
        if problems:
            self.fail("\n".join(problems))

    def test_commands_build_parser_and_help(self) -> None:
        from plugfair.registry import validate as v
        from plugfair.testhost import context

        self._load()
        commands = v.validate_commands(self.plugin, self._hook("cli_commands"))
        if not commands:
            return
        ctx = context.current()
        app = _help_app(ctx.registry, ctx.conf)
        problems = []
        for name, cls in sorted(commands.items()):
            prog = "plugfair %s" % name
            if not _has_own_help(cls):
                problems.append(
                    "command %r has no help: give %s a docstring whose first "
                    "line says what it does." % (name, cls.__qualname__)
                )
            out = io.StringIO()
            built = False
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    cmd = cls(app, None, cmd_name=name)
                    parser = cmd.get_parser(prog)
                    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                        try:
                            parser.parse_args(["--help"])
                        except SystemExit as exc:
                            if exc.code not in (0, None):
                                raise RuntimeError("--help exited with %r" % exc.code) from None
                        else:
                            raise RuntimeError("--help did not exit")
                    built = True
                except Exception as exc:  # noqa: BLE001 - reported as the failure
                    problems.append(
                        "command %r: building its parser or --help failed: %s: %s"
                        % (name, type(exc).__name__, exc)
                    )
            if caught:
                self.addDetail(
                    "warnings-" + name.replace(" ", "-"),
                    content.text_content(
                        "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught)
                    ),
                )
            problems.extend(
                "command %r: its parser drops an option: %s" % (name, w.message)
                for w in caught
                if _from_cliff_argparse(w.filename)
            )
            if not built:
                continue
            if prog not in out.getvalue():
                problems.append("command %r: --help printed no usage line." % name)
            self.addDetail("help-" + name.replace(" ", "-"), content.text_content(out.getvalue()))
        if problems:
            self.fail("\n".join(problems))

    def test_quota_declarations_valid(self) -> None:
        from plugfair.registry import validate as v

        plugin = self._load()
        resources = v.validate_quota_resources(self.plugin, self._hook("quota_resources"))
        if not callable(getattr(plugin, "quota_usage", None)):
            self.fail("quota_usage is not callable on plugin %r." % self.plugin)
        keys = [q.key(self.plugin) for q in resources]
        self.assertEqual(len(keys), len(set(keys)), "quota keys are not unique: %s" % keys)

    def test_no_collisions(self) -> None:
        problems = [
            "%s (distribution %s): %s" % (rec.name, rec.distribution, p.reason)
            for rec in _enabled_records(_registry(), self.plugin)
            for p in rec.problems
            if p.kind in ("collision", "duplicate-name")
        ]
        if problems:
            self.fail(
                "%s\nNeither side of a collision is used. Disable one plugin with "
                "'[plugfair] disabled_plugins' or uninstall it." % "\n".join(problems)
            )

    def test_tests_import(self) -> None:
        errors = self.state.import_errors.get(self.plugin, [])
        for i, (title, text) in enumerate(errors):
            self.addDetail("import-error-%d" % i, content.text_content("%s\n%s" % (title, text)))
        if errors:
            self.fail(
                "%d part(s) of the tests of plugin %r failed to import: %s. The "
                "other plugins' tests still run; see the details for the "
                "tracebacks." % (len(errors), self.plugin, "; ".join(t for t, _ in errors))
            )

    def test_idempotent_ids_unique(self) -> None:
        dupes = self.state.duplicate_ids.get(self.plugin, [])
        if dupes:
            self.fail(
                "Idempotent ids must be unique across all plugins; give each "
                "test its own uuid:\n%s" % "\n".join(dupes)
            )


def contract_tests(plugin: str, state: ContractState, *, with_package: bool) -> list[ContractTest]:
    """The contract tests of ``plugin``, in order.

    :param with_package: add the checks about its test package.
    """
    checks = CHECKS + (PACKAGE_CHECKS if with_package else ())
    return [ContractTest(check, plugin, state) for check in checks]
