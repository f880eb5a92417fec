"""Options of the ``[network]`` group: where the networking API is."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "network"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[network]`` options."""
    return [
        cfg.StrOpt(
            "service_type",
            default="network",
            help="Service type of the networking API in the service catalog.",
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
            help="Use this URL instead of the catalog's networking endpoint, "
            "e.g. http://neutron.example.com:9696.",
        ),
    ]
