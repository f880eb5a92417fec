"""The registry: every installed plugin, its status and what it provides.

Built from the manifest (no plugin imported) and the operator's
``enabled_plugins``/``disabled_plugins``.  It detects collisions between
enabled plugins, withholds every contested name, and loads a plugin module
only when something of that plugin is used.  All orderings are by plugin
name; no plugin is special.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from plugfair.interface.deadlines import HOOK_TIMEOUT_DEFAULT
from plugfair.interface.errors import (
    PlugfairError,
    PluginCollision,
    PluginLoadError,
    PluginNotFound,
)
from plugfair.registry import records as r

# No typing or logging at run time: the CLI's fast paths build a registry.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from oslo_config import cfg

    from plugfair.interface.hosting import HostedPlugin
    from plugfair.interface.plugin import Plugin
    from plugfair.interface.quota import QuotaResource
    from plugfair.registry.integrity import LoadGuard

__all__ = ["Registry", "Collision"]


def _log() -> Any:
    from plugfair.interface.logs import logger

    return logger(__name__)


def _warn(registry: Registry, message: str, *args: object) -> None:
    """Log a warning about the configuration, and keep it in
    :attr:`Registry.notes`."""
    registry.notes.append(message % args)
    _log().warning(message, *args)


class Collision:
    """One name claimed by more than one enabled plugin.

    :param winner: the plugin that keeps the item by the naming rule (a
        config group named after it), or ``None`` when nobody does.
    """

    def __init__(
        self,
        kind: str,
        item: str,
        claimants: list[tuple[str, str]],
        winner: str | None = None,
    ) -> None:
        self.kind = kind
        self.item = item
        self.claimants = claimants
        self.winner = winner

    def error(self) -> PluginCollision:
        return PluginCollision(self.kind, self.item, self.claimants, winner=self.winner)


#: The kinds of item the operator may give to one of its claimants.
PROVIDER_KINDS = ("command", "service")


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
        hook_timeout: float | None = HOOK_TIMEOUT_DEFAULT,
        command_providers: Mapping[str, str] | None = None,
        service_providers: Mapping[str, str] | None = None,
    ) -> None:
        self.conf = conf
        self.hook_timeout = hook_timeout
        self._loaders = loaders or {}
        self._instances: dict[str, Plugin] = {}
        self._commands: dict[str, dict[str, type]] = {}
        self._services: dict[str, dict[str, Callable[..., Any]]] = {}
        self._hosted: dict[str, dict[str, HostedPlugin]] = {}
        self._load_guard: LoadGuard | None = None
        #: What commands() and qualified_commands() found (until a plugin fails).
        self._views: dict[str, Any] = {}
        #: Indexes of the records (which do not change).
        self._index: dict[str, Any] = {}
        self._records: list[r.PluginRecord] = sorted(
            (rec.copy() for rec in records), key=lambda x: (x.name, x.distribution)
        )
        self._providers: dict[str, dict[str, str]] = {
            "command": dict(command_providers or {}),
            "service": dict(service_providers or {}),
        }
        #: Contested items the operator gave to one plugin: (kind, item) -> plugin.
        self.resolved: dict[tuple[str, str], str] = {}
        #: The warnings it logged about the configuration, in words.
        self.notes: list[str] = []
        #: Entry points of other groups listed with the manifest
        #: (:meth:`discover`'s ``groups``): group -> ``((name, value), ...)``.
        self.entry_points: dict[str, tuple[tuple[str, str], ...]] = {}
        self.collisions: list[Collision] = []
        self._apply_selection(enabled, disabled)
        self._find_collisions()
        self._check_hosts()

    # -- construction -------------------------------------------------

    @classmethod
    def discover(
        cls,
        conf: cfg.ConfigOpts | None = None,
        *,
        use_cache: bool | None = None,
        records: Iterable[r.PluginRecord] | None = None,
        groups: Sequence[str] = (),
    ) -> Registry:
        """Build the registry of the installed plugins.

        :param conf: the host's configuration; its ``[plugfair]`` options
            select plugins and tune the cache (they are registered on it
            if they are not there yet).
        :param use_cache: override ``[plugfair] manifest_cache``.
        :param records: the manifest's records, when the caller has just
            read them (the CLI's fast path), so they are not read twice.
        :param groups: prefixes of other entry-point groups to list with
            the manifest, in :attr:`entry_points` (see
            :func:`plugfair.registry.manifest.load`; not with ``records``).
        """
        from plugfair.registry import manifest

        enabled: Sequence[str] = ()
        disabled: Sequence[str] = ()
        commands: Mapping[str, str] = {}
        services: Mapping[str, str] = {}
        timeout = HOOK_TIMEOUT_DEFAULT
        cache = True
        if conf is not None:
            if "plugfair" not in conf:
                # A ConfigOpts of the caller's own: give it the core options
                # (their defaults) rather than fail on a missing group.
                from plugfair.registry import options

                options.register(conf)
            enabled = conf.plugfair.enabled_plugins
            disabled = conf.plugfair.disabled_plugins
            timeout = conf.plugfair.hook_timeout
            cache = conf.plugfair.manifest_cache
            commands = conf.plugfair.command_providers
            services = conf.plugfair.service_providers
        if use_cache is not None:
            cache = use_cache
        entry_points = {}
        if records is None:
            found = manifest.load(use_cache=cache, timeout=timeout, groups=groups)
            records, entry_points = found.records, found.entry_points
        registry = cls(
            records,
            conf=conf,
            enabled=enabled,
            disabled=disabled,
            hook_timeout=timeout,
            command_providers=commands,
            service_providers=services,
        )
        registry.entry_points = entry_points
        return registry

    @classmethod
    def from_plugins(
        cls,
        plugins: Iterable[type[Plugin]],
        *,
        conf: cfg.ConfigOpts | None = None,
        hook_timeout: float | None = HOOK_TIMEOUT_DEFAULT,
    ) -> Registry:
        """Build a registry from plugin classes, without entry points.

        Each class is judged exactly as an installed plugin would be, and
        so are the plugins it hosts.

        :param plugins: ``Plugin`` subclasses; each one's ``name`` is used as
            its entry-point name.
        """
        from plugfair.registry.probe import describe, describe_hosting

        recs = []
        loaders: dict[str, Callable[[], object]] = {}
        for plugin_cls in plugins:
            name = str(getattr(plugin_cls, "name", "") or plugin_cls.__name__.lower())
            target = "%s:%s" % (plugin_cls.__module__, plugin_cls.__qualname__)

            def loader(c: type = plugin_cls) -> object:
                return c

            rec, hosted = describe_hosting(
                name, target, loader, distribution=plugin_cls.__module__.split(".")[0]
            )
            recs.append(rec)
            loaders[name] = loader
            for spec in hosted:
                recs.append(
                    describe(
                        spec.name, spec.module, spec.load, distribution=spec.distribution,
                        version=spec.version, module=spec.module, host=name,
                        origin=spec.origin,
                    )
                )
        return cls(recs, conf=conf, loaders=loaders, hook_timeout=hook_timeout)

    def _apply_selection(self, enabled: Sequence[str], disabled: Sequence[str]) -> None:
        # An entry is a plugin name, or ``name@distribution`` to pick one of
        # two distributions that provide a plugin of the same name.  A
        # hosting plugin is enabled when a plugin it hosts is (it is needed
        # to load it), unless it is disabled itself; a hosted plugin whose
        # host is disabled is disabled too.
        wanted, unwanted = _by_name(enabled), _by_name(disabled)
        chosen = {
            id(rec): (not enabled or _named(rec, wanted)) and not _named(rec, unwanted)
            for rec in self._records
        }
        needed = {rec.host for rec in self._records if rec.host and chosen[id(rec)]}
        for host in self._records:
            if host.name in needed and not _named(host, unwanted):
                chosen[id(host)] = True
        for rec in self._records:
            if not chosen[id(rec)]:
                rec.status = r.STATUS_DISABLED
        for rec in self._records:
            if rec.host and rec.status != r.STATUS_DISABLED:
                self._disable_if_host_is(rec)
        installed: dict[str, list[r.PluginRecord]] = {}
        for rec in self._records:
            installed.setdefault(rec.name, []).append(rec)
        for token in sorted(set(enabled) | set(disabled)):
            if not any(_selects(token, rec) for rec in installed.get(token.partition("@")[0], ())):
                _warn(self, "[plugfair] names plugin %r, which is not installed; ignoring it.", token)

    def _disable_if_host_is(self, rec: r.PluginRecord) -> None:
        hosts = [x for x in self._records if x.name == rec.host]
        if hosts and all(x.status == r.STATUS_DISABLED for x in hosts):
            rec.status = r.STATUS_DISABLED
            rec.problems.append(
                r.Problem(
                    kind="host-disabled",
                    reason="the plugin hosting it, %r, is disabled" % rec.host,
                    remedy="Enable %r in [plugfair] enabled_plugins/disabled_plugins." % rec.host,
                )
            )

    def _find_collisions(self) -> None:
        active = [x for x in self._records if x.status != r.STATUS_DISABLED]
        names: dict[str, list[r.PluginRecord]] = {}
        for rec in active:
            names.setdefault(rec.name, []).append(rec)
        # Plugins whose very name is contested are unusable: what they
        # provide is withheld, so it contests nothing (and is not reported
        # a second time as, say, a collision on the group named after them).
        for item, recs in sorted(names.items()):
            if len(recs) > 1:
                self._report(Collision("plugin name", item, _who(recs)), recs)
        live = [x for x in active if x.status == r.STATUS_OK and len(names[x.name]) == 1]
        by_name = {x.name: x for x in live}
        for kind, items in (
            ("command", lambda x: x.commands),
            ("config group", lambda x: sorted(set(x.config_groups) | {x.name})),
            ("service", lambda x: x.services),
            ("test package", lambda x: x.test_packages),
        ):
            claims: dict[str, list[r.PluginRecord]] = {}
            for rec in live:
                for item in items(rec):
                    claims.setdefault(item, []).append(rec)
            for item, recs in sorted(claims.items()):
                if kind == "config group":
                    self._judge_group(item, recs, by_name)
                elif len(recs) > 1:
                    self._judge_contest(kind, item, recs)

    def _judge_group(
        self, group: str, recs: list[r.PluginRecord], by_name: dict[str, r.PluginRecord]
    ) -> None:
        """A config group belongs to the plugin with the longest name that
        names it (``plugin`` or ``plugin_*``); other claims are refused.
        A group named after no plugin and claimed twice goes to nobody."""
        owner = _natural_owner(group, by_name)
        if owner is None:
            if len(recs) > 1:
                self._report(Collision("config group", group, _who(recs)), recs)
            return
        losers = [x for x in recs if x.name != owner]
        if losers:
            everyone = recs if any(x.name == owner for x in recs) else recs + [by_name[owner]]
            self._report(
                Collision("config group", group, _who(everyone), winner=owner), losers
            )

    def _judge_contest(self, kind: str, item: str, recs: list[r.PluginRecord]) -> None:
        chosen = self._providers.get(kind, {}).get(item)
        if chosen is not None:
            if any(x.name == chosen for x in recs):
                self.resolved[(kind, item)] = chosen
                return
            _warn(
                self,
                "[plugfair] %s_providers gives %r to plugin %r, which does not "
                "provide it (its providers: %s); ignoring that entry.",
                kind, item, chosen, ", ".join(x.name for x in recs),
            )
        self._report(Collision(kind, item, _who(recs)), recs)

    def _report(self, col: Collision, losers: list[r.PluginRecord]) -> None:
        self.collisions.append(col)
        err = col.error()
        for rec in losers:
            rec.problems.append(
                r.Problem(
                    kind="duplicate-name" if col.kind == "plugin name" else "collision",
                    reason=err.reason,
                    remedy=err.remedy,
                )
            )
            if rec.status == r.STATUS_OK:
                rec.status = r.STATUS_CONFLICT

    def _check_hosts(self) -> None:
        """A hosted plugin is usable only while its host is."""
        for rec in self._records:
            if not rec.host or rec.status == r.STATUS_DISABLED or not rec.usable:
                continue
            hosts = [
                x for x in self._records
                if x.name == rec.host and x.status != r.STATUS_DISABLED and rec.name in x.hosted
            ]
            if len(hosts) == 1 and hosts[0].usable:
                continue
            why = hosts[0].status if hosts else "not installed, or no longer hosts it"
            rec.status = r.STATUS_FAILED
            rec.problems.append(
                r.Problem(
                    kind="host",
                    reason="the plugin hosting it, %r, is %s" % (rec.host, why),
                    remedy="Run 'plugfair plugin doctor %s'." % rec.host,
                )
            )

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
        found = self._by_name().get(name, [])
        for rec in found:
            if rec.status != r.STATUS_DISABLED:
                return rec
        if found:
            return found[0]
        raise PluginNotFound(name, known=[x.name for x in self._records])

    def _by_name(self) -> dict[str, list[r.PluginRecord]]:
        """Records by plugin name (the records never change, their status may)."""
        if "by_name" not in self._index:
            index: dict[str, list[r.PluginRecord]] = {}
            for rec in self._records:
                index.setdefault(rec.name, []).append(rec)
            self._index["by_name"] = index
        return self._index["by_name"]  # type: ignore[no-any-return]

    def problems(self) -> list[r.PluginRecord]:
        """Records of enabled plugins that failed, are refused or collide."""
        return [
            x for x in self._records if x.status != r.STATUS_DISABLED and x.problems
        ]

    def log_notes(self) -> None:
        """Log :attr:`notes` again (a registry made before the application
        set up logging hands it over this way)."""
        for note in self.notes:
            _log().warning("%s", note)

    def _contested(self, kind: str) -> set[str]:
        return {c.item for c in self.collisions if c.kind == kind}

    def holds(self, kind: str, item: str, plugin: str) -> bool:
        """Whether ``plugin`` gets ``item`` (of ``kind``, e.g. ``"config
        group"``), which it claims: no other plugin contests it, or the
        naming rule or the operator gave it to ``plugin``.

        .. versionadded:: 1.1
        """
        for col in self.collisions:
            if col.kind == kind and col.item == item:
                return col.winner == plugin
        chosen = self.resolved.get((kind, item))
        return chosen is None or chosen == plugin

    def _in_use(self) -> Iterable[r.PluginRecord]:
        return (x for x in self._records if x.usable and x.status != r.STATUS_DISABLED)

    def commands(self) -> dict[str, tuple[str, str]]:
        """Command name -> ``(plugin, one-line help)``, contested ones left out
        (unless the operator picked their provider)."""
        if "commands" not in self._views:
            self._views["commands"] = self._commands_now()
        return dict(self._views["commands"])

    def _commands_now(self) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for rec in self._in_use():
            for cmd, summary in rec.commands.items():
                if self.holds("command", cmd, rec.name):
                    out[cmd] = (rec.name, summary)
        return dict(sorted(out.items()))

    def qualified_commands(self) -> dict[str, tuple[str, str, str]]:
        """``"<plugin> <command>"`` -> ``(plugin, command, one-line help)``.

        Every command of every usable plugin is reachable under its
        plugin's name, so a contested command stays usable and a script
        that names the plugin keeps working whatever gets installed next.
        A plain command name always wins over an equal qualified one.

        .. versionadded:: 1.1
        """
        if "qualified" not in self._views:
            self._views["qualified"] = self._qualified_now()
        return dict(self._views["qualified"])

    def _qualified_now(self) -> dict[str, tuple[str, str, str]]:
        plain = {cmd for rec in self._in_use() for cmd in rec.commands}
        out: dict[str, tuple[str, str, str]] = {}
        for rec in self._in_use():
            for cmd, summary in rec.commands.items():
                full = "%s %s" % (rec.name, cmd)
                if full not in plain:
                    out[full] = (rec.name, cmd, summary)
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
            loader = self._loader(rec)
            guard = self._guard()
            guard.begin()
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
                if self.holds("config group", group, name):
                    conf.register_opts(opts, group=group)
            _refuse_tampering(rec, guard.end(name, rec.target))
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            self._fail(rec, exc)
            if isinstance(exc, PluginLoadError):
                raise
            raise PluginLoadError(name, str(exc)) from exc
        self._instances[name] = plugin
        return plugin

    def load_all(self, names: Sequence[str]) -> dict[str, str]:
        """:meth:`load` plugins one after another.

        Between two of these loads only this loop runs, so each load is
        checked against what the one before left, rather than against
        every plugin loaded before afresh (:meth:`LoadGuard.batch`).

        :returns: plugin name -> why it failed, for those that did.
        """
        failed: dict[str, str] = {}
        with self._guard().batch():
            for name in names:
                try:
                    self.load(name)
                except PlugfairError as exc:
                    failed[name] = str(exc)
        return failed

    def _guard(self) -> LoadGuard:
        """What watches each load for changes to what is not the plugin's own."""
        from plugfair.registry.integrity import LoadGuard

        if self._load_guard is None:
            self._load_guard = LoadGuard([(x.name, x.target) for x in self._records])
        return self._load_guard

    def _loader(self, rec: r.PluginRecord) -> Callable[[], object]:
        """What imports the plugin: its entry point, or its host's
        declaration for a hosted plugin.

        :raises PluginLoadError: if the host cannot be loaded or no longer
            declares the plugin.
        """
        loader = self._loaders.get(rec.name)
        if loader is not None:
            return loader
        if rec.host is None:
            import importlib.metadata

            return importlib.metadata.EntryPoint(rec.name, rec.target, r.NAMESPACE).load
        from plugfair.registry import validate as v

        if rec.host not in self._hosted:
            self.load(rec.host)
            self._hosted[rec.host] = {
                h.name: h
                for h in v.validate_hosted_plugins(
                    rec.host, self.call(rec.host, "hosted_plugins")
                )
            }
        spec = self._hosted[rec.host].get(rec.name)
        if spec is None:
            raise PluginLoadError(
                rec.name,
                "its host %r no longer declares it (the manifest is stale)." % rec.host,
                remedy="Run the command again with --no-cache.",
            )
        return spec.load

    def _fail(self, rec: r.PluginRecord, exc: BaseException) -> None:
        self._views.clear()  # its commands are no longer in use
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
        """Import the plugin that provides ``command`` (a plain or a
        qualified name); return the class."""
        from plugfair.registry import validate as v

        owner = self.commands().get(command)
        name, real = (owner[0], command) if owner else (None, command)
        if owner is None:
            qualified = self.qualified_commands().get(command)
            if qualified is not None:
                name, real = qualified[0], qualified[1]
        if name is None:
            contested = self._contested("command")
            declared = self.command_owner(command)
            raise PluginLoadError(
                declared.name if declared else "(none)",
                "no usable plugin provides the command %r%s."
                % (command, " (it is contested)" if command in contested else ""),
                remedy="See 'plugfair --help' and 'plugfair plugin doctor'.",
            )
        if name not in self._commands:
            self._commands[name] = v.validate_commands(name, self.call(name, "cli_commands"))
        try:
            return self._commands[name][real]
        except KeyError:
            raise PluginLoadError(
                name,
                "its cli_commands() no longer provides %r (the manifest is "
                "stale)." % real,
                remedy="Run the command again with --no-cache.",
            ) from None

    def service_client(self, service: str) -> Any:
        """Build the client of ``service`` through whichever plugin offers it.

        A factory that accepts a second argument gets this registry, as a
        :class:`plugfair.api.ServiceClients`, to reach other plugins'
        clients (API 1.1).

        :raises PluginNotFound: if no usable plugin offers that service.
        :raises PluginCollision: if two enabled plugins offer it and the
            operator did not pick one (``[plugfair] service_providers``).
        """
        from plugfair.registry import validate as v

        for col in self.collisions:
            if col.kind == "service" and col.item == service:
                raise col.error()
        for rec in self._in_use():
            if service in rec.services and self.holds("service", service, rec.name):
                if rec.name not in self._services:
                    self._services[rec.name] = v.validate_services(
                        rec.name, self.call(rec.name, "service_clients")
                    )
                factory = self._services[rec.name][service]
                conf = self.conf
                if conf is None:
                    from oslo_config import cfg

                    conf = cfg.ConfigOpts()
                args = (conf, self) if _takes_services(factory) else (conf,)
                return v.call_hook(rec.name, factory, *args, timeout=self.hook_timeout)
        raise PluginNotFound(
            "service:%s" % service,
            known=sorted({s for x in self._records for s in x.services}),
        )


def _takes_services(factory: Callable[..., Any]) -> bool:
    """Whether a service-client factory accepts a second positional
    argument (the :class:`plugfair.api.ServiceClients`)."""
    import inspect

    try:
        inspect.signature(factory).bind(None, None)
    except (TypeError, ValueError):
        return False
    return True


def _refuse_tampering(rec: r.PluginRecord, changed: list[str]) -> None:
    """Refuse a plugin that changed what is not its own as it loaded (and
    keep that in the manifest, for the next commands and the doctor).

    :raises PluginLoadError: if ``changed`` is not empty.
    """
    if not changed:
        return
    from plugfair.registry import manifest

    error = PluginLoadError(
        rec.name,
        "it changes what is not its own when it is loaded: %s" % "; ".join(changed),
        remedy="Ask the plugin's authors to stop patching plugfair and other plugins, or disable it "
        "with '[plugfair] disabled_plugins = %s'." % rec.name,
    )
    kept = rec.copy()
    kept.status = r.STATUS_FAILED
    kept.problems.append(r.Problem(kind="tamper", reason=error.reason, remedy=error.remedy))
    manifest.remember(kept)
    raise error


def _by_name(tokens: Sequence[str]) -> dict[str, list[str]]:
    """A selection list (names, ``name@distribution``) by plugin name."""
    out: dict[str, list[str]] = {}
    for token in tokens:
        out.setdefault(token.partition("@")[0], []).append(token)
    return out


def _named(rec: r.PluginRecord, tokens: Mapping[str, Sequence[str]]) -> bool:
    """Whether a selection list (:func:`_by_name`) names ``rec``."""
    return any(_selects(t, rec) for t in tokens.get(rec.name, ()))


def _who(recs: Iterable[r.PluginRecord]) -> list[tuple[str, str]]:
    return [(x.name, x.distribution) for x in recs]


def _natural_owner(group: str, by_name: Mapping[str, r.PluginRecord]) -> str | None:
    """The longest plugin name that is ``group`` or a ``<name>_`` prefix of it."""
    if group in by_name:
        return group
    cut = group.rfind("_")
    while cut >= 0:  # the prefixes before each "_", longest first
        if group[:cut] in by_name:
            return group[:cut]
        cut = group.rfind("_", 0, cut)
    return None


def _normalize(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def _selects(token: str, rec: r.PluginRecord) -> bool:
    """Whether a selection entry (``name`` or ``name@distribution``) names ``rec``."""
    name, at, dist = token.partition("@")
    if name != rec.name:
        return False
    return not at or _normalize(dist) == _normalize(rec.distribution)


