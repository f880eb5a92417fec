"""Options of the ``[compute]`` group: where the compute API is."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "compute"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[compute]`` options."""
    return [
        cfg.StrOpt(
            "service_type",
            default="compute",
            help="Service type of the compute API in the service catalog.",
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
            help="Use this URL instead of the catalog's compute endpoint, "
            "e.g. http://nova.example.com:8774/v2.1.",
        ),
    ]
