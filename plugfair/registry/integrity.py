"""What a plugin changed, while it was probed, that is not its own.

The probe child (:mod:`plugfair.registry.probe`) loads plugin after plugin
in one process.  Around each one, :class:`Watch` looks at what the plugin
changed in the process, and sorts it:

* **patches** -- changes to plugfair's own modules and classes
  (:func:`host_changes`), to the code of a plugin probed before it in the
  same process (its class, the attribute its entry point names, its module
  in ``sys.modules``), modules it planted or replaced in another plugin's
  package, and code of its own it put into another plugin's modules or
  classes.  They fail the plugin, and the reason names whose code it
  changed;
* **taint** -- changes that could reach the next plugin without being
  wrong in themselves: a replaced ``sys.modules`` entry outside any
  plugin, a new module of a plugin not probed yet (imported early, so
  possibly patched), new import hooks or builtins.  The child is replaced
  before the next plugin, which therefore loads in a clean process.

For a plugin probed *later*, the watch records what the plugin under
watch saw of that plugin's class (:func:`code_map`); the host compares it
with what that plugin's own turn saw (:func:`code_changes`), so a patch
applied to a plugin before its turn is found too, in another process.

The registry makes the same checks when it loads plugins into a host
process (:class:`LoadGuard`), for a plugin that patches only when it is
not probed.

Every check compares object identities, never ``==``, so no plugin code
runs while a check runs.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import operator
import sys
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "snapshot_host",
    "host_changes",
    "owned_by",
    "plugin_root",
    "plugin_roots",
    "code_map",
    "code_changes",
    "Watch",
    "LoadGuard",
]


#: What :func:`snapshot_host` records of one module or class: its
#: attribute names and the objects they hold, in order, and its live
#: attribute mapping (to compare with later).
Part = tuple[tuple[str, ...], tuple[object, ...], Mapping[str, object]]


class Snapshot(dict[str, Part]):
    """What :func:`snapshot_host` recorded: name -> :data:`Part`, and the
    same laid out for :func:`_unchanged` (flat lists, compared in C)."""

    modnames: list[str]
    modules: list[object]
    lives: list[Mapping[str, object]]
    sizes: list[int]
    flat_keys: list[str]
    flat_values: list[object]
    #: The newest ``sys.modules`` entry then (modules imported since come
    #: after it).
    tail: tuple[str, object] | None


def snapshot_host() -> Snapshot:
    """Record every attribute of plugfair's own modules, and of the
    plugfair classes in them (the objects themselves: only identities are
    compared).

    When nothing changed since the last snapshot (:func:`_unchanged`),
    that snapshot is returned again: it records the same.
    """
    last = _LAST[0]
    if last is not None and _unchanged(last):
        last.tail = _newest()  # what is imported from now on comes after it
        return last
    snap = Snapshot()
    snap.modnames, snap.modules = [], []
    modules = sys.modules
    for modname in list(filter(_PLUGFAIR_PREFIX, modules)):
        mod = modules.get(modname)
        if mod is None or not _is_plugfair(modname):
            continue
        attrs = vars(mod)
        values = tuple(attrs.values())
        snap[modname] = (tuple(attrs), values, attrs)
        snap.modnames.append(modname)
        snap.modules.append(mod)
        for k in _classes_in(modname, attrs, values):
            members = vars(attrs[k])
            snap[modname + "." + k] = (tuple(members), tuple(members.values()), members)
    parts = list(snap.values())
    snap.lives = [p[2] for p in parts]
    snap.sizes = [len(p[1]) for p in parts]
    snap.flat_keys = list(itertools.chain.from_iterable(p[0] for p in parts))
    snap.flat_values = list(itertools.chain.from_iterable(p[1] for p in parts))
    snap.tail = _newest()
    _LAST[0] = snap
    return snap


#: The last snapshot (in a list: a module attribute that changed would be
#: a change to plugfair's own modules).
_LAST: list[Snapshot | None] = [None]


def _unchanged(before: Snapshot) -> bool:
    """Whether nothing :func:`host_changes` reports can have happened
    since ``before``: no plugfair module imported, replaced or removed
    since, no attribute of a recorded module or class changed (the fast
    check: identities, in C loops)."""
    modules = sys.modules
    if any(_is_plugfair(n) and n not in before and modules.get(n) is not None for n in _since(before.tail)):
        return False  # a plugfair module imported since
    if not all(map(operator.is_, map(modules.get, before.modnames), before.modules)):
        return False  # one replaced or removed
    lives = before.lives
    return (
        list(map(len, lives)) == before.sizes
        and all(map(operator.is_, itertools.chain.from_iterable(map(_VALUES, lives)), before.flat_values))
        and all(map(operator.is_, itertools.chain.from_iterable(lives), before.flat_keys))
    )


def _newest() -> tuple[str, object] | None:
    newest = next(reversed(sys.modules), None)
    return (newest, sys.modules[newest]) if newest is not None else None


def _since(tail: tuple[str, object] | None) -> list[str]:
    """The ``sys.modules`` entries added after ``tail`` (all of them if it
    is gone): new entries go to the end, so only those are looked at, not
    the thousands of modules a big suite imports."""
    modules = sys.modules
    added: list[str] = []
    for name in reversed(modules):
        if tail is not None and name == tail[0] and modules.get(name) is tail[1]:
            return added
        added.append(name)
    return added


_PLUGFAIR_PREFIX = operator.methodcaller("startswith", "plugfair")
_VALUES = operator.methodcaller("values")


def _identical(a: Sequence[object], b: Sequence[object]) -> bool:
    """Whether two sequences hold the very same objects (no ``==``)."""
    return len(a) == len(b) and all(map(operator.is_, a, b))


#: module -> (its attributes' objects, names of its plugfair classes): a
#: module's attributes are scanned for classes again only when they change.
_CLASSES: dict[str, tuple[tuple[object, ...], list[str]]] = {}


def _classes_in(modname: str, attrs: Mapping[str, Any], values: tuple[object, ...]) -> list[str]:
    """Names of the plugfair classes among the module attributes ``attrs``."""
    cached = _CLASSES.get(modname)
    if cached is not None and len(cached[0]) == len(values) and all(map(operator.is_, cached[0], values)):
        return cached[1]
    names = [
        k for k, val in list(attrs.items())
        if isinstance(val, type) and str(getattr(val, "__module__", "")).startswith("plugfair")
    ]
    _CLASSES[modname] = (values, names)
    return names


_CODE_TYPES = (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType)


def _unwrap(value: object) -> object:
    """The function behind a method, static or class method, or property."""
    if isinstance(value, (staticmethod, classmethod, types.MethodType)):
        return value.__func__
    if isinstance(value, property):
        return value.fget
    return value


def owned_by(value: object, package: str) -> bool:
    """Whether ``value`` (a function, class, method...) comes from ``package``.

    Only code objects are asked where they come from, and only through
    their type's own attributes: a module may hold an object whose
    ``__getattr__`` does work (Tempest's lazy ``CONF`` reads its
    configuration and sets up logging when touched).
    """
    value = _unwrap(value)
    if isinstance(value, _CODE_TYPES):
        module = getattr(value, "__module__", None)
    else:
        try:
            module = inspect.getattr_static(value, "__module__", None)
        except Exception:  # noqa: BLE001 - any object may sit in a module
            return False
    return isinstance(module, str) and (module == package or module.startswith(package + "."))


def _planted(package: str, new: Iterable[str]) -> list[str]:
    """Attributes that ``package`` defined in the plugfair modules ``new``
    (imported since the snapshot, so not in it)."""
    found = []
    for modname in new:
        mod = sys.modules.get(modname)
        if mod is None or modname.startswith("plugfair.tests"):
            continue  # test modules import plugin classes on purpose
        found.extend(_owned_in(mod, modname, package))
    return found


def _owned_in(mod: Any, modname: str, package: str) -> list[str]:
    """Attributes of ``mod`` and of its classes that ``package`` defined."""
    found = []
    for name, value in list(vars(mod).items()):
        if owned_by(value, package):
            found.append("%s.%s" % (modname, name))
        elif isinstance(value, type) and owned_by(value, modname.split(".")[0]):
            for attr, member in list(vars(value).items()):
                if owned_by(member, package):
                    found.append("%s.%s.%s" % (modname, name, attr))
    return found


def _is_plugfair(modname: str) -> bool:
    return modname == "plugfair" or modname.startswith("plugfair.")


def host_changes(before: Snapshot, package: str | None = None) -> list[str]:
    """Return the plugfair attributes changed since ``before``.

    :param package: the plugin's top-level package; attributes that this
        package added to plugfair classes, or to plugfair modules imported
        after ``before`` was taken, are reported too.
    """
    if _unchanged(before):
        return []
    after = snapshot_host()
    changed: list[str] = []
    foreign = bool(package) and package != "plugfair"
    for owner, (keys, values, _live) in before.items():
        now = after.get(owner)
        if now is None or (_identical(now[0], keys) and _identical(now[1], values)):
            continue
        old, new = dict(zip(keys, values, strict=True)), dict(zip(now[0], now[1], strict=True))
        changed.extend("%s.%s" % (owner, name) for name, value in old.items() if new.get(name, _GONE) is not value)
        changed.extend(_added(owner, sorted(new.keys() - old.keys()), str(package) if foreign else None))
    if foreign:
        added = sorted(m for m in after.keys() - before.keys() if m in sys.modules)
        changed.extend(_planted(str(package), added))
    return sorted(set(changed))


_GONE = object()


def _added(owner: str, names: Sequence[str], package: str | None) -> list[str]:
    """The attributes in ``names``, new in ``owner`` (a module or a
    ``module.Class``), that are patches rather than submodules."""
    mod = sys.modules.get(owner)
    out = []
    for name in names:
        if mod is None:
            # a class ("module.Class"): a new attribute the plugin made
            modname, _, clsname = owner.rpartition(".")
            cls = getattr(sys.modules.get(modname), clsname, None)
            if package and owned_by(getattr(cls, name, None), package):
                out.append("%s.%s" % (owner, name))
            continue
        value = getattr(mod, name, None)
        if isinstance(value, types.ModuleType) and value.__name__ == "%s.%s" % (owner, name):
            continue  # a submodule was imported: not a patch
        if not name.startswith("__"):
            out.append("%s.%s" % (owner, name))
    return out


def plugin_root(module: str, others: Sequence[str]) -> str:
    """Shortest prefix of ``module`` that no module in ``others`` shares."""
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if not any(o == prefix or o.startswith(prefix + ".") for o in others if o != module):
            return prefix
    return module


def plugin_roots(modules: Iterable[str]) -> dict[str, str]:
    """:func:`plugin_root` of each of ``modules`` among the others, in one pass."""
    unique = sorted(set(modules))
    counts: dict[str, int] = {}
    for module in unique:
        parts = module.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            counts[prefix] = counts.get(prefix, 0) + 1
    out = {}
    for module in unique:
        parts = module.split(".")
        out[module] = next(
            (p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if counts[p] == 1), module
        )
    return out


def code_map(obj: object) -> dict[str, str]:
    """Where each code attribute of class ``obj`` comes from.

    Functions, methods, properties and classes map to their file, line and
    name; data to ``""``.  Two processes that import the same unpatched
    class get the same map.
    """
    if not isinstance(obj, type):
        return {}
    out = {}
    for name, value in list(vars(obj).items()):
        func = _unwrap(value)
        code = func.__code__ if isinstance(func, types.FunctionType) else None
        if isinstance(code, types.CodeType):
            out[name] = "%s:%d %s" % (code.co_filename, code.co_firstlineno, code.co_name)
        elif isinstance(value, type):
            out[name] = "class %s.%s" % (value.__module__, value.__qualname__)
        elif callable(value):
            out[name] = "callable %s" % type(value).__qualname__
        else:
            out[name] = ""
    return out


def code_changes(own: Mapping[str, str], seen: Mapping[str, str]) -> list[str]:
    """Code attributes that differ between a class as its own turn saw it
    (``own``) and as another plugin's turn left it (``seen``)."""
    return sorted(
        name for name in set(own) | set(seen) if (own.get(name) or seen.get(name)) and own.get(name) != seen.get(name)
    )


