"""Options of the ``[dns]`` group."""

from __future__ import annotations

from oslo_config import cfg
from plugfair.api import ServiceAPI

__all__ = ["GROUP", "list_opts"]

GROUP = "dns"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[dns]`` options.

    The last four say where Designate is (designate backend).
    """
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
            help="Check the project's dns.zones quota (plugfair's quota enforcer) "
            "before 'zone create'.",
        ),
    ] + ServiceAPI.config_options("dns", name="Designate",
                                  example="http://designate.example.com:9001")
