"""Options of the ``[compute]`` group: where the compute API is."""

from __future__ import annotations

from oslo_config import cfg

from plugfair.api import ServiceAPI

__all__ = ["GROUP", "list_opts"]

GROUP = "compute"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[compute]`` options."""
    return ServiceAPI.config_options("compute", name="the compute API",
                                     example="http://nova.example.com:8774/v2.1")
