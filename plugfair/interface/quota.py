"""Quota declarations: what a plugin says about the resources it limits."""

from __future__ import annotations

import dataclasses
import re

from plugfair.interface.errors import QuotaError

__all__ = ["QuotaResource", "UNLIMITED", "MAX_LIMIT", "validate_limit"]

#: The limit value that means "no limit".
UNLIMITED = -1

#: The largest limit that can be stored (Keystone's bound, 2**31 - 1).
MAX_LIMIT = 2**31 - 1

_RESOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def validate_limit(value: object, *, what: str = "limit") -> int:
    """Check a quota limit and return it as an int.

    :param value: an int, or a string holding one.
    :param what: how to name the value in the error message.
    :returns: the limit, ``-1`` meaning unlimited.
    :raises QuotaError: if the value is not an integer, is negative other
        than ``-1``, or is above ``2**31 - 1``.
    """
    if isinstance(value, bool):
        raise QuotaError("%s must be an integer, not a boolean (%r)." % (what, value))
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise QuotaError(
                "%s %r is not an integer. Give a whole number >= 0, or -1 for "
                "unlimited." % (what, value)
            )
        if len(text.lstrip("+-").lstrip("0")) > len(str(MAX_LIMIT)):
            # Also keeps int() away from its digit limit on huge input.
            raise QuotaError(
                "%s %s is out of range. Give a whole number from 0 to %d, or -1 "
                "for unlimited."
                % (what, text if len(text) <= 20 else text[:20] + "...", MAX_LIMIT)
            )
        value = int(text)
    if not isinstance(value, int):
        raise QuotaError(
            "%s must be an integer, not %s. Give a whole number >= 0, or -1 "
            "for unlimited." % (what, type(value).__name__)
        )
    if value < UNLIMITED:
        raise QuotaError(
            "%s %d is negative. Give a whole number >= 0, or -1 for unlimited."
            % (what, value)
        )
    if value > MAX_LIMIT:
        raise QuotaError(
            "%s %d is above the maximum %d. Use -1 for unlimited."
            % (what, value, MAX_LIMIT)
        )
    return value


@dataclasses.dataclass(frozen=True)
class QuotaResource:
    """One quota resource a plugin declares.

    The host keys it as ``<plugin>.<name>``.  All text fields are treated as
    untrusted: hosts escape them wherever they are shown.

    :param name: a lowercase identifier, unique within the plugin.
    :param default: the default limit, an int >= 0, or -1 for unlimited.
    :param unit: the unit of the count, e.g. ``"count"`` or ``"GiB"``.
    :param description: a sentence for humans.

    .. versionadded:: 1.0
    """

    name: str
    default: int
    unit: str = "count"
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _RESOURCE_NAME.fullmatch(self.name):
            raise QuotaError(
                "Quota resource name %r is invalid: use a lowercase identifier "
                "of at most 63 characters (letters, digits, underscores; "
                "starting with a letter)." % (self.name,)
            )
        validate_limit(self.default, what="default limit of %r" % self.name)
        if not isinstance(self.unit, str) or not self.unit.strip() or len(self.unit) > 32:
            raise QuotaError(
                "Quota resource %r: unit must be a non-empty string of at most "
                "32 characters, e.g. 'count' or 'GiB'." % self.name
            )
        if not isinstance(self.description, str) or len(self.description) > 1024:
            raise QuotaError(
                "Quota resource %r: description must be a string of at most "
                "1024 characters." % self.name
            )

    def key(self, plugin: str) -> str:
        """Return the host-wide key of this resource for ``plugin``."""
        return "%s.%s" % (plugin, self.name)
