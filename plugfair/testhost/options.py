"""Options of the tests host, in ``[plugfair_tests]``.

The group belongs to the builtin plugin ``plugfair`` (``plugfair_*``), which
declares these options like any plugin declares its own.  They say which
services the deployment under test provides.  There is no list of services
here: a service is whatever name a plugin offers through its
``service_clients()`` hook, and the same two options govern all of them.
"""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "test_opts", "register", "list_opts"]

GROUP = "plugfair_tests"


def test_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[plugfair_tests]`` options."""
    return [
        cfg.ListOpt(
            "available_services",
            default=[],
            help="Services the deployment under test provides. Empty means "
            "every service that an enabled, usable plugin offers. Tests "
            "that require a service not available skip, with the reason.",
        ),
        cfg.ListOpt(
            "unavailable_services",
            default=[],
            help="Services the deployment under test does not provide, even "
            "though a plugin offers them. Tests that require one of them "
            "skip, with the reason.",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the ``[plugfair_tests]`` options on ``conf``."""
    conf.register_opts(test_opts(), group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """``[(group, opts)]`` of the tests host, for the builtin plugin."""
    return [(GROUP, test_opts())]
