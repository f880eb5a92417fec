"""Authentication settings from ``[identity]`` or clouds.yaml, and sessions.

keystoneauth1 and openstacksdk are imported on first use only.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from plugfair.api import ConfigError
from plugfair_plugins.identity.errors import IdentityError, NotConfigured

__all__ = ["AuthSettings", "build_session", "is_configured", "settings_from_conf"]

_PROJECT_SCOPE_KEYS = (
    "project_id",
    "project_name",
    "project_domain_id",
    "project_domain_name",
    "domain_id",
    "domain_name",
    "tenant_id",
    "tenant_name",
)


@dataclasses.dataclass(frozen=True)
class AuthSettings:
    """Everything needed to build an authenticated keystoneauth1 session.

    :param auth_type: a keystoneauth1 loader name, e.g. ``"password"``.
    :param auth: the loader's options (``auth_url``, ``username``...).
    :param region_name: the region to take endpoints from, if any.
    :param interface: the endpoint interface (``public``...).
    :param verify: ``True``, ``False`` or the path of a CA bundle.
    :param timeout: seconds per HTTP request.
    :param source: where the settings came from, for messages.
    """

    auth_type: str
    auth: Mapping[str, Any]
    region_name: str | None = None
    interface: str = "public"
    verify: bool | str = True
    timeout: float = 30.0
    source: str = "[identity]"

    def system_scoped(self, scope: str = "all") -> AuthSettings:
        """Return the same credentials asking for a system-scoped token.

        :raises IdentityError: for credentials that cannot be re-scoped
            (an application credential carries its own scope).
        """
        if "password" not in self.auth_type:
            raise IdentityError(
                "A system-scoped token needs password credentials, but %s uses "
                "auth type %r. Configure a user name and password with a role "
                "on the system (e.g. 'admin' after keystone-manage bootstrap)."
                % (self.source, self.auth_type)
            )
        auth = {k: v for k, v in self.auth.items() if k not in _PROJECT_SCOPE_KEYS}
        auth["system_scope"] = scope
        return dataclasses.replace(self, auth=auth)


def is_configured(conf: Any) -> bool:
    """Whether ``[identity]`` names a cloud or an auth URL.

    :param conf: the host's ``ConfigOpts`` with the ``[identity]`` options
        registered.
    """
    group = conf.identity
    return bool(group.cloud or group.auth_url)


def settings_from_conf(conf: Any) -> AuthSettings:
    """Read ``[identity]`` (and clouds.yaml, with ``cloud``) into settings.

    :param conf: the host's ``ConfigOpts`` with ``[identity]`` registered.
    :returns: the :class:`AuthSettings`.
    :raises NotConfigured: if neither ``cloud`` nor ``auth_url`` is set.
    :raises ConfigError: if the settings are incomplete or the cloud is not
        in clouds.yaml.
    """
    group = conf.identity
    if group.cloud:
        return _settings_from_cloud(group)
    if not group.auth_url:
        raise NotConfigured(
            "The identity plugin is not configured: set [identity] auth_url "
            "and credentials (username/password or application_credential_id"
            "/application_credential_secret), or [identity] cloud, in "
            "plugfair.conf."
        )
    verify: bool | str = not group.insecure
    if group.cacert and not group.insecure:
        verify = group.cacert
    common = {
        "region_name": group.region_name,
        "interface": group.interface or "public",
        "verify": verify,
        "timeout": group.timeout,
        "source": "[identity]",
    }
    if group.application_credential_id or group.application_credential_secret:
        if not (group.application_credential_id and group.application_credential_secret):
            raise ConfigError(
                "[identity] application_credential_id and "
                "application_credential_secret must be set together."
            )
        return AuthSettings(
            auth_type="v3applicationcredential",
            auth={
                "auth_url": group.auth_url,
                "application_credential_id": group.application_credential_id,
                "application_credential_secret": group.application_credential_secret,
            },
            **common,
        )
    missing = [n for n in ("username", "password") if not getattr(group, n)]
    if missing:
        raise ConfigError(
            "[identity] auth_url is set but %s %s not: set username and "
            "password, or an application credential."
            % (" and ".join(missing), "is" if len(missing) == 1 else "are")
        )
    if group.project_name and group.system_scope:
        raise ConfigError(
            "[identity] project_name and system_scope are both set; a token has "
            "one scope. Unset one of them."
        )
    auth: dict[str, Any] = {
        "auth_url": group.auth_url,
        "username": group.username,
        "password": group.password,
        "user_domain_name": group.user_domain_name,
    }
    if group.project_name:
        auth["project_name"] = group.project_name
        auth["project_domain_name"] = group.project_domain_name
    if group.system_scope:
        auth["system_scope"] = group.system_scope
    return AuthSettings(auth_type="password", auth=auth, **common)


def _settings_from_cloud(group: Any) -> AuthSettings:
    try:
        from openstack import exceptions
        from openstack.config import loader
    except ImportError as exc:
        raise ConfigError(
            "[identity] cloud = %s needs openstacksdk to read clouds.yaml: %s. "
            "Install it with 'pip install plugfair[openstack]', or configure "
            "[identity] auth_url and credentials instead." % (group.cloud, exc)
        ) from exc

    # OS_* variables are not read (they would make an "envvars" cloud),
    # except the one that says where clouds.yaml is.
    files = list(loader.CONFIG_FILES)
    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    if override:
        files.insert(0, override)
    try:
        region = loader.OpenStackConfig(config_files=files, load_envvars=False).get_one(
            cloud=group.cloud
        )
    except exceptions.ConfigException as exc:
        raise ConfigError(
            "[identity] cloud = %s: %s. Add that cloud to clouds.yaml (or point "
            "OS_CLIENT_CONFIG_FILE at the file that has it)." % (group.cloud, exc)
        ) from exc
    verify, _cert = region.get_requests_verify_args()
    return AuthSettings(
        auth_type=str(region.config.get("auth_type") or "password"),
        auth=dict(region.config.get("auth") or {}),
        region_name=group.region_name or region.region_name or None,
        interface=str(group.interface or region.get_interface() or "public"),
        verify=verify if isinstance(verify, (bool, str)) else True,
        timeout=group.timeout,
        source="clouds.yaml cloud %r" % group.cloud,
    )


def build_session(settings: AuthSettings) -> Any:
    """Build a keystoneauth1 session from settings.

    :returns: a :class:`keystoneauth1.session.Session`; it authenticates
        on first use.
    :raises ConfigError: if the auth options are incomplete.
    """
    from keystoneauth1 import exceptions as ks_exc
    from keystoneauth1 import loading, session

    try:
        plugin: Any = loading.get_plugin_loader(settings.auth_type).load_from_options(
            **dict(settings.auth)
        )
    except (ks_exc.NoMatchingPlugin, ks_exc.MissingRequiredOptions) as exc:
        raise ConfigError("%s: %s" % (settings.source, exc)) from exc
    return session.Session(
        auth=plugin,
        verify=settings.verify,
        timeout=settings.timeout,
        app_name="plugfair-identity",
    )
