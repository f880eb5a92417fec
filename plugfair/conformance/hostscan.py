"""Read a host's stable modules statically: ``__all__`` and deprecations.

The host package is located on ``sys.path`` without importing it.  For
each exact stable module the scan reads ``__all__`` (when the profile says
its exports are ``"__all__"``) and every function, class or method marked
with the host's ``deprecated(since=..., removed_in=..., alternative=...)``
decorator, following the module's re-exports (``from x import y``) into
the host modules that define them.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import os
from collections.abc import Sequence

from plugfair.conformance.profiles import Deprecation, Profile

__all__ = ["module_file", "scan"]


def module_file(dotted: str, path: Sequence[str] | None = None) -> str | None:
    """Return the source file of module ``dotted`` without importing it.

    :param path: directories to search instead of the import system.
    """
    parts = dotted.split(".")
    try:
        if path is not None:
            spec = importlib.machinery.PathFinder.find_spec(parts[0], list(path))
        else:
            # For a top-level name this consults the import system's
            # finders (editable installs included) but runs no module code.
            spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if len(parts) == 1:
        return spec.origin if spec.origin and spec.origin.endswith(".py") else None
    locations = list(spec.submodule_search_locations or [])
    for base in locations:
        stem = os.path.join(base, *parts[1:])
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


def _parse(filename: str) -> ast.Module | None:
    try:
        with open(filename, "rb") as f:
            return ast.parse(f.read(), filename)
    except (OSError, SyntaxError, ValueError):
        return None


def _all_names(tree: ast.Module) -> frozenset[str] | None:
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if isinstance(value, (ast.List, ast.Tuple)):
                    names = [
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    ]
                    if len(names) == len(value.elts):
                        return frozenset(names)
    return None


def _deprecation(node: ast.AST, name: str) -> Deprecation | None:
    for deco in getattr(node, "decorator_list", []):
        if not isinstance(deco, ast.Call):
            continue
        func = deco.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called != "deprecated":
            continue
        kw = {
            k.arg: k.value.value
            for k in deco.keywords
            if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
        }
        if "removed_in" in kw:
            return Deprecation(
                name=name,
                since=kw.get("since", "unknown"),
                removed_in=kw["removed_in"],
                alternative=kw.get("alternative"),
            )
    return None


def _definitions(tree: ast.Module, prefix: str) -> dict[str, list[Deprecation]]:
    """Top-level name -> deprecations of it and of its methods."""
    out: dict[str, list[Deprecation]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found = []
            dep = _deprecation(node, "%s.%s" % (prefix, node.name))
            if dep:
                found.append(dep)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        dep = _deprecation(item, "%s.%s.%s" % (prefix, node.name, item.name))
                        if dep:
                            found.append(dep)
            if found:
                out[node.name] = found
    return out


def _rename(dep: Deprecation, old: str, new: str) -> Deprecation:
    return Deprecation(
        name=new + dep.name[len(old):],
        since=dep.since,
        removed_in=dep.removed_in,
        alternative=dep.alternative,
    )


def scan(profile: Profile, path: Sequence[str] | None = None) -> list[str]:
    """Complete ``profile`` from the host's source; return notes.

    Fills the exports of modules declared ``"__all__"`` and, when
    ``scan_deprecated`` is set, adds the deprecations found.  A host that
    is not installed leaves the profile as written (and says so).
    """
    notes: list[str] = []
    trees = _Trees(path)
    known = {d.name for d in profile.deprecated}
    for module in [m for m in profile.stable if not m.endswith(".*")]:
        tree = trees.get(module)
        if tree is None:
            if module in profile.exports_from_all or profile.scan_deprecated:
                notes.append(
                    "host module %s was not found on sys.path; its exports and "
                    "deprecations are taken from the profile only" % module
                )
            continue
        if module in profile.exports_from_all:
            profile.exports[module] = _all_names(tree)
        for dep in _deprecations_in(profile, module, tree, trees) if profile.scan_deprecated else ():
            if dep.name not in known:
                profile.deprecated.append(dep)
                known.add(dep.name)
    return notes


class _Trees:
    """Parsed host modules, by dotted name (``None``: not found)."""

    def __init__(self, path: Sequence[str] | None) -> None:
        self.path = path
        self._trees: dict[str, ast.Module | None] = {}

    def get(self, dotted: str) -> ast.Module | None:
        if dotted not in self._trees:
            filename = module_file(dotted, self.path)
            self._trees[dotted] = _parse(filename) if filename else None
        return self._trees[dotted]

    def package_of(self, module: str) -> str:
        """The package relative imports in ``module`` start from."""
        filename = module_file(module, self.path)
        return module if filename and str(filename).endswith("__init__.py") else module.rpartition(".")[0]


def _deprecations_in(profile: Profile, module: str, tree: ast.Module, trees: _Trees) -> list[Deprecation]:
    """What ``module`` defines as deprecated, and what it re-exports of
    the deprecations of other host modules (under its own names)."""
    found = [dep for deps in _definitions(tree, module).values() for dep in deps]
    package = trees.package_of(module)
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")
            source = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        src_tree = trees.get(source) if profile.is_host(source) and source != module else None
        if src_tree is None:
            continue
        defs = _definitions(src_tree, source)
        for alias in node.names:
            for dep in defs.get(alias.name, []):
                found.append(_rename(dep, "%s.%s" % (source, alias.name), "%s.%s" % (module, alias.asname or alias.name)))
    return found