class _Print:
    """Identity of one plugin probed earlier in this process: its module
    in ``sys.modules``, the object its entry point names, and that
    class's attributes."""

    def __init__(self, name: str, target: str) -> None:
        self.name = name
        self.modname = target.partition(":")[0].strip()
        self.attrs = _attrs(target)
        self.module: object = None
        self.obj: object = None
        self.members: Mapping[str, object] = {}
        self.keys: tuple[str, ...] = ()
        self.values: tuple[object, ...] = ()
        self.take()

    def take(self) -> None:
        """Record the state as it is now."""
        self.module = sys.modules.get(self.modname)
        self.obj = _resolve(self.module, self.attrs)
        # a class's mapping proxy shows its one and only __dict__, live
        self.members = vars(self.obj) if isinstance(self.obj, type) else {}
        self.keys = tuple(self.members)
        self.values = tuple(self.members.values())

    def same(self) -> bool:
        """Whether nothing changed since :meth:`take` (the fast check)."""
        return (
            sys.modules.get(self.modname) is self.module
            and _resolve(self.module, self.attrs) is self.obj
            and len(self.members) == len(self.values)
            and all(map(operator.is_, self.members.values(), self.values))
        )

    def changes(self) -> list[str]:
        """What changed since :meth:`take`, in words (``[]``: nothing)."""
        if self.module is None or self.same():
            return []
        if sys.modules.get(self.modname) is not self.module:
            return ["sys.modules[%r]" % self.modname]
        where = ".".join([self.modname, *self.attrs])
        if _resolve(self.module, self.attrs) is not self.obj:
            return [where]
        before = dict(zip(self.keys, self.values, strict=True))
        return [
            "%s.%s" % (where, k) for k in sorted(set(before) | set(self.members))
            if self.members.get(k) is not before.get(k)
        ]


