"""Fairness rule 1: core code never imports or names a plugin package.

The core is every module under ``plugfair/`` except ``plugfair/tests``.
Plugin packages are ``plugfair_plugins``, ``examples`` and the top-level
package of every installed plugin entry point (other than plugfair's own).
The check reads the source with :mod:`ast`; it never imports core modules.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re

import plugfair
from plugfair.registry.records import NAMESPACE
from plugfair.tests import base

CORE = os.path.dirname(os.path.abspath(plugfair.__file__))
EXCLUDED = (os.path.join(CORE, "tests"),)

#: Callables whose first (string) argument names a module.
IMPORTERS = {"import_module", "__import__", "find_spec", "import_string", "run_module"}


def plugin_packages() -> set[str]:
    """Top-level packages of every installed plugin, plugfair excepted."""
    found = {"plugfair_plugins"}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == NAMESPACE:
                top = ep.value.split(":")[0].split(".")[0].strip()
                if top and top != "plugfair":
                    found.add(top)
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _names_example(text: str) -> bool:
    return text == "examples" or text.startswith(("examples.", "examples/")) or "/examples/" in text


class _Finder(ast.NodeVisitor):
    """Collects every place a module imports or names a plugin package."""

    def __init__(self, filename: str, packages: set[str]) -> None:
        self.filename = filename
        self.forbidden = set(packages) | {"examples"}
        self.packages = packages
        self.words = re.compile(r"(?<![\w.])(%s)\b" % "|".join(sorted(map(re.escape, packages))))
        self.found: list[str] = []

    def report(self, node: ast.AST, what: str) -> None:
        self.found.append("%s:%d: %s" % (self.filename, getattr(node, "lineno", 0), what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _top(alias.name) in self.forbidden:
                self.report(node, "import %s" % alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module and _top(node.module) in self.forbidden:
            self.report(node, "from %s import ..." % node.module)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if name in IMPORTERS and isinstance(arg, str) and _top(arg) in self.forbidden:
            self.report(node, "%s(%r)" % (name, arg))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and (self.words.search(node.value) or _names_example(node.value)):
            self.report(node, "names %r" % node.value[:60])

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.forbidden:
            self.report(node, "uses the name %s" % node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in self.packages:
            self.report(node, "uses the attribute %s" % node.attr)
        self.generic_visit(node)


def violations(source: str, filename: str, packages: set[str]) -> list[str]:
    """Every place ``source`` imports or names one of ``packages`` or ``examples``."""
    finder = _Finder(filename, packages)
    finder.visit(ast.parse(source, filename))
    return finder.found


def core_files() -> list[str]:
    out: list[str] = []
    for root, dirs, files in os.walk(CORE):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        if root.startswith(EXCLUDED):
            continue
        out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
    return out


class TestFairnessRule1(base.TestCase):
    def test_core_never_imports_or_names_a_plugin(self):
        packages = plugin_packages()
        problems = []
        files = core_files()
        self.assertGreater(len(files), 20)
        for path in files:
            with open(path, encoding="utf-8") as f:
                problems.extend(violations(f.read(), os.path.relpath(path, CORE), packages))
        self.assertEqual([], problems)

    def test_installed_plugins_are_known(self):
        # plugfair's own plugin is not a "plugin package" for this rule
        self.assertNotIn("plugfair", plugin_packages())
        self.assertIn("plugfair_plugins", plugin_packages())

    def test_tests_are_excluded_but_everything_else_is_walked(self):
        files = core_files()
        self.assertIn(os.path.join(CORE, "api.py"), files)
        self.assertIn(os.path.join(CORE, "cli", "main.py"), files)
        self.assertFalse([f for f in files if f.startswith(EXCLUDED)])

    def test_the_check_can_fail(self):
        packages = {"plugfair_plugins", "dns_plugin"}
        bad = {
            "import plugfair_plugins.identity": "import plugfair_plugins.identity",
            "import dns_plugin as d": "import dns_plugin",
            "from plugfair_plugins import compute": "from plugfair_plugins import",
            "from examples.dns import x": "from examples.dns import",
            "import importlib\nimportlib.import_module('dns_plugin.plugin')": "import_module(",
            "__import__('plugfair_plugins')": "__import__(",
            "from importlib import import_module\nimport_module('examples.x')": "import_module(",
            "TARGET = 'plugfair_plugins.network.plugin:NetworkPlugin'": "names",
            "x = 'examples/dns-plugin'": "names",
            "plugfair_plugins.volume": "uses the name plugfair_plugins",
            "sys.modules['x'].dns_plugin": "uses the attribute dns_plugin",
            '"""Core modules must not special-case plugfair_plugins."""': "names",
        }
        for source, what in bad.items():
            found = violations(source, "x.py", packages)
            self.assertTrue(found, source)
            self.assertIn(what, found[0], source)
        clean = (
            "import plugfair.api\nfrom plugfair.registry import core\n"
            "'''Every plugin, with examples.'''\nx = 'my_plugfair_plugins_list'\n"
            "from . import dns_plugin_helpers\nimport dns_pluginx\n"
            "importlib.import_module(name)\n"
        )
        self.assertEqual([], violations(clean, "x.py", packages))
