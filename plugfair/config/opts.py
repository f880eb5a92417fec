"""plugfair's own options and the ``oslo.config.opts`` entry point."""

from __future__ import annotations

from oslo_config import cfg

from plugfair.registry import options as opts

__all__ = ["GROUP", "core_opts", "register", "list_opts", "list_all_opts"]

GROUP = opts.GROUP
core_opts = opts.core_opts
register = opts.register


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The ``[plugfair]`` options, as ``[(group, opts)]``."""
    return [(GROUP, core_opts())]


def list_all_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Every usable installed plugin's options (plugfair's own included).

    This is the ``oslo.config.opts`` entry point of namespace ``plugfair``,
    so ``oslo-config-generator --namespace plugfair`` writes them all.  The
    ``[plugfair]`` group comes from the plugin ``plugfair`` like any other.
    """
    from plugfair.config.loader import plugin_opts
    from plugfair.registry.core import Registry

    conf = cfg.ConfigOpts()
    register(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    registry = Registry.discover(conf)
    return plugin_opts(registry)
