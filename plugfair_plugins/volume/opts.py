"""Options of the ``[volume]`` group: where the block storage API is."""

from __future__ import annotations

from oslo_config import cfg

from plugfair.api import ServiceAPI

__all__ = ["GROUP", "list_opts"]

GROUP = "volume"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[volume]`` options."""
    return ServiceAPI.config_options("block-storage", name="the block storage API",
                                     example="http://cinder.example.com:8776/v3/PROJECT_ID")
