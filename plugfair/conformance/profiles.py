"""Profiles: a host's stable interface, described as data.

A profile is a JSON file.  Two ship with plugfair (``plugfair``, the
default, and ``tempest``); users pass their own with ``--profile-file``.
The format is documented in ``doc/source/user/conformance.rst``; every
key is checked here so that a typo is an error, not a silent no-op.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from plugfair.interface.errors import UsageError

__all__ = [
    "ProfileError",
    "Deprecation",
    "PluginInterface",
    "Profile",
    "builtin_names",
    "load",
    "load_file",
    "parse",
    "data_path",
]

FORMAT = 1
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]!]+$")
_KEYS = {
    "format",
    "name",
    "description",
    "reference",
    "host",
    "stable",
    "exports",
    "alternatives",
    "default_alternative",
    "deprecated",
    "scan_deprecated",
    "plugin_modules",
    "dynamic",
    "plugin_interface",
    "idempotent_ids",
}
_INTERFACE_KEYS = {"register_opts", "host_groups", "service_clients", "unique_service_keys"}
_HOST_KEYS = {"name", "packages", "plugin_group"}
_DEPRECATION_KEYS = {"name", "since", "removed_in", "alternative", "kwarg"}


class ProfileError(UsageError):
    """A profile is missing or malformed; the check cannot start.

    :param source: the profile file or built-in name at fault.
    """

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__("Profile %s: %s" % (source, message))
        #: The profile file or built-in name at fault.
        self.source = source


@dataclasses.dataclass(frozen=True)
class Deprecation:
    """One deprecated name (module, class, function or keyword argument)."""

    #: Dotted name; a module or class covers everything inside it.
    name: str
    since: str
    #: The version (or condition) in which it goes away.
    removed_in: str
    alternative: str | None = None
    #: Only this keyword argument of the callable ``name`` is deprecated.
    kwarg: str | None = None

    def describe(self) -> str:
        what = "%s(%s=...)" % (self.name, self.kwarg) if self.kwarg else self.name
        text = "%s is deprecated since %s and is removed in %s" % (
            what,
            self.since,
            self.removed_in,
        )
        return text


@dataclasses.dataclass(frozen=True)
class PluginInterface:
    """How a host other than plugfair talks to the plugins of its plugin
    group, for the dynamic checks of those plugins (``PF111``, ``PF112``).

    The entry point names a class that the host instantiates with no
    arguments; the hooks below are methods of the instance.
    """

    #: Method the host calls with its ``ConfigOpts`` so the plugin
    #: registers its options (``None``: the host has none).
    register_opts: str | None = None
    #: fnmatch patterns of the configuration groups the host itself
    #: defines; ``DEFAULT`` stands for ``[DEFAULT]``.
    host_groups: tuple[str, ...] = ()
    #: Method that returns the plugin's service clients: a list of
    #: mappings (``None``: the host has none).
    service_clients: str | None = None
    #: Keys of a service client's mapping that must be unique among the
    #: host and all its plugins -> the values the host itself uses.
    unique_service_keys: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def host_group(self, group: str) -> bool:
        """Whether the host defines configuration group ``group``."""
        return any(fnmatch.fnmatchcase(group, pattern) for pattern in self.host_groups)

    def to_job(self) -> dict[str, Any]:
        """What the child process needs: the hooks to call and the keys to read."""
        return {
            "register_opts": self.register_opts,
            "service_clients": self.service_clients,
            "keys": sorted(self.unique_service_keys),
        }


@dataclasses.dataclass
class Profile:
    """A host's stable interface."""

    name: str
    description: str
    #: Human name of the host, e.g. ``"Tempest"``.
    host_name: str
    #: Top-level packages of the host.
    host_packages: tuple[str, ...]
    #: Entry-point group the host discovers plugins in, if any.
    plugin_group: str | None
    #: Stable modules as written in the profile (``x.*`` covers a subtree).
    stable: tuple[str, ...]
    #: Exact stable module -> names it exports (``None``: unrestricted).
    exports: dict[str, frozenset[str] | None] = dataclasses.field(default_factory=dict)
    #: Modules whose exports are read from the host's ``__all__``.
    exports_from_all: tuple[str, ...] = ()
    alternatives: dict[str, str] = dataclasses.field(default_factory=dict)
    default_alternative: str = ""
    deprecated: list[Deprecation] = dataclasses.field(default_factory=list)
    scan_deprecated: bool = False
    #: fnmatch patterns of other plugins' top-level packages.
    plugin_modules: tuple[str, ...] = ()
    dynamic: bool = False
    #: How the host calls the plugins of :attr:`plugin_group`, when it is
    #: not plugfair (see :class:`PluginInterface`).
    interface: PluginInterface | None = None
    #: Whether the host requires every test to carry an idempotent id
    #: (the test id attribute ``id-<uuid>``).
    idempotent_ids: bool = False
    reference: str = ""
    #: Where the profile came from: ``builtin:<name>`` or a file path.
    source: str = ""

    def __post_init__(self) -> None:
        self._exact = frozenset(s for s in self.stable if not s.endswith(".*"))
        self._trees = tuple(s[:-2] for s in self.stable if s.endswith(".*"))
        self._parents = frozenset(
            ".".join(s.split(".")[:i])
            for s in list(self._exact) + list(self._trees)
            for i in range(1, len(s.split(".")))
        )

    # -- classification ----------------------------------------------

    def is_host(self, dotted: str) -> bool:
        """Whether ``dotted`` is inside one of the host's packages."""
        return dotted.partition(".")[0] in self.host_packages

    def stable_base(self, dotted: str) -> str | None:
        """The stable module that covers ``dotted``, or ``None``.

        An exact entry covers itself and the names inside it; a ``x.*``
        entry covers ``x`` and everything below it.
        """
        best: str | None = None
        for tree in self._trees:
            if dotted == tree or dotted.startswith(tree + "."):
                if best is None or len(tree) > len(best):
                    best = tree
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in self._exact:
                if best is None or len(prefix) >= len(best):
                    return prefix
                break
        return best

    def is_parent(self, dotted: str) -> bool:
        """Whether ``dotted`` is a package above a stable module."""
        return dotted in self._parents

    def first_unstable(self, dotted: str) -> str:
        """The shortest prefix of ``dotted`` that is neither stable nor a parent."""
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if not self.is_parent(prefix) and self.stable_base(prefix) is None:
                return prefix
        return dotted

    def exported(self, module: str) -> frozenset[str] | None:
        """The names exact stable module ``module`` exports (``None``: any)."""
        return self.exports.get(module)

    def alternative_for(self, dotted: str) -> str | None:
        """What to use instead of ``dotted``, if the profile knows."""
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            hint = self.alternatives.get(".".join(parts[:i]))
            if hint:
                return hint
        last = parts[-1]
        for module, names in sorted(self.exports.items()):
            if names is not None and last in names:
                return "%s.%s" % (module, last)
        return self.default_alternative or None

    def deprecation_for(self, dotted: str, kwargs: frozenset[str] = frozenset()) -> Deprecation | None:
        """The deprecation that applies to ``dotted`` (called with ``kwargs``)."""
        for dep in self.deprecated:
            if dotted == dep.name or dotted.startswith(dep.name + "."):
                if dep.kwarg is None:
                    return dep
                if dotted == dep.name and dep.kwarg in kwargs:
                    return dep
        return None

    def has_kwarg_deprecations(self) -> bool:
        return any(d.kwarg for d in self.deprecated)

    def summary(self) -> dict[str, Any]:
        """The profile's identity, for reports."""
        return {
            "name": self.name,
            "source": self.source,
            "host": self.host_name,
            "stable": list(self.stable),
        }


