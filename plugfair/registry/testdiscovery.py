"""Discovering the tests of one test namespace (a package), safely.

Shared by the tests host, which builds every plugin's suite from these,
and the conformance checker, which lists a plugin's tests.  A package or
module that fails to import, calls ``sys.exit()`` or ``os._exit()`` while
it is imported never stops discovery: the failure is returned with the
tests that did load.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import traceback
import unittest
from collections.abc import Iterator
from typing import Any

__all__ = ["iter_tests", "drop", "discover_package", "ExitAttempt", "exits_contained"]

_FAILED_PREFIXES = ("unittest.loader._FailedTest.", "unittest.loader.ModuleImportFailure.")


def iter_tests(suite: Any) -> Iterator[Any]:
    """Yield the individual tests of a suite, in order (depth first, with
    a stack of iterators rather than nested generators: suites nest five
    deep, and a suite of 100,000 tests is walked several times)."""
    stack = [iter((suite,))]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        try:
            children = iter(item)
        except TypeError:
            yield item
        else:
            stack.append(children)


def drop(suite: Any, unwanted: set[int]) -> None:
    """Remove tests (by identity) from a suite tree, in place."""
    if not isinstance(suite, unittest.TestSuite):
        return
    kept = []
    for child in suite:
        if id(child) in unwanted:
            continue
        drop(child, unwanted)
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
        drop(tests, failed)
        for text in new:
            first = text.strip().splitlines()[0] if text.strip() else "import error"
            errors.append((first, text))
    return tests, errors


class ExitAttempt(SystemExit):
    """Raised instead of ending the process when a test module calls
    ``os._exit()`` while it is imported."""


@contextlib.contextmanager
def exits_contained() -> Iterator[None]:
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
