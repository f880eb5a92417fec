"""Options of the ``[network]`` group: where the networking API is."""

from __future__ import annotations

from oslo_config import cfg

from plugfair.api import ServiceAPI

__all__ = ["GROUP", "list_opts"]

GROUP = "network"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[network]`` options."""
    return ServiceAPI.config_options("network", name="the networking API",
                                     example="http://neutron.example.com:9696")
