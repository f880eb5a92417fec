"""The host as the tests of one process see it: configuration and registry.

``plugfair run`` resolves the configuration and the installed plugins
once, writes them to a *plan* file and names it in the environment
variable :data:`PLAN_ENV`.  Every stestr process (the lister and each
worker) reads the same plan, so they all see exactly the plugins the
command saw, without probing plugins again.

Without a plan (``stestr run`` used directly in a workspace, or a plugin's
tests run by another runner), the configuration comes from
``./plugfair.conf`` when there is one, from the usual places otherwise,
and the plugins from the manifest cache.

This module imports nothing heavy at import time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.deadlines import HOOK_TIMEOUT_DEFAULT
from plugfair.interface.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.registry.core import Registry

__all__ = ["PLAN_ENV", "Plan", "HostContext", "current", "reset"]

#: Environment variable naming the plan file of the running command.
PLAN_ENV = "PLUGFAIR_TESTHOST_PLAN"

#: Name of the configuration file of a workspace.
WORKSPACE_CONF = "plugfair.conf"

_FORMAT = 2


class Plan:
    """What a test process needs to know about the host, as plain data.

    :param records: the raw manifest records (``PluginRecord.to_dict()``)
        of every installed plugin, before plugin selection.
    :param enabled: ``[plugfair] enabled_plugins``.
    :param disabled: ``[plugfair] disabled_plugins``.
    :param hook_timeout: ``[plugfair] hook_timeout``.
    :param config_files: configuration files, in order.
    :param config_dirs: configuration directories, in order.
    """

    def __init__(
        self,
        records: Sequence[dict[str, Any]],
        *,
        enabled: Sequence[str] = (),
        disabled: Sequence[str] = (),
        hook_timeout: float = HOOK_TIMEOUT_DEFAULT,
        config_files: Sequence[str] = (),
        config_dirs: Sequence[str] = (),
        command_providers: Mapping[str, str] | None = None,
        service_providers: Mapping[str, str] | None = None,
        failed_preparations: Mapping[str, str] | None = None,
    ) -> None:
        self.records = [dict(r) for r in records]
        self.enabled = list(enabled)
        self.disabled = list(disabled)
        self.hook_timeout = float(hook_timeout)
        self.config_files = list(config_files)
        self.config_dirs = list(config_dirs)
        self.command_providers = dict(command_providers or {})
        self.service_providers = dict(service_providers or {})
        #: Plugin -> why its ``prepare_test_run`` failed: its tests fail
        #: with that reason instead of running.
        self.failed_preparations = dict(failed_preparations or {})

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "records": self.records,
            "enabled": self.enabled,
            "disabled": self.disabled,
            "hook_timeout": self.hook_timeout,
            "config_files": self.config_files,
            "config_dirs": self.config_dirs,
            "command_providers": self.command_providers,
            "service_providers": self.service_providers,
            "failed_preparations": self.failed_preparations,
        }

    def write(self, path: str) -> None:
        """Write the plan to ``path`` as JSON."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f)

    @classmethod
    def read(cls, path: str) -> Plan:
        """Read a plan written by :meth:`write`.

        :raises ConfigError: if the file is missing or not a plan.
        """
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if data.get("format") != _FORMAT:
                raise ValueError("unknown format %r" % data.get("format"))
            return cls(
                data["records"],
                enabled=data["enabled"],
                disabled=data["disabled"],
                hook_timeout=data["hook_timeout"],
                config_files=data["config_files"],
                config_dirs=data["config_dirs"],
                command_providers=data["command_providers"],
                service_providers=data["service_providers"],
                failed_preparations=data["failed_preparations"],
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                "Cannot read the test plan %s (named by %s): %s. Unset %s, or "
                "start the tests with 'plugfair run'." % (path, PLAN_ENV, exc, PLAN_ENV),
                source=path,
            ) from exc

    def registry(self, conf: cfg.ConfigOpts | None = None) -> Registry:
        """Build the registry the plan describes."""
        from plugfair.registry.core import Registry
        from plugfair.registry.records import PluginRecord

        return Registry(
            [PluginRecord.from_dict(r) for r in self.records],
            conf=conf,
            enabled=self.enabled,
            disabled=self.disabled,
            hook_timeout=self.hook_timeout,
            command_providers=self.command_providers,
            service_providers=self.service_providers,
        )


def build_test_conf(
    config_files: Sequence[str] = (), config_dirs: Sequence[str] = ()
) -> cfg.ConfigOpts:
    """Build the host configuration, with the tests host's options.

    :raises ConfigError: if a file is missing or malformed.
    """
    from plugfair.config.loader import build_conf
    from plugfair.testhost import options

    conf = build_conf(config_files, config_dirs)
    options.register(conf)
    return conf


