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

import contextlib
import importlib
import os
import traceback
import unittest
from collections.abc import Iterator
from typing import Any

from plugfair.interface.testids import idempotent_id_of
from plugfair.testhost import context as ctx_mod
from plugfair.testhost.contract import ContractState, ContractTest, contract_tests
from plugfair.testhost.namespaces import Namespaces

__all__ = ["load_tests", "build_suite", "iter_tests"]

_FAILED_PREFIXES = ("unittest.loader._FailedTest.", "unittest.loader.ModuleImportFailure.")


def load_tests(
    loader: unittest.TestLoader, standard_tests: unittest.TestSuite, pattern: str | None
) -> unittest.TestSuite:
    """The ``load_tests`` protocol: the suite of every enabled plugin."""
    return build_suite(loader, pattern or "test*.py", ctx_mod.current())


def iter_tests(suite: Any) -> Iterator[Any]:
    """Yield the individual tests of a suite, in order."""
    try:
        children = iter(suite)
    except TypeError:
        yield suite
        return
    for child in children:
        yield from iter_tests(child)


def _drop(suite: Any, unwanted: set[int]) -> None:
    """Remove tests (by identity) from a suite tree, in place."""
    if not isinstance(suite, unittest.TestSuite):
        return
    kept = []
    for child in suite:
        if id(child) in unwanted:
            continue
        _drop(child, unwanted)
        kept.append(child)
    suite._tests[:] = kept  # type: ignore[assignment]


def _package_root(package: str, directory: str) -> str:
    root = directory
    for _ in package.split("."):
        root = os.path.dirname(root)
    return root


def discover_package(
    loader: unittest.TestLoader, package: str, pattern: str
) -> tuple[unittest.TestSuite, list[tuple[str, str]]]:
    """Discover the tests of one package; never raises for the package.

    :returns: the suite (failed imports removed) and ``(title, text)`` for
        each import error.
    """
    errors: list[tuple[str, str]] = []
    loader_errors: list[Any] = loader.errors  # texts, whatever typeshed says
    before = len(loader_errors)
    empty = unittest.TestSuite()
    try:
        module = importlib.import_module(package)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported as a failing test
        return empty, [
            ("importing %s raised %s" % (package, type(exc).__name__), traceback.format_exc())
        ]
    path = getattr(module, "__path__", None)
    saved_top = getattr(loader, "_top_level_dir", None)
    try:
        if path is None:
            tests: unittest.TestSuite = loader.loadTestsFromModule(module, pattern=pattern)
        else:
            start = os.path.abspath(list(path)[0])
            tests = loader.discover(start, pattern=pattern, top_level_dir=_package_root(package, start))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported as a failing test
        tests = empty
        errors.append(
            ("discovering %s raised %s" % (package, type(exc).__name__), traceback.format_exc())
        )
    finally:
        loader._top_level_dir = saved_top  # type: ignore[attr-defined]
    new = [str(e) for e in loader_errors[before:]]
    del loader_errors[before:]
    if new:
        failed = {id(t) for t in iter_tests(tests) if t.id().startswith(_FAILED_PREFIXES)}
        _drop(tests, failed)
        for text in new:
            first = text.strip().splitlines()[0] if text.strip() else "import error"
            errors.append((first, text))
    return tests, errors


def build_suite(
    loader: unittest.TestLoader, pattern: str, context: ctx_mod.HostContext
) -> unittest.TestSuite:
    """Build the suite of every enabled plugin, in plugin-name order.

    Every plugin with tests is loaded first (which registers its options,
    and lets a hosting plugin prepare the process for the plugins it
    hosts), so its tests see its configuration in whichever process runs
    them, whatever else ran there before.
    """
    ns = Namespaces(context.listing_registry())
    state = ContractState()
    parts: dict[str, unittest.TestSuite] = {}
    context.load_plugins([name for name in ns.plugins if ns.test_packages.get(name)])
    failed = context.plan.failed_preparations
    with _exits_contained():
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


class ExitAttempt(SystemExit):
    """Raised instead of ending the process when a test module calls
    ``os._exit()`` while it is imported."""


@contextlib.contextmanager
def _exits_contained() -> Iterator[None]:
    """While tests are discovered, ``os._exit()`` raises
    :class:`ExitAttempt` instead of ending the process: the module that
    called it fails to import, like one that calls ``sys.exit()``, and is
    reported by its plugin's ``test_tests_import``."""

    def contained(code: int = 0) -> None:
        raise ExitAttempt("os._exit(%r) was called while the test module was imported" % code)

    real = os._exit
    os._exit = contained  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = real


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
    for name, part in parts.items():
        for test in iter_tests(part):
            test_id = test.id()
            owner = ns.owner(test_id) or name
            if owner == name and test_id not in kept:
                kept.add(test_id)
            else:
                moves.setdefault(name, []).append((owner, test))
            uid = idempotent_id_of(test_id)
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
        _drop(parts[name], {id(t) for _, t in leaving})
        for owner, test in leaving:
            extra.setdefault(owner, []).append(test)
    present = {name: {t.id() for t in iter_tests(part)} for name, part in parts.items()}
    for owner, tests in extra.items():
        ids = present[owner]
        for test in tests:
            if test.id() not in ids:
                parts[owner].addTest(test)
                ids.add(test.id())