class _Prints:
    """The :class:`_Print` of every plugin probed earlier in this process,
    with a check of all of them at once.

    Every turn checks every earlier plugin, so the check is kept in C
    loops (``map`` over module lookups, attribute lookups and identity
    comparisons); only when it finds a change does :class:`Watch` ask each
    print what changed.
    """

    def __init__(self) -> None:
        self.by_target: dict[str, _Print] = {}
        self._index()

    def add(self, fp: _Print, target: str) -> None:
        self.by_target[target] = fp
        self._lay_out(fp)

    def _index(self) -> None:
        """Lay every print out for :meth:`unchanged` (after
        :meth:`_Print.take`)."""
        self._slow: list[_Print] = []
        self._names: list[str] = []
        self._modules: list[object] = []
        self._attrs: list[str] = []
        self._objs: list[object] = []
        self._members: list[Mapping[str, object]] = []
        self._sizes: list[int] = []
        self._values: list[object] = []
        for fp in self.by_target.values():
            self._lay_out(fp)

    def _lay_out(self, fp: _Print) -> None:
        if fp.module is None or len(fp.attrs) != 1 or fp.obj is None:
            self._slow.append(fp)  # a module, a nested class, a failed import
            return
        self._names.append(fp.modname)
        self._modules.append(fp.module)
        self._attrs.append(fp.attrs[0])
        self._objs.append(fp.obj)
        self._members.append(fp.members)
        self._sizes.append(len(fp.values))
        self._values.extend(fp.values)

    def take(self) -> None:
        for fp in self.by_target.values():
            fp.take()
        self._index()

    def unchanged(self) -> bool:
        """Whether no print changed (the fast check of every print)."""
        modules = list(map(sys.modules.get, self._names))
        if not all(map(operator.is_, modules, self._modules)):
            return False
        objs = list(map(getattr, modules, self._attrs, itertools.repeat(None)))
        if not all(map(operator.is_, objs, self._objs)):
            return False
        if list(map(len, self._members)) != self._sizes:
            return False
        values = list(itertools.chain.from_iterable(map(_VALUES, self._members)))
        return all(map(operator.is_, values, self._values)) and all(fp.same() for fp in self._slow)