def plan_from_conf(
    conf: cfg.ConfigOpts,
    *,
    config_files: Sequence[str] = (),
    config_dirs: Sequence[str] = (),
    use_cache: bool | None = None,
) -> Plan:
    """Describe the installed plugins, as ``conf`` selects them, as a plan."""
    from plugfair.registry import manifest

    cache = conf.plugfair.manifest_cache if use_cache is None else use_cache
    found = manifest.load(use_cache=cache, timeout=conf.plugfair.hook_timeout)
    return Plan(
        [r.to_dict() for r in found.records],
        enabled=conf.plugfair.enabled_plugins,
        disabled=conf.plugfair.disabled_plugins,
        hook_timeout=conf.plugfair.hook_timeout,
        config_files=config_files,
        config_dirs=config_dirs,
        command_providers=conf.plugfair.command_providers,
        service_providers=conf.plugfair.service_providers,
    )


class HostContext:
    """Configuration and registry of the host, built on first use.

    :param plan: what the command resolved; ``None`` to resolve here from
        ``./plugfair.conf`` or the usual configuration files.
    """

    def __init__(self, plan: Plan | None = None) -> None:
        self._plan = plan
        self._conf: cfg.ConfigOpts | None = None
        self._registry: Registry | None = None
        self._listing: Registry | None = None
        self._namespaces: Any = None

    def _sources(self) -> tuple[list[str], list[str]]:
        if self._plan is not None:
            return self._plan.config_files, self._plan.config_dirs
        local = os.path.abspath(WORKSPACE_CONF)
        return ([local] if os.path.isfile(local) else []), []

    @property
    def conf(self) -> cfg.ConfigOpts:
        """The host's ``ConfigOpts``; loading a plugin adds its options."""
        if self._conf is None:
            files, dirs = self._sources()
            self._conf = build_test_conf(files, dirs)
        return self._conf

    @property
    def plan(self) -> Plan:
        """The plan: the one given, or one resolved from the configuration."""
        if self._plan is None:
            files, dirs = self._sources()
            self._plan = plan_from_conf(self.conf, config_files=files, config_dirs=dirs)
        return self._plan

    @property
    def registry(self) -> Registry:
        """The registry, able to load plugins with :attr:`conf`."""
        if self._registry is None:
            self._registry = self.plan.registry(self.conf)
        return self._registry

    def listing_registry(self) -> Registry:
        """A registry for discovery only: it reads no configuration file
        when a plan is given, and never loads a plugin."""
        if self._plan is None:
            return self.registry
        if self._listing is None:
            self._listing = self._plan.registry(None)
        return self._listing

    def load_plugins(self, names: Sequence[str]) -> dict[str, str]:
        """Load plugins (registering their options on :attr:`conf`).

        A plugin that fails to load is skipped: its ``test_loads`` contract
        test reports why.

        :returns: plugin name -> why it failed, for those that did.
        """
        return self.registry.load_all(names)

    def load_owner(self, test_id: str) -> None:
        """Load the plugin that owns ``test_id``, if any and if it loads.

        Best effort: a configuration that cannot be read is reported by
        whatever reads it, not here.
        """
        from plugfair.interface.errors import PlugfairError
        from plugfair.testhost.namespaces import Namespaces

        try:
            if self._namespaces is None:
                self._namespaces = Namespaces(self.registry)
            owner = self._namespaces.owner(test_id)
        except PlugfairError:
            return
        if owner is not None:
            self.load_plugins([owner])

    def service_unavailable(self, service: str) -> str | None:
        """Why ``service`` is not available to tests, or ``None`` if it is.

        A service is available when exactly one enabled, usable plugin
        offers it, ``[plugfair_tests] unavailable_services`` does not list
        it, and ``[plugfair_tests] available_services`` is empty or lists
        it.  The same rule applies to every service of every plugin.
        """
        from plugfair.registry import records as r
        from plugfair.testhost import options

        registry = self.registry
        for col in registry.collisions:
            if col.kind == "service" and col.item == service:
                return "service %r is offered by more than one plugin (%s), so " \
                    "neither is used" % (service, ", ".join(p for p, _ in col.claimants))
        offers = [
            rec
            for rec in registry.records()
            if service in rec.services
            and rec.status != r.STATUS_DISABLED
            and registry.holds("service", service, rec.name)
        ]
        if not offers:
            return "no enabled plugin offers service %r" % service
        rec = offers[0]
        if not rec.usable:
            return "plugin %r, which offers service %r, is %s (run 'plugfair " \
                "plugin doctor %s')" % (rec.name, service, rec.status, rec.name)
        group = getattr(self.conf, options.GROUP)
        if service in group.unavailable_services:
            return "service %r is listed in [%s] unavailable_services" % (
                service,
                options.GROUP,
            )
        if group.available_services and service not in group.available_services:
            return "service %r is not listed in [%s] available_services" % (
                service,
                options.GROUP,
            )
        return None


_CURRENT: HostContext | None = None


def current() -> HostContext:
    """The context of this process: from the plan in :data:`PLAN_ENV`, if set."""
    global _CURRENT
    if _CURRENT is None:
        path = os.environ.get(PLAN_ENV)
        _CURRENT = HostContext(Plan.read(path) if path else None)
    return _CURRENT


def reset(context: HostContext | None = None) -> HostContext | None:
    """Replace the context of this process (``None``: rebuild on next use).

    :returns: the previous context.
    """
    global _CURRENT
    previous, _CURRENT = _CURRENT, context
    return previous
