"""What the registry knows about one plugin, without importing it.

A :class:`PluginRecord` is what the manifest cache stores.  Everything the
hot paths need (help listing, ``plugin list``, ``quota list``) is here, so
they never import a plugin module.  This module imports nothing heavy.
"""

from __future__ import annotations

import enum

__all__ = [
    "NAMESPACE",
    "Status",
    "PluginRecord",
    "Problem",
    "STATUS_OK",
    "STATUS_FAILED",
    "STATUS_INCOMPATIBLE",
    "STATUS_CONFLICT",
    "STATUS_DISABLED",
    "FILES_INDEX",
]

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

#: The one entry-point group every plugin is discovered through.
NAMESPACE = "plugfair.plugins"


class Status(enum.StrEnum):
    """A plugin's status.  Its values are the strings the CLI and the
    manifest show, so a ``Status`` compares equal to its text, and
    ``Status("ok")`` is :attr:`OK` (any other text raises ``ValueError``).

    (:mod:`enum` is on the path of ``plugfair --help``; the interpreter's
    own start-up has already imported it, through :mod:`re`.)
    """

    #: Usable.
    OK = "ok"
    #: Import, instantiation, a hook or validation failed; the plugin is unused.
    FAILED = "failed"
    #: The plugin's ``api_version`` cannot be served; the plugin is unused.
    INCOMPATIBLE = "incompatible"
    #: Something the plugin claims is also claimed by another plugin.
    CONFLICT = "conflict"
    #: Excluded by ``enabled_plugins`` or ``disabled_plugins``.
    DISABLED = "disabled"


#: text -> member, for reading manifests without a call per record
_STATUSES: dict[str, Status] = {member.value: member for member in Status}

STATUS_OK = Status.OK
STATUS_FAILED = Status.FAILED
STATUS_INCOMPATIBLE = Status.INCOMPATIBLE
STATUS_CONFLICT = Status.CONFLICT
STATUS_DISABLED = Status.DISABLED


class Problem:
    """One thing wrong with a plugin, with the remedy."""

    __slots__ = ("kind", "reason", "remedy", "traceback")

    def __init__(self, kind: str, reason: str, remedy: str, traceback: str = "") -> None:
        #: Short stable code, e.g. ``"import"``, ``"hook"``, ``"collision"``.
        self.kind = kind
        #: What went wrong.
        self.reason = reason
        #: What to do about it.
        self.remedy = remedy
        #: Full traceback text, when there was an exception.
        self.traceback = traceback

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "reason": self.reason, "remedy": self.remedy,
                "traceback": self.traceback}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Problem(%s)" % ", ".join("%s=%r" % kv for kv in self.to_dict().items())


#: The fields of a :class:`PluginRecord`, in order, with their defaults
#: (a callable makes a fresh default for each record).
_REQUIRED = object()
_FIELDS: tuple[tuple[str, Any], ...] = (
    ("name", _REQUIRED), ("target", _REQUIRED), ("distribution", "unknown"), ("version", "unknown"),
    ("api_version", ""), ("description", ""), ("status", STATUS_OK), ("problems", list),
    ("warnings", list), ("commands", dict), ("config_groups", dict), ("quota", list),
    ("quota_usage", False), ("prepares", False), ("services", list), ("test_packages", list),
    ("files", dict), ("host", None), ("origin", ""), ("hosted", list),
)
_NAMES = tuple(name for name, _ in _FIELDS)


