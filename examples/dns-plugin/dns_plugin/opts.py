"""Options of the ``[dns]`` group."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "dns"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[dns]`` options."""
    return [
        cfg.StrOpt(
            "backend",
            default="demo",
            choices=[
                ("demo", "zones in a local JSON file (state_file)"),
                ("designate", "Designate's API, found in the service catalog"),
            ],
            help="Where zones live.",
        ),
        cfg.StrOpt(
            "state_file",
            help="JSON file of the demo backend (default: "
            "$XDG_DATA_HOME/plugfair-dns/zones.json, i.e. "
            "~/.local/share/plugfair-dns/zones.json).",
        ),
        cfg.StrOpt(
            "default_project",
            default="demo",
            help="Project of zones created without --project (demo backend).",
        ),
        cfg.BoolOpt(
            "enforce_quota",
            default=True,
            help="Check the project's dns.zones quota (plugfair's Enforcer) "
            "before 'zone create'.",
        ),
        cfg.StrOpt(
            "service_type",
            default="dns",
            help="Service type of Designate in the service catalog (designate backend).",
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
            help="Use this URL instead of the catalog's DNS endpoint, e.g. "
            "http://designate.example.com:9001.",
        ),
    ]
