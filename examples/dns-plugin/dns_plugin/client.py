"""The ``dns`` service client: the zone backend ``[dns] backend`` chooses."""

from __future__ import annotations

from typing import Any

from plugfair.api import ServiceAPI, ServiceClients

from dns_plugin.errors import DnsConflict, DnsError, DnsNotFound

__all__ = ["make_client"]


def make_client(conf: Any, services: ServiceClients | None) -> Any:
    """Service-client factory of service ``dns``.

    :param conf: the host's ``ConfigOpts`` with ``[dns]`` registered.
    :param services: the host's service clients; the designate backend
        reaches Designate through their ``identity`` client.
    :returns: a :class:`~dns_plugin.backends.demo.DemoBackend` or a
        :class:`~dns_plugin.backends.designate.DesignateBackend` (whose
        ``api.unavailable()`` says why it cannot reach Designate, if it
        cannot).
    """
    group = conf.dns
    if group.backend == "demo":
        from dns_plugin.backends import demo

        return demo.DemoBackend(group.state_file or demo.default_state_file(),
                                default_project=group.default_project)
    from dns_plugin.backends.designate import DesignateBackend

    return DesignateBackend(ServiceAPI.from_config(
        conf, "dns", services, via="identity", name="Designate", error=DnsError,
        errors={404: DnsNotFound, 409: DnsConflict}))
