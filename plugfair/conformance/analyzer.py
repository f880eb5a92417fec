"""Static checks of one Python file against a profile (PF000-PF006).

One pass over the syntax tree, in source order; names are resolved by
:class:`plugfair.conformance.scopes.ScopedVisitor`, and the rules here
judge every import, use, assignment and patch of a dotted name that lands
in the host or in another plugin.  Nothing under check is imported or
executed.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Callable, Iterable

from plugfair.conformance.profiles import Profile
from plugfair.conformance.report import Violation
from plugfair.conformance.scopes import ScopedVisitor, fold, resolve_relative

__all__ = ["Context", "check_source"]

_PATCH_SUFFIXES = (
    ".patch",
    ".patch.object",
    ".patch.dict",
    ".patch.multiple",
    "fixtures.MonkeyPatch",
    "fixtures.MockPatch",
    "fixtures.MockPatchObject",
    "fixtures.MockPatchMultiple",
)
# Method names of test helpers that patch their first argument
# (testtools' self.patch, pytest's monkeypatch.setattr, mocker.patch...).
_PATCH_METHODS = frozenset({"patch", "setattr", "delattr", "object", "multiple", "MonkeyPatch"})


class Context:
    """What the analyzer needs to know about the target and its world.

    :param profile: the host's stable interface.
    :param own: dotted prefixes of the target's own modules.
    :param others: dotted root of another plugin -> its label.
    """

    def __init__(
        self,
        profile: Profile,
        *,
        own: Iterable[str] = (),
        others: dict[str, str] | None = None,
    ) -> None:
        self.profile = profile
        self.own = tuple(sorted(set(own)))
        self.others = {
            root: label
            for root, label in (others or {}).items()
            if not self._is_own(root) and not profile.is_host(root)
        }
        tokens = set(profile.host_packages)
        tokens.update(root.partition(".")[0] for root in self.others)
        for pattern in profile.plugin_modules:
            chunks = [c for c in pattern.replace("?", "*").split("*") if c]
            if chunks:
                tokens.add(max(chunks, key=len))
            else:  # a pattern with no literal part matches anything
                tokens.add("import")
        tokens.update(("import_module", "__import__", "resolve_name"))
        #: Byte strings of which one must occur in a file for it to matter.
        self.tokens = tuple(sorted(t.encode("ascii") for t in tokens))

    def _is_own(self, dotted: str) -> bool:
        return any(dotted == p or dotted.startswith(p + ".") for p in self.own)

    def other_plugin(self, dotted: str) -> str | None:
        """Label of the other plugin that ``dotted`` belongs to, if any."""
        if self._is_own(dotted) or self.profile.is_host(dotted):
            return None
        for root, label in self.others.items():
            if dotted == root or dotted.startswith(root + "."):
                return label
        top = dotted.partition(".")[0]
        for pattern in self.profile.plugin_modules:
            if fnmatch.fnmatchcase(top, pattern):
                return top
        return None

    def relevant(self, source: bytes, module: str | None) -> bool:
        """Whether the file can break a rule at all (a cheap text filter)."""
        if module and (self.profile.is_host(module) or self.other_plugin(module)):
            return True
        return any(token in source for token in self.tokens)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _private_component(dotted: str, start: int) -> str | None:
    """The dotted name up to the first private component after ``start``."""
    parts = dotted.split(".")
    for i in range(start, len(parts)):
        if parts[i].startswith("_") and not _is_dunder(parts[i]):
            return ".".join(parts[: i + 1])
    return None


class _Checker(ScopedVisitor):
    def __init__(self, ctx: Context, source: bytes, path: str, relpath: str, module: str | None, target: str) -> None:
        super().__init__(module, relpath.endswith("__init__.py"))
        self.ctx = ctx
        self.profile = ctx.profile
        self.source = source
        self.path = path
        self.relpath = relpath
        self.target = target
        self.out: list[Violation] = []
        self.reported: dict[str, set[str]] = {}
        self.reported_imports: dict[str, set[str]] = {}
        self.importing = False
        self._lines: list[str] | None = None

    # -- reporting ----------------------------------------------------

    def line_text(self, lineno: int) -> str:
        if self._lines is None:
            self._lines = self.source.decode("utf-8", "replace").splitlines()
        if 1 <= lineno <= len(self._lines):
            return self._lines[lineno - 1].strip()
        return ""

    def _already(self, code: str, name: str, root: str | None = None) -> bool:
        """Whether a use of ``name`` (through binding ``root``) is already reported.

        Imports are always reported.  A use is not, when the binding it goes
        through came from an import reported for the same rule, or when the
        same name was already reported in this file.
        """
        for seen in self.reported.get(code, ()):
            if name == seen:
                return True
        for seen in self.reported_imports.get(code, ()):
            if root is not None and (root == seen or root.startswith(seen + ".")):
                return True
            if root is not None and "." not in root and (name == seen or name.startswith(seen + ".")):
                return True  # ``import a.b`` then ``a.b.x``: the same import
        return False

    def report(
        self,
        code: str,
        node: ast.AST,
        message: str,
        *,
        name: str | None = None,
        alternative: str | None = None,
        removed_in: str | None = None,
    ) -> None:
        line = getattr(node, "lineno", 1)
        if name is not None:
            seen = self.reported_imports if self.importing else self.reported
            seen.setdefault(code, set()).add(name)
        self.out.append(
            Violation(
                code=code,
                message=message,
                path=self.path,
                relpath=self.relpath,
                line=line,
                column=getattr(node, "col_offset", 0) + 1,
                name=name,
                alternative=alternative,
                removed_in=removed_in,
                target=self.target,
                context=self.line_text(line),
            )
        )

    # -- the rules ----------------------------------------------------

    def check_host_name(self, dotted: str, node: ast.AST, *, imported: bool, root: str | None = None) -> None:
        """PF001/PF002/PF005 for a host name that is imported or used.

        :param root: for a use, the dotted name of the binding it goes through.
        """
        self.importing = imported
        try:
            self._check_host_name(dotted, node, imported, root)
        finally:
            self.importing = False

    def _check_host_name(self, dotted: str, node: ast.AST, imported: bool, root: str | None) -> None:
        verb = "Imports" if imported else "Uses"
        base = self.profile.stable_base(dotted)
        if base is None:
            self._outside_stable(dotted, node, imported, root, verb)
            return
        private = _private_component(dotted, 1)
        if private is not None:
            if imported or not self._already("PF002", private, root):
                self.report(
                    "PF002",
                    node,
                    "%s the private name %s; names starting with '_' are not part of %s's stable interface."
                    % (verb, private, self.profile.host_name),
                    name=private,
                    alternative="a public name of %s; ask for one if it is missing" % base,
                )
            return
        if self._not_exported(dotted, base, node, imported, root, verb):
            return
        dep = self.profile.deprecation_for(dotted)
        if dep is not None and (imported or not self._already("PF005", dotted, root)):
            self.report(
                "PF005",
                node,
                "%s %s: %s." % (verb, dotted, dep.describe()),
                name=dotted,
                alternative=dep.alternative,
                removed_in=dep.removed_in,
            )

    def _outside_stable(self, dotted: str, node: ast.AST, imported: bool, root: str | None, verb: str) -> None:
        """PF001 for a name in none of the host's stable modules."""
        profile = self.profile
        if profile.is_parent(dotted):
            return
        name = dotted if imported else profile.first_unstable(dotted)
        if not imported and self._already("PF001", name, root):
            return
        self.report(
            "PF001",
            node,
            "%s %s, which is not in %s's stable interface." % (verb, name, profile.host_name),
            name=name,
            alternative=profile.alternative_for(name),
        )

    def _not_exported(
        self, dotted: str, base: str, node: ast.AST, imported: bool, root: str | None, verb: str
    ) -> bool:
        """PF001 for a name a stable module does not export; whether it was
        one.  A deprecated name is still exported until it is removed: it
        gets the deprecation finding instead."""
        rest = dotted[len(base) + 1 :].split(".") if dotted != base else []
        names = self.profile.exported(base)
        if names is None or not rest or _is_dunder(rest[0]) or rest[0] in names:
            return False
        name = "%s.%s" % (base, rest[0])
        if self.profile.deprecation_for(name) is not None:
            return False
        if imported or not self._already("PF001", name, root):
            self.report(
                "PF001",
                node,
                "%s %s, which %s does not export; it is not part of %s's stable interface."
                % (verb, name, base, self.profile.host_name),
                name=name,
                alternative=self.profile.alternative_for(name),
            )
        return True

    def check_import(self, dotted: str, node: ast.AST) -> None:
        """Every rule that applies to importing module or name ``dotted``."""
        if self.profile.is_host(dotted):
            self.check_host_name(dotted, node, imported=True)
            return
        label = self.ctx.other_plugin(dotted)
        if label is not None:
            self.report(
                "PF004",
                node,
                "Imports %s from the plugin %s; plugins must not import each other's modules." % (dotted, label),
                name=dotted,
                alternative="the other plugin's service client, through the registry "
                "(Registry.service_client(name)), or a copy of what you need",
            )

    def on_store(self, target: ast.Attribute, node: ast.AST, what: str) -> None:
        dotted = self.resolve(target)
        if dotted and self.profile.is_host(dotted) and "." in dotted:
            self.report(
                "PF003",
                node,
                "%s %s: plugins must not change the host's modules or objects." % (what, dotted),
                name=dotted,
                alternative="a hook or public API of %s; ask for one if it is missing" % self.profile.host_name,
            )

    # -- imports ------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_import(alias.name, node)
            if alias.asname:
                self.bind(alias.asname, alias.name)
            else:
                top = alias.name.partition(".")[0]
                self.bind(top, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = resolve_relative(node.module or "", self.package, node.level)
        if base is None:
            for alias in node.names:
                self.bind(alias.asname or alias.name, None)
            return
        for alias in node.names:
            if alias.name == "*":
                if self.profile.is_host(base) and self.profile.is_parent(base):
                    self.report(
                        "PF001",
                        node,
                        "Imports * from %s, which is not in %s's stable interface."
                        % (base, self.profile.host_name),
                        name=base,
                        alternative=self.profile.alternative_for(base),
                    )
                else:
                    self.check_import(base, node)
                continue
            full = "%s.%s" % (base, alias.name) if base else alias.name
            self.check_import(full, node)
            self.bind(alias.asname or alias.name, full)

    # -- uses ---------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self.resolve(node)
        if dotted is not None:
            if self.profile.is_host(dotted):
                self.check_host_name(dotted, node, imported=False, root=self.root_of(node))
            return
        self.visit(node.value)

    def on_module_store(self, node: ast.Subscript) -> None:
        self.check_sys_modules(node, store=True)

    def check_sys_modules(self, node: ast.Subscript, *, store: bool) -> None:
        if self.resolve(node.value) != "sys.modules":
            return
        key = fold(node.slice)
        if key is None:
            return
        if store:
            if self.profile.is_host(key):
                self.report(
                    "PF003",
                    node,
                    "Replaces the host module %s in sys.modules." % key,
                    name=key,
                    alternative="a hook or public API of %s" % self.profile.host_name,
                )
        else:
            self.check_import(key, node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            self.check_sys_modules(node, store=False)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        imported = self.literal_import(node)
        if imported:
            self.check_import(imported, node)
            self.check_fromlist(imported, node)
        func = node.func
        func_name = self.resolve(func)
        if func_name is None and isinstance(func, ast.Name):
            func_name = func.id if self.lookup(func.id) is None else None
        check = _CALL_CHECKS.get(func_name or "")
        if check is not None and node.args:
            check(self, node, str(func_name))
        self.check_patch(node, func, func_name)
        self.check_kwargs(node, func_name)
        self.generic_visit(node)

    def check_fromlist(self, imported: str, node: ast.Call) -> None:
        """``__import__(name, ..., fromlist=[...])`` imports each name too."""
        if self.resolve(node.func) not in ("__import__", "builtins.__import__", "importlib.__import__"):
            return
        fromlist = node.args[3] if len(node.args) > 3 else next(
            (k.value for k in node.keywords if k.arg == "fromlist"), None
        )
        for elt in fromlist.elts if isinstance(fromlist, (ast.List, ast.Tuple)) else ():
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                self.check_import("%s.%s" % (imported, elt.value), node)

    def check_setattr(self, node: ast.Call, func_name: str) -> None:
        """PF003: ``setattr``/``delattr`` on a host object."""
        target = self.resolve(node.args[0])
        if not (target and self.profile.is_host(target)):
            return
        attr = fold(node.args[1]) if len(node.args) > 1 else None
        dotted = "%s.%s" % (target, attr) if attr else target
        self.report(
            "PF003",
            node,
            "Calls %s() on the host object %s: plugins must not change the host's modules or objects."
            % (func_name.rpartition(".")[2], dotted),
            name=dotted,
            alternative="a hook or public API of %s" % self.profile.host_name,
        )

    def check_getattr(self, node: ast.Call, func_name: str) -> None:
        """A host name reached with ``getattr(host_object, "name")``."""
        target = self.resolve(node.args[0])
        attr = fold(node.args[1]) if len(node.args) >= 2 else None
        if target and attr and self.profile.is_host(target):
            self.check_host_name("%s.%s" % (target, attr), node, imported=False, root=self.root_of(node.args[0]))

    def check_kwargs(self, node: ast.Call, func_name: str | None) -> None:
        """PF005: a deprecated keyword argument of a host callable."""
        if not (self.profile.has_kwarg_deprecations() and func_name and node.keywords):
            return
        kwargs = frozenset(k.arg for k in node.keywords if k.arg)
        for dep in self.profile.deprecated:
            if dep.kwarg and dep.kwarg in kwargs and func_name == dep.name:
                self.report(
                    "PF005",
                    node,
                    "Passes %s: %s." % (dep.kwarg, dep.describe()),
                    name="%s(%s)" % (dep.name, dep.kwarg),
                    alternative=dep.alternative,
                    removed_in=dep.removed_in,
                )

    def check_patch(self, node: ast.Call, func: ast.AST, func_name: str | None) -> None:
        if not node.args:
            return
        is_patcher = bool(func_name) and any(
            func_name == s.lstrip(".") or func_name.endswith(s) for s in _PATCH_SUFFIXES  # type: ignore[union-attr]
        )
        if not is_patcher and func_name is None and isinstance(func, ast.Attribute):
            is_patcher = func.attr in _PATCH_METHODS
        if not is_patcher:
            return
        first = node.args[0]
        text = fold(first)
        if text is not None:
            dotted = text
        else:
            dotted = self.resolve(first) or ""
            attr = fold(node.args[1]) if len(node.args) > 1 else None
            if dotted and attr:
                dotted = "%s.%s" % (dotted, attr)
        if dotted and self.profile.is_host(dotted):
            self.report(
                "PF006",
                node,
                "Patches the host attribute %s; the test depends on %s's internals." % (dotted, self.profile.host_name),
                name=dotted,
                alternative="configuration overrides, fixtures of the stable interface, or patching your own code",
            )


#: Builtins whose calls get a check of their own, by resolved name.
_CALL_CHECKS: dict[str, Callable[[_Checker, ast.Call, str], None]] = {
    name: check
    for names, check in (
        (("setattr", "delattr", "builtins.setattr", "builtins.delattr"), _Checker.check_setattr),
        (("getattr", "builtins.getattr"), _Checker.check_getattr),
    )
    for name in names
}


def check_source(
    ctx: Context,
    source: bytes,
    *,
    path: str,
    relpath: str,
    module: str | None,
    target: str = "",
) -> list[Violation]:
    """Check one file's source; return its violations in source order.

    :param source: the file's bytes (the encoding cookie is honoured).
    :param path: the file as shown to humans.
    :param relpath: the file relative to the target's root.
    :param module: the file's dotted module name, if known (used to
        resolve relative imports).
    """
    if not ctx.relevant(source, module):
        return []
    try:
        tree = ast.parse(source, path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        text = (exc.text or "").strip()
        return [
            Violation(
                code="PF000",
                message="Cannot parse the file as Python: %s. The checker cannot vouch for it." % exc.msg,
                path=path,
                relpath=relpath,
                line=line,
                column=max(exc.offset or 1, 1),
                target=target,
                context=text,
            )
        ]
    except ValueError as exc:  # e.g. null bytes
        return [
            Violation(
                code="PF000",
                message="Cannot parse the file as Python: %s." % exc,
                path=path,
                relpath=relpath,
                target=target,
            )
        ]
    checker = _Checker(ctx, source, path, relpath, module, target)
    for stmt in tree.body:
        checker.visit(stmt)
    return checker.out
