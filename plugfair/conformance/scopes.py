"""Name resolution for the static checks: scopes and bindings.

:class:`ScopedVisitor` walks a module in source order and keeps a small
scope model: every name bound by an import, or by a plain alias of an
imported name (``CONF = config.CONF``), resolves to its dotted name; a name
rebound to anything else, or bound as a parameter or loop variable, stops
resolving.  Subclasses add the rules through the ``on_*`` hooks.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

__all__ = ["ScopedVisitor", "fold", "resolve_relative", "IMPORTERS"]

IMPORTERS = frozenset(
    {
        "importlib.import_module",
        "importlib.__import__",
        "builtins.__import__",
        "__import__",
        "pkgutil.resolve_name",
    }
)


def fold(node: ast.AST) -> str | None:
    """The value of a string expression built only from literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = fold(node.left), fold(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            folded = fold(value)
            if folded is None:
                return None
            parts.append(folded)
        return "".join(parts)
    return None


def resolve_relative(name: str, package: str | None, level: int) -> str | None:
    """Absolute name of a relative import (``None`` if it leaves the tree)."""
    if level == 0:
        return name
    if not package:
        return None
    parts = package.split(".")
    if level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([name] if name else []))


_SHADOW = ""  # a name bound to something that is not a resolvable import

# Nodes no rule looks into: skipping them keeps big literal tables cheap.
_LEAVES = (ast.Constant, ast.Name, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


class ScopedVisitor(ast.NodeVisitor):
    """Walks a module in source order, resolving names to dotted names.

    :param module: the module's dotted name, if known.
    :param is_package: whether the file is a package's ``__init__``.
    """

    def __init__(self, module: str | None, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        if module is None:
            self.package: str | None = None
        else:
            self.package = module if is_package else module.rpartition(".")[0] or None
        # Scope stack: (bindings, is_class_scope).  Bindings map a name to
        # its dotted target, or to _SHADOW.
        self.scopes: list[tuple[dict[str, str], bool]] = [({}, False)]
        self._dispatch: dict[type, Any] = {}

    # -- hooks for the rules --------------------------------------------

    def on_store(self, target: ast.Attribute, node: ast.AST, what: str) -> None:
        """An attribute is assigned, changed or deleted (``what`` says which)."""

    def on_module_store(self, node: ast.Subscript) -> None:
        """A subscript is assigned or deleted (``sys.modules[...] = ...``)."""

    # -- traversal ----------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        method: Any = self._dispatch.get(node.__class__)
        if method is None:
            method = getattr(self, "visit_" + node.__class__.__name__, self.generic_visit)
            self._dispatch[node.__class__] = method
        method(node)

    def generic_visit(self, node: ast.AST) -> None:
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                        self.visit(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                self.visit(value)

    # -- scopes -------------------------------------------------------

    def lookup(self, name: str) -> str | None:
        innermost = len(self.scopes) - 1
        for i in range(innermost, -1, -1):
            bindings, is_class = self.scopes[i]
            if is_class and i != innermost:
                continue
            if name in bindings:
                value = bindings[name]
                return value or None
        return None

    def bind(self, name: str, value: str | None) -> None:
        bindings = self.scopes[-1][0]
        if value:
            bindings[name] = value
        elif name in bindings or self.lookup(name) is not None:
            bindings[name] = _SHADOW

    def shadow_target(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.bind(node.id, None)

    def root_of(self, node: ast.AST) -> str | None:
        """The dotted name bound to the ``Name`` at the bottom of a chain."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return self.lookup(node.id) if isinstance(node, ast.Name) else None

    def resolve(self, node: ast.AST) -> str | None:
        """Dotted name of a ``Name``/``Attribute`` chain rooted at a binding."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            base = self.lookup(node.id)
            if base is None:
                if node.id == "__import__" and not attrs:
                    return "__import__"
                return None
            return ".".join([base] + attrs[::-1])
        return None

    def literal_import(self, node: ast.Call) -> str | None:
        """The module a call like ``import_module("x")`` imports, if literal."""
        func = self.resolve(node.func)
        if func not in IMPORTERS or not node.args:
            return None
        name = fold(node.args[0])
        if name is None:
            return None
        if func == "pkgutil.resolve_name":
            return name.replace(":", ".")
        level = 0
        if func == "importlib.import_module":
            if name.startswith("."):
                level = len(name) - len(name.lstrip("."))
                package = None
                pkg_arg = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "package"), None
                )
                if pkg_arg is not None:
                    package = fold(pkg_arg)
                return resolve_relative(name[level:], package, level)
            return name
        level_arg = node.args[4] if len(node.args) > 4 else next(
            (k.value for k in node.keywords if k.arg == "level"), None
        )
        if isinstance(level_arg, ast.Constant) and isinstance(level_arg.value, int):
            level = level_arg.value
        return resolve_relative(name, self.package, level)

    # -- bindings -----------------------------------------------------

    def _assign_value(self, targets: Sequence[ast.AST], value: ast.AST | None) -> None:
        alias = None
        if value is not None:
            alias = self.resolve(value)
            if alias is None and isinstance(value, ast.Call):
                alias = self.literal_import(value)
        for target in targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, alias)
            elif isinstance(target, ast.Attribute):
                self.on_store(target, target, "Assigns to")
                self.visit(target.value)
            elif isinstance(target, ast.Subscript):
                self.on_module_store(target)
                self.visit(target)
            else:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
                        self.on_store(sub, sub, "Assigns to")
                self.shadow_target(target)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self._assign_value(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)
        self._assign_value([node.target], node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Attribute):
            self.on_store(node.target, node.target, "Changes")
            self.visit(node.target.value)
        elif isinstance(node.target, ast.Name):
            self.bind(node.target.id, None)
        else:
            self.visit(node.target)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute):
                self.on_store(target, target, "Deletes")
                self.visit(target.value)
            elif isinstance(target, ast.Subscript):
                self.on_module_store(target)
                self.visit(target)
            elif isinstance(target, ast.Name):
                self.bind(target.id, None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.bind(node.target.id, None)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.shadow_target(node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.shadow_target(item.optional_vars)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, None)
        for stmt in node.body:
            self.visit(stmt)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
            if node.returns is not None:
                self.visit(node.returns)
            self.bind(node.name, None)
        scope: dict[str, str] = {}
        every = args.posonlyargs + args.args + args.kwonlyargs
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            scope[arg.arg] = _SHADOW
            if arg.annotation is not None:
                self.visit(arg.annotation)
        self.scopes.append((scope, False))
        if isinstance(node, ast.Lambda):
            self.visit(node.body)
        else:
            for stmt in node.body:
                self.visit(stmt)
        self.scopes.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords]:
            self.visit(expr)
        self.bind(node.name, None)
        self.scopes.append(({}, True))
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        self.scopes.append(({}, False))
        for gen in node.generators:
            self.visit(gen.iter)
            self.shadow_target(gen.target)
            for cond in gen.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.scopes.pop()

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

