"""Profiles: a host's stable interface, described as data.

A profile is a JSON file.  Two ship with plugfair (``plugfair``, the
default, and ``tempest``); users pass their own with ``--profile-file``.
The format is documented in ``doc/source/user/conformance.rst`` and
checked against a JSON Schema shipped in the package
(``schemas/profile.schema.json``), so that a typo is an error, not a
silent no-op.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import json
import os
from collections.abc import Mapping, Sequence
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
#: The JSON Schema of a profile file, in ``schemas/``.
SCHEMA = "profile.schema.json"
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "true or false", type(None): "null"}


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


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    """The validator of :data:`SCHEMA` (``schemas/profile.schema.json``)."""
    import jsonschema

    with open(data_path("schemas", SCHEMA), encoding="utf-8") as f:
        schema = json.load(f)
    return jsonschema.Draft202012Validator(schema)


def _where(path: Sequence[Any]) -> str:
    """``'deprecated[0].name'``: a place in the profile, as its docs name it."""
    text = ""
    for part in path:
        text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
    return "'%s'" % text if text else "the profile"


def _schema_message(error: Any, root: Mapping[str, Any]) -> str:
    """The message of a schema violation: the ``errorMessage`` of the
    schema that failed (or of the nearest schema around it), else one
    made from the JSON Schema keyword."""
    where, instance = _where(error.absolute_path), error.instance
    fields = {"where": where, "value": repr(instance), "type": _JSON_TYPES.get(type(instance), "a value")}
    text = error.schema.get("errorMessage") if isinstance(error.schema, Mapping) else None
    if isinstance(text, Mapping):
        text = text.get(error.validator)
    if error.validator == "required" and not text:
        missing = [k for k in error.validator_value if k not in instance]
        text = "the key %r is required%s." % (missing[0], "" if where == "the profile" else " in " + where)
    elif error.validator == "additionalProperties" and not text and isinstance(instance, Mapping):
        unknown = sorted(set(instance) - set(error.schema.get("properties", {})))
        text = "unknown key(s)%s: %s." % (
            "" if where == "the profile" else " in " + where, ", ".join(map(repr, unknown))
        )
    if not text:
        text = _enclosing_message(error, root)
    return str(text).format(**fields)


def _enclosing_message(error: Any, root: Mapping[str, Any]) -> str:
    """The plain-text ``errorMessage`` nearest around the schema that failed."""
    node: Any = root
    found = "{where} is not valid: %s." % error.message
    for key in list(error.absolute_schema_path)[:-1]:
        if key == "$ref" and isinstance(node, Mapping):
            node = root["$defs"][str(node["$ref"]).rpartition("/")[2]]
            continue
        node = node[key]
        if isinstance(node, Mapping) and isinstance(node.get("errorMessage"), str):
            found = node["errorMessage"]
    return found


def _relations(data: Mapping[str, Any], source: str) -> None:
    """The checks that relate two keys, which the schema does not make."""
    packages = data["host"]["packages"]
    for entry in data["stable"]:
        if entry.split(".")[0] not in packages:
            raise _fail(source, "stable module %r is outside the host packages %s." % (entry, packages))
    for module in data.get("exports", {}):
        if module not in data["stable"]:
            raise _fail(source, "'exports' names %r, which is not an exact 'stable' entry." % module)
    for i, dep in enumerate(data.get("deprecated", [])):
        if dep["name"].split(".")[0] not in packages:
            raise _fail(
                source, "'deprecated[%d].name': %r must be a dotted name inside the host packages." % (i, dep["name"])
            )


def parse(data: object, *, source: str) -> Profile:
    """Build a :class:`Profile` from decoded JSON, checking every key.

    The shape is checked against the JSON Schema shipped with plugfair
    (``plugfair/conformance/schemas/profile.schema.json``).

    :raises ProfileError: naming the first problem found.
    """
    import jsonschema

    validator = _validator()
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise _fail(source, _schema_message(error, validator.schema))
    if not isinstance(data, dict):  # pragma: no cover - the schema says so
        raise _fail(source, "the top level must be a JSON object.")
    _relations(data, source)
    host = data["host"]
    exports = data.get("exports", {})
    return Profile(
        name=data["name"],
        description=data.get("description", ""),
        host_name=host.get("name") or host["packages"][0],
        host_packages=tuple(host["packages"]),
        plugin_group=host.get("plugin_group") or None,
        stable=tuple(data["stable"]),
        exports={m: None if names == "__all__" else frozenset(names) for m, names in exports.items()},
        exports_from_all=tuple(m for m, names in exports.items() if names == "__all__"),
        alternatives=dict(data.get("alternatives", {})),
        default_alternative=data.get("default_alternative", ""),
        deprecated=[
            Deprecation(
                name=d["name"],
                since=d["since"],
                removed_in=d["removed_in"],
                alternative=d.get("alternative") or None,
                kwarg=d.get("kwarg") or None,
            )
            for d in data.get("deprecated", [])
        ],
        scan_deprecated=data.get("scan_deprecated", False),
        plugin_modules=tuple(data.get("plugin_modules", [])),
        dynamic=data.get("dynamic", False),
        interface=_interface(data.get("plugin_interface")),
        idempotent_ids=data.get("idempotent_ids", False),
        reference=data.get("reference", ""),
        source=source,
    )


def _interface(data: Mapping[str, Any] | None) -> PluginInterface | None:
    """``plugin_interface`` (already checked by the schema); ``None`` when absent."""
    if data is None:
        return None
    return PluginInterface(
        register_opts=data.get("register_opts"),
        host_groups=tuple(data.get("host_groups", [])),
        service_clients=data.get("service_clients"),
        unique_service_keys={k: tuple(v) for k, v in data.get("unique_service_keys", {}).items()},
    )
