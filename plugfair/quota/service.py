"""The quota service: the one library surface behind the CLI, the
dashboard and scripts.

Every plugin's resources go through the same code, ordered by plugin name
then resource name.  Defaults come from the plugins' declarations; a
project's own limits and the tracked usage come from the configured
backend; usage of plugins that count their own comes from their
``quota_usage`` callbacks, each isolated (see :mod:`plugfair.quota.usage`).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import QuotaError, UsageError
from plugfair.interface.quota import UNLIMITED, QuotaResource, validate_limit
from plugfair.quota import opts
from plugfair.quota.usage import OK, UsageCollector

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.quota.backends.base import QuotaBackend

__all__ = [
    "MAX_PROJECT_LENGTH",
    "QuotaRow",
    "QuotaReport",
    "QuotaService",
    "validate_project",
    "parse_assignments",
    "split_assignments",
]

#: Longest project id (Keystone's limit).
MAX_PROJECT_LENGTH = 64

# Whitespace (line breaks included), C0 and C1 controls, DEL, and the
# invisible formatting characters that can make a terminal or a page show
# text other than what it is: bidirectional marks, embeddings, overrides
# and isolates, zero-width characters and the byte-order mark.
_PROJECT = re.compile(
    r"^[^\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u2069\ufeff]{1,%d}$" % MAX_PROJECT_LENGTH
)


def validate_project(project_id: object) -> str:
    """Check a project id and return it.

    The one rule of every host (the CLI, the dashboard, the
    :class:`~plugfair.api.Enforcer`): 1 to 64 characters, none of them
    whitespace (so no CR or LF), a control character, or an invisible
    formatting character such as a bidirectional override.

    :raises UsageError: if it is missing or empty.
    :raises QuotaError: if it breaks the rule.
    """
    if project_id is None or (isinstance(project_id, str) and not project_id.strip()):
        raise UsageError(
            "No project given. Pass --project PROJECT (the project id)."
        )
    if not isinstance(project_id, str) or not _PROJECT.fullmatch(project_id):
        shown = project_id[:80] if isinstance(project_id, str) else project_id
        raise QuotaError(
            "Project %r is not a valid project id: use 1 to %d characters without "
            "spaces, line breaks, control characters or invisible formatting "
            "characters (such as bidirectional overrides)." % (shown, MAX_PROJECT_LENGTH)
        )
    return project_id


def split_assignments(items: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Split ``["KEY=VALUE", ...]`` into pairs and problems (values unchecked).

    Every item is looked at, so all the malformed ones are reported.

    :param items: the ``KEY=VALUE`` strings.
    :returns: ``{KEY: VALUE}`` of the well-formed items (the first of a
        repeated key) and one message per item without ``=`` or key and
        per repeated key.
    """
    out: dict[str, str] = {}
    problems = []
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            problems.append("%r is not KEY=VALUE (e.g. compute.cores=20)." % item)
        elif key in out:
            problems.append("%s is given more than once." % key)
        else:
            out[key] = value
    return out, problems


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """Turn ``["KEY=VALUE", ...]`` into ``{KEY: VALUE}`` (values unchecked).

    :raises UsageError: listing every item that has no ``=`` or key and
        every repeated key.
    """
    out, problems = split_assignments(items)
    if problems:
        raise UsageError(" ".join(problems) + " Nothing was written.")
    return out


@dataclasses.dataclass(frozen=True)
class QuotaRow:
    """One declared resource as it applies to one project (or by default).

    All text comes from plugins and is untrusted: escape it when shown.
    """

    #: Owning plugin.
    plugin: str
    #: Resource name within the plugin.
    resource: str
    #: ``<plugin>.<resource>``.
    key: str
    unit: str
    description: str
    #: The declared default limit (``-1``: unlimited).
    default: int
    #: The effective limit for the project (``-1``: unlimited).
    limit: int
    #: Current usage; ``None`` when unknown.
    in_use: int | None
    #: ``limit - in_use``; ``None`` when unlimited or usage is unknown.
    #: Negative when usage is above a lowered limit.
    remaining: int | None
    #: Whether the project has its own limit for this resource.
    overridden: bool
    #: Why ``in_use`` is ``None`` (e.g. the plugin's usage callback raised,
    #: with its message, or gave no count for this resource); ``""`` when
    #: the usage is known.  Plugin-supplied text: escape it when shown.
    usage_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The row as a plain dict (for JSON)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class QuotaReport:
    """Rows of one project together with each plugin's usage status."""

    project_id: str
    rows: list[QuotaRow]
    #: plugin -> ``"ok"`` or ``"unknown: <reason>"``.
    status: dict[str, str]