def _attrs(target: str) -> list[str]:
    """``["Outer", "Inner"]`` of ``module:Outer.Inner`` (``[]`` for a module)."""
    return [a for a in target.partition(":")[2].strip().split(".") if a]


def _resolve(module: object, attrs: Sequence[str]) -> object:
    obj = module
    for attr in attrs:
        obj = getattr(obj, attr, None)
    return obj


class Watch:
    """Around each plugin's turn: what it changed that is not its own.

    :param plugins: ``(name, "module:attr")`` of every plugin the host
        knows of; their modules decide which package is whose.
    """

    def __init__(self, plugins: Iterable[Sequence[str]]) -> None:
        self._targets: dict[str, dict[str, str]] = {}  # module -> target -> name
        self._prints = _Prints()
        self._roots: dict[str, str] = {}  # root -> module
        self._modules: dict[str, Any] = {}
        self._hooks: tuple[int, ...] = ()
        self.add(plugins)

    def add(self, plugins: Iterable[Sequence[str]]) -> None:
        """Learn more plugins (a host's hosted plugins)."""
        new = False
        for name, target in plugins:
            module = target.partition(":")[0].strip()
            if not _is_plugfair(module) and target not in self._targets.get(module, {}):
                self._targets.setdefault(module, {})[target] = name
                new = True
        if new:
            self._roots = {root: m for m, root in plugin_roots(self._targets).items()}

    def owner(self, modname: str) -> str | None:
        """The plugin module whose package ``modname`` is in, if any."""
        parts = modname.split(".")
        for i in range(len(parts), 0, -1):
            found = self._roots.get(".".join(parts[:i]))
            if found is not None:
                return found
        return None

    def _who(self, module: str) -> str:
        return "plugin %s" % ", ".join(sorted(set(self._targets.get(module, {}).values())) or [module])

    def begin(self, *, refresh: bool = False) -> None:
        """Remember the process as it is before the next plugin's turn.

        :param refresh: take the plugins seen so far as they are now, so
            that only what changes during this turn counts (in a host
            process, other code runs between loads).
        """
        self._modules = dict(sys.modules)
        self._hooks = _import_system()
        if refresh and not self._prints.unchanged():
            self._prints.take()

    def end(self, name: str, target: str) -> tuple[list[str], list[str], dict[str, dict[str, str]]]:
        """Judge the plugin whose turn it was.

        :returns: the patches it made (each naming whose code it changed),
            the taint it left (reasons to replace the process before the
            next plugin), and what it saw of plugins whose turn has not
            come: target -> :func:`code_map`.
        """
        mine = self.owner(target.partition(":")[0].strip())
        patches = []
        if not self._prints.unchanged():
            for fp in self._prints.by_target.values():
                changed = fp.changes()
                if changed:
                    patches.append("plugin %s (%s)" % (fp.name, ", ".join(changed[:5])))
            self._prints.take()
        taint: list[str] = []
        if _import_system() != self._hooks:
            taint.append("it changed the import system (sys.meta_path, sys.path_hooks or builtins)")
        seen = self._sys_modules(mine, patches, taint)
        if target not in self._prints.by_target and not _is_plugfair(target):
            self._prints.add(_Print(name, target), target)
        return patches, taint, seen

    def _sys_modules(self, mine: str | None, patches: list[str], taint: list[str]) -> dict[str, dict[str, str]]:
        """Replaced and new ``sys.modules`` entries: the patches and taint
        they make, and the code maps of plugins whose turn has not come."""
        before, now = self._modules, dict(sys.modules)
        names = list(before)
        replaced = itertools.compress(names, map(operator.is_not, map(now.get, names), before.values()))
        for modname in list(replaced):
            owner = self.owner(modname)
            if owner is not None and owner != mine:
                patches.append("%s (it replaced module %s in sys.modules)" % (self._who(owner), modname))
            else:
                taint.append("it replaced module %s in sys.modules" % modname)
        seen: dict[str, dict[str, str]] = {}
        package = next((root for root, m in self._roots.items() if m == mine), None)
        for modname in sorted(now.keys() - before.keys()):
            owner = self.owner(modname)
            if owner is None or owner == mine:
                continue
            if _planted_module(now[modname], modname):
                patches.append("%s (it planted module %s in sys.modules)" % (self._who(owner), modname))
            elif package is not None and _owned_in(now[modname], modname, package):
                changed = _owned_in(now[modname], modname, package)
                patches.append("%s (%s)" % (self._who(owner), ", ".join(changed[:5])))
            waiting = [t for t in self._targets.get(owner, {}) if t not in self._prints.by_target]
            if waiting:
                taint.append("it imported %s, of a plugin whose turn has not come" % modname)
            for target in waiting if modname == owner else []:
                seen[target] = code_map(_resolve(now[modname], _attrs(target)))
        return seen


