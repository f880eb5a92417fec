"""The ``dns`` service client: a zone backend chosen by ``[dns] backend``."""

from __future__ import annotations

from typing import Any

from plugfair.api import ConfigError, PlugfairError

from dns_plugin.errors import DnsError

__all__ = ["backend", "identity_client", "make_client"]


# Configuration (by identity) -> the identity client built for it.
_IDENTITY: dict[int, tuple[Any, Any]] = {}


def identity_client(conf: Any, registry: Any = None) -> Any:
    """The ``identity`` service client, from whichever plugin offers it.

    :param conf: the host's ``ConfigOpts``.
    :param registry: the registry to ask; by default the installed plugins
        as ``conf`` selects them (:meth:`plugfair.api.Registry.discover`).
    :raises DnsError: if no enabled plugin offers ``identity``.
    """
    from oslo_config import cfg
    from plugfair.api import Registry

    if registry is None:
        cached = _IDENTITY.get(id(conf))
        if cached is not None and cached[0] is conf:
            return cached[1]
    try:
        if registry is None:
            client = Registry.discover(conf).service_client("identity")
            # One authentication per configuration, not one per call.
            _IDENTITY[id(conf)] = (conf, client)
            return client
        return registry.service_client("identity")
    except (PlugfairError, cfg.Error) as exc:
        raise DnsError(
            "The designate backend reaches Designate through the 'identity' service "
            "client, which is not available: %s" % exc
        ) from exc


def backend(conf: Any, registry: Any = None) -> Any:
    """The backend ``[dns]`` selects.

    :param conf: the host's ``ConfigOpts`` with ``[dns]`` registered.
    :param registry: where to find the ``identity`` client (designate).
    :returns: a :class:`~dns_plugin.backends.demo.DemoBackend` or a
        :class:`~dns_plugin.backends.designate.DesignateBackend`.
    :raises ConfigError: for designate while no cloud is configured.
    """
    group = conf.dns
    if group.backend == "demo":
        from dns_plugin.backends import demo

        return demo.DemoBackend(group.state_file or demo.default_state_file(),
                                default_project=group.default_project)
    from dns_plugin.backends.designate import DesignateBackend

    identity = identity_client(conf, registry)
    if not getattr(identity, "configured", True):
        raise ConfigError(
            "[dns] backend = designate needs a cloud: configure the identity client "
            "([identity] auth_url and credentials, or cloud), or use "
            "[dns] backend = demo."
        )
    return DesignateBackend.from_identity(identity, conf)


def make_client(conf: Any) -> Any:
    """Service-client factory of service ``dns``: :func:`backend`."""
    return backend(conf)
