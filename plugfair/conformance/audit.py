"""The core audit behind ``plugfair check --core`` (PF201, PF202).

Two things are checked:

1. the core package never imports or names a plugin: any package that
   provides an entry point in the plugin group (other than the core
   itself), the in-tree plugin package and the names listed in the audit
   data;
2. every in-tree plugin, i.e. every plugin whose module lives in one of the
   in-tree packages, passes the same checks as any plugin, with no
   exemptions (the caller runs them on the targets returned here).

What to audit is data (``profiles/core.json``), so that the core's own
code names no plugin.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Iterable

from plugfair.conformance import hostscan, installed, targets
from plugfair.conformance.profiles import data_path
from plugfair.conformance.report import Violation
from plugfair.conformance.scopes import fold as _fold

__all__ = ["AuditSpec", "load_spec", "core_target", "scan_core", "in_tree_targets", "forbidden_names"]


@dataclasses.dataclass
class AuditSpec:
    """What the core audit looks at."""

    core_package: str
    in_tree_packages: tuple[str, ...]
    also_forbidden: tuple[str, ...]
    #: Core directories (relative, ``/``) whose string literals may name a
    #: plugin; imports are still checked there.
    names_exempt: tuple[str, ...]
    group: str = "plugfair.plugins"


def load_spec(path: str | None = None) -> AuditSpec:
    """Read the audit data shipped with plugfair (or ``path``)."""
    with open(path or data_path("profiles", "core.json"), encoding="utf-8") as f:
        data = json.load(f)
    return AuditSpec(
        core_package=data["core_package"],
        in_tree_packages=tuple(data.get("in_tree_packages", ())),
        also_forbidden=tuple(data.get("also_forbidden", ())),
        names_exempt=tuple(data.get("names_exempt", ())),
    )


@dataclasses.dataclass
class Forbidden:
    """Names the core must not import or mention."""

    #: Dotted module roots (``pkg``, ``pkg.sub``) -> what they belong to.
    modules: dict[str, str]
    #: Exact string values (plugin and distribution names) -> owner.
    strings: dict[str, str]


def forbidden_names(spec: AuditSpec) -> Forbidden:
    """Every plugin module root and name the core must not use."""
    modules: dict[str, str] = {}
    strings: dict[str, str] = {}
    for root, (plugin, dist) in installed.plugin_roots(spec.group).items():
        top = root.partition(".")[0]
        if top == spec.core_package:
            continue
        owner = "plugin %s (distribution %s)" % (plugin, dist)
        modules.setdefault(root, owner)
        if top not in spec.in_tree_packages:
            modules.setdefault(top, owner)
        strings.setdefault(plugin, owner)
        if installed.normalize(dist) != installed.normalize(spec.core_package):
            strings.setdefault(dist, owner)
    for name in spec.also_forbidden:
        modules.setdefault(name, "the in-tree or example plugins (%s)" % name)
    for root, owner in list(modules.items()):
        strings.setdefault(root, owner)
    return Forbidden(modules=modules, strings=strings)


def core_target(spec: AuditSpec) -> targets.Target:
    """The core package's own files."""
    files = installed.locate_package(spec.core_package)
    return targets.Target(
        label="%s (core)" % spec.core_package,
        kind="core",
        files=[
            targets.SourceFile(path=full, relpath=rel, module=targets.module_of(rel), reader=targets.read_file(full))
            for full, rel in files
        ],
        own=[spec.core_package],
    )


def _match_module(dotted: str, forbidden: Forbidden) -> str | None:
    for root, owner in forbidden.modules.items():
        if dotted == root or dotted.startswith(root + "."):
            return owner
    return None


def _match_string(value: str, forbidden: Forbidden) -> str | None:
    owner = forbidden.strings.get(value)
    if owner is not None:
        return owner
    head = value.split(":", 1)[0]
    if head != value or "." in value:
        return _match_module(head, forbidden) if _is_dotted(head) else None
    return None


def _is_dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


#: Calls whose first argument, a literal, names a module they import.
_IMPORTING_CALLS = ("import_module", "__import__", "resolve_name")

#: Node type -> the field that holds the identifier it defines or uses.
_IDENTIFIER_FIELDS: dict[type[ast.AST], str] = {
    ast.Name: "id",
    ast.Attribute: "attr",
    ast.FunctionDef: "name",
    ast.AsyncFunctionDef: "name",
    ast.ClassDef: "name",
    ast.arg: "arg",
    ast.alias: "asname",
}

_ALTERNATIVE = "the registry (Registry.records(), service_client(), commands()); treat every plugin the same"


