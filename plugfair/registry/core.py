"""The registry: every installed plugin, its status and what it provides.

Built from the manifest (no plugin imported) and the operator's
``enabled_plugins``/``disabled_plugins``.  It detects collisions between
enabled plugins, withholds every contested name, and loads a plugin module
only when something of that plugin is used.  All orderings are by plugin
name; no plugin is special.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import (
    PluginCollision,
    PluginLoadError,
    PluginNotFound,
)
from plugfair.registry import records as r

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.plugin import Plugin
    from plugfair.interface.quota import QuotaResource

__all__ = ["Registry", "Collision"]

LOG = logging.getLogger(__name__)


class Collision:
    """One name claimed by more than one enabled plugin."""

    def __init__(self, kind: str, item: str, claimants: list[tuple[str, str]]) -> None:
        self.kind = kind
        self.item = item
        self.claimants = claimants

    def error(self) -> PluginCollision:
        return PluginCollision(self.kind, self.item, self.claimants)


class Registry:
    """Every installed plugin, its status and contributions.

    Build one with :meth:`discover` (the installed plugins) or
    :meth:`from_plugins` (given classes, for tests).  Plugins are ordered
    by name everywhere.

    .. versionadded:: 1.0
    """

    def __init__(
        self,
        records: Iterable[r.PluginRecord],
        *,
        conf: cfg.ConfigOpts | None = None,
        enabled: Sequence[str] = (),
        disabled: Sequence[str] = (),
        loaders: dict[str, Callable[[], object]] | None = None,
        hook_timeout: float | None = 10.0,
    ) -> None:
        self.conf = conf
        self.hook_timeout = hook_timeout
        self._loaders = loaders or {}
        self._instances: dict[str, Plugin] = {}
        self._commands: dict[str, dict[str, type]] = {}
        self._services: dict[str, dict[str, Callable[..., Any]]] = {}
        self._records: list[r.PluginRecord] = sorted(
            (rec.copy() for rec in records), key=lambda x: (x.name, x.distribution)
        )
        self.collisions: list[Collision] = []
        self._apply_selection(enabled, disabled)
        self._find_collisions()

    # -- construction -------------------------------------------------

    @classmethod
    def discover(
        cls,
        conf: cfg.ConfigOpts | None = None,
        *,
        use_cache: bool | None = None,
        records: Iterable[r.PluginRecord] | None = None,
    ) -> Registry:
        """Build the registry of the installed plugins.

        :param conf: the host's configuration; its ``[plugfair]`` options
            select plugins and tune the cache (they are registered on it
            if they are not there yet).
        :param use_cache: override ``[plugfair] manifest_cache``.
        :param records: the manifest's records, when the caller has just
            read them (the CLI's fast path), so they are not read twice.
        """
        from plugfair.registry import manifest

        enabled: Sequence[str] = ()
        disabled: Sequence[str] = ()
        timeout = 10.0
        cache = True
        if conf is not None:
            if "plugfair" not in conf:
                # A ConfigOpts of the caller's own: give it the core options
                # (their defaults) rather than fail on a missing group.
                from plugfair.config import opts

                opts.register(conf)
            enabled = conf.plugfair.enabled_plugins
            disabled = conf.plugfair.disabled_plugins
            timeout = conf.plugfair.hook_timeout
            cache = conf.plugfair.manifest_cache
        if use_cache is not None:
            cache = use_cache
        if records is None:
            records = manifest.load(use_cache=cache, timeout=timeout).records
        return cls(
            records,
            conf=conf,
            enabled=enabled,
            disabled=disabled,
            hook_timeout=timeout,
        )

    @classmethod
    def from_plugins(
        cls,
        plugins: Iterable[type[Plugin]],
        *,
        conf: cfg.ConfigOpts | None = None,
        hook_timeout: float | None = 10.0,
    ) -> Registry:
        """Build a registry from plugin classes, without entry points.

        Each class is judged exactly as an installed plugin would be.

        :param plugins: ``Plugin`` subclasses; each one's ``name`` is used as
            its entry-point name.
        """
        from plugfair.registry.probe import describe

        recs = []
        loaders: dict[str, Callable[[], object]] = {}
        for plugin_cls in plugins:
            name = str(getattr(plugin_cls, "name", "") or plugin_cls.__name__.lower())
            target = "%s:%s" % (plugin_cls.__module__, plugin_cls.__qualname__)

            def loader(c: type = plugin_cls) -> object:
                return c

            recs.append(
                describe(name, target, loader, distribution=plugin_cls.__module__.split(".")[0])
            )
            loaders[name] = loader
        return cls(recs, conf=conf, loaders=loaders, hook_timeout=hook_timeout)

    def _apply_selection(self, enabled: Sequence[str], disabled: Sequence[str]) -> None:
        # An entry is a plugin name, or ``name@distribution`` to pick one of
        # two distributions that provide a plugin of the same name.
        for rec in self._records:
            if (enabled and not any(_selects(t, rec) for t in enabled)) or any(
                _selects(t, rec) for t in disabled
            ):
                rec.status = r.STATUS_DISABLED
        for token in sorted(set(enabled) | set(disabled)):
            if not any(_selects(token, rec) for rec in self._records):
                LOG.warning(
                    "[plugfair] names plugin %r, which is not installed; ignoring it.",
                    token,
                )

    def _claim(self, claims: dict[str, list[r.PluginRecord]], item: str, rec: r.PluginRecord) -> None:
        claims.setdefault(item, []).append(rec)

    def _find_collisions(self) -> None:
        active = [x for x in self._records if x.status != r.STATUS_DISABLED]
        kinds: dict[str, dict[str, list[r.PluginRecord]]] = {
            "plugin name": {},
        }
        for rec in active:
            self._claim(kinds["plugin name"], rec.name, rec)
        # Plugins whose very name is contested are unusable: what they
        # provide is withheld, so it contests nothing (and is not reported
        # a second time as, say, a collision on the group named after them).
        duplicated = {n for n, recs in kinds["plugin name"].items() if len(recs) > 1}
        live = [x for x in active if x.status == r.STATUS_OK and x.name not in duplicated]
        for kind, items in (
            ("command", lambda x: x.commands),
            ("config group", lambda x: sorted(set(x.config_groups) | {x.name})),
            ("service", lambda x: x.services),
            ("test package", lambda x: [x.test_package] if x.test_package else []),
        ):
            claims = kinds.setdefault(kind, {})
            for rec in live:
                for item in items(rec):
                    self._claim(claims, item, rec)
        for kind, claims in kinds.items():
            for item, recs in sorted(claims.items()):
                if len(recs) < 2:
                    continue
                who = [(x.name, x.distribution) for x in recs]
                col = Collision(kind, item, who)
                self.collisions.append(col)
                err = col.error()
                for rec in recs:
                    if kind == "plugin name":
                        remedy = (
                            "Neither is used. Uninstall one of the distributions, "
                            "or disable one with '[plugfair] disabled_plugins = "
                            "%s@<distribution>'." % item
                        )
                    else:
                        remedy = (
                            "Neither is used. Disable one of them with "
                            "'[plugfair] disabled_plugins = <name>' or uninstall it."
                        )
                    rec.problems.append(
                        r.Problem(
                            kind="duplicate-name" if kind == "plugin name" else "collision",
                            reason=err.message.split(" Neither")[0],
                            remedy=remedy,
                        )
                    )
                    if rec.status == r.STATUS_OK:
                        rec.status = r.STATUS_CONFLICT

    # -- queries ------------------------------------------------------

    def records(self) -> list[r.PluginRecord]:
        """Every installed plugin's record, disabled and failed included."""
        return list(self._records)

    def names(self) -> list[str]:
        """Names of the plugins whose contributions are in use."""
        return [x.name for x in self._records if x.usable and x.status != r.STATUS_DISABLED]

    def get(self, name: str) -> r.PluginRecord:
        """Return the record of plugin ``name``.

        If several distributions provide that name, the first one that is
        not disabled is returned (the first one if all are).

        :raises PluginNotFound: if no such plugin is installed.
        """
        found = [rec for rec in self._records if rec.name == name]
        for rec in found:
            if rec.status != r.STATUS_DISABLED:
                return rec
        if found:
            return found[0]
        raise PluginNotFound(name, known=[x.name for x in self._records])

    def problems(self) -> list[r.PluginRecord]:
        """Records of enabled plugins that failed, are refused or collide."""
        return [
            x for x in self._records if x.status != r.STATUS_DISABLED and x.problems
        ]

    def _contested(self, kind: str) -> set[str]:
        return {c.item for c in self.collisions if c.kind == kind}

    def commands(self) -> dict[str, tuple[str, str]]:
        """Command name -> ``(plugin, one-line help)``, contested ones left out."""
        contested = self._contested("command")
        out: dict[str, tuple[str, str]] = {}
        for rec in self._records:
            if not rec.usable or rec.status == r.STATUS_DISABLED:
                continue
            for cmd, summary in rec.commands.items():
                if cmd not in contested:
                    out[cmd] = (rec.name, summary)
        return dict(sorted(out.items()))

    def command_owner(self, command: str) -> r.PluginRecord | None:
        """Record of whichever installed plugin declares ``command``, if any."""
        for rec in self._records:
            if command in rec.commands:
                return rec
        return None

    def quota_resources(self) -> list[tuple[str, QuotaResource]]:
        """``(plugin, resource)`` for every usable plugin, sorted by key."""
        from plugfair.interface.quota import QuotaResource

        out = []
        for rec in self._records:
            if rec.usable and rec.status != r.STATUS_DISABLED:
                for q in rec.quota:
                    out.append((rec.name, QuotaResource(**q)))
        return sorted(out, key=lambda pr: (pr[0], pr[1].name))

    # -- loading ------------------------------------------------------

    def load(self, name: str) -> Plugin:
        """Import and instantiate plugin ``name``; register its options.

        :raises PluginNotFound: if it is not installed.
        :raises PluginLoadError: if it is disabled, failed or fails now;
            a plugin that fails now is marked failed for this process.
        """
        if name in self._instances:
            return self._instances[name]
        rec = self.get(name)
        if rec.status == r.STATUS_DISABLED:
            raise PluginLoadError(
                name,
                "it is disabled by configuration.",
                remedy="Enable it in [plugfair] enabled_plugins/disabled_plugins.",
            )
        if not rec.usable:
            problem = rec.problems[0] if rec.problems else None
            raise PluginLoadError(
                name,
                problem.reason if problem else "it is not usable.",
                remedy="Run 'plugfair plugin doctor %s'." % name,
            )
        from oslo_config import cfg

        from plugfair.registry import validate as v

        try:
            loader = self._loaders.get(name)
            if loader is None:
                import importlib.metadata

                loader = importlib.metadata.EntryPoint(name, rec.target, r.NAMESPACE).load
            try:
                obj = loader()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - isolation boundary
                raise PluginLoadError(
                    name, "importing it raised %s: %s" % (type(exc).__name__, exc)
                ) from exc
            cls = v.check_class(name, obj)
            conf = self.conf if self.conf is not None else cfg.ConfigOpts()
            plugin: Plugin = v.call_hook(name, cls, conf, timeout=self.hook_timeout)
            plugin.registry = self
            groups = v.validate_config_options(
                name,
                v.call_hook(name, plugin.config_options, timeout=self.hook_timeout),
                cls.config_groups,
            )
            for group, opts in groups:
                if group in self._contested("config group"):
                    continue
                conf.register_opts(opts, group=group)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            self._fail(rec, exc)
            if isinstance(exc, PluginLoadError):
                raise
            raise PluginLoadError(name, str(exc)) from exc
        self._instances[name] = plugin
        return plugin

    def _fail(self, rec: r.PluginRecord, exc: BaseException) -> None:
        rec.status = r.STATUS_FAILED
        rec.problems.append(
            r.Problem(
                kind="load",
                reason=str(exc),
                remedy="Run 'plugfair plugin doctor %s'." % rec.name,
            )
        )

    def call(self, name: str, hook: str, *args: Any) -> Any:
        """Call a hook of plugin ``name`` with the timeout and isolation.

        :raises PluginLoadError: if the plugin cannot be loaded or the hook
            fails; the plugin is then marked failed.
        """
        from plugfair.registry import validate as v

        plugin = self.load(name)
        try:
            return v.call_hook(name, getattr(plugin, hook), *args, timeout=self.hook_timeout)
        except PluginLoadError as exc:
            self._fail(self.get(name), exc)
            raise

    def command_class(self, command: str) -> type:
        """Import the plugin that provides ``command``; return the class."""
        from plugfair.registry import validate as v

        owner = self.commands().get(command)
        if owner is None:
            contested = self._contested("command")
            declared = self.command_owner(command)
            raise PluginLoadError(
                declared.name if declared else "(none)",
                "no usable plugin provides the command %r%s."
                % (command, " (it is contested)" if command in contested else ""),
                remedy="See 'plugfair --help' and 'plugfair plugin doctor'.",
            )
        name = owner[0]
        if name not in self._commands:
            self._commands[name] = v.validate_commands(name, self.call(name, "cli_commands"))
        try:
            return self._commands[name][command]
        except KeyError:
            raise PluginLoadError(
                name,
                "its cli_commands() no longer provides %r (the manifest is "
                "stale)." % command,
                remedy="Run the command again with --no-cache.",
            ) from None

    def service_client(self, service: str) -> Any:
        """Build the client of ``service`` through whichever plugin offers it.

        :raises PluginNotFound: if no usable plugin offers that service.
        :raises PluginCollision: if two enabled plugins offer it.
        """
        from plugfair.registry import validate as v

        for col in self.collisions:
            if col.kind == "service" and col.item == service:
                raise col.error()
        for rec in self._records:
            if rec.usable and rec.status != r.STATUS_DISABLED and service in rec.services:
                if rec.name not in self._services:
                    self._services[rec.name] = v.validate_services(
                        rec.name, self.call(rec.name, "service_clients")
                    )
                factory = self._services[rec.name][service]
                conf = self.conf
                if conf is None:
                    from oslo_config import cfg

                    conf = cfg.ConfigOpts()
                return v.call_hook(rec.name, factory, conf, timeout=self.hook_timeout)
        raise PluginNotFound(
            "service:%s" % service,
            known=sorted({s for x in self._records for s in x.services}),
        )


def _normalize(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def _selects(token: str, rec: r.PluginRecord) -> bool:
    """Whether a selection entry (``name`` or ``name@distribution``) names ``rec``."""
    name, at, dist = token.partition("@")
    if name != rec.name:
        return False
    return not at or _normalize(dist) == _normalize(rec.distribution)


Registry.__module__ = "plugfair.api"
