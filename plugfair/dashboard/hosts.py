"""Which ``Host`` headers the dashboard answers: a guard against DNS rebinding.

A page on an attacker's site can make the browser talk to a dashboard on
127.0.0.1 by pointing its own name at that address; the browser then
sends the attacker's name in ``Host``.  So the dashboard answers only
when ``Host`` is one of its own names:

* the address it is bound to, and for a loopback address the other
  loopback names (``localhost``, ``127.0.0.1``, ``[::1]``);
* for a wildcard address (``0.0.0.0``, ``::``), any IP address (a
  rebinding attack needs a name) plus ``localhost`` and this machine's
  host name;
* every name of ``[dashboard] allowed_hosts``; an entry starting with a
  dot (``.example.org``) also allows every subdomain.

Names are matched by werkzeug's :func:`~werkzeug.sansio.utils.host_is_trusted`
(which also checks the header's characters and port); IP addresses,
which it cannot match (IPv6), are compared as addresses.  Anything else
gets ``400 Bad Request`` saying what to configure.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Iterable

from werkzeug.sansio.utils import host_is_trusted

__all__ = ["HostRules", "host_rules", "WILDCARDS"]

#: Addresses that mean "every interface".
WILDCARDS = ("", "0.0.0.0", "::", "*")

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _address(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class HostRules:
    """The names and addresses the dashboard answers to."""

    #: Host names, lower case; ``.example.org`` allows its subdomains.
    names: tuple[str, ...]
    #: IP addresses; ``None`` allows any address.
    addresses: frozenset[_Address] | None

    def allows(self, header: str | None) -> bool:
        """Whether a ``Host`` header (``name[:port]``) names this dashboard."""
        if not header or not host_is_trusted(header.lower()):
            return False
        text = header.lower()
        host = text[1:].partition("]")[0] if text.startswith("[") else text.partition(":")[0]
        address = _address(host)
        if address is not None:
            return self.addresses is None or address in self.addresses
        return host_is_trusted(text, list(self.names) or ["\x00"])

    def describe(self) -> str:
        """The allowed names, for messages."""
        shown = [str(a) if a.version == 4 else "[%s]" % a for a in sorted(
            self.addresses or (), key=lambda a: (a.version, int(a)))]
        if self.addresses is None:
            shown.append("any IP address")
        return ", ".join(list(self.names) + shown) or "nothing"


def host_rules(bound: str, allowed: Iterable[str] = ()) -> HostRules:
    """The :class:`HostRules` of a dashboard bound to ``bound``.

    :param bound: the address (or name) it listens on.
    :param allowed: ``[dashboard] allowed_hosts``.
    """
    names: list[str] = []
    addresses: set[_Address] | None = set()
    for entry in allowed:
        entry = entry.strip().lower()
        address = _address(entry)
        if address is not None and addresses is not None:
            addresses.add(address)
        elif entry and entry not in names:
            names.append(entry)
    host = bound.strip().strip("[]").lower()
    address = _address(host)
    loopback = host == "localhost" or host.endswith(".localhost") or (
        address is not None and address.is_loopback)
    if host in WILDCARDS:
        addresses = None
        names += ["localhost", socket.gethostname().lower()]
    elif address is not None and addresses is not None:
        addresses.add(address)
    elif host:
        names.append(host)
    if loopback:
        names.append("localhost")
        if addresses is not None:
            addresses.update(_LOOPBACK)
    unique = tuple(dict.fromkeys(n for n in names if n))
    return HostRules(unique, None if addresses is None else frozenset(addresses))
