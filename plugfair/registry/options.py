"""The registry's own options, in ``[plugfair]``: which plugins to use,
who provides a contested item, and how plugins are probed and cached.

They live with the registry, which reads them; :mod:`plugfair.config.opts`
offers them to the sample generator with the rest.
"""

from __future__ import annotations

import math

from oslo_config import cfg, types

from plugfair.interface import deadlines

__all__ = [
    "GROUP",
    "HOOK_TIMEOUT_DEFAULT",
    "HOOK_TIMEOUT_MIN",
    "HOOK_TIMEOUT_MAX",
    "Seconds",
    "core_opts",
    "register",
]

#: ``[plugfair] hook_timeout``: its default and bounds, in seconds.
HOOK_TIMEOUT_DEFAULT = deadlines.HOOK_TIMEOUT_DEFAULT
HOOK_TIMEOUT_MIN = deadlines.HOOK_TIMEOUT_MIN
HOOK_TIMEOUT_MAX = deadlines.HOOK_TIMEOUT_MAX


class Seconds(types.Float):
    """A finite number of seconds within bounds (``nan`` and ``inf`` are
    refused: a deadline of ``nan`` never expires)."""

    def __call__(self, value: object) -> float:
        seconds = super().__call__(value)
        if not isinstance(seconds, float) or not math.isfinite(seconds):
            raise ValueError("%r is not a finite number of seconds" % (value,))
        return seconds

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
        cfg.Opt(
            "hook_timeout",
            type=Seconds(min=HOOK_TIMEOUT_MIN, max=HOOK_TIMEOUT_MAX),
            default=HOOK_TIMEOUT_DEFAULT,
            help="Seconds a plugin hook (or a plugin's import while probing) "
            "may take before the plugin is reported as hung and marked "
            "failed.",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the core options on ``conf``."""
    conf.register_opts(core_opts(), group=GROUP)
