"""plugfair's own options and the ``oslo.config.opts`` entry point."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "core_opts", "register", "list_opts", "list_all_opts"]

GROUP = "plugfair"


def core_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[plugfair]`` options."""
    return [
        cfg.ListOpt(
            "enabled_plugins",
            default=[],
            help="Use only these plugins. Empty means every installed plugin. "
            "An entry is a plugin name, or name@distribution to pick one "
            "of two distributions that provide a plugin of the same name.",
        ),
        cfg.ListOpt(
            "disabled_plugins",
            default=[],
            help="Never use these plugins. This is how an operator resolves "
            "a collision between two plugins. An entry is a plugin name, or "
            "name@distribution to disable only the plugin of that name that "
            "this distribution provides.",
        ),
        cfg.DictOpt(
            "command_providers",
            default={},
            help="Pick the provider of a command that several plugins "
            "provide, as 'command name:plugin', e.g. 'project list:identity'. "
            "Without an entry, a contested command is used by nobody (each "
            "stays reachable as 'plugfair <plugin> <command>').",
        ),
        cfg.DictOpt(
            "service_providers",
            default={},
            help="Pick the provider of a service client that several plugins "
            "offer, as 'service:plugin', e.g. 'identity:identity'. Without an "
            "entry, a contested service is offered by nobody.",
        ),
        cfg.BoolOpt(
            "manifest_cache",
            default=True,
            help="Cache what each plugin provides, so that help and listings "
            "import no plugin. The cache is rebuilt whenever a distribution "
            "is installed, upgraded or removed.",
        ),
        cfg.FloatOpt(
            "hook_timeout",
            default=10.0,
            min=0.1,
            help="Seconds a plugin hook may take before the plugin is "
            "reported as hung and marked failed.",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the core options on ``conf``."""
    conf.register_opts(core_opts(), group=GROUP)


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