def data_path(*parts: str) -> str:
    """Path of a data file shipped in this package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), *parts)


def builtin_names() -> list[str]:
    """Names of the profiles that ship with plugfair."""
    directory = data_path("profiles")
    return sorted(
        name[:-5]
        for name in os.listdir(directory)
        if name.endswith(".json") and name != "core.json"
    )


def load(name: str) -> Profile:
    """Load a built-in profile by name.

    :raises ProfileError: if there is no such profile.
    """
    known = builtin_names()
    if name not in known:
        raise ProfileError(
            "there is no built-in profile of that name. Built-in profiles: %s. "
            "Use --profile-file PATH for a profile of your own." % ", ".join(known),
            source=repr(name),
        )
    profile = load_file(data_path("profiles", name + ".json"))
    profile.source = "builtin:%s" % name
    return profile


def load_file(path: str) -> Profile:
    """Load and validate a profile file.

    :raises ProfileError: if it cannot be read, is not JSON or is invalid.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ProfileError(
            "cannot read it (%s). Check the --profile-file path." % exc.strerror,
            source=path,
        ) from None
    except UnicodeDecodeError:
        raise ProfileError("it is not UTF-8 text.", source=path) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProfileError(
            "it is not valid JSON: %s. Fix the file and try again." % exc, source=path
        ) from None
    return parse(data, source=path)


