"""Options of the ``[volume]`` group: where the block storage API is."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "volume"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[volume]`` options."""
    return [
        cfg.StrOpt(
            "service_type",
            default="block-storage",
            help="Service type of the block storage API in the service catalog "
            "(aliases such as volumev3 match too).",
        ),
        cfg.StrOpt(
            "interface",
            choices=["public", "internal", "admin"],
            help="Endpoint interface (default: the identity client's).",
        ),
        cfg.StrOpt(
            "region_name",
            help="Region to take the endpoint from (default: the identity client's).",
        ),
        cfg.StrOpt(
            "endpoint_override",
            help="Use this URL instead of the catalog's block storage endpoint, "
            "e.g. http://cinder.example.com:8776/v3/PROJECT_ID.",
        ),
    ]
