"""The ``dns`` service client: a zone backend chosen by ``[dns] backend``."""

from __future__ import annotations

from typing import Any

from plugfair.api import ConfigError, PlugfairError

from dns_plugin.errors import DnsError

__all__ = ["backend", "identity_client", "make_client"]


def identity_client(conf: Any, registry: Any = None) -> Any:
    """The ``identity`` service client, from whichever plugin offers it.

    :param conf: the host's ``ConfigOpts``.
    :param registry: the host's :class:`plugfair.api.ServiceClients`.
    :raises DnsError: if there is none, or no enabled plugin offers
        ``identity``.
    """
    from oslo_config import cfg

    if registry is None:
        raise DnsError(
            "The designate backend reaches Designate through the 'identity' service "
            "client, which it asks the host for; it was called without one."
        )
    try:
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


def make_client(conf: Any, services: Any = None) -> Any:
    """Service-client factory of service ``dns``: :func:`backend`.

    :param services: the host's :class:`plugfair.api.ServiceClients`, which
        the host passes to a factory that takes it (API 1.1).
    """
    return backend(conf, services)