#: :attr:`QuotaRow.usage_reason` of the rows of :meth:`QuotaService.resources`.
NO_PROJECT = "no project given: these are the defaults."


#: :attr:`QuotaRow.usage_reason` of a resource its plugin's usage callback
#: left out of its answer (the plugin does not know that usage).
NOT_COUNTED = "not counted by its usage callback."


def _unknown_reason(status: str) -> str:
    """Why a resource counted by its plugin's callback has no usage.

    :param status: the plugin's usage status (``"ok"`` or
        ``"unknown: <reason>"``).
    """
    if status == OK:
        return NOT_COUNTED
    reason = status.partition(":")[2].strip() if status.startswith("unknown:") else status
    return reason or "its usage is unknown."


class QuotaService:
    """List, show, set and delete quotas of every plugin the same way.

    Thread-safe: the dashboard shares one instance between requests.

    :param registry: a :class:`plugfair.api.Registry`.
    :param conf: the host's ``ConfigOpts``; defaults to the registry's.
    """

    def __init__(self, registry: Any, conf: cfg.ConfigOpts | None = None) -> None:
        if conf is None:
            conf = registry.conf
        if conf is None:
            from oslo_config import cfg

            conf = cfg.ConfigOpts()
        opts.register(conf)
        self.registry = registry
        self.conf = conf
        self._backend: QuotaBackend | None = None
        self._lock = threading.Lock()
        self._collector = UsageCollector(
            registry,
            conf.quota.usage_timeout,
            isolation=conf.quota.usage_isolation,
            retry_after=conf.quota.usage_retry_after,
        )
        self._status: dict[str, str] = {}

    # -- plumbing -----------------------------------------------------

    @property
    def backend(self) -> QuotaBackend:
        """The backend named by ``[quota] backend`` (loaded once)."""
        with self._lock:
            if self._backend is None:
                from plugfair.quota.backends import load_backend

                self._backend = load_backend(self.conf)
            return self._backend

    def declared(self) -> list[tuple[str, QuotaResource]]:
        """``(plugin, resource)`` of every usable plugin, sorted."""
        return list(self.registry.quota_resources())

    def _record(self, plugin: str) -> Any:
        for rec in self.registry.records():
            if rec.name == plugin:
                return rec
        return None

    def _plugin_problem(self, plugin: str, subject: str | None = None) -> str | None:
        """Why ``plugin``'s quotas cannot be used, or ``None`` if they can.

        :param subject: how the message starts, e.g. ``"Key 'a.b'"``;
            ``None`` speaks of the plugin itself.
        """
        rec = self._record(plugin)
        if subject is None:
            subject = "Plugin %r" % plugin
            owner = "is"
        else:
            owner = "belongs to plugin %r, which is" % plugin
        if rec is None:
            return (
                "%s is unknown: no installed plugin is named %r. Run "
                "'plugfair quota list' to see every key." % (subject, plugin)
            )
        if rec.status == "disabled":
            return (
                "%s %s disabled by configuration. Enable it ([plugfair] "
                "enabled_plugins / disabled_plugins) to manage its quotas."
                % (subject, owner)
            )
        if not rec.usable:
            reason = rec.problems[0].reason if rec.problems else rec.status
            return (
                "%s %s not usable (%s: %s). Run 'plugfair plugin doctor %s'."
                % (subject, owner, rec.status, reason, plugin)
            )
        return None

    def _check_keys(
        self, keys: Sequence[object], by_key: Mapping[str, tuple[str, QuotaResource]]
    ) -> list[str]:
        problems = []
        for key in keys:
            if key in by_key:
                continue
            if not isinstance(key, str) or "." not in key:
                problems.append(
                    "%r is not a quota key of the form <plugin>.<resource>." % (key,)
                )
                continue
            plugin, resource = key.split(".", 1)
            problem = self._plugin_problem(plugin, "Key %r" % key)
            if problem is None:
                names = [r.name for p, r in by_key.values() if p == plugin]
                problem = "Unknown key %r: plugin %r declares no resource %r (it declares: %s)." % (
                    key,
                    plugin,
                    resource,
                    ", ".join(names) or "none",
                )
            problems.append(problem)
        return problems

    @staticmethod
    def _fail(problems: list[str]) -> QuotaError:
        if len(problems) == 1:
            return QuotaError(problems[0] + " Nothing was written.")
        return QuotaError(
            "%d problems; nothing was written:\n  %s" % (len(problems), "\n  ".join(problems))
        )

    def _project(self, project_id: str | None, *, required: bool) -> str:
        if not project_id and not required:
            project_id = self.conf.quota.default_project
            if not project_id:
                raise UsageError(
                    "No project given. Pass --project PROJECT, or set "
                    "[quota] default_project."
                )
        return validate_project(project_id)

    def _rows(
        self, project_id: str, declared: Sequence[tuple[str, QuotaResource]]
    ) -> QuotaReport:
        keys = [r.key(p) for p, r in declared]
        counts_own = {rec.name for rec in self.registry.records() if rec.quota_usage}
        counting: dict[str, list[str]] = {}
        for plugin, res in declared:
            if plugin in counts_own:
                counting.setdefault(plugin, []).append(res.name)
        # The plugins' children work while the store is read.
        with self._collector.start(project_id, counting) as pending:
            overrides, tracked = self.backend.snapshot(project_id, keys) if keys else ({}, {})
            reported, status = pending.wait()
        rows = []
        for plugin, res in declared:
            key = res.key(plugin)
            limit = overrides.get(key, res.default)
            in_use: int | None
            reason = ""
            if plugin in counting:
                in_use = reported.get(plugin, {}).get(res.name)
                if in_use is None:
                    reason = _unknown_reason(status.get(plugin, OK))
            else:
                in_use = tracked.get(key, 0)
                status.setdefault(plugin, OK)
            remaining = None if limit == UNLIMITED or in_use is None else limit - in_use
            rows.append(
                QuotaRow(
                    plugin=plugin,
                    resource=res.name,
                    key=key,
                    unit=res.unit,
                    description=res.description,
                    default=res.default,
                    limit=limit,
                    in_use=in_use,
                    remaining=remaining,
                    overridden=key in overrides,
                    usage_reason=reason,
                )
            )
        return QuotaReport(project_id, rows, dict(sorted(status.items())))

    # -- the API ------------------------------------------------------

    def resources(self) -> list[QuotaRow]:
        """Every declared resource with its default, sorted by plugin, resource.

        No backend is touched: ``limit`` is the default, usage unknown.
        """
        return [
            QuotaRow(
                plugin=p,
                resource=r.name,
                key=r.key(p),
                unit=r.unit,
                description=r.description,
                default=r.default,
                limit=r.default,
                in_use=None,
                remaining=None,
                overridden=False,
                usage_reason=NO_PROJECT,
            )
            for p, r in self.declared()
        ]

    def report(self, project_id: str | None, plugin: str | None = None) -> QuotaReport:
        """Rows of a project (one plugin's, or all) and each plugin's status.

        :param project_id: the project; ``None`` uses ``[quota]
            default_project``.
        :param plugin: only this plugin's resources.
        :raises UsageError: if no project is given or configured.
        :raises QuotaError: if the project id is invalid, or ``plugin`` is
            not installed, disabled or failed.
        """
        project = self._project(project_id, required=False)
        declared = self.declared()
        if plugin is not None:
            problem = self._plugin_problem(plugin)
            if problem is not None:
                raise QuotaError(problem)
            declared = [d for d in declared if d[0] == plugin]
        report = self._rows(project, declared)
        self._status = report.status
        return report

    def show(self, project_id: str | None, plugin: str | None = None) -> list[QuotaRow]:
        """Limit, usage and remaining of every resource for a project.

        See :meth:`report` for the parameters and errors; the usage status
        of each plugin is then available from :meth:`usage_status`.
        """
        return self.report(project_id, plugin).rows

    def limit_usage_calls(self, count: int | None) -> None:
        """Run at most ``count`` usage calls of one plugin at once.

        A long-running host sets this below its number of worker threads,
        so one plugin can never occupy all of them; a request that finds
        the plugin busy shows its usage as unknown rather than wait.

        :param count: the limit; ``None`` for none (the default).
        """
        self._collector.limit_calls(count)

    def usage_status(self) -> dict[str, str]:
        """plugin -> ``"ok"`` or ``"unknown: <reason>"``, as of the last show."""
        return dict(self._status)

    def set(self, project_id: str | None, values: Mapping[str, object]) -> list[QuotaRow]:
        """Set a project's own limits; all of them or none.

        Every key and value is validated before anything is written.

        :param values: key -> limit (an int or a string holding one;
            ``-1`` for unlimited).
        :returns: the rows of the keys that were set.
        :raises UsageError: if the project or the values are missing.
        :raises QuotaError: listing every bad key and value; nothing is
            written then.
        """
        project = self._project(project_id, required=True)
        if not values:
            raise UsageError("No limits given. Pass KEY=VALUE, e.g. compute.cores=20.")
        return self._write(project, values, [])

    def _write(self, project: str, values: Mapping[str, object], syntax: list[str]) -> list[QuotaRow]:
        """Validate every key and value, then write all of them or none.

        :param syntax: problems already found in the command line; they
            are reported with the others, and make the error a usage error.
        """
        declared = self.declared()
        by_key = {r.key(p): (p, r) for p, r in declared}
        problems = self._check_keys(list(values), by_key)
        clean: dict[str, int] = {}
        for key, value in values.items():
            try:
                clean[key] = validate_limit(value, what="Value of %s" % key)
            except QuotaError as exc:
                problems.append(exc.message)
        if syntax:
            raise UsageError(self._fail(syntax + problems).message)
        if problems:
            raise self._fail(problems)
        self.backend.set_project_limits(project, clean, [(k, r) for k, (_, r) in by_key.items()])
        chosen = [d for d in declared if d[1].key(d[0]) in clean]
        return self._rows(project, chosen).rows

    def set_assignments(self, project_id: str | None, items: Sequence[str]) -> list[QuotaRow]:
        """:meth:`set` from ``KEY=VALUE`` strings, as the CLI gets them.

        Every pair is checked, malformed or not, and all the problems are
        reported in one error; nothing is written then.

        :raises UsageError: if the project is missing or no pair is given,
            or (listing every problem, malformed pairs first) if a pair has
            no ``=`` or its key is repeated.
        :raises QuotaError: listing every bad key and value, when every pair
            is well-formed.
        """
        project = self._project(project_id, required=True)
        if not items:
            raise UsageError("No limits given. Pass KEY=VALUE, e.g. compute.cores=20.")
        values, syntax = split_assignments(items)
        return self._write(project, values, syntax)

    def delete(self, project_id: str | None, keys: Sequence[str] | None = None) -> None:
        """Put a project's limits back to the defaults.

        :param keys: only these keys; ``None`` means every key of the
            project (including keys of plugins no longer installed).
        :raises UsageError: if the project is missing.
        :raises QuotaError: if a key is unknown or belongs to a disabled or
            failed plugin; nothing is deleted then.
        """
        project = self._project(project_id, required=True)
        if keys is not None:
            if isinstance(keys, str):
                keys = [keys]
            by_key = {r.key(p): (p, r) for p, r in self.declared()}
            problems = self._check_keys(list(keys), by_key)
            if problems:
                raise self._fail(problems)
            if not keys:
                return
        self.backend.delete_project_limits(project, list(keys) if keys is not None else None)

    def upgrade(self) -> list[str]:
        """Prepare the backend (schema migrations, registered limits).

        :returns: lines saying what was done.
        """
        declared = [(r.key(p), r) for p, r in self.declared()]
        return self.backend.prepare(declared, explicit=True)

    def describe(self) -> str:
        """Which backend and where, without secrets."""
        return self.backend.describe()