def _fail(source: str, message: str) -> ProfileError:
    return ProfileError(message + " See 'Profiles' in the conformance docs.", source=source)


def _str(data: Mapping[str, Any], key: str, source: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(source, "the key %r is required." % key)
        return ""
    if not isinstance(value, str):
        raise _fail(source, "%r must be a string, not %s." % (key, type(value).__name__))
    return value


def _dotted_list(value: object, key: str, source: str, *, star: bool = False) -> list[str]:
    if not isinstance(value, list):
        raise _fail(source, "%r must be a list of dotted names." % key)
    out = []
    for item in value:
        name = item[:-2] if star and isinstance(item, str) and item.endswith(".*") else item
        if not isinstance(name, str) or not _DOTTED.match(name):
            raise _fail(source, "%r: %r is not a dotted module name." % (key, item))
        out.append(item)
    return out


def parse(data: object, *, source: str) -> Profile:
    """Build a :class:`Profile` from decoded JSON, checking every key.

    :raises ProfileError: naming the first problem found.
    """
    if not isinstance(data, dict):
        raise _fail(source, "the top level must be a JSON object.")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _fail(source, "unknown key(s) %s." % ", ".join(map(repr, unknown)))
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise _fail(source, "format %r is not supported; this plugfair reads format %d." % (fmt, FORMAT))
    name = _str(data, "name", source, required=True)
    if not re.match(r"^[A-Za-z0-9_.-]{1,64}$", name):
        raise _fail(source, "name %r must be 1-64 letters, digits, '.', '_' or '-'." % name)
    host = data.get("host")
    if not isinstance(host, dict):
        raise _fail(source, "'host' is required and must be an object with 'packages'.")
    unknown = sorted(set(host) - _HOST_KEYS)
    if unknown:
        raise _fail(source, "unknown key(s) in 'host': %s." % ", ".join(map(repr, unknown)))
    packages = _dotted_list(host.get("packages"), "host.packages", source)
    if not packages or any("." in p for p in packages):
        raise _fail(source, "'host.packages' must list one or more top-level package names.")
    group = _str(host, "plugin_group", source) or None
    stable = _dotted_list(data.get("stable"), "stable", source, star=True)
    if not stable:
        raise _fail(source, "'stable' must list at least one module.")
    for entry in stable:
        if entry.split(".")[0] not in packages:
            raise _fail(source, "stable module %r is outside the host packages %s." % (entry, packages))
    exports, from_all = _exports(data.get("exports", {}), stable, source)
    alternatives = data.get("alternatives", {})
    if not isinstance(alternatives, dict) or not all(
        isinstance(k, str) and _DOTTED.match(k) and isinstance(v, str) for k, v in alternatives.items()
    ):
        raise _fail(source, "'alternatives' must map dotted names to strings.")
    deprecated = _deprecations(data.get("deprecated", []), packages, source)
    patterns = data.get("plugin_modules", [])
    if not isinstance(patterns, list) or not all(
        isinstance(p, str) and _PATTERN.match(p) for p in patterns
    ):
        raise _fail(source, "'plugin_modules' must be a list of fnmatch patterns of package names.")
    for key in ("scan_deprecated", "dynamic", "idempotent_ids"):
        if not isinstance(data.get(key, False), bool):
            raise _fail(source, "%r must be true or false." % key)
    if "plugin_interface" in data and not group:
        raise _fail(source, "'plugin_interface' needs 'host.plugin_group': the group its plugins come from.")
    return Profile(
        name=name,
        description=_str(data, "description", source),
        host_name=_str(host, "name", source) or packages[0],
        host_packages=tuple(packages),
        plugin_group=group,
        stable=tuple(stable),
        exports=exports,
        exports_from_all=tuple(from_all),
        alternatives=dict(alternatives),
        default_alternative=_str(data, "default_alternative", source),
        deprecated=deprecated,
        scan_deprecated=bool(data.get("scan_deprecated", False)),
        plugin_modules=tuple(patterns),
        dynamic=bool(data.get("dynamic", False)),
        interface=_interface(data.get("plugin_interface"), source),
        idempotent_ids=bool(data.get("idempotent_ids", False)),
        reference=_str(data, "reference", source),
        source=source,
    )


def _exports(
    exports_raw: object, stable: list[str], source: str
) -> tuple[dict[str, frozenset[str] | None], list[str]]:
    """Parse ``exports``: the names of each exact stable module, and the
    modules whose names are read from ``__all__``."""
    if not isinstance(exports_raw, dict):
        raise _fail(source, "'exports' must map a stable module to a list of names or \"__all__\".")
    exports: dict[str, frozenset[str] | None] = {}
    from_all = []
    for module, names in exports_raw.items():
        if module not in stable:
            raise _fail(source, "'exports' names %r, which is not an exact 'stable' entry." % module)
        if names == "__all__":
            from_all.append(module)
            exports[module] = None
        elif isinstance(names, list) and all(isinstance(n, str) and n.isidentifier() for n in names):
            exports[module] = frozenset(names)
        else:
            raise _fail(source, "'exports' of %r must be a list of identifiers or \"__all__\"." % module)
    return exports, from_all


def _deprecations(raw_deps: object, packages: list[str], source: str) -> list[Deprecation]:
    """Parse ``deprecated``."""
    deprecated = []
    if not isinstance(raw_deps, list):
        raise _fail(source, "'deprecated' must be a list of objects.")
    for i, dep in enumerate(raw_deps):
        where = "deprecated[%d]" % i
        if not isinstance(dep, dict):
            raise _fail(source, "%s must be an object." % where)
        unknown = sorted(set(dep) - _DEPRECATION_KEYS)
        if unknown:
            raise _fail(source, "unknown key(s) in %s: %s." % (where, ", ".join(map(repr, unknown))))
        dep_name = _str(dep, "name", source, required=True)
        if not _DOTTED.match(dep_name) or dep_name.split(".")[0] not in packages:
            raise _fail(source, "%s: name %r must be a dotted name inside the host packages." % (where, dep_name))
        kwarg = _str(dep, "kwarg", source) or None
        if kwarg is not None and not kwarg.isidentifier():
            raise _fail(source, "%s: kwarg %r is not an identifier." % (where, kwarg))
        deprecated.append(
            Deprecation(
                name=dep_name,
                since=_str(dep, "since", source, required=True),
                removed_in=_str(dep, "removed_in", source, required=True),
                alternative=_str(dep, "alternative", source) or None,
                kwarg=kwarg,
            )
        )
    return deprecated


def _interface(data: object, source: str) -> PluginInterface | None:
    """Parse ``plugin_interface``; ``None`` when absent."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _fail(source, "'plugin_interface' must be an object.")
    unknown = sorted(set(data) - _INTERFACE_KEYS)
    if unknown:
        raise _fail(source, "unknown key(s) in 'plugin_interface': %s." % ", ".join(map(repr, unknown)))
    hooks = {}
    for key in ("register_opts", "service_clients"):
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.isidentifier()):
            raise _fail(source, "'plugin_interface.%s' must be a method name." % key)
        hooks[key] = value
    groups = data.get("host_groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
        raise _fail(source, "'plugin_interface.host_groups' must be a list of group names or fnmatch patterns.")
    keys = data.get("unique_service_keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and k and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in keys.items()
    ):
        raise _fail(
            source,
            "'plugin_interface.unique_service_keys' must map a key to the list of values the host uses.",
        )
    if keys and not hooks["service_clients"]:
        raise _fail(source, "'plugin_interface.unique_service_keys' needs 'service_clients'.")
    return PluginInterface(
        register_opts=hooks["register_opts"],
        host_groups=tuple(groups),
        service_clients=hooks["service_clients"],
        unique_service_keys={k: tuple(v) for k, v in keys.items()},
    )