class LoadGuard:
    """What the registry checks when it loads plugins into a host process.

    A plugin may behave when it is probed and patch when it is not; the
    registry therefore watches each load as the probe watches each turn:
    changes to plugfair's own modules and classes, and to the code of any
    plugin (loaded before it, or imported by it), fail the plugin.

    :param plugins: ``(name, "module:attr")`` of every plugin the registry
        knows of.
    """

    def __init__(self, plugins: Iterable[Sequence[str]]) -> None:
        self._watch = Watch(plugins)
        self._host = Snapshot()
        self._batched = False
        #: The last load ended cleanly in a batch.
        self._continuing = False
        #: The last :meth:`end` found plugfair exactly as :attr:`_host`.
        self._host_current = False

    def begin(self) -> None:
        """Call before a plugin is imported: only what changes from now
        until :meth:`end` counts (a host's own code, and a test's patches,
        run between loads)."""
        if not (self._continuing and self._host_current):
            # in a batch, the last end() found plugfair exactly as _host
            # and only the caller's loop ran since: nothing to take again
            self._host = snapshot_host()
        self._watch.begin(refresh=not self._continuing)
        self._continuing = False

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Loads one right after another: between the :meth:`end` of one
        and the :meth:`begin` of the next only the caller's loop runs, so
        the next load starts from what the last one checked instead of
        looking at every plugin loaded before again."""
        self._batched = True
        try:
            yield
        finally:
            self._batched = self._continuing = False

    def end(self, name: str, target: str) -> list[str]:
        """Call after it loaded; what it changed that is not its own, in
        words (``[]``: nothing)."""
        top = target.partition(":")[0].strip().split(".")[0]
        self._host_current = _unchanged(self._host)
        patched = [] if self._host_current else host_changes(self._host, top)
        found = ["plugfair internals (%s)" % ", ".join(patched[:5])] if patched else []
        self._continuing = self._batched
        return found + self._watch.end(name, target)[0]


def _planted_module(mod: object, modname: str) -> bool:
    """Whether ``mod`` is not what importing ``modname`` from its file
    gives (a made-up module object, or one from elsewhere)."""
    if not isinstance(mod, types.ModuleType):
        return True
    spec = getattr(mod, "__spec__", None)
    return spec is None or getattr(spec, "name", None) != modname or getattr(mod, "__name__", None) != modname


def _import_system() -> tuple[int, ...]:
    """Identities of what decides how the next import and call resolve."""
    import builtins

    return (
        id(sys.meta_path),
        *map(id, sys.meta_path),
        id(sys.path_hooks),
        *map(id, sys.path_hooks),
        id(builtins.__import__),
        len(vars(builtins)),
    )
