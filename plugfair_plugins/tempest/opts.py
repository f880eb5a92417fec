"""Options of the bridge itself, in ``[tempest_bridge]``."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "tempest_bridge"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[tempest_bridge]`` options."""
    return [
        cfg.StrOpt(
            "config_file",
            help="An existing tempest.conf to use as is: Tempest and its plugins "
            "read it instead of a file generated from plugfair's configuration. "
            "The [tempest_*] and [<plugin>_*] options of the hosted Tempest "
            "plugins are then not used.",
        ),
    ]
