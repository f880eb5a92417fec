"""Discovery of every enabled plugin's tests, through ``load_tests``.

:func:`load_tests` implements the ``load_tests`` protocol; the package
:mod:`plugfair.testhost.suite` re-exports it, so pointing stestr's
``test_path`` at that package's directory (with ``top_dir`` at the
directory holding ``plugfair``) discovers the whole suite.  Nothing here
names a plugin or a directory: the registry says which plugins are
enabled and which test package each one declares.

For each enabled plugin, in plugin-name order, the suite holds its
contract tests, then the tests of its test package, discovered with the
same loader and pattern as any stestr run.  A test package that fails to
import, or has modules that fail to import, never stops discovery: the
errors are taken off the loader (so stestr's listing does not abort) and
reported by that plugin's one ``test_tests_import`` contract test.
"""

from __future__ import annotations

import unittest
from typing import Any

from plugfair.interface.testids import idempotent_id_of
from plugfair.registry.testdiscovery import discover_package, drop, exits_contained, iter_tests
from plugfair.testhost import context as ctx_mod
from plugfair.testhost.contract import ContractState, ContractTest, contract_tests
from plugfair.testhost.namespaces import Namespaces

# iter_tests and discover_package live with the registry (the checker
# lists tests with them too); they are re-exported here for the host.
__all__ = ["load_tests", "build_suite", "iter_tests", "discover_package"]

def load_tests(
    loader: unittest.TestLoader, standard_tests: unittest.TestSuite, pattern: str | None
) -> unittest.TestSuite:
    """The ``load_tests`` protocol: the suite of every enabled plugin."""
    return build_suite(loader, pattern or "test*.py", ctx_mod.current())


def build_suite(
    loader: unittest.TestLoader, pattern: str, context: ctx_mod.HostContext
) -> unittest.TestSuite:
    """Build the suite of every enabled plugin, in plugin-name order.

    Every plugin with tests is loaded first (which registers its options,
    and lets a hosting plugin prepare the process for the plugins it
    hosts), so its tests see its configuration in whichever process runs
    them, whatever else ran there before.

    The cyclic garbage collector is paused meanwhile: discovery makes
    hundreds of thousands of objects that live as long as the suite, and
    the collector would walk them again and again (a quarter of the time
    at 100,000 tests).
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _build_suite(loader, pattern, context)
    finally:
        if paused:
            gc.enable()


def _build_suite(
    loader: unittest.TestLoader, pattern: str, context: ctx_mod.HostContext
) -> unittest.TestSuite:
    ns = Namespaces(context.listing_registry())
    state = ContractState()
    parts: dict[str, unittest.TestSuite] = {}
    context.load_plugins([name for name in ns.plugins if ns.test_packages.get(name)])
    failed = context.plan.failed_preparations
    with exits_contained():
        for name in ns.plugins:
            packages = ns.test_packages.get(name, [])
            part = unittest.TestSuite(contract_tests(name, state, with_package=bool(packages)))
            for package in packages:
                tests, errors = discover_package(loader, package, pattern)
                state.import_errors.setdefault(name, []).extend(errors)
                part.addTest(tests)
            parts[name] = part
    _tidy(parts, ns, state)
    for name in ns.plugins:
        culprit = name if name in failed else ns.hosts.get(name, "")
        if culprit in failed and name in ns.test_packages:
            parts[name] = _unprepared(parts[name], culprit, failed[culprit])
    return unittest.TestSuite([parts[name] for name in ns.plugins])


class PreparationFailed(unittest.TestCase):
    """Stands in for a test whose plugin (or the plugin hosting it) could
    not prepare the run: it has the test's id and fails with the reason.

    :param plugin: the plugin whose preparation failed.
    """

    def __init__(self, test_id: str, plugin: str, reason: str) -> None:
        super().__init__("test_prepared")
        self._id = test_id
        self.plugin = plugin
        self.reason = reason

    def id(self) -> str:
        return self._id

    def __str__(self) -> str:
        return self._id

    def test_prepared(self) -> None:
        reason = self.reason.rstrip().rstrip(".")
        self.fail(
            "Not run: preparing the run for plugin %r failed: %s. The other plugins' "
            "tests ran; fix the cause and run again." % (self.plugin, reason)
        )


def _unprepared(part: unittest.TestSuite, plugin: str, reason: str) -> unittest.TestSuite:
    """Replace a plugin's own tests (not its contract tests) by failures."""
    out = unittest.TestSuite()
    for test in iter_tests(part):
        if isinstance(test, ContractTest):
            out.addTest(test)
        else:
            out.addTest(PreparationFailed(test.id(), plugin, reason))
    return out


def _tidy(parts: dict[str, unittest.TestSuite], ns: Namespaces, state: ContractState) -> None:
    """Give each test to the plugin that owns its id, drop repeated ids and
    record duplicated idempotent ids."""
    kept: set[str] = set()
    moves: dict[str, list[tuple[str, Any]]] = {}
    uuids: dict[str, list[tuple[str, str, str]]] = {}
    owners: dict[str, str | None] = {}  # by what precedes the test's last dot
    for name, part in parts.items():
        for test in iter_tests(part):
            test_id = test.id()
            where = test_id.rpartition(".")[0]
            if where not in owners:
                owners[where] = ns.owner(test_id)
            owner = owners[where] or name
            if owner == name and test_id not in kept:
                kept.add(test_id)
            else:
                moves.setdefault(name, []).append((owner, test))
            uid = idempotent_id_of(test_id) if "[" in test_id else None
            if uid:
                method = getattr(type(test), getattr(test, "_testMethodName", ""), None)
                where = "%s.%s" % (
                    getattr(method, "__module__", "?"),
                    getattr(method, "__qualname__", "?"),
                )
                uuids.setdefault(uid, []).append((owner, where, test_id))
    if moves:
        _move(parts, moves)
    for uid, uses in sorted(uuids.items()):
        if len({where for _, where, _ in uses}) < 2:
            continue
        text = "%s is used by %s" % (
            uid,
            ", ".join(sorted({"%s (plugin %s)" % (where, owner) for owner, where, _ in uses})),
        )
        for owner in sorted({owner for owner, _, _ in uses}):
            state.duplicate_ids.setdefault(owner, []).append(text)


def _move(parts: dict[str, unittest.TestSuite], moves: dict[str, list[tuple[str, Any]]]) -> None:
    # Rebuild only the parts that lose tests, then append each moved test
    # to its owner's part unless that part already has its id.
    extra: dict[str, list[Any]] = {}
    for name, leaving in moves.items():
        drop(parts[name], {id(t) for _, t in leaving})
        for owner, test in leaving:
            extra.setdefault(owner, []).append(test)
    present = {name: {t.id() for t in iter_tests(part)} for name, part in parts.items()}
    for owner, tests in extra.items():
        ids = present[owner]
        for test in tests:
            if test.id() not in ids:
                parts[owner].addTest(test)
                ids.add(test.id())
