"""Options of the quota host, in ``[quota]``.

They are declared by the builtin plugin ``plugfair`` (which claims the
group) and registered onto the ``ConfigOpts`` that is passed in, never a
global one.
"""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "quota_opts", "register", "list_opts"]

GROUP = "quota"


def quota_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[quota]`` options."""
    return [
        cfg.StrOpt(
            "backend",
            default="sql",
            help="Where limits are kept: a driver name in the entry-point "
            "group 'plugfair.quota.backends'. 'sql' keeps them in the "
            "database named by 'connection'; 'keystone' keeps them as "
            "Keystone unified limits.",
        ),
        cfg.StrOpt(
            "connection",
            secret=True,
            help="SQLAlchemy URL of the quota database, e.g. "
            "postgresql+psycopg://user@host/db. Unset means an embedded "
            "SQLite file in the user's data directory, which is created "
            "and upgraded automatically; any other database is upgraded "
            "with 'plugfair quota db upgrade'.",
        ),
        cfg.StrOpt(
            "default_project",
            help="Project that 'quota show' uses when --project is not given. "
            "Commands that write always need --project.",
        ),
        cfg.FloatOpt(
            "usage_timeout",
            default=5.0,
            min=0.01,
            help="Seconds a plugin's usage may take, importing the plugin "
            "included, before its usage is shown as unknown. Callbacks of "
            "different plugins run at the same time.",
        ),
        cfg.StrOpt(
            "usage_isolation",
            default="process",
            choices=[
                ("process", "Each plugin's usage callback runs in a child "
                 "process of its own, killed at the deadline."),
                ("thread", "Usage callbacks run in threads of the host "
                 "process: a callback that calls os._exit() ends the host, "
                 "and one that hangs keeps its thread."),
            ],
            help="Where plugins' usage callbacks run. 'process' (the "
            "default) contains a plugin that exits, hangs or returns "
            "hostile values; it needs os.fork (POSIX), and falls back to "
            "'thread' without it.",
        ),
        cfg.FloatOpt(
            "usage_retry_after",
            default=60.0,
            min=0.0,
            help="In a long-running host (the dashboard): seconds a plugin "
            "whose usage callback did not return within usage_timeout is "
            "not called again; its usage shows as unknown, with the reason. "
            "The pause doubles on each further timeout, up to 16 times this "
            "value. 0 calls it every time.",
        ),
    ] + _keystone_opts()


def _keystone_opts() -> list[cfg.Opt]:
    return [
        cfg.StrOpt(
            "keystone_cloud",
            help="keystone backend: name of a clouds.yaml entry with "
            "system-scoped admin credentials. When unset, the "
            "keystone_auth_url/username/password options are used.",
        ),
        cfg.URIOpt(
            "keystone_auth_url",
            help="keystone backend: identity endpoint, e.g. "
            "http://127.0.0.1:5000/v3.",
        ),
        cfg.StrOpt("keystone_username", help="keystone backend: user name."),
        cfg.StrOpt(
            "keystone_password", secret=True, help="keystone backend: password."
        ),
        cfg.StrOpt(
            "keystone_user_domain",
            default="Default",
            help="keystone backend: the user's domain name.",
        ),
        cfg.StrOpt(
            "keystone_region",
            help="keystone backend: region of the registered and project "
            "limits (none by default).",
        ),
        cfg.StrOpt(
            "keystone_service_type",
            default="plugfair-quota",
            help="keystone backend: type of the Keystone service the limits "
            "are registered against. It is created when missing.",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the ``[quota]`` options on ``conf`` (idempotent)."""
    conf.register_opts(quota_opts(), group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """``[(group, opts)]`` for documentation and the sample generator."""
    return [(GROUP, quota_opts())]
