"""Validation of zone names, e-mail addresses, TTLs and records."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from dns_plugin.errors import InvalidInput

__all__ = ["RECORD_TYPES", "check_zone_name", "check_recordset_name", "check_email",
           "check_ttl", "check_records"]

#: Record types the demo backend accepts.
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT")

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_fqdn(name: object, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidInput("%s must be a non-empty string." % what)
    lowered = name.lower()
    if not lowered.endswith("."):
        raise InvalidInput(
            "%s %r must be fully qualified and end with a dot, e.g. %r." % (what, name, name + ".")
        )
    if len(lowered) > 255:
        raise InvalidInput("%s %r is longer than 255 characters." % (what, name))
    labels = lowered[:-1].split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidInput(
                "%s %r has an invalid label %r: use 1 to 63 letters, digits, '-' or "
                "'_', not starting or ending with '-'." % (what, name, label)
            )
    return lowered


def check_zone_name(name: object) -> str:
    """Return the zone name, lowercased.

    :raises InvalidInput: unless it is a fully qualified name with at least
        two labels, ending with a dot (``example.org.``).
    """
    lowered = _check_fqdn(name, "Zone name")
    if lowered.count(".") < 2:
        raise InvalidInput(
            "Zone name %r needs at least two labels, e.g. 'example.org.'." % (name,)
        )
    return lowered


def check_recordset_name(name: object, zone: str) -> str:
    """Return the recordset name, lowercased; it must be in ``zone``.

    :raises InvalidInput: if it is not a name inside the zone.
    """
    lowered = _check_fqdn(name, "Recordset name")
    if lowered != zone and not lowered.endswith("." + zone):
        raise InvalidInput("Recordset name %r is not inside zone %r." % (name, zone))
    return lowered


def check_email(email: object) -> str:
    """Return the e-mail address of a zone's administrator.

    :raises InvalidInput: unless it looks like ``user@example.org``.
    """
    if not isinstance(email, str) or not _EMAIL.match(email):
        raise InvalidInput("E-mail %r is not an address like hostmaster@example.org." % (email,))
    return email


def check_ttl(ttl: object) -> int:
    """Return the TTL in seconds (1 to 2147483647).

    :raises InvalidInput: otherwise.
    """
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 2**31 - 1:
        raise InvalidInput("TTL %r must be a whole number of seconds from 1 to %d."
                           % (ttl, 2**31 - 1))
    return ttl


def check_records(rtype: object, records: Sequence[object]) -> tuple[str, list[str]]:
    """Return the record type (uppercased) and the records.

    A and AAAA records must be IPv4 and IPv6 addresses.

    :raises InvalidInput: for an unknown type, no records, or bad addresses.
    """
    kind = str(rtype).upper()
    if kind not in RECORD_TYPES:
        raise InvalidInput("Record type %r is not one of %s." % (rtype, ", ".join(RECORD_TYPES)))
    if not records:
        raise InvalidInput("A recordset needs at least one record.")
    out = []
    for record in records:
        if not isinstance(record, str) or not record.strip():
            raise InvalidInput("Record %r must be a non-empty string." % (record,))
        if kind in ("A", "AAAA"):
            version = 4 if kind == "A" else 6
            try:
                address = ipaddress.ip_address(record)
            except ValueError:
                address = None
            if address is None or address.version != version:
                raise InvalidInput("Record %r is not an IPv%d address (type %s)."
                                   % (record, version, kind))
        out.append(record.strip())
    return kind, out