class PluginRecord:
    """The registry's description of one installed plugin.

    (A plain class rather than a dataclass, for the same reason as
    :class:`Status`; :meth:`to_row` and :meth:`from_row` are the compact
    form the manifest file keeps.)
    """

    #: Entry-point name, which must equal ``Plugin.name``.
    name: str
    #: Entry-point target, ``module:attribute``.
    target: str
    #: Distribution that declares the entry point, and its version.
    distribution: str
    version: str
    api_version: str
    description: str
    #: ``ok``, ``failed`` or ``incompatible``, as found when probing; the
    #: registry layers ``conflict`` and ``disabled`` on top.
    status: Status
    problems: list[Problem]
    #: Things to fix that do not stop the plugin from being used.
    warnings: list[str]
    #: Command name -> one-line help.
    commands: dict[str, str]
    #: Config group -> option names.
    config_groups: dict[str, list[str]]
    #: Quota resources as dicts: name, default, unit, description.
    quota: list[dict[str, Any]]
    #: Whether the plugin overrides ``quota_usage``.
    quota_usage: bool
    #: Whether the plugin overrides ``prepare_test_run``.
    prepares: bool
    services: list[str]
    #: The packages that hold its tests (its test namespaces).
    test_packages: list[str]
    #: Source files whose change invalidates the cached record.
    files: dict[str, int]
    #: For a hosted plugin: the name of the plugin that hosts it.
    host: str | None
    #: For a hosted plugin: where its host found it (for people).
    origin: str
    #: For a hosting plugin: the names of the plugins it hosts.
    hosted: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(_FIELDS):
            raise TypeError("PluginRecord takes at most %d positional arguments" % len(_FIELDS))
        for (field, _default), value in zip(_FIELDS, args, strict=False):
            if field in kwargs:
                raise TypeError("PluginRecord got multiple values for %r" % field)
            kwargs[field] = value
        for field, default in _FIELDS:
            if field in kwargs:
                setattr(self, field, kwargs.pop(field))
            elif default is _REQUIRED:
                raise TypeError("PluginRecord needs %r" % field)
            else:
                setattr(self, field, default() if callable(default) else default)
        if kwargs:
            raise TypeError("PluginRecord got unexpected fields %s" % ", ".join(sorted(kwargs)))

    @property
    def test_package(self) -> str | None:
        """The first of :attr:`test_packages`, or ``None``."""
        return self.test_packages[0] if self.test_packages else None

    @property
    def ident(self) -> str:
        """What distinguishes this record from every other one: name,
        target and distribution (two distributions may provide one name)."""
        return "%s\x00%s\x00%s" % (self.name, self.target, self.distribution)

    @property
    def capabilities(self) -> list[str]:
        """The capabilities the plugin provides, in a fixed order."""
        caps = []
        if any(self.config_groups.values()):
            caps.append("config")
        if self.commands:
            caps.append("commands")
        if self.test_packages:
            caps.append("tests")
        if self.quota:
            caps.append("quota")
        if self.services:
            caps.append("services")
        if self.hosted:
            caps.append("hosts")
        return caps

    @property
    def usable(self) -> bool:
        """Whether the plugin may be loaded and its contributions used."""
        return self.status in (STATUS_OK, STATUS_CONFLICT) and not any(
            p.kind == "duplicate-name" for p in self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (copies: changing it changes
        nothing here)."""
        data = {name: _plain(getattr(self, name)) for name in _NAMES}
        data["problems"] = [p.to_dict() for p in self.problems]
        data["status"] = str.__str__(self.status)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PluginRecord:
        kwargs = {k: v for k, v in data.items() if k in _FIELD_SET}
        kwargs["problems"] = [Problem(**p) for p in data.get("problems", [])]
        if "status" in kwargs:
            kwargs["status"] = Status(kwargs["status"])
        if "test_packages" not in data and data.get("test_package"):
            kwargs["test_packages"] = [data["test_package"]]  # a 0.1 record
        return cls(**kwargs)

    def to_row(self) -> tuple[Any, ...]:
        """The record as a tuple of plain data, fields in order (for the
        manifest file; :meth:`from_row` reads it)."""
        row = [getattr(self, name) for name in _NAMES]
        row[_STATUS_INDEX] = str.__str__(self.status)
        row[_PROBLEMS_INDEX] = tuple((p.kind, p.reason, p.remedy, p.traceback) for p in self.problems)
        return tuple(row)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> PluginRecord:
        """The record :meth:`to_row` made (the row's values are used, not
        copied).

        :raises ValueError: if ``row`` is not such a tuple.
        """
        if len(row) != len(_NAMES):
            raise ValueError("not a plugin record row")
        rec = object.__new__(cls)
        data = dict(zip(_NAMES, row, strict=True))
        data["status"] = _STATUSES[row[_STATUS_INDEX]]
        data["problems"] = [Problem(*p) for p in row[_PROBLEMS_INDEX]]
        rec.__dict__ = data
        return rec

    def copy(self) -> PluginRecord:
        """A copy whose status and problems can change independently."""
        new = object.__new__(PluginRecord)
        new.__dict__ = dict(self.__dict__)
        new.problems = list(self.problems)
        new.warnings = list(self.warnings)
        return new

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _NAMES)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "PluginRecord(%s)" % ", ".join("%s=%r" % (n, getattr(self, n)) for n in _NAMES)


_FIELD_SET = frozenset(_NAMES)
_STATUS_INDEX = _NAMES.index("status")
_PROBLEMS_INDEX = _NAMES.index("problems")
#: Where :meth:`PluginRecord.to_row` puts the files whose mtimes are checked.
FILES_INDEX = _NAMES.index("files")


def _plain(value: Any) -> Any:
    """A deep copy of JSON-like data (as ``dataclasses.asdict`` made)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
