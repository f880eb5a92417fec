"""Options of the ``[identity]`` group."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "list_opts"]

GROUP = "identity"


def list_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[identity]`` options."""
    return [
        cfg.StrOpt(
            "cloud",
            help="Name of a cloud in clouds.yaml (read by openstacksdk from "
            "the usual places, or from OS_CLIENT_CONFIG_FILE). When set, it "
            "supplies the credentials and the options below are ignored, "
            "except region_name and interface when those are set.",
        ),
        cfg.StrOpt(
            "auth_url",
            help="Keystone endpoint, e.g. http://127.0.0.1:35358/v3. Leave "
            "unset (and cloud unset) to keep the identity plugin "
            "unconfigured: its API tests then skip.",
        ),
        cfg.StrOpt("username", help="User name for password authentication."),
        cfg.StrOpt(
            "password", secret=True, help="Password for password authentication."
        ),
        cfg.StrOpt(
            "user_domain_name",
            default="Default",
            help="Domain of the user, for password authentication.",
        ),
        cfg.StrOpt(
            "project_name",
            help="Project to scope the token to. Leave unset together with "
            "system_scope for an unscoped token.",
        ),
        cfg.StrOpt(
            "project_domain_name",
            default="Default",
            help="Domain of the project named by project_name.",
        ),
        cfg.StrOpt(
            "system_scope",
            help="Scope tokens to the system (e.g. 'all') instead of a project.",
        ),
        cfg.StrOpt(
            "application_credential_id",
            help="Application credential ID; used instead of username and "
            "password when set.",
        ),
        cfg.StrOpt(
            "application_credential_secret",
            secret=True,
            help="Secret of the application credential.",
        ),
        cfg.StrOpt(
            "region_name",
            help="Region to pick endpoints from in the service catalog.",
        ),
        cfg.StrOpt(
            "interface",
            choices=["public", "internal", "admin"],
            help="Endpoint interface to use from the service catalog "
            "(default: the cloud's setting, else public).",
        ),
        cfg.StrOpt(
            "cacert", help="CA bundle to verify Keystone's TLS certificate with."
        ),
        cfg.BoolOpt(
            "insecure",
            default=False,
            help="Do not verify TLS certificates (testing only).",
        ),
        cfg.FloatOpt(
            "timeout",
            default=30.0,
            min=0.1,
            help="Seconds to wait for each HTTP request.",
        ),
    ]
