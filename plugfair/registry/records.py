"""What the registry knows about one plugin, without importing it.

A :class:`PluginRecord` is what the manifest cache stores.  Everything the
hot paths need (help listing, ``plugin list``, ``quota list``) is here, so
they never import a plugin module.  This module imports nothing heavy.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

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
]

#: The one entry-point group every plugin is discovered through.
NAMESPACE = "plugfair.plugins"

class Status(enum.StrEnum):
    """A plugin's status.  Its values are the strings the CLI and the
    manifest show, so a ``Status`` compares equal to its text."""

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


STATUS_OK = Status.OK
STATUS_FAILED = Status.FAILED
STATUS_INCOMPATIBLE = Status.INCOMPATIBLE
STATUS_CONFLICT = Status.CONFLICT
STATUS_DISABLED = Status.DISABLED


@dataclasses.dataclass
class Problem:
    """One thing wrong with a plugin, with the remedy."""

    #: Short stable code, e.g. ``"import"``, ``"hook"``, ``"collision"``.
    kind: str
    #: What went wrong.
    reason: str
    #: What to do about it.
    remedy: str
    #: Full traceback text, when there was an exception.
    traceback: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class PluginRecord:
    """The registry's description of one installed plugin."""

    #: Entry-point name, which must equal ``Plugin.name``.
    name: str
    #: Entry-point target, ``module:attribute``.
    target: str
    #: Distribution that declares the entry point, and its version.
    distribution: str = "unknown"
    version: str = "unknown"
    api_version: str = ""
    description: str = ""
    #: ``ok``, ``failed`` or ``incompatible``, as found when probing; the
    #: registry layers ``conflict`` and ``disabled`` on top.
    status: Status = Status.OK
    problems: list[Problem] = dataclasses.field(default_factory=list)
    #: Things to fix that do not stop the plugin from being used.
    warnings: list[str] = dataclasses.field(default_factory=list)
    #: Command name -> one-line help.
    commands: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Config group -> option names.
    config_groups: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: Quota resources as dicts: name, default, unit, description.
    quota: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Whether the plugin overrides ``quota_usage``.
    quota_usage: bool = False
    #: Whether the plugin overrides ``prepare_test_run``.
    prepares: bool = False
    services: list[str] = dataclasses.field(default_factory=list)
    #: The packages that hold its tests (its test namespaces).
    test_packages: list[str] = dataclasses.field(default_factory=list)
    #: Source files whose change invalidates the cached record.
    files: dict[str, int] = dataclasses.field(default_factory=dict)
    #: For a hosted plugin: the name of the plugin that hosts it.
    host: str | None = None
    #: For a hosted plugin: where its host found it (for people).
    origin: str = ""
    #: For a hosting plugin: the names of the plugins it hosts.
    hosted: list[str] = dataclasses.field(default_factory=list)

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
        data = dataclasses.asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PluginRecord:
        fields = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in fields}
        kwargs["problems"] = [Problem(**p) for p in data.get("problems", [])]
        if "status" in kwargs:
            kwargs["status"] = Status(kwargs["status"])
        if "test_packages" not in data and data.get("test_package"):
            kwargs["test_packages"] = [data["test_package"]]  # a 0.1 record
        return cls(**kwargs)

    def copy(self) -> PluginRecord:
        """A copy whose status and problems can change independently."""
        return dataclasses.replace(self, problems=list(self.problems), warnings=list(self.warnings))