def scan_core(spec: AuditSpec, target: targets.Target, forbidden: Forbidden) -> list[Violation]:
    """PF201/PF202 for every file of the core package."""
    out: list[Violation] = []
    tops = {m.partition(".")[0] for m in forbidden.modules}
    needles = [t.encode() for t in list(tops) + list(forbidden.strings)]
    for f in target.files:
        try:
            source = f.read()
            if not any(n in source for n in needles):
                continue
            tree = ast.parse(source, f.path)
        except OSError as exc:
            out.append(Violation("PF000", "Cannot read the file: %s." % exc, f.path, f.relpath, target=target.label))
            continue
        except (SyntaxError, ValueError) as exc:
            out.append(Violation("PF000", "Cannot parse the file: %s." % exc, f.path, f.relpath, target=target.label))
            continue
        exempt = any(f.relpath == e or f.relpath.startswith(e.rstrip("/") + "/") for e in spec.names_exempt)
        scan = _CoreFile(f, source, target.label, forbidden, tops)
        for node in ast.walk(tree):
            scan.imports(node)
            if not exempt:
                scan.names(node)
        out.extend(scan.out)
    return out


class _CoreFile:
    """The PF201/PF202 findings of one core file, node by node."""

    def __init__(
        self, f: targets.SourceFile, source: bytes, label: str, forbidden: Forbidden, tops: set[str]
    ) -> None:
        self.f = f
        self.lines = source.decode("utf-8", "replace").splitlines()
        self.label = label
        self.forbidden = forbidden
        self.tops = tops
        self.out: list[Violation] = []
        self._reported: set[int] = set()  # literals already reported as imports

    def add(self, code: str, node: ast.AST, message: str, name: str) -> None:
        line = getattr(node, "lineno", 1)
        self.out.append(
            Violation(
                code=code, message=message, path=self.f.path, relpath=self.f.relpath, line=line,
                column=getattr(node, "col_offset", 0) + 1, name=name, target=self.label,
                context=self.lines[line - 1].strip() if 0 < line <= len(self.lines) else "",
                alternative=_ALTERNATIVE,
            )
        )

    def imports(self, node: ast.AST) -> None:
        """PF201: an import (statement, or call with a literal) of a plugin."""
        imported: Iterable[str] = ()
        if isinstance(node, ast.Import):
            imported = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported = [node.module] + ["%s.%s" % (node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Call) and node.args:
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            literal = _fold(node.args[0]) if called in _IMPORTING_CALLS else None
            if literal:
                imported = [literal.replace(":", ".")]
                self._reported.update(id(sub) for sub in ast.walk(node.args[0]))
        for dotted in imported:
            owner = _match_module(dotted, self.forbidden)
            if owner:
                self.add("PF201", node, "The core imports %s, which belongs to %s." % (dotted, owner), dotted)
                return

    def names(self, node: ast.AST) -> None:
        """PF202: an identifier or a string that names a plugin."""
        field = _IDENTIFIER_FIELDS.get(type(node))
        ident = getattr(node, field, None) if field else None
        if ident and ident in self.tops:
            owner = self.forbidden.modules.get(ident, ident)
            self.add("PF202", node, "The core names %s (%s) in an identifier." % (ident, owner), ident)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
            owner = _match_string(node.value, self.forbidden) if id(node) not in self._reported else None
            if owner:
                self.add("PF202", node, "The core names %r, which belongs to %s." % (node.value, owner), node.value)


def in_tree_targets(spec: AuditSpec) -> tuple[list[targets.Target], list[str]]:
    """A target per in-tree plugin, plus one for in-tree files outside them.

    :returns: the targets and notes (e.g. "no in-tree plugins").
    """
    notes: list[str] = []
    found: list[targets.Target] = []
    covered: set[str] = set()
    roots = installed.plugin_roots(spec.group)
    in_tree = sorted(
        (plugin, root) for root, (plugin, _dist) in roots.items() if root.partition(".")[0] in spec.in_tree_packages
    )
    for plugin, _root in in_tree:
        target = installed.from_installed(plugin, group=spec.group, host_packages=(spec.core_package,))
        covered.update(f.path for f in target.files)
        found.append(target)
    for package in spec.in_tree_packages:
        files = [(p, r) for p, r in installed.locate_package(package) if p not in covered]
        if hostscan.module_file(package) is None:
            notes.append("the in-tree package %s is not installed; no in-tree plugins were checked" % package)
            continue
        if not in_tree:
            notes.append("%s provides no plugin in %s yet" % (package, spec.group))
        if files:
            found.append(
                targets.Target(
                    label="%s (shared files)" % package,
                    kind="installed",
                    files=[
                        targets.SourceFile(path=p, relpath=r, module=targets.module_of(r), reader=targets.read_file(p))
                        for p, r in files
                    ],
                    own=[],
                    loadable=False,
                )
            )
    return found, notes

