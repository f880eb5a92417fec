"""Turning what a plugin returned into plain values, without trusting it.

A usage callback may return anything: a ``dict`` subclass whose ``items``
hangs, an ``int`` subclass whose ``__index__`` calls ``sys.exit``, a string
key with a hostile ``__hash__``, an integer of 5,000 digits, an exception
whose ``__str__`` raises.  The functions here read such values through the
built-in types' own methods (``dict.items``, ``int.__int__``,
``str.__str__``), never through methods a subclass may override, and give
back exact ``dict``, ``str`` and ``int`` objects.

They still run plugin code for a mapping that is not a ``dict`` (its
``items``) and for exception messages (``__str__``), so they are called
inside the isolation boundary (:mod:`plugfair.quota.isolation`), under the
same deadline as the callback itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from plugfair.interface.errors import PluginValidationError

__all__ = ["MAX_USAGE", "MAX_TEXT", "plain_text", "describe_error", "plain_usage"]

#: The largest usage count accepted (what a SQL ``BIGINT`` holds).
MAX_USAGE = 2**63 - 1

#: Longest plugin-supplied text kept in a reason, in characters.
MAX_TEXT = 500


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """``str(value)`` as an exact ``str`` of at most ``limit`` characters.

    :param value: anything; its ``__str__`` runs.
    :returns: the text, cut with ``"..."``; ``"<unprintable>"`` if
        ``__str__`` fails or does not give a string.
    """
    try:
        text = value if isinstance(value, str) else str(value)
        if not isinstance(text, str):
            return "<unprintable>"
        text = str.__str__(text)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "<unprintable>"
    if len(text) > limit:
        return text[: max(0, limit - 3)] + "..."
    return text


def _type_name(value: object) -> str:
    """The name of ``value``'s class, read past any metaclass trick."""
    try:
        name = type.__dict__["__name__"].__get__(type(value))
    except BaseException:  # noqa: BLE001 - never fails in practice
        return "object"
    return plain_text(name, 100)


def describe_error(exc: BaseException) -> str:
    """``"TypeName: message"`` of an exception a plugin raised.

    :param exc: any exception, ``BaseException`` subclasses included.
    :returns: plain text; the message is :func:`plain_text` of the
        exception, left out when empty.
    """
    name = _type_name(exc)
    message = plain_text(exc)
    return "%s: %s" % (name, message) if message else name


def _count(plugin: str, name: str, count: object) -> int:
    if type(count) is bool or not isinstance(count, int):
        raise PluginValidationError(
            plugin,
            "quota_usage()",
            "usage of %r is %s (%s); it must be an integer >= 0."
            % (name, _type_name(count), plain_text(count, 40)),
        )
    number = int.__int__(count)  # the value itself: no overridable method
    if number < 0:
        raise PluginValidationError(
            plugin, "quota_usage()", "usage of %r is %d; it must be an integer >= 0." % (name, number)
        )
    if number > MAX_USAGE:
        raise PluginValidationError(
            plugin,
            "quota_usage()",
            "usage of %r is an integer of %d bits; it must be an integer >= 0 "
            "of at most %d." % (name, int.bit_length(number), MAX_USAGE),
        )
    return number


def plain_usage(plugin: str, value: object, names: Sequence[str]) -> dict[str, int]:
    """Validate what ``quota_usage()`` returned; return it as plain values.

    Names the plugin did not report are left out (they show as unknown);
    keys that are not strings or were not asked for are ignored.

    :param plugin: the plugin's name, for messages.
    :param value: the callback's return value (untrusted).
    :param names: the resource names that were asked for.
    :returns: an exact ``dict`` of exact ``str`` to exact ``int``.
    :raises PluginValidationError: if ``value`` is not a mapping, or a
        count is not an integer from 0 to :data:`MAX_USAGE`.
    """
    if isinstance(value, dict):
        items = list(dict.items(value))
    elif isinstance(value, Mapping):
        items = list(value.items())  # plugin code: runs inside the boundary
    else:
        raise PluginValidationError(
            plugin,
            "quota_usage()",
            "it returned %s; return a mapping of resource name to count." % _type_name(value),
        )
    wanted = {str.__str__(n) for n in names}
    out: dict[str, int] = {}
    for item in items:
        if type(item) is not tuple or len(item) != 2:
            raise PluginValidationError(
                plugin, "quota_usage()", "its mapping gave an item that is not a (name, count) pair."
            )
        key, count = item
        if not isinstance(key, str):
            continue
        name = str.__str__(key)
        if name not in wanted:
            continue
        out[name] = _count(plugin, name, count)
    return out
